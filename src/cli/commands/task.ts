import type { Command } from 'commander';
import { print, printJson, warn, when } from '../io.ts';
import type { CommandContext } from '../main.ts';

export function registerTask(program: Command, { io, withApp }: CommandContext): void {
  const task = program.command('task').description('joint inspection tasks (联合抽查任务)');

  task
    .command('create')
    .argument('<file>', 'task file, YAML or JSON (see README "Task file")')
    .description('create a task from a file; prints the task id alone on the last line')
    .option('--json', 'print the task as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const { createTask } = await import('../../services/tasks.ts');
      await withApp(async (app) => {
        const warnings: string[] = [];
        const created = await createTask(app, file, {
          onWarning: (w) => {
            warnings.push(w);
            warn(io, `warning: ${w}`);
          },
        });
        if (opts.json) return printJson(io, { ...created, warnings });
        print(io, `created task "${created.name}" (draft)`);
        print(io, created.id);
      });
    });

  task
    .command('list')
    .description('every task with its state')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { listTasks } = await import('../../storage/tasks.ts');
      await withApp(async (app) => {
        const tasks = await listTasks(app.store.db);
        if (opts.json)
          return printJson(
            io,
            tasks.map((t) => ({
              id: t.id,
              name: t.name,
              state: t.state,
              initiator: t.definition.initiator,
              window: t.definition.window,
            })),
          );
        if (tasks.length === 0) return print(io, 'no tasks yet (liancha task create FILE)');
        for (const t of tasks)
          print(
            io,
            `${t.id}\t${t.state}\t${t.definition.window.start}..${t.definition.window.end}\t${t.name}`,
          );
      });
    });

  task
    .command('show')
    .argument('<id>', 'task id')
    .description("one task's state, parameters, pool sizes, teams with members and targets, and deadlines")
    .option('--json', 'print as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { taskView } = await import('../../services/task-view.ts');
      await withApp(async (app) => {
        const view = await taskView(app, id);
        if (opts.json) return printJson(io, view);
        printTaskView(io, view, app.config.LIANCHA_TZ);
      });
    });

  task
    .command('void')
    .argument('<id>', 'task id')
    .requiredOption('--reason <text>', 'why the task is voided (kept in the record)')
    .description('void a task, keeping its record; create it again under a new id to redo it')
    .action(async (id: string, opts: { reason: string }) => {
      const { voidTask } = await import('../../services/tasks.ts');
      await withApp(async (app) => {
        const t = await voidTask(app, id, opts.reason);
        print(io, `task ${t.id} is void: ${t.voidReason}`);
      });
    });

  task
    .command('close')
    .argument('<id>', 'task id')
    .option(
      '--force',
      'close although results are missing (needs --reason; the audit entry lists what is missing)',
    )
    .option('--reason <text>', 'why results are missing (with --force)')
    .description('close a task whose results are all entered; a closed task takes no more edits')
    .action(async (id: string, opts: { force?: boolean; reason?: string }) => {
      const { closeTask } = await import('../../services/task-close.ts');
      await withApp(async (app) => {
        const { task: t, missing } = await closeTask(app, id, opts);
        print(
          io,
          missing.length === 0
            ? `task ${t.id} is closed: every result is entered`
            : `task ${t.id} is closed with ${missing.length} result${missing.length === 1 ? '' : 's'} missing (recorded in the audit log): ${opts.reason}`,
        );
      });
    });
}

type TaskView = Awaited<ReturnType<typeof import('../../services/task-view.ts').taskView>>;

