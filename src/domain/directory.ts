/**
 * The directories ("两库一单"): departments, inspection items, targets (检查对象名录库), inspectors
 * (执法检查人员名录库) and conflicts (回避). Plain data; the importers fill them, the draw reads them.
 */

export const ITEM_CATEGORIES = ['key', 'general'] as const;
export type ItemCategory = (typeof ITEM_CATEGORIES)[number];

export const INSPECTION_METHODS = ['实地核查', '书面检查', '网络检查', '抽样检测', '委托专业机构'] as const;
export type InspectionMethod = (typeof INSPECTION_METHODS)[number];

export const TARGET_KINDS = [
  '企业',
  '个体工商户',
  '农民专业合作社',
  '社会组织',
  '事业单位',
  '产品',
  '项目',
] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const TARGET_STATUSES = ['存续', '吊销', '注销'] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

export const RISK_CLASSES = ['A', 'B', 'C', 'D'] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];

export const INSPECTOR_KINDS = ['officer', 'expert'] as const;
export type InspectorKind = (typeof INSPECTOR_KINDS)[number];

export interface Department {
  code: string;
  name: string;
  /** Feishu identity as imported: an open_id, a mobile number or an e-mail. */
  head: string | null;
  liaison: string | null;
}

export interface InspectionItem {
  code: string;
  name: string;
  department: string;
  category: ItemCategory;
  basis: string | null;
  method: InspectionMethod | null;
  specialty: string | null;
}

export interface Target {
  uscc: string;
  name: string;
  kind: TargetKind;
  legalRep: string | null;
  address: string | null;
  region: string;
  industry: string | null;
  scope: string | null;
  /** ISO date `YYYY-MM-DD`. */
  established: string | null;
  status: TargetStatus;
  risk: RiskClass;
  phone: string | null;
  /** Departments whose directory holds this target ("谁监管、谁建设、谁维护"). */
  departments: string[];
}

export interface Inspector {
  certNo: string;
  name: string;
  department: string;
  section: string | null;
  /** ISO date `YYYY-MM-DD`: the certificate is valid through this day. */
  certValidUntil: string;
  specialties: string[];
  regions: string[];
  mobile: string | null;
  openId: string | null;
  kind: InspectorKind;
  active: boolean;
}

export interface Conflict {
  certNo: string;
  uscc: string;
  reason: string | null;
}
