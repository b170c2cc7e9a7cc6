/**
 * Card data the card tests share: one task, its people, the draw result, the cards of the substitution workflow in
 * each state, and the result-entry card.
 */
import { readFileSync } from 'node:fs';
import { RESULT_PAGE_SIZE } from '../../src/cards/index.ts';
import type {
  AssignmentCardData,
  AssignmentSubstitution,
  CategoryView,
  DrawResultCardData,
  ResultEntryCardData,
  SubstitutionOutcomeCardData,
  SubstitutionRequestCardData,
  TaskSummary,
} from '../../src/cards/index.ts';

export const task: TaskSummary = {
  id: 'WH-2026-FOOD-01',
  name: '2026年第四季度餐饮服务单位部门联合抽查',
  initiator: { code: 'SCJG', name: '市市场监督管理局' },
  participants: [
    { code: 'WJW', name: '市卫生健康委员会' },
    { code: 'YJGL', name: '市应急管理局' },
  ],
  items: [{ code: 'SCJG-002', name: '食品经营许可情况的检查' }],
  window: { start: '2026-12-01', end: '2026-12-31' },
  resultDays: 20,
};

export const member = (i: number, leader = false) => ({
  certNo: `15000000${String(i).padStart(4, '0')}`,
  name: `检查员${i}`,
  dept: leader ? 'SCJG' : 'WJW',
  deptName: leader ? '市市场监督管理局' : '市卫生健康委员会',
  leader,
});

export const hashes = { targets: 'a'.repeat(64), officers: 'b'.repeat(64), conflicts: 'c'.repeat(64) };
export const auditHead = '4e'.repeat(32);
/** The draw result card's data for `teams` teams of three (the first of each its leader). */
export function drawData(teams: number): DrawResultCardData {
  return {
    task,
    entropySource: '福彩3D 第2026330期开奖号码',
    entropy: '3.0.8./',
    seed: 'd'.repeat(64),
    hashes,
    targetsByRisk: { A: 3, B: 5, C: 3, D: 1 },
    targetsByDept: [{ code: 'SCJG', name: '市市场监督管理局', count: 12 }],
    teams: Array.from({ length: teams }, (_, i) => ({
      no: i + 1,
      region: '150302',
      targets: 6,
      members: [member(i * 3, true), member(i * 3 + 1), member(i * 3 + 2)],
    })),
    undeliverable: [{ name: '张三', deptName: '市卫生健康委员会', team: 1 }],
    auditHead,
  };
}

export function assignment(over: Partial<AssignmentCardData> = {}): AssignmentCardData {
  return {
    task,
    team: { no: 1, region: '150302' },
    you: { certNo: '150000000001', name: '检查员1', openId: 'ou_1' },
    members: [member(0, true), member(1)],
    targets: [
      { uscc: '91150302425Y00BB7Q', name: '乌海某某餐饮有限公司', address: '乌海市海勃湾区人民路1号' },
    ],
    deadline: { date: '2027-01-29', provisional: true },
    confirmation: null,
    version: 1,
    substitution: null,
    replaced: null,
    ...over,
  };
}

/** The request as the requester's assignment card shows it. */
export function substitution(over: Partial<AssignmentSubstitution> = {}): AssignmentSubstitution {
  return {
    id: 'sr_01',
    state: 'pending',
    reason: '工作冲突',
    note: '当周在外地参加培训',
    requestedAt: '2026-12-02 09:15',
    deciderName: '卫健委负责人',
    deciderRole: 'head',
    decidedAt: null,
    comment: null,
    version: 1,
    ...over,
  };
}

export function requestData(over: Partial<SubstitutionRequestCardData> = {}): SubstitutionRequestCardData {
  return {
    id: 'sr_01',
    task,
    team: { no: 1, region: '150302', leaderName: '检查员0' },
    inspector: {
      certNo: '150000000001',
      name: '检查员1',
      deptName: '市卫生健康委员会',
      leader: false,
      confirmed: true,
    },
    reason: '工作冲突',
    note: '当周在外地参加培训',
    requestedAt: '2026-12-02 09:15',
    eligible: 3,
    decider: { name: '卫健委负责人', role: 'head', why: null },
    state: 'pending',
    decision: null,
    version: 1,
    ...over,
  };
}

export function outcomeData(over: Partial<SubstitutionOutcomeCardData> = {}): SubstitutionOutcomeCardData {
  return {
    audience: 'requester',
    outcome: 'approved',
    task,
    team: { no: 1, region: '150302' },
    inspector: { name: '检查员1', deptName: '市卫生健康委员会', leader: false },
    reason: '工作冲突',
    replacement: { name: '检查员9', deptName: '市卫生健康委员会', leader: false },
    decidedByName: '卫健委负责人',
    at: '2026-12-02 15:40',
    comment: null,
    shortfall: null,
    ...over,
  };
}

export const approvedDecision = {
  byName: '卫健委负责人',
  at: '2026-12-02 15:40',
  comment: '同意，注意交接',
  replacement: { name: '检查员9', deptName: '市卫生健康委员会' },
};

/** The national result categories, as the data file has them (what the service passes in). */
export const categories: CategoryView[] = (
  JSON.parse(readFileSync(new URL('../../config/result-categories.json', import.meta.url), 'utf8')) as {
    categories: CategoryView[];
  }
).categories;

export const METHODS = ['实地核查', '书面检查', '网络检查', '抽样检测', '委托专业机构'];

type EntryTarget = ResultEntryCardData['targets'][number];

/** A target on the result-entry card; not entered by this department unless `mine` is given. */
export function entryTarget(i: number, over: Partial<EntryTarget> = {}): EntryTarget {
  return {
    uscc: `91150302425Y00BB${String(i).padStart(2, '0')}`,
    name: `乌海某某餐饮有限公司${i}`,
    address: `乌海市海勃湾区人民路${i}号`,
    mine: null,
    enteredDepts: ['市市场监督管理局'],
    missingDepts: ['市卫生健康委员会', '市应急管理局'],
    deadline: { date: '2027-01-05', provisional: false },
    overdue: false,
    ...over,
  };
}

/** What this department saved for a target. */
export function mine(over: Partial<NonNullable<EntryTarget['mine']>> = {}): NonNullable<EntryTarget['mine']> {
  return {
    categories: ['CORRECTED'],
    inspectedOn: '2026-12-08',
    methods: ['实地核查'],
    note: '现场检查后厨卫生',
    followup: null,
    enteredAt: '2026-12-08 16:20',
    version: 2,
    ...over,
  };
}

export function resultEntry(over: Partial<ResultEntryCardData> = {}): ResultEntryCardData {
  return {
    task,
    team: { no: 1, region: '150302' },
    dept: { code: 'WJW', name: '市卫生健康委员会' },
    you: { certNo: '150000000001', name: '检查员1' },
    categories,
    methods: ['实地核查', '书面检查'],
    today: '2026-12-10',
    page: 0,
    pages: 1,
    pageSize: RESULT_PAGE_SIZE,
    totals: { targets: 2, entered: 1 },
    targets: [entryTarget(0, { mine: mine() }), entryTarget(1)],
    editable: true,
    ...over,
  };
}
