import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { usccCheckCharacter } from '../src/domain/uscc.ts';
import { openStore } from '../src/storage/db.ts';
import { migrate } from '../src/storage/migrate.ts';

export interface CityShape {
  targets: number;
  officers: number;
  departments: number;
  regions: number;
}

const ALNUM = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A deterministic pseudo-random sequence (benchmark data only; never used by the draw). */
function lcg(seed: number) {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

export const regionCode = (i: number) => String(150300 + i + 1);
export const deptCode = (i: number) => `D${String(i).padStart(2, '0')}`;

/**
 * Writes a synthetic city straight into a migrated SQLite file (bypassing the importer, which has its own
 * benchmark): departments, one key item each, targets with valid USCCs spread over regions and risk classes,
 * officers covering two or three regions each, and a few conflicts.
 */
export async function buildSyntheticCity(path: string, shape: CityShape): Promise<void> {
  const store = openStore(`file:${path}`);
  await migrate(store);
  await store.close();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const rnd = lcg(20261122);
  db.transaction(() => {
    const dept = db.prepare('insert into departments (code, name, head, liaison) values (?, ?, null, null)');
    const item = db.prepare(
      "insert into items (code, name, department, category, basis, method, specialty) values (?, ?, ?, 'key', null, null, null)",
    );
    for (let d = 0; d < shape.departments; d++) {
      dept.run(deptCode(d), `部门${d}`);
      item.run(`${deptCode(d)}-001`, `事项${d}`, deptCode(d));
    }
    const target = db.prepare(
      "insert into targets (uscc, name, kind, legal_rep, address, region, industry, scope, established, status, risk, phone) values (?, ?, '企业', null, ?, ?, '餐饮服务', null, '2015-01-01', ?, ?, null)",
    );
    const link = db.prepare('insert into target_departments (uscc, department) values (?, ?)');
    const seen = new Set<string>();
    for (let i = 0; i < shape.targets; i++) {
      let body: string;
      do {
        body = '91' + regionCode(Math.floor(rnd() * shape.regions));
        for (let k = 0; k < 9; k++) body += ALNUM[Math.floor(rnd() * ALNUM.length)];
      } while (seen.has(body));
      seen.add(body);
      const uscc = body + usccCheckCharacter(body);
      const r = rnd();
      const risk = r < 0.3 ? 'A' : r < 0.7 ? 'B' : r < 0.9 ? 'C' : 'D';
      target.run(uscc, `企业${i}`, `地址${i}`, body.slice(2, 8), rnd() < 0.97 ? '存续' : '注销', risk);
      link.run(uscc, deptCode(0));
      if (rnd() < 0.5) link.run(uscc, deptCode(1 + Math.floor(rnd() * (shape.departments - 1))));
    }
    const officer = db.prepare(
      "insert into inspectors (cert_no, name, department, section, cert_valid_until, specialties, regions, mobile, open_id, kind, active) values (?, ?, ?, null, '2030-12-31', '[]', ?, null, null, 'officer', 1)",
    );
    const certs: string[] = [];
    for (let o = 0; o < shape.officers; o++) {
      const cert = String(150000000000 + o);
      certs.push(cert);
      const regions = new Set<string>();
      const home = Math.floor(o / shape.departments) % shape.regions; // every department covers every region
      regions.add(regionCode(home));
      regions.add(regionCode((home + 1) % shape.regions));
      if (rnd() < 0.5) regions.add(regionCode(Math.floor(rnd() * shape.regions)));
      officer.run(cert, `人员${o}`, deptCode(o % shape.departments), JSON.stringify([...regions]));
    }
    const conflict = db.prepare(
      'insert or ignore into conflicts (cert_no, uscc, reason) values (?, ?, null)',
    );
    const some = db.prepare('select uscc from targets limit 1 offset ?');
    for (let c = 0; c < 200; c++) {
      const row = some.get(Math.floor(rnd() * shape.targets)) as { uscc: string };
      conflict.run(certs[Math.floor(rnd() * certs.length)], row.uscc);
    }
  })();
  // Leave a checkpointed file, as a long-running office database would be: reads should not wade through the WAL.
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/**
 * The benchmarks' task over a synthetic city: initiator D00 with D01 and D02, 5 % of every risk class, six
 * targets and one officer per participant per team.
 */
export function writeBenchTask(path: string, id: string, name: string): void {
  writeFileSync(
    path,
    [
      `id: ${id}`,
      `name: ${name}`,
      `initiator: ${deptCode(0)}`,
      `participants: [${deptCode(1)}, ${deptCode(2)}]`,
      `items: [${deptCode(0)}-001]`,
      'ratio: 0.05',
      'window: { start: 2026-12-01, end: 2026-12-31 }',
      'team: { targetsPerTeam: 6, officersPerParticipant: 1 }',
      '',
    ].join('\n'),
  );
}
