import type { Command } from 'commander';
import type { RiskClass } from '../../domain/directory.ts';
import { parseTargetsSnapshot } from '../../domain/draw/index.ts';
import { resultDeadline } from '../../services/card-data.ts';
import { createTask, requireTask, voidTask } from '../../services/tasks.ts';
import { getDraw, loadMembers, loadTeams } from '../../storage/draws.ts';
import { targetsByUscc } from '../../storage/directory.ts';
import { listTasks } from '../../storage/tasks.ts';
import type { App } from '../../app.ts';
import { print, printJson, warn } from '../io.ts';
import type { CommandContext } from '../main.ts';

export function registerTask(program: Command, { io, withApp }: CommandContext): void {
  const task = program.command('task').description('joint inspection tasks (联合抽查任务)');

  task
    .command('create')
    .argument('<file>', 'task file, YAML or JSON (see README "Task file")')
    .description('create a task from a file; prints the task id alone on the last line')
    .option('--json', 'print the task as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
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
      await withApp(async (app) => {
        const view = await taskView(app, id);
        if (opts.json) return printJson(io, view);
        printTaskView(io, view);
      });
    });

  task
    .command('void')
    .argument('<id>', 'task id')
    .requiredOption('--reason <text>', 'why the task is voided (kept in the record)')
    .description('void a task, keeping its record; create it again under a new id to redo it')
    .action(async (id: string, opts: { reason: string }) => {
      await withApp(async (app) => {
        const t = await voidTask(app, id, opts.reason);
        print(io, `task ${t.id} is void: ${t.voidReason}`);
      });
    });
}

export interface TeamView {
  no: number;
  region: string;
  /** Result-entry deadline (ISO date) and whether the calendar could only estimate it (暂定). */
  deadline: string;
  deadlineProvisional: boolean;
  members: {
    certNo: string;
    name: string | null;
    dept: string;
    leader: boolean;
    active: boolean;
    via: string;
    confirmedAt: string | null;
  }[];
  targets: { uscc: string; name: string | null; address: string | null }[];
}

/** Everything `task show` prints, as data. */
export async function taskView(app: App, id: string) {
  const { db } = app.store;
  const task = await requireTask(app, id);
  const draw = await getDraw(db, id);
  const d = task.definition;
  const pools = draw
    ? {
        targets: countLines(draw.snapshots.targets),
        officers: countLines(draw.snapshots.officers),
        conflicts: countLines(draw.snapshots.conflicts),
        byRisk: riskCounts(draw.snapshots.targets),
      }
    : null;
  let teams: TeamView[] = [];
  if (draw?.seed) {
    const due = resultDeadline(d);
    const members = await loadMembers(db, id);
    const structure = await loadTeams(db, id, { drawnOnly: false });
    const names = await targetsByUscc(
      db,
      structure.flatMap((t) => t.targets),
    );
    teams = structure.map((t) => ({
      no: t.no,
      region: t.region,
      deadline: due.date,
      deadlineProvisional: due.provisional,
      members: members
        .filter((m) => Number(m.team_no) === t.no)
        .map((m) => ({
          certNo: m.cert_no,
          name: m.name,
          dept: m.dept,
          leader: Number(m.leader) === 1,
          active: Number(m.active) === 1,
          via: m.source,
          confirmedAt: m.confirmed_at,
        })),
      targets: t.targets.map((u) => ({
        uscc: u,
        name: names.get(u)?.name ?? null,
        address: names.get(u)?.address ?? null,
      })),
    }));
  }
  return {
    id: task.id,
    name: task.name,
    state: task.state,
    voidReason: task.voidReason,
    parameters: d,
    freeze: draw ? { at: draw.frozenAt, entropySource: draw.entropySource, hashes: draw.hashes } : null,
    run: draw?.seed ? { at: draw.runAt, entropy: draw.entropy, seed: draw.seed } : null,
    pools,
    teams,
  };
}

/** Eligible targets per risk class, read from the frozen snapshot (one pass over its lines). */
function riskCounts(targetsSnapshot: string): Record<RiskClass, number> {
  const counts: Record<RiskClass, number> = { A: 0, B: 0, C: 0, D: 0 };
  for (const t of parseTargetsSnapshot(targetsSnapshot)) counts[t.risk] += 1;
  return counts;
}

function countLines(text: string): number {
  return text === '' ? 0 : text.split('\n').length - 1;
}

type TaskView = Awaited<ReturnType<typeof taskView>>;

function printTaskView(io: CommandContext['io'], v: TaskView): void {
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
    print(io, `frozen ${v.freeze.at}, entropy source: ${v.freeze.entropySource}`);
    print(
      io,
      `pools: ${v.pools.targets} targets (A ${v.pools.byRisk.A}, B ${v.pools.byRisk.B}, C ${v.pools.byRisk.C}, D ${v.pools.byRisk.D}), ${v.pools.officers} officers, ${v.pools.conflicts} conflicts`,
    );
    print(
      io,
      `hashes: targets ${v.freeze.hashes.targets}\n        officers ${v.freeze.hashes.officers}\n        conflicts ${v.freeze.hashes.conflicts}`,
    );
  }
  if (v.run) print(io, `drawn ${v.run.at}, entropy "${v.run.entropy}", seed ${v.run.seed}`);
  for (const team of v.teams) {
    print(
      io,
      `\nteam ${team.no} (region ${team.region}) — results due ${team.deadline}${team.deadlineProvisional ? ' (暂定 provisional: the holiday calendar does not cover that year yet)' : ''}`,
    );
    for (const m of team.members) {
      const flags = [
        m.leader ? '组长 leader' : '',
        m.via === 'substitution' ? 'substitute' : '',
        !m.active ? 'replaced' : '',
        m.confirmedAt ? `confirmed ${m.confirmedAt}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      print(io, `  ${m.dept}\t${m.certNo}\t${m.name ?? '?'}${flags ? `\t(${flags})` : ''}`);
    }
    for (const target of team.targets) print(io, `  · ${target.uscc}\t${target.name ?? '?'}`);
  }
}
