/**
 * Who may enter the snapshots (docs/domain.md draw rule 1 for targets, docs/draw-algorithm.md "snapshots" for officers), and the
 * pool-size explanation `draw preview` shows. The per-team rules (region, conflicts, load) apply later,
 * inside the draw, from the snapshots alone.
 */
import {
  RISK_CLASSES,
  type InspectionItem,
  type Inspector,
  type RiskClass,
  type Target,
} from '../directory.ts';
import { taskDepartments, type TaskDefinition } from '../task.ts';
import { DrawError } from './errors.ts';
import { sortByteOrder } from './stream.ts';

export interface TargetEligibilityOptions {
  /** The task's inspection items (at least those the task lists). */
  items: readonly InspectionItem[];
  /** USCCs drawn by another locked task in the same calendar year; the caller computes the set. */
  excludedUsccs: ReadonlySet<string>;
  /** The setting that turns the same-year exclusion for all-`general` tasks on. */
  sameYearExclusion: boolean;
}

/** Why a target is left out, in the order the rules are checked. */
export const TARGET_EXCLUSIONS = ['status', 'kind', 'region', 'industry', 'directory', 'sameYear'] as const;
export type TargetExclusion = (typeof TARGET_EXCLUSIONS)[number];

/** Why an inspector is left out of the officers snapshot, in the order the rules are checked. */
export const OFFICER_EXCLUSIONS = ['kind', 'inactive', 'certificate', 'specialty', 'department'] as const;
export type OfficerExclusion = (typeof OFFICER_EXCLUSIONS)[number];

/** An absent (or empty) filter allows everything. */
function filterSet(values: readonly string[] | undefined): ReadonlySet<string> | null {
  return values && values.length > 0 ? new Set(values) : null;
}

/**
 * True when the same-year exclusion applies: the setting is on and every one of the task's items is
 * `general` (key items have no ratio cap, so a key task may revisit a target).
 * @throws DrawError DRAW.UNKNOWN_ITEM when a task item is missing from `items`.
 */
export function sameYearExclusionApplies(
  task: Pick<TaskDefinition, 'items'>,
  items: readonly InspectionItem[],
  setting: boolean,
): boolean {
  const byCode = new Map(items.map((item) => [item.code, item]));
  const taskItems = task.items.map((code) => {
    const item = byCode.get(code);
    if (!item) throw new DrawError('DRAW.UNKNOWN_ITEM', `the task's item ${code} is not in the item list`);
    return item;
  });
  return setting && taskItems.length > 0 && taskItems.every((item) => item.category === 'general');
}

/**
 * The departments whose directory admits a target to the task: `scope.directories`, or else every task
 * department, initiator included. Only a target's departments among these matter to the rules, so a reader of a
 * large directory may load just those.
 */
export function targetDirectories(task: TaskDefinition): string[] {
  return task.scope.directories && task.scope.directories.length > 0
    ? [...new Set(task.scope.directories)]
    : taskDepartments(task);
}

/** The task's target rules compiled once, so a million targets cost a few set look-ups each. */
function targetRules(task: TaskDefinition, opts: TargetEligibilityOptions) {
  return {
    kinds: filterSet(task.scope.kinds),
    regions: filterSet(task.scope.regions),
    industries: filterSet(task.scope.industries),
    directories: new Set(targetDirectories(task)),
    excluded: sameYearExclusionApplies(task, opts.items, opts.sameYearExclusion) ? opts.excludedUsccs : null,
  };
}

type TargetRules = ReturnType<typeof targetRules>;

function targetExclusion(target: Target, rules: TargetRules): TargetExclusion | null {
  if (target.status !== '存续') return 'status';
  if (rules.kinds && !rules.kinds.has(target.kind)) return 'kind';
  if (rules.regions && !rules.regions.has(target.region)) return 'region';
  if (rules.industries && (target.industry === null || !rules.industries.has(target.industry)))
    return 'industry';
  if (!target.departments.some((d) => rules.directories.has(d))) return 'directory';
  if (rules.excluded?.has(target.uscc)) return 'sameYear';
  return null;
}

/**
 * The targets the task may draw (docs/domain.md rule 1): status 存续; kind, region and industry within the
 * scope filters (absent = all); in the directory of a `scope.directories` department (absent: any task
 * department, initiator included); and, for an all-`general` task with the setting on, not drawn by
 * another locked task this calendar year.
 */
