/**
 * Synthetic data for the results-import benchmark: a province's quarter — many locked tasks of 1,000 drawn
 * targets each, four departments per task (every department on every team), so 4,000 result parts per task —
 * written straight into a migrated SQLite file (the draw has its own benchmark), and the results file that enters
 * them. Deterministic: part `i` is the same row in the CSV and in the floor.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import Database from 'better-sqlite3';
import { openStore } from '../src/storage/db.ts';
import { migrate } from '../src/storage/migrate.ts';
import { syntheticTarget } from './import-data.ts';

export const TARGETS_PER_TASK = 1000;
export const TARGETS_PER_TEAM = 5;
/** The initiator first: every department of a task is on every team. */
export const DEPARTMENTS = [
  ['SCJG', '书面检查'],
  ['WJW', '实地核查'],
  ['YJGL', '网络检查'],
  ['SWJ', '抽样检测'],
] as const;
export const PARTS_PER_TASK = TARGETS_PER_TASK * DEPARTMENTS.length;

/** The last full calendar quarter before `now`: the tasks' window, every inspection date inside it. */
export function lastQuarter(now: Date): { start: string; end: string; days: string[] } {
  const q = Math.floor(now.getUTCMonth() / 3);
  const year = q === 0 ? now.getUTCFullYear() - 1 : now.getUTCFullYear();
  const first = q === 0 ? 9 : (q - 1) * 3;
  const start = new Date(Date.UTC(year, first, 1));
  const end = new Date(Date.UTC(year, first + 3, 0));
  const days: string[] = [];
  for (let d = start.getTime(); d <= end.getTime(); d += 86_400_000)
    days.push(new Date(d).toISOString().slice(0, 10));
  return { start: days[0]!, end: days.at(-1)!, days };
}

export const taskId = (t: number) => `SX-Q-${String(t + 1).padStart(3, '0')}`;
/** Target `k` of task `t`: a valid USCC (each task draws its own targets). */
export const usccOf = (t: number, k: number) => syntheticTarget(t * TARGETS_PER_TASK + k)[0]!;

/** The results file's header row in Chinese (SPEC.md §3 import formats); the tests' files use it too. */
export const RESULT_HEADER = [
  '任务编号',
  '统一社会信用代码',
  '部门编码',
  '检查结果',
  '检查日期',
  '检查方式',
  '备注',
  '后续处置',
];

/**
 * Part `i` of the file as its eight cells: mostly 未发现问题, some corrected or awaiting follow-up (with the
 * follow-up), a few with two categories, a note on one in ten.
 */
export function syntheticResult(i: number, days: readonly string[]): string[] {
  const t = Math.floor(i / PARTS_PER_TASK);
  const k = Math.floor((i % PARTS_PER_TASK) / DEPARTMENTS.length);
  const [dept, method] = DEPARTMENTS[i % DEPARTMENTS.length]!;
  const x = Math.imul(i + 1, 2654435761) >>> 0;
  const kind = x % 20;
  const categories =
    kind < 14
      ? '未发现问题'
      : kind < 17
        ? '发现问题已责令改正'
        : kind < 19
          ? '发现问题待后续处理'
          : '未按规定公示应当公示的信息；发现问题已责令改正';
  return [
    taskId(t),
    usccOf(t, k),
    dept,
    categories,
    // One visit per target: every department of its team the same day.
    days[(k * 7 + t) % days.length]!,
    method,
    x % 10 === 0 ? `现场检查记录第${i}号，经营场所与登记一致` : '',
    kind >= 17 && kind < 19 ? '责令限期整改，到期复查' : '',
  ];
}

/**
 * A migrated SQLite file holding the departments, one item per department (its method), and `tasks` locked
 * tasks with their teams and drawn targets (`targetsPerTask` each, 1,000 unless given; target `k` of task `t` is
 * `usccOf(t, k)` whatever the count). With `officersPerDept`, also that many officers per department
 * (`<dept><nnnn>`, no open_id) and one of each department on every team, the initiator's the leader — inserted
 * before the draw is marked run, as the draw does (a locked team takes no new members).
 */
