import type { Command } from 'commander';
import type { DigestData } from '../../cards/digest-data.ts';
import { print, printJson, type CliIO } from '../io.ts';
import type { CommandContext } from '../main.ts';
import { parseAt } from './tick.ts';

/** Lines of each list printed as text; `--json` has them all. */
const LISTED = 50;

export function registerDigest(program: Command, { io, withApp }: CommandContext): void {
  program
    .command('digest')
    .description(
      'print the weekly progress digest (周报) as it stands now; --send posts it to the joint-meeting group',
    )
    .option('--at <iso-time>', 'the moment to compute it for, e.g. 2026-12-07T09:00:00+08:00 (default: now)')
    .option('--json', 'print the digest data as JSON (every task, overdue part and approval)')
    .option('--send', 'queue the digest card to JOINT_CHAT_ID (the running bot sends it)')
    .action(async (opts: { at?: string; json?: boolean; send?: boolean }) => {
      const { digestData, queueDigest } = await import('../../services/digest.ts');
      const at = opts.at === undefined ? null : parseAt(opts.at);
      await withApp(async (app) => {
        const now = at ?? app.clock();
        const queued = opts.send ? await queueDigest(app, now) : null;
        const d = queued?.data ?? (await digestData(app, now));
        if (opts.json) printJson(io, d);
        else printDigest(io, d);
        if (queued)
          print(
            io,
            `digest ${d.week} queued to ${queued.chatId} (outbox ${queued.outboxId}): the running bot sends it (or liancha outbox flush)`,
          );
      });
    });
}

/** The digest as text for a person at a terminal: times in LIANCHA_TZ, lists cut at LISTED lines. */
function printDigest(io: CliIO, d: DigestData): void {
  const n = d.totals;
  print(io, `周报 weekly digest ${d.week} — generated ${d.generatedAtLocal} (${d.tz})`);
  print(
    io,
    `tasks in progress: ${n.tasks}; targets drawn ${n.drawn}, inspected ${n.inspected}, complete ${n.complete}, overdue ${n.overdueTargets}`,
  );
  print(io, `result parts: entered ${n.entered}, pending ${n.pending}, overdue ${n.overdue}`);
  if (d.tasks.length > 0) {
    print(io);
    print(io, 'tasks:');
    list(
      io,
      d.tasks,
      (x) =>
        `  ${x.id}  ${x.name}: drawn ${x.drawn}, inspected ${x.inspected}, complete ${x.complete}, overdue ${x.overdue}`,
    );
  }
  if (d.departments.length > 0) {
    print(io);
    print(
      io,
      'departments (officers / unconfirmed; parts entered / pending / overdue; substitutions requested / approved / pending):',
    );
    list(
      io,
      d.departments,
      (x) =>
        `  ${x.code}  ${x.name}: officers ${x.officers} / ${x.unconfirmed} unconfirmed; parts ${x.entered} / ${x.pending} / ${x.overdue}; substitutions ${x.substitutions.requested} / ${x.substitutions.approved} / ${x.substitutions.pending}`,
    );
  }
  print(io);
  print(io, `due in the next 7 days (from ${d.today}):${d.deadlines.length === 0 ? ' nothing' : ''}`);
  list(
    io,
    d.deadlines,
    (x) => `  ${x.date}${x.provisional ? ' (provisional)' : ''}  ${x.taskId}  ${x.parts} parts`,
  );
  print(io);
  print(io, `overdue parts: ${d.overdue.length}`);
  list(
    io,
    d.overdue,
    (x) =>
      `  ${x.deadline}${x.provisional ? ' (provisional)' : ''}  ${x.taskId} team ${x.team}  ${x.target} (${x.uscc})  ${x.deptName}`,
  );
  print(io);
  print(io, `substitutions awaiting a decision: ${d.approvals.length}`);
  list(
    io,
    d.approvals,
    (x) =>
      `  ${x.taskId} team ${x.team}  ${x.inspector} (${x.deptName}), asked ${x.requestedAtLocal}, decided by the ${x.decider} of ${x.deptName}`,
  );
  if (d.provisional) {
    print(io);
    print(
      io,
      'provisional (暂定): some deadlines fall in a year whose holiday calendar is not published yet; they are counted Monday to Friday until config/holidays.json covers it',
    );
  }
}

function list<T>(io: CliIO, items: T[], line: (x: T) => string): void {
  for (const x of items.slice(0, LISTED)) print(io, line(x));
  if (items.length > LISTED) print(io, `  … ${items.length - LISTED} more (liancha digest --json lists all)`);
}