export function eligibleTargets(
  task: TaskDefinition,
  targets: readonly Target[],
  opts: TargetEligibilityOptions,
): Target[] {
  const rules = targetRules(task, opts);
  return targets.filter((t) => targetExclusion(t, rules) === null);
}

/** The first officer rule an inspector fails for this task, or null when the inspector is eligible. */
export function officerExclusion(
  task: TaskDefinition,
  departments: ReadonlySet<string>,
  inspector: Inspector,
): OfficerExclusion | null {
  if (inspector.kind !== 'officer') return 'kind';
  if (!inspector.active) return 'inactive';
  // ISO dates compare correctly as strings; valid "through" the window's end means >= end.
  if (inspector.certValidUntil < task.window.end) return 'certificate';
  if (task.specialty !== null && !inspector.specialties.includes(task.specialty)) return 'specialty';
  if (!departments.has(inspector.department)) return 'department';
  return null;
}

/**
 * The officers snapshot population (docs/draw-algorithm.md): kind `officer`, active, certificate valid through the
 * window's end, the task's specialty if it names one, in one of the task's departments.
 */
export function eligibleOfficers(task: TaskDefinition, inspectors: readonly Inspector[]): Inspector[] {
  const departments = new Set(taskDepartments(task));
  return inspectors.filter((i) => officerExclusion(task, departments, i) === null);
}

export interface PoolReport {
  targets: {
    eligible: number;
    byRisk: Record<RiskClass, number>;
    /** Region (byte order) → eligible targets per risk class. */
    byRegion: Record<string, Record<RiskClass, number>>;
    sameYearExclusionApplies: boolean;
    excluded: Record<TargetExclusion, number>;
  };
  officers: {
    eligible: number;
    /** Task department (initiator first) → eligible officers, and how many cover each target region. */
    byDepartment: Record<string, { total: number; byRegion: Record<string, number> }>;
    excluded: Record<OfficerExclusion, number>;
  };
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

/**
 * Pool sizes for `draw preview`: eligible targets per risk class and region, eligible officers per
 * department and per target region they cover, and how many were left out by each rule. A region where a
 * department has 0 officers is where the draw would fail.
 */
export function describePools(
  task: TaskDefinition,
  targets: readonly Target[],
  inspectors: readonly Inspector[],
  opts: TargetEligibilityOptions,
): PoolReport {
  const rules = targetRules(task, opts);
  const targetExcluded = zeroes(TARGET_EXCLUSIONS);
  const byRisk = zeroes(RISK_CLASSES);
  const regionCounts = new Map<string, Record<RiskClass, number>>();
  let eligibleTargetCount = 0;
  for (const t of targets) {
    const why = targetExclusion(t, rules);
    if (why) {
      targetExcluded[why] += 1;
      continue;
    }
    eligibleTargetCount += 1;
    byRisk[t.risk] += 1;
    let counts = regionCounts.get(t.region);
    if (!counts) regionCounts.set(t.region, (counts = zeroes(RISK_CLASSES)));
    counts[t.risk] += 1;
  }
  const regions = sortByteOrder([...regionCounts.keys()]);

  const departments = taskDepartments(task);
  const departmentSet = new Set(departments);
  const officerExcluded = zeroes(OFFICER_EXCLUSIONS);
  const byDepartment: PoolReport['officers']['byDepartment'] = {};
  for (const d of departments) byDepartment[d] = { total: 0, byRegion: zeroes(regions) };
  let eligibleOfficerCount = 0;
  for (const inspector of inspectors) {
    const why = officerExclusion(task, departmentSet, inspector);
    if (why) {
      officerExcluded[why] += 1;
      continue;
    }
    eligibleOfficerCount += 1;
    const entry = byDepartment[inspector.department]!;
    entry.total += 1;
    for (const r of new Set(inspector.regions)) if (r in entry.byRegion) entry.byRegion[r]! += 1;
  }

  return {
    targets: {
      eligible: eligibleTargetCount,
      byRisk,
      byRegion: Object.fromEntries(regions.map((r) => [r, regionCounts.get(r)!])),
      sameYearExclusionApplies: rules.excluded !== null,
      excluded: targetExcluded,
    },
    officers: { eligible: eligibleOfficerCount, byDepartment, excluded: officerExcluded },
  };
}
