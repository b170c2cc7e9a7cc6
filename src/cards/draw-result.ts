import type { DrawResultCardData } from './data.ts';
import { taskLines } from './format.ts';
import { auditHeadLine } from './audit-head.ts';
import { card, hr, markdown, md, t } from './i18n.ts';
import { fitted } from './limits.ts';

/** Teams listed one by one up to this many; a larger draw is summarised and points to `draw export`. */
const LISTED_TEAMS = 40;
/** People without a Feishu identity named on the card; the rest are counted. */
const LISTED_UNDELIVERABLE = 30;

/**
 * To the joint-meeting group when the draw has run: the public value, seed and hashes anyone can replay it from,
 * the counts, and the teams. Never the risk class of a single target — that stays inside the office.
 */
export function drawResultCard(d: DrawResultCardData): Record<string, unknown> {
  // Long names can push a card past Feishu's limits: list fewer teams until it fits.
  return fitted((listed) => buildDrawResultCard(d, listed), LISTED_TEAMS);
}

function buildDrawResultCard(d: DrawResultCardData, listed: number): Record<string, unknown> {
  const totalTargets = d.teams.reduce((n, team) => n + team.targets, 0);
  const risk = Object.entries(d.targetsByRisk)
    .map(([cls, n]) => (cls === 'all' ? `${n}` : `${cls} ${n}`))
    .join('，');
  const byDept = d.targetsByDept.map((x) => `${md(x.name)} ${x.count}`).join('，');
  const teamLine = (team: DrawResultCardData['teams'][number]) => {
    const people = team.members
      .map((m) => `${md(m.name)}（${md(m.deptName)}${m.leader ? '，组长' : ''}）`)
      .join('、');
    const peopleEn = team.members
      .map((m) => `${md(m.name)} (${md(m.deptName)}${m.leader ? ', leader' : ''})`)
      .join(', ');
    return t(
      `**第${team.no}组**（${team.region}，${team.targets} 户）：${people}`,
      `**Team ${team.no}** (${team.region}, ${team.targets} targets): ${peopleEn}`,
    );
  };
  const elements: unknown[] = [
    markdown(taskLines(d.task)),
    hr(),
    markdown(
      t(
        `**随机数**：${md(d.entropy)}（来源：${md(d.entropySource)}）\n**种子**：\`${d.seed}\``,
        `**Entropy**: ${md(d.entropy)} (source: ${md(d.entropySource)})\n**Seed**: \`${d.seed}\``,
      ),
    ),
    markdown(
      t(
        `**名单哈希**\n检查对象 \`${d.hashes.targets}\`\n执法人员 \`${d.hashes.officers}\`\n回避关系 \`${d.hashes.conflicts}\`\n${auditHeadLine(d.auditHead).zh}`,
        `**Snapshot hashes**\ntargets \`${d.hashes.targets}\`\nofficers \`${d.hashes.officers}\`\nconflicts \`${d.hashes.conflicts}\`\n${auditHeadLine(d.auditHead).en}`,
      ),
      { size: 'notation' },
    ),
    markdown(
      t(
        `**抽中检查对象**：${totalTargets} 户（${risk}）\n**所属部门**：${byDept}\n**检查组**：${d.teams.length} 个`,
        `**Targets drawn**: ${totalTargets} (${risk})\n**By department directory**: ${byDept}\n**Teams**: ${d.teams.length}`,
      ),
    ),
    hr(),
  ];
  const shown = d.teams.slice(0, listed);
  for (const team of shown) elements.push(markdown(teamLine(team)));
  if (d.teams.length > shown.length) {
    const rest = d.teams.length - shown.length;
    elements.push(
      markdown(
        t(
          `……另有 ${rest} 个检查组。完整名单：\`liancha draw export ${d.task.id} FILE.json\``,
          `…and ${rest} more teams. Full record: \`liancha draw export ${d.task.id} FILE.json\``,
        ),
      ),
    );
  }
  if (d.undeliverable.length > 0) {
    const named = d.undeliverable.slice(0, LISTED_UNDELIVERABLE);
    const others = d.undeliverable.length - named.length;
    const who = named.map((u) => `${md(u.name)}（${md(u.deptName)}，第${u.team}组）`).join('、');
    const whoEn = named.map((u) => `${md(u.name)} (${md(u.deptName)}, team ${u.team})`).join(', ');
    elements.push(
      markdown(
        t(
          `**无法送达**（未关联飞书账号，请联络员线下通知）：${who}${others > 0 ? ` 等，另有 ${others} 人（liancha users check）` : ''}`,
          `**Could not be notified** (no Feishu identity; liaisons please inform them): ${whoEn}${others > 0 ? `, and ${others} more (liancha users check)` : ''}`,
        ),
      ),
    );
  }
  elements.push(
    markdown(
      t(
        '任何人可用导出的抽取记录独立复核本次抽取（liancha-draw-v1）。',
        'Anyone can replay this draw from its exported record (liancha-draw-v1).',
      ),
      { size: 'notation' },
    ),
  );

  return card({
    title: t('抽查结果', 'Draw result'),
    subtitle: t(d.task.name, d.task.name),
    template: 'green',
    summary: t(
      `${d.task.name}：抽中 ${totalTargets} 户，${d.teams.length} 个检查组`,
      `${d.task.name}: ${totalTargets} targets, ${d.teams.length} teams`,
    ),
    elements,
  });
}
