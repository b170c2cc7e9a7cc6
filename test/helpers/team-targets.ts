import type { Kysely } from 'kysely';
import { teamTargets } from '../../src/storage/draws.ts';
import type { Database } from '../../src/storage/schema.ts';

/** A task's drawn targets with their team, in team and visiting order: what tests build result rows from. */
export async function teamTargetList(
  db: Kysely<Database>,
  taskId: string,
): Promise<{ uscc: string; team: number }[]> {
  return [...(await teamTargets(db, taskId))].flatMap(([team, usccs]) =>
    usccs.map((uscc) => ({ uscc, team })),
  );
}
