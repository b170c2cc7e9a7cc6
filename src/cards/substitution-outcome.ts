import type { SubstitutionOutcomeCardData } from './data.ts';
import { reasonText, taskLines } from './format.ts';
import { card, hr, markdown, md, t, type Bilingual, type Template } from './i18n.ts';

/**
 * What became of a substitution request, to the people around it (no buttons): the requester (approved — who
 * replaces them; rejected — the comment; expired — nobody decided in time), the team leader (who changed on the
 * team), and the initiating department's liaison when an approval could not draw anyone (`shortfall`).
 */
export function substitutionOutcomeCard(d: SubstitutionOutcomeCardData): Record<string, unknown> {
  const { title, template, lines } = content(d);
  return card({
    title,
    subtitle: t(d.task.name, d.task.name),
    template,
    summary: t(
      `${title.zh}：${d.task.name} 第${d.team.no}组`,
      `${title.en}: ${d.task.name}, team ${d.team.no}`,
    ),
    elements: [markdown(lines), hr(), markdown(taskLines(d.task))],
  });
}

function content(d: SubstitutionOutcomeCardData): { title: Bilingual; template: Template; lines: Bilingual } {
  const reason = reasonText(d.reason);
  const team = t(`第${d.team.no}组（${md(d.team.region)}）`, `team ${d.team.no} (${md(d.team.region)})`);
  const by = md(d.decidedByName ?? '—');
  const at = md(d.at);
  const comment = d.comment
    ? t(`\n**审批意见**：${md(d.comment)}`, `\n**Comment**: ${md(d.comment)}`)
    : t('', '');
  const out = t(
    `${md(d.inspector.name)}（${md(d.inspector.deptName)}）`,
    `${md(d.inspector.name)} (${md(d.inspector.deptName)})`,
  );
  const r = d.replacement;
  const inn = r ? t(`${md(r.name)}（${md(r.deptName)}）`, `${md(r.name)} (${md(r.deptName)})`) : t('—', '—');

  if (d.outcome === 'shortfall') {
    const s = d.shortfall;
    const where = s
      ? t(`${md(s.deptName)} 在 ${md(s.region)}`, `${md(s.deptName)} in ${md(s.region)}`)
      : t(md(d.inspector.deptName), md(d.inspector.deptName));
    const why = s?.why ? t(`（${md(s.why)}）`, ` (${md(s.why)})`) : t('', '');
    return {
      title: t('更换未能完成', 'Replacement could not be drawn'),
      template: 'red',
      lines: t(
        `⚠️ ${by} 于 ${at} 同意了 ${out.zh} 的更换申请（${reason.zh}，${team.zh}），但 ${where.zh} 没有符合条件的执法人员可以接替${why.zh}，未能抽取接替人员。\n该申请仍为**待审批**，${md(d.inspector.name)} 仍在检查组中。请在执法人员名录中补充该部门、该区域符合条件的执法人员，再由审批人重新同意。`,
        `⚠️ ${by} approved the replacement request of ${out.en} (${reason.en}, ${team.en}) at ${at}, but no eligible officer of ${where.en} is left to draw${why.en}, so nobody was drawn.\nThe request stays **pending** and ${md(d.inspector.name)} stays on the team. The directory needs another eligible officer of that department and region; then the decider can approve again.`,
      ),
    };
  }

  if (d.audience !== 'requester') {
    if (d.outcome === 'approved') {
      const leads = d.inspector.leader
        ? t(`\n${md(r?.name ?? '—')} 现任本组组长。`, `\n${md(r?.name ?? '—')} now leads the team.`)
        : t('', '');
      return {
        title: t('检查组成员变更', 'Team change'),
        template: 'blue',
        lines: t(
          `🔄 ${team.zh}成员变更：${out.zh} 已更换为 ${inn.zh}（${reason.zh}；${by} 于 ${at} 批准，接替人员随机抽取）。${leads.zh}`,
          `🔄 Change on ${team.en}: ${out.en} is replaced by ${inn.en} (${reason.en}; approved by ${by} at ${at}, replacement drawn at random).${leads.en}`,
        ),
      };
    }
    return {
      title: t('检查组成员更换申请', 'Team member replacement request'),
      template: 'grey',
      lines: t(
        `${out.zh} 的更换申请（${reason.zh}）${d.outcome === 'rejected' ? `已被 ${by} 于 ${at} 驳回` : `在检查时间结束前无人审批，已于 ${at} 失效`}；检查组成员不变。`,
        `The replacement request of ${out.en} (${reason.en}) ${d.outcome === 'rejected' ? `was rejected by ${by} at ${at}` : `lapsed at ${at}: nobody decided it before the window ended`}; the team is unchanged.`,
      ),
    };
  }

  // The requester, about their own request.
  switch (d.outcome) {
    case 'approved':
      return {
        title: t('更换申请已同意', 'Replacement approved'),
        template: 'green',
        lines: t(
          `✅ 您的更换申请（${reason.zh}）已由 ${by} 于 ${at} 批准。${team.zh}的检查任务由 ${inn.zh} 接替（随机抽取），您无需再参加本次检查。${comment.zh}`,
          `✅ Your replacement request (${reason.en}) was approved by ${by} at ${at}. ${inn.en} (drawn at random) takes over your place on ${team.en}; you no longer take part in this inspection.${comment.en}`,
        ),
      };
    case 'rejected':
      return {
        title: t('更换申请已驳回', 'Replacement request rejected'),
        template: 'red',
        lines: t(
          `❌ 您的更换申请（${reason.zh}）已被 ${by} 于 ${at} 驳回。${comment.zh}\n您仍是${team.zh}成员，请按时参加检查；如情况有变，可以在任务卡片上再次申请。`,
          `❌ Your replacement request (${reason.en}) was rejected by ${by} at ${at}.${comment.en}\nYou remain on ${team.en}; please take part as planned. If things change, you may ask again from your assignment card.`,
        ),
      };
    case 'expired':
      return {
        title: t('更换申请已失效', 'Replacement request lapsed'),
        template: 'grey',
        lines: t(
          `⌛ 您的更换申请（${reason.zh}）在检查时间结束前无人审批，已于 ${at} 失效。您仍是${team.zh}成员。`,
          `⌛ Nobody decided your replacement request (${reason.en}) before the inspection window ended; it lapsed at ${at}. You remain on ${team.en}.`,
        ),
      };
  }
}
