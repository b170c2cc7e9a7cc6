/**
 * Cards shaped like liancha's (card JSON 2.0, Chinese first with English i18n), for tests and the benchmark.
 */

/** An assignment card (检查任务通知) of about 3–5 KB: header, team, a table of targets, confirm / replace buttons. */
export function assignmentCard(n: number, targets = 8): Record<string, unknown> {
  const rows = Array.from({ length: targets }, (_, i) => ({
    uscc: `91150302MA0${String(n).padStart(4, '0')}${String(i).padStart(3, '0')}X`,
    name: `乌海市海勃湾区第${i + 1}餐饮服务有限公司`,
    address: `内蒙古自治区乌海市海勃湾区滨河街道${100 + i}号`,
    items: '食品安全检查；消防安全检查',
  }));
  return {
    schema: '2.0',
    config: {
      update_multi: true,
      locales: ['zh_cn', 'en_us'],
      summary: {
        content: '检查任务通知',
        i18n_content: { zh_cn: '检查任务通知', en_us: 'Inspection assignment' },
      },
    },
    header: {
      title: {
        tag: 'plain_text',
        content: '检查任务通知',
        i18n_content: { zh_cn: '检查任务通知', en_us: 'Inspection assignment' },
      },
      subtitle: { tag: 'plain_text', content: `2026年第四季度餐饮服务单位部门联合抽查 · 第 ${n % 40} 组` },
      template: 'blue',
    },
    body: {
      elements: [
        {
          tag: 'markdown',
          content: `**检查组** 第 ${n % 40} 组\u3000**组长** <at id=ou_leader${n % 40}></at>\n**成员** 市场监管局 张三、卫健委 李四、应急管理局 王五\n**检查期间** 2026-12-01 至 2026-12-31\n**结果录入期限** 检查后 20 个工作日内`,
          i18n_content: {
            zh_cn: `**检查组** 第 ${n % 40} 组\u3000**组长** <at id=ou_leader${n % 40}></at>`,
            en_us: `**Team** ${n % 40}\u3000**Leader** <at id=ou_leader${n % 40}></at>`,
          },
        },
        { tag: 'hr' },
        {
          tag: 'table',
          page_size: 10,
          row_height: 'low',
          header_style: { text_align: 'left', text_size: 'normal', background_style: 'grey', bold: true },
          columns: [
            { name: 'uscc', display_name: '统一社会信用代码', data_type: 'text', width: 'auto' },
            { name: 'name', display_name: '名称', data_type: 'text', width: 'auto' },
            { name: 'address', display_name: '住所', data_type: 'text', width: 'auto' },
            { name: 'items', display_name: '检查事项', data_type: 'text', width: 'auto' },
          ],
          rows,
        },
        {
          tag: 'column_set',
          flex_mode: 'none',
          columns: [
            {
              tag: 'column',
              width: 'weighted',
              weight: 1,
              elements: [
                {
                  tag: 'button',
                  text: {
                    tag: 'plain_text',
                    content: '确认',
                    i18n_content: { zh_cn: '确认', en_us: 'Confirm' },
                  },
                  type: 'primary_filled',
                  behaviors: [
                    {
                      type: 'callback',
                      value: { action: 'assignment.confirm', task: 'T1', team: n % 40, v: 1 },
                    },
                  ],
                },
              ],
            },
            {
              tag: 'column',
              width: 'weighted',
              weight: 1,
              elements: [
                {
                  tag: 'button',
                  text: {
                    tag: 'plain_text',
                    content: '申请更换',
                    i18n_content: { zh_cn: '申请更换', en_us: 'Ask to be replaced' },
                  },
                  type: 'default',
                  behaviors: [
                    {
                      type: 'callback',
                      value: { action: 'substitution.request', task: 'T1', team: n % 40, v: 1 },
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    },
  };
}

/** A small valid card. */
export function simpleCard(text: string): Record<string, unknown> {
  return {
    schema: '2.0',
    config: { update_multi: true },
    header: { title: { tag: 'plain_text', content: text }, template: 'green' },
    body: { elements: [{ tag: 'markdown', content: text }] },
  };
}
