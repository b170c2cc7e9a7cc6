/**
 * Whether a task's pools can ever draw (issue 7, item 13): a freeze is final, so `draw freeze` refuses a task
 * whose draw is certain to fail, and `draw preview` says so first. Only what the pools decide is checked here;
 * which regions a ratio draw lands in, and the conflicts of the drawn targets, are known only at the run.
 */
import type { Inspector } from '../directory.ts';
import { taskDepartments, type TaskDefinition } from '../task.ts';
import { officerExclusion, type OfficerExclusion, type PoolReport } from './eligibility.ts';

/** Officers a team needs from each department: the initiator gives the leader (two when it is alone). */
export function officersNeeded(task: TaskDefinition): Map<string, number> {
  const departments = taskDepartments(task);
  return new Map(
    departments.map((d, i) => [
      d,
      i === 0 ? (departments.length === 1 ? 2 : 1) : task.officersPerParticipant,
    ]),
  );
}

const RULES: Record<Exclude<OfficerExclusion, 'department'>, (task: TaskDefinition) => string> = {
  kind: () => 'experts (专家), who are not drawn as officers',
  inactive: () => 'not active (在岗: 否)',
  certificate: (task) => `certificate not valid through ${task.window.end}`,
  specialty: (task) => `without the specialty ${task.specialty ?? ''}`,
};

/** `12 inspectors of SCJG, none eligible: 3 not active (在岗: 否), 9 certificate not valid through 2026-12-31` */
export function whyNoOfficers(task: TaskDefinition, dept: string, inspectors: readonly Inspector[]): string {
  const own = inspectors.filter((i) => i.department === dept);
  if (own.length === 0) return `the inspector directory has no inspector of ${dept}`;
  const counts = new Map<string, number>();
  for (const i of own) {
    const why = officerExclusion(task, new Set([dept]), i);
    if (why && why !== 'department') counts.set(why, (counts.get(why) ?? 0) + 1);
  }
  const reasons = [...counts].map(([why, n]) => `${n} ${RULES[why as keyof typeof RULES](task)}`);
  return `of its ${own.length} inspector(s): ${reasons.join(', ')}`;
}

/**
 * The reason this task can never draw from these pools, or null. In order: no eligible target, a count above
 * the eligible targets, a department with fewer eligible officers than one team needs, and no region where
 * every department has enough officers covering it.
 */
export function staffingRefusal(
  task: TaskDefinition,
  pools: PoolReport,
  inspectors: readonly Inspector[],
): string | null {
  const t = pools.targets;
  if (t.eligible === 0) {
    const left = Object.entries(t.excluded)
      .filter(([, n]) => n > 0)
      .map(([why, n]) => `${why} ${n}`);
    return `no target is eligible for this task (left out by rule: ${left.join(', ') || 'the directory is empty'})`;
  }
  if (task.count !== null && task.count > t.eligible)
    return `count ${task.count} is more than the ${t.eligible} eligible targets`;
  const needed = officersNeeded(task);
  for (const [dept, m] of needed) {
    const have = pools.officers.byDepartment[dept]?.total ?? 0;
    if (have === 0)
      return `department ${dept} has no eligible officer (${whyNoOfficers(task, dept, inspectors)}); every team needs ${m} from it`;
    if (have < m) return `department ${dept} has ${have} eligible officer(s); every team needs ${m} from it`;
  }
  const regions = Object.keys(t.byRegion);
  const short = regions.map((region) => {
    const missing = [...needed].filter(
      ([dept, m]) => (pools.officers.byDepartment[dept]?.byRegion[region] ?? 0) < m,
    );
    return { region, missing };
  });
  if (short.every((r) => r.missing.length > 0))
    return `no region can staff a single team — officers must cover the team's region (执法区域): ${short
      .map(
        (r) =>
          `region ${r.region}: ${r.missing.map(([d, m]) => `${d} has ${pools.officers.byDepartment[d]?.byRegion[r.region] ?? 0} of ${m}`).join(', ')}`,
      )
      .join('; ')}`;
  return null;
}
