import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/db.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { freshSqliteUrl } from '../helpers/stores.ts';

/**
 * The card a click answers with reads one team's substitution requests (storage/substitutions.ts, oneTeamsRequests):
 * by an index on (task_id, team_no) since migration 010, not a scan of every request (issue 13, card callbacks).
 */
describe('one team’s substitution requests', () => {
  it('are found through substitutions_by_team, not a scan of the table', async () => {
    const store = openStore(freshSqliteUrl());
    try {
      await migrate(store);
      const { rows } = await sql<{ detail: string }>`explain query plan
        select s.*, t.state as task_state, t.void_reason from substitutions as s
        inner join tasks as t on t.id = s.task_id
        where s.task_id = ${'T-1'} and s.team_no = ${1}
        order by s.requested_at, s.id`.execute(store.db);
      const plan = rows.map((r) => r.detail).join('\n');
      expect(plan).toMatch(/SEARCH s USING INDEX substitutions_by_team \(task_id=\? AND team_no=\?\)/);
      expect(plan).not.toMatch(/SCAN s\b/);
    } finally {
      await store.close();
    }
  });
});
