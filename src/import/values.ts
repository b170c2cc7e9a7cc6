/**
 * The accepted spellings of enumerated cells: the stored value, its Chinese wording and an English one.
 * Matching ignores case and treats spaces and hyphens like underscores.
 */

export interface Vocabulary<T extends string | boolean> {
  lookup(text: string): T | undefined;
  /** For error messages: `重点, 一般 (key, general)`. */
  describe: string;
}

const norm = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

function vocabulary<T extends string | boolean>(
  entries: readonly (readonly [T, readonly string[]])[],
  describe: string,
): Vocabulary<T> {
  const map = new Map<string, T>();
  for (const [value, spellings] of entries) {
    if (typeof value === 'string') map.set(norm(value), value);
    for (const s of spellings) map.set(norm(s), value);
  }
  return { lookup: (text) => map.get(norm(text)), describe };
}

export const ITEM_CATEGORY = vocabulary(
  [
    ['key', ['重点']],
    ['general', ['一般']],
  ],
  '重点, 一般 (key, general)',
);

export const INSPECTOR_KIND = vocabulary(
  [
    ['officer', ['执法人员']],
    ['expert', ['专家']],
  ],
  '执法人员, 专家 (officer, expert)',
);

export const TARGET_KIND = vocabulary(
  [
    ['企业', ['enterprise', 'company']],
    ['个体工商户', ['individual_business', 'individual']],
    ['农民专业合作社', ['farmers_cooperative', 'cooperative']],
    ['社会组织', ['social_organization', 'social_organisation']],
    ['事业单位', ['public_institution']],
    ['产品', ['product']],
    ['项目', ['project']],
  ],
  '企业, 个体工商户, 农民专业合作社, 社会组织, 事业单位, 产品, 项目',
);

export const TARGET_STATUS = vocabulary(
  [
    ['存续', ['active', 'existing', 'in_business', '在业', '开业']],
    ['吊销', ['revoked']],
    ['注销', ['deregistered', 'cancelled', 'canceled']],
  ],
  '存续, 吊销, 注销 (active, revoked, deregistered)',
);

export const RISK_CLASS = vocabulary(
  [
    ['A', ['A类']],
    ['B', ['B类']],
    ['C', ['C类']],
    ['D', ['D类']],
  ],
  'A, B, C, D',
);

export const INSPECTION_METHOD = vocabulary(
  [
    ['实地核查', ['on_site', 'onsite', 'field']],
    ['书面检查', ['written', 'documentary']],
    ['网络检查', ['online', 'network']],
    ['抽样检测', ['sampling']],
    ['委托专业机构', ['third_party', 'commissioned']],
  ],
  '实地核查, 书面检查, 网络检查, 抽样检测, 委托专业机构',
);

export const YES_NO = vocabulary(
  [
    [true, ['是', 'true', '1', 'yes', 'y', '在岗']],
    [false, ['否', 'false', '0', 'no', 'n', '不在岗']],
  ],
  '是, 否 (true, false, 1, 0)',
);
