import type { Kysely } from 'kysely';
import * as m001 from './001_directories_and_audit.ts';
import * as m002 from './002_tasks_and_draws.ts';
import * as m003 from './003_bot_outbox.ts';
import * as m004 from './004_audit_append_only.ts';
import * as m005 from './005_substitution_requests_and_jobs.ts';
import * as m006 from './006_results.ts';
import * as m007 from './007_send_pacing.ts';
import * as m008 from './008_draw_snapshots.ts';
import * as m009 from './009_import_source_digests.ts';
import * as m010 from './010_substitutions_by_team.ts';

export interface Migration {
  name: string;
  up(db: Kysely<any>): Promise<void>;
}

/** Every migration in the order it runs. Append only. */
export const MIGRATIONS: Migration[] = [
  { name: '001_directories_and_audit', up: m001.up },
  { name: '002_tasks_and_draws', up: m002.up },
  { name: '003_bot_outbox', up: m003.up },
  { name: '004_audit_append_only', up: m004.up },
  { name: '005_substitution_requests_and_jobs', up: m005.up },
  { name: '006_results', up: m006.up },
  { name: '007_send_pacing', up: m007.up },
  { name: '008_draw_snapshots', up: m008.up },
  { name: '009_import_source_digests', up: m009.up },
  { name: '010_substitutions_by_team', up: m010.up },
];
