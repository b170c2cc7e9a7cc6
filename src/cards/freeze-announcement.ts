import type { FreezeCardData } from './data.ts';
import { taskLines } from './format.ts';
import { auditHeadLine } from './audit-head.ts';
import { card, hr, markdown, md, t } from './i18n.ts';

/** To the joint-meeting group when a draw is frozen: what will be drawn from, and which public value decides it. */
export function freezeAnnouncementCard(d: FreezeCardData): Record<string, unknown> {
  const p = d.pools;
  const depts = Object.entries(p.officersByDept)
    .map(([code, n]) => `${code} ${n}`)
    .join('，');
  return card({
    title: t('抽查名单已冻结', 'Draw snapshot frozen'),
    subtitle: t(d.task.name, d.task.name),
    template: 'blue',
    summary: t(`${d.task.name}：抽取名单已冻结`, `${d.task.name}: draw snapshot frozen`),
    elements: [
      markdown(taskLines(d.task)),
      hr(),
      markdown(
        t(
          `**随机数来源**：${md(d.entropySource)}\n抽取将使用该来源公布的数值，冻结时任何人（包括操作员）都无法预知。`,
          `**Entropy source**: ${md(d.entropySource)}\nThe draw will use the value this source publishes; nobody, the operator included, can know it now.`,
        ),
      ),
      markdown(
        t(
          `**待抽对象**：${p.targets} 户（A ${p.byRisk.A}，B ${p.byRisk.B}，C ${p.byRisk.C}，D ${p.byRisk.D}）\n**执法人员**：${p.officers} 人（${depts}）`,
          `**Eligible targets**: ${p.targets} (A ${p.byRisk.A}, B ${p.byRisk.B}, C ${p.byRisk.C}, D ${p.byRisk.D})\n**Eligible officers**: ${p.officers} (${depts})`,
        ),
      ),
      markdown(
        t(
          `**名单哈希（SHA-256）**\n检查对象 \`${d.hashes.targets}\`\n执法人员 \`${d.hashes.officers}\`\n回避关系 \`${d.hashes.conflicts}\`\n${auditHeadLine(d.auditHead).zh}`,
          `**Snapshot hashes (SHA-256)**\ntargets \`${d.hashes.targets}\`\nofficers \`${d.hashes.officers}\`\nconflicts \`${d.hashes.conflicts}\`\n${auditHeadLine(d.auditHead).en}`,
        ),
        { size: 'notation' },
      ),
    ],
  });
}
