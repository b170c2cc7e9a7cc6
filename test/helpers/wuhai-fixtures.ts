/**
 * TEST-ONLY loader for the Wuhai sample directories (../shared/fixtures/wuhai/). Just enough CSV/YAML
 * reading to build the domain objects the draw needs; the real importers live in src/import.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import type {
  Conflict,
  InspectionItem,
  InspectionMethod,
  Inspector,
  RiskClass,
  Target,
  TargetKind,
  TargetStatus,
} from '../../src/domain/directory.ts';
import type { TaskDefinition } from '../../src/domain/task.ts';

// shared/ lies beside the repository, here and in CI's clone.
export const WUHAI_DIR = fileURLToPath(new URL('../../../shared/fixtures/wuhai', import.meta.url));
export const VECTORS_DIR = fileURLToPath(new URL('../../../shared/fixtures/draw-vectors', import.meta.url));

type Row = Record<string, string>;

function readCsv(name: string): Row[] {
  const text = readFileSync(`${WUHAI_DIR}/${name}`, 'utf8').replace(/^\uFEFF/, '');
  return parseCsv(text, { columns: true, skip_empty_lines: true, trim: true }) as Row[];
}

/** Multi-valued cells are separated by ; ； or 、 */
function multi(cell: string | undefined): string[] {
  return (cell ?? '')
    .split(/[;；、]/)
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

const orNull = (cell: string | undefined): string | null => (cell === undefined || cell === '' ? null : cell);

export function loadTargets(): Target[] {
  return readCsv('targets.csv').map((r) => ({
    uscc: r['统一社会信用代码']!,
    name: r['名称']!,
    kind: r['主体类型'] as TargetKind,
    legalRep: orNull(r['法定代表人']),
    address: orNull(r['住所']),
    region: r['行政区划代码']!,
    industry: orNull(r['行业']),
    scope: orNull(r['经营范围']),
    established: orNull(r['成立日期']),
    status: r['登记状态'] as TargetStatus,
    risk: r['信用风险分类'] as RiskClass,
    phone: orNull(r['联系电话']),
    departments: multi(r['所属部门']),
  }));
}

export function loadInspectors(): Inspector[] {
  return readCsv('inspectors.csv').map((r) => ({
    certNo: r['执法证号']!,
    name: r['姓名']!,
    department: r['所在部门']!,
    section: orNull(r['科室']),
    certValidUntil: r['执法证有效期至']!,
    specialties: multi(r['业务专长']),
    regions: multi(r['执法区域']),
    mobile: orNull(r['手机号']),
    openId: orNull(r['飞书ID']),
    kind: r['人员类别'] === '专家' ? 'expert' : 'officer',
    active: true,
  }));
}

export function loadConflicts(): Conflict[] {
  return readCsv('conflicts.csv').map((r) => ({
    certNo: r['执法证号']!,
    uscc: r['统一社会信用代码']!,
    reason: orNull(r['原因']),
  }));
}

export function loadItems(): InspectionItem[] {
  return readCsv('items.csv').map((r) => ({
    code: r['事项编码']!,
    name: r['事项名称']!,
    department: r['发起部门']!,
    category: r['事项类别'] === '重点' ? 'key' : 'general',
    basis: orNull(r['检查依据']),
    method: orNull(r['检查方式']) as InspectionMethod | null,
    specialty: orNull(r['业务专长']),
  }));
}

/**
 * A ratio as basis points by string arithmetic: "0.03" → 300. JavaScript prints a parsed number in its
 * shortest round-trip form, so String(0.03) is "0.03" and no float is ever multiplied.
 */
export function ratioToBp(ratio: number | string): number {
  const text = String(ratio);
  const match = /^(\d+)(?:\.(\d{1,4}))?$/.exec(text);
  if (!match) throw new Error(`ratio ${text} needs at most four decimals`);
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(4, '0'));
  return whole * 10000 + fraction;
}

interface TaskFile {
  name: string;
  initiator: string;
  participants?: string[];
  items: string[];
  scope?: TaskDefinition['scope'];
  ratio?: number | Record<string, number>;
  count?: number;
  window: { start: string | Date; end: string | Date };
  team: { targetsPerTeam: number; officersPerParticipant: number };
  specialty?: string;
  resultDays?: number;
}

const isoDate = (value: string | Date): string =>
  value instanceof Date ? value.toISOString().slice(0, 10) : String(value);

/** A task file (e.g. task-food.yaml) as a TaskDefinition with the given id. */
export function loadTask(file: string, id: string): TaskDefinition {
  const raw = parseYaml(readFileSync(`${WUHAI_DIR}/${file}`, 'utf8')) as TaskFile;
  let ratioBp: TaskDefinition['ratioBp'] = null;
  if (raw.ratio !== undefined) {
    const perClass =
      typeof raw.ratio === 'number' ? { A: raw.ratio, B: raw.ratio, C: raw.ratio, D: raw.ratio } : raw.ratio;
    ratioBp = Object.fromEntries(Object.entries(perClass).map(([cls, r]) => [cls, ratioToBp(r)]));
  }
  return {
    id,
    name: raw.name,
    initiator: raw.initiator,
    participants: raw.participants ?? [],
    items: raw.items,
    scope: raw.scope ?? {},
    ratioBp,
    count: raw.count ?? null,
    window: { start: isoDate(raw.window.start), end: isoDate(raw.window.end) },
    targetsPerTeam: raw.team.targetsPerTeam,
    officersPerParticipant: raw.team.officersPerParticipant,
    specialty: raw.specialty ?? null,
    resultDays: raw.resultDays ?? 20,
  };
}

/** A JSON file from the draw-vectors directory. */
export function loadVector<T>(name: string): T {
  return JSON.parse(readFileSync(`${VECTORS_DIR}/${name}`, 'utf8')) as T;
}

/** The draw record's keys in the order docs/draw-algorithm.md's example shows them. */
export const SPEC_RECORD_KEYS = [
  'algorithm',
  'taskId',
  'entropySource',
  'entropy',
  'parameters',
  'snapshots',
  'hashes',
  'seed',
  'targets',
  'teams',
  'substitutions',
];
