/** TEST-ONLY builders for small synthetic directories, tasks and snapshots used by the draw tests. */
import { createHash } from 'node:crypto';
import type {
  InspectionItem,
  Inspector,
  ItemCategory,
  RiskClass,
  Target,
} from '../../src/domain/directory.ts';
import type { TaskDefinition } from '../../src/domain/task.ts';
import type { DrawParameters, SnapshotTexts } from '../../src/domain/draw/index.ts';

export function target(uscc: string, over: Partial<Target> = {}): Target {
  return {
    uscc,
    name: `对象${uscc}`,
    kind: '企业',
    legalRep: null,
    address: null,
    region: '150302',
    industry: '餐饮服务',
    scope: null,
    established: null,
    status: '存续',
    risk: 'A',
    phone: null,
    departments: ['SCJG'],
    ...over,
  };
}

export function inspector(certNo: string, department: string, over: Partial<Inspector> = {}): Inspector {
  return {
    certNo,
    name: `人员${certNo}`,
    department,
    section: null,
    certValidUntil: '2030-12-31',
    specialties: ['食品安全'],
    regions: ['150302', '150303'],
    mobile: null,
    openId: null,
    kind: 'officer',
    active: true,
    ...over,
  };
}

export function item(code: string, category: ItemCategory, department = 'SCJG'): InspectionItem {
  return { code, name: code, department, category, basis: null, method: null, specialty: null };
}

export function task(over: Partial<TaskDefinition> = {}): TaskDefinition {
  return {
    id: 'T-1',
    name: 'test task',
    initiator: 'SCJG',
    participants: ['WJW'],
    items: ['SCJG-1'],
    scope: {},
    ratioBp: { A: 10000, B: 10000, C: 10000, D: 10000 },
    count: null,
    window: { start: '2026-12-01', end: '2026-12-31' },
    targetsPerTeam: 6,
    officersPerParticipant: 1,
    specialty: null,
    resultDays: 20,
    ...over,
  };
}

export function parameters(over: Partial<DrawParameters> = {}): DrawParameters {
  return {
    ratioBp: { A: 10000, B: 10000, C: 10000, D: 10000 },
    count: null,
    initiator: 'SCJG',
    participants: ['WJW'],
    targetsPerTeam: 6,
    officersPerParticipant: 1,
    ...over,
  };
}

const lines = (rows: string[][]): string =>
  rows
    .map((r) => r.join('\t'))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((l) => l + '\n')
    .join('');

/** Canonical snapshot texts straight from rows (sorted here, as the canonical form requires). */
export function snapshotsOf(input: {
  targets: [uscc: string, risk: RiskClass, region: string][];
  officers: [certNo: string, dept: string, regions: string[]][];
  conflicts?: [certNo: string, uscc: string][];
}): SnapshotTexts {
  return {
    targets: lines(input.targets),
    officers: lines(input.officers.map(([c, d, r]) => [c, d, [...r].sort().join(';')])),
    conflicts: lines(input.conflicts ?? []),
  };
}

/** A deterministic 32-byte seed per name. */
export function seedOf(name: string): Buffer {
  return createHash('sha256').update(name).digest();
}
