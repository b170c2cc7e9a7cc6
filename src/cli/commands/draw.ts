import type { Command } from 'commander';
import { UserError } from '../../errors.ts';
import { print, printJson, when } from '../io.ts';
import type { CommandContext } from '../main.ts';
import type { App } from '../../app.ts';

/** Before `draw run` queues the cards: the Feishu client, loaded only when Feishu is configured (not in local mode). */
async function refreshIdentities(app: App): Promise<void> {
  if (app.config.localMode) return;
  const { feishuFromConfig } = await import('../../bot/feishu/client.ts');
  const { resolveBeforeDraw } = await import('../../services/identities.ts');
  await resolveBeforeDraw(app, feishuFromConfig(app.config, { log: app.log }));
}

export function registerDraw(program: Command, { io, withApp }: CommandContext): void {
  const draw = program
    .command('draw')
    .description('the verifiable draw, liancha-draw-v1 (docs/draw-algorithm.md)');

  draw
    .command('preview')
    .argument('<id>', 'task id')
    .description(
      'pool sizes per risk class and per department/region, and a sample draw with throw-away entropy; saves nothing',
    )
    .option('--json', 'print as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { previewDraw } = await import('../../services/draws.ts');
      await withApp(async (app) => {
        const p = await previewDraw(app, id);
        if (opts.json)
          return printJson(io, { ...p, task: { id: p.task.id, state: p.task.state }, saved: false });
        const t = p.pools.targets;
        print(io, `preview of ${id} — nothing is saved; the real draw uses the published entropy`);
        print(
          io,
          `eligible targets: ${t.eligible} (A ${t.byRisk.A}, B ${t.byRisk.B}, C ${t.byRisk.C}, D ${t.byRisk.D})`,
        );
        for (const [region, c] of Object.entries(t.byRegion))
          print(io, `  region ${region}: A ${c.A}, B ${c.B}, C ${c.C}, D ${c.D}`);
        const left = Object.entries(t.excluded)
          .filter(([, n]) => n > 0)
          .map(([why, n]) => `${why} ${n}`);
        if (left.length)
          print(
            io,
            `  left out: ${left.join(', ')}${t.sameYearExclusionApplies ? ' (same-year exclusion applies: all items are general)' : ''}`,
          );
        print(io, `eligible officers: ${p.pools.officers.eligible}`);
        for (const [dept, o] of Object.entries(p.pools.officers.byDepartment)) {
          print(
            io,
            `  ${dept}: ${o.total} — ${
              Object.entries(o.byRegion)
                .map(([r, n]) => `${r}: ${n}`)
                .join(', ') || 'no target region'
            }`,
          );
        }
        const s = p.sample;
        if ('error' in s) print(io, `sample draw (entropy ${s.entropy}) fails: ${s.error}`);
        else {
          const targets = s.outcome.teams.reduce((n, team) => n + team.targets.length, 0);
          print(
            io,
            `sample draw (entropy ${s.entropy}): ${targets} targets in ${s.outcome.teams.length} teams`,
          );
          for (const team of s.outcome.teams)
            print(
              io,
              `  team ${team.no} (${team.region}): ${team.targets.length} targets; ${team.members.map((m) => `${m.dept} ${m.certNo}${m.leader ? '*' : ''}`).join(', ')}`,
            );
        }
        if (p.freezeRefusal) print(io, `draw freeze would refuse this task: ${p.freezeRefusal}`);
        print(io, 'nothing was saved');
      });
    });

  draw
    .command('freeze')
    .argument('<id>', 'task id')
    .requiredOption(
      '--entropy-source <text>',
      'the public value the draw will use, not yet known (e.g. "福彩3D 第2026330期开奖号码")',
    )
    .description('fix the snapshots and record their hashes and the entropy source')
    .option('--json', 'print as JSON')
    .action(async (id: string, opts: { entropySource: string; json?: boolean }) => {
      const { freezeDraw } = await import('../../services/draws.ts');
      await withApp(async (app) => {
        const d = await freezeDraw(app, id, opts.entropySource);
        if (opts.json)
          return printJson(io, {
            taskId: id,
            frozenAt: d.frozenAt,
            entropySource: d.entropySource,
            hashes: d.hashes,
          });
        print(io, `frozen ${id} at ${when(app.config.LIANCHA_TZ, d.frozenAt)}`);
        print(io, `entropy source: ${d.entropySource}`);
        print(
          io,
          `targets   ${d.hashes.targets}\nofficers  ${d.hashes.officers}\nconflicts ${d.hashes.conflicts}`,
        );
        print(io, `next, once the value is published: liancha draw run ${id} --entropy VALUE`);
      });
    });

  draw
    .command('run')
    .argument('<id>', 'task id')
    .requiredOption('--entropy <text>', 'the published value of the entropy source')
    .description('the draw, once: records it and locks it')
    .option('--json', 'print as JSON')
    .action(async (id: string, opts: { entropy: string; json?: boolean }) => {
      const { runTaskDraw } = await import('../../services/draws.ts');
      await withApp(async (app) => {
        await refreshIdentities(app);
        const { outcome, cards } = await runTaskDraw(app, id, opts.entropy);
        if (opts.json)
          return printJson(io, {
            taskId: id,
            seed: outcome.seed,
            targets: outcome.targets,
            teams: outcome.teams,
            assignmentCardsQueued: cards.assignments,
            unreachable: cards.undeliverable,
          });
        const targets = outcome.teams.reduce((n, t) => n + t.targets.length, 0);
        print(io, `drew ${targets} targets in ${outcome.teams.length} teams for ${id}; the draw is locked`);
        print(io, `seed ${outcome.seed}`);
        for (const team of outcome.teams)
          print(
            io,
            `  team ${team.no} (${team.region}): ${team.targets.length} targets; ${team.members.map((m) => `${m.dept} ${m.certNo}${m.leader ? ' (leader)' : ''}`).join(', ')}`,
          );
        print(
          io,
          `queued ${cards.assignments} assignment card${cards.assignments === 1 ? '' : 's'}: the running bot sends them (or liancha outbox flush)`,
        );
        const n = cards.undeliverable.length;
        if (n > 0) {
          print(
            io,
            `${n} drawn ${n === 1 ? 'person has' : 'people have'} no Feishu identity and cannot be reached (their liaison must tell them; liancha users check):`,
          );
          for (const u of cards.undeliverable) print(io, `  team ${u.team}: ${u.name}, ${u.deptName}`);
        }
      });
    });

  draw
    .command('export')
    .argument('<id>', 'task id')
    .argument('<file>', 'where to write the record (JSON)')
    .description(
      'write the draw record (docs/draw-algorithm.md): everything an independent party needs to replay it',
    )
    .option('--force', 'overwrite FILE if it exists (never the database itself)')
    .action(async (id: string, file: string, opts: { force?: boolean }) => {
      const { drawRecord } = await import('../../services/draws.ts');
      const { writeOutputFiles } = await import('../output-file.ts');
      await withApp(async (app) => {
        const record = await drawRecord(app, id);
        writeOutputFiles(app, [{ path: file, data: JSON.stringify(record, null, 2) + '\n' }], {
          force: opts.force,
          code: 'DRAW',
          what: 'the record',
        });
        print(io, `wrote ${file}`);
      });
    });

  draw
    .command('verify')
    .argument('<id>', 'task id')
    .description(
      'replay the draw and every substitution from the record: MATCH (exit 0) or the first difference (exit 1)',
    )
    .option('--json', 'print as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { verifyTaskDraw } = await import('../../services/draws.ts');
      await withApp(async (app) => {
        const result = await verifyTaskDraw(app, id);
        if (opts.json)
          printJson(
            io,
            result.ok ? { result: 'MATCH' } : { result: 'DIFFERENT', difference: result.difference },
          );
        else if (result.ok) print(io, 'MATCH');
        if (!result.ok)
          throw new UserError('DRAW.MISMATCH', `the draw of ${id} does not replay: ${result.difference}`);
      });
    });
}