function printTaskView(io: CommandContext['io'], v: TaskView, tz: string): void {
  const d = v.parameters;
  print(io, `${v.id}  ${v.name}`);
  print(io, `state: ${v.state}${v.voidReason ? ` (${v.voidReason})` : ''}`);
  print(
    io,
    `initiator: ${d.initiator}; participants: ${d.participants.join(', ') || '—'}; items: ${d.items.join(', ')}`,
  );
  const draws =
    d.count !== null
      ? `count ${d.count}`
      : `ratio ${Object.entries(d.ratioBp ?? {})
          .map(([c, bp]) => `${c} ${bp / 100}%`)
          .join(', ')}`;
  print(
    io,
    `window: ${d.window.start} .. ${d.window.end}; ${draws}; ${d.targetsPerTeam} targets per team; ${d.officersPerParticipant} officer(s) per participant; results within ${d.resultDays} working days`,
  );
  if (d.specialty) print(io, `specialty: ${d.specialty}`);
  if (v.freeze && v.pools) {
    print(io, `frozen ${when(tz, v.freeze.at)}, entropy source: ${v.freeze.entropySource}`);
    print(
      io,
      `pools: ${v.pools.targets} targets (A ${v.pools.byRisk.A}, B ${v.pools.byRisk.B}, C ${v.pools.byRisk.C}, D ${v.pools.byRisk.D}), ${v.pools.officers} officers, ${v.pools.conflicts} conflicts`,
    );
    print(
      io,
      `hashes: targets ${v.freeze.hashes.targets}\n        officers ${v.freeze.hashes.officers}\n        conflicts ${v.freeze.hashes.conflicts}`,
    );
  }
  if (v.run) print(io, `drawn ${when(tz, v.run.at)}, entropy "${v.run.entropy}", seed ${v.run.seed}`);
  for (const team of v.teams) {
    print(
      io,
      `\nteam ${team.no} (region ${team.region}) — results due ${v.parameters.resultDays} working days after each inspection, at the latest ${team.deadline}${team.deadlineProvisional ? ' (暂定 provisional: the holiday calendar does not cover that year yet)' : ''}`,
    );
    for (const m of team.members) {
      const flags = [
        m.leader ? '组长 leader' : '',
        m.via === 'substitution' ? 'substitute' : '',
        !m.active ? 'replaced' : '',
        m.confirmedAt ? `confirmed ${when(tz, m.confirmedAt)}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      print(io, `  ${m.dept}\t${m.certNo}\t${m.name ?? '?'}${flags ? `\t(${flags})` : ''}`);
    }
    for (const target of team.targets)
      print(io, `  · ${target.uscc}\t${target.name ?? '?'}\t${resultsLine(target)}`);
    if (team.substitutions.length > 0) print(io, '  substitutions 更换:');
    for (const s of team.substitutions) print(io, `    ${substitutionLine(s, tz)}`);
  }
}

/** Where one target's results stand: complete, or which departments are missing and by when. */
function resultsLine(target: TaskView['teams'][number]['targets'][number]): string {
  if (target.complete)
    return `✅ complete (${target.results.map((r) => `${r.dept} ${r.inspectedOn}`).join(', ')})`;
  const parts = target.results.map((r) =>
    r.entered
      ? `${r.dept} ✅ ${r.inspectedOn}`
      : `${r.dept} ${r.overdue ? '⚠️ overdue since' : '⏳ due'} ${r.deadline}${r.deadlineProvisional ? ' (暂定)' : ''}`,
  );
  return parts.join('; ');
}

/** One request of a team's history: who asked, when and why, and what became of it (by whom, when). */
function substitutionLine(s: TaskView['teams'][number]['substitutions'][number], tz: string): string {
  const who = `${s.dept} ${s.out.name ?? '?'} (${s.out.certNo})`;
  const asked = `asked ${when(tz, s.requestedAt)}: ${s.reason}${s.note ? ` — ${s.note}` : ''}`;
  const decided = s.decidedAt ? ` ${when(tz, s.decidedAt)}` : '';
  const via = s.decider.why ? ` (decided by the liaison: ${s.decider.why})` : '';
  switch (s.state) {
    case 'approved':
      return `${who} ${asked}; approved by ${s.decider.label}${decided}${via} → ${s.in?.name ?? '?'} (${s.in?.certNo ?? '?'})`;
    case 'rejected':
      return `${who} ${asked}; rejected by ${s.decider.label}${decided}${via}: ${s.comment ?? ''}`;
    case 'withdrawn':
      return `${who} ${asked}; withdrawn${decided}`;
    case 'expired':
      return `${who} ${asked}; expired${decided} (nobody decided before the window ended)`;
    default:
      return `${who} ${asked}; pending — waiting for ${s.decider.label}${via}`;
  }
}