export async function seedResultTasks(
  path: string,
  tasks: number,
  window: { start: string; end: string },
  targetsPerTask = TARGETS_PER_TASK,
  opts: { officersPerDept?: number } = {},
) {
  const store = openStore(`file:${path}`);
  await migrate(store);
  await store.close();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.transaction(() => {
    const dept = db.prepare('insert into departments (code, name) values (?, ?)');
    const item = db.prepare(
      "insert into items (code, name, department, category, basis, method, specialty) values (?, ?, ?, 'general', null, ?, null)",
    );
    const officers = opts.officersPerDept ?? 0;
    const inspector = db.prepare(
      "insert into inspectors (cert_no, name, department, section, cert_valid_until, specialties, regions, mobile, open_id, kind, active) values (?, ?, ?, null, '2030-12-31', '[]', '[]', null, null, 'officer', 1)",
    );
    const certOf = (code: string, n: number) => `${code}${String(n % officers).padStart(4, '0')}`;
    for (const [code, method] of DEPARTMENTS) {
      dept.run(code, `${code}局`);
      item.run(`${code}-001`, `${code}事项`, code, method);
      for (let n = 0; n < officers; n++) inspector.run(certOf(code, n), `${code}检查员${n}`, code);
    }
    const member = db.prepare(
      "insert into team_members (task_id, team_no, cert_no, dept, leader, position, source, active, confirmed_at, confirmed_by, version) values (?, ?, ?, ?, ?, ?, 'draw', 1, ?, 'bench', 1)",
    );
    const task = db.prepare(
      "insert into tasks (id, name, initiator, state, definition, year, created_at, created_by) values (?, ?, 'SCJG', 'locked', ?, ?, ?, 'bench')",
    );
    const draw = db.prepare(
      "insert into draws (task_id, entropy_source, frozen_at, frozen_by, parameters, targets_hash, officers_hash, conflicts_hash) values (?, 'bench', ?, 'bench', '{}', '', '', '')",
    );
    // The freeze's texts, empty here (migration 008 keeps them apart from the draw row).
    const snapshots = db.prepare(
      "insert into draw_snapshots (task_id, kind, text) values (?, 'targets', ''), (?, 'officers', ''), (?, 'conflicts', '')",
    );
    const team = db.prepare("insert into teams (task_id, no, region) values (?, ?, '150302')");
    const target = db.prepare(
      'insert into team_targets (task_id, team_no, position, uscc) values (?, ?, ?, ?)',
    );
    const run = db.prepare(
      "update draws set entropy = 'bench', seed = 'bench', run_at = ?, run_by = 'bench' where task_id = ?",
    );
    for (let t = 0; t < tasks; t++) {
      const id = taskId(t);
      const definition = {
        id,
        name: `省级第${t + 1}批部门联合抽查`,
        initiator: 'SCJG',
        participants: DEPARTMENTS.slice(1).map(([c]) => c),
        items: DEPARTMENTS.map(([c]) => `${c}-001`),
        scope: {},
        ratioBp: null,
        count: targetsPerTask,
        window,
        targetsPerTeam: TARGETS_PER_TEAM,
        officersPerParticipant: 1,
        specialty: null,
        resultDays: 20,
      };
      task.run(
        id,
        definition.name,
        JSON.stringify(definition),
        Number(window.start.slice(0, 4)),
        window.start,
      );
      draw.run(id, window.start);
      snapshots.run(id, id, id);
      for (let k = 0; k < targetsPerTask; k++) {
        const no = Math.floor(k / TARGETS_PER_TEAM) + 1;
        if (k % TARGETS_PER_TEAM === 0) {
          team.run(id, no);
          if (officers > 0)
            DEPARTMENTS.forEach(([code], d) =>
              member.run(id, no, certOf(code, t * 31 + no), code, d === 0 ? 1 : 0, d, window.start),
            );
        }
        target.run(id, no, k % TARGETS_PER_TEAM, usccOf(t, k));
      }
      run.run(window.start, id);
    }
  })();
  db.close();
}

const csvLine = (cells: readonly string[]) =>
  cells.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',') + '\n';

/** Streams `rows` synthetic result parts to `path` as UTF-8 CSV with a BOM and Chinese headers. */
export async function writeResultsCsv(path: string, rows: number, days: readonly string[]): Promise<void> {
  const out = createWriteStream(path);
  let buf = '\uFEFF' + csvLine(RESULT_HEADER);
  for (let i = 0; i < rows; i++) {
    buf += csvLine(syntheticResult(i, days));
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}
