import type { Inspector } from './directory.ts';
import { eligibleOfficers } from './draw/eligibility.ts';
import { officersNeeded, whyNoOfficers } from './draw/staffing.ts';
import { allItemsGeneral, type TaskDefinition } from './task.ts';

/** The parts of a task file the rules look at (the file's own shape is checked by its schema first). */
export interface TaskInput {
  initiator: string;
  participants: readonly string[];
  items: readonly string[];
  scope: { directories?: readonly string[] };
  ratio?: number | Partial<Record<string, number>>;
  specialty?: string;
}

/** What the task is checked against. */
export interface TaskDirectory {
  departments: ReadonlySet<string>;
  /** Item code → `key` | `general`. */
  itemCategories: ReadonlyMap<string, string>;
  inspectors: readonly Inspector[];
}

/**
 * Every reason a task may not be created, each naming its field: unknown departments and items, the initiator
 * also a participant, anything listed twice, a general-only task over the ratio cap (docs/domain.md), a specialty no
 * inspector has. Empty when the task is fine.
 */
export function taskProblems(
  file: TaskInput,
  directory: TaskDirectory,
  settings: { generalRatioCap: number },
): string[] {
  const problems: string[] = [];
  const needDepartment = (field: string, code: string) => {
    if (!directory.departments.has(code))
      problems.push(`${field}: department ${code} is not in the department directory`);
  };
  needDepartment('initiator', file.initiator);
  file.participants.forEach((p, i) => {
    needDepartment(`participants[${i}]`, p);
    if (p === file.initiator)
      problems.push(
        `participants[${i}]: ${p} is the initiator; the initiator leads every team and is not also a participant`,
      );
    if (file.participants.indexOf(p) !== i) problems.push(`participants[${i}]: ${p} is listed twice`);
  });
  file.scope.directories?.forEach((d, i) => needDepartment(`scope.directories[${i}]`, d));
  file.items.forEach((code, i) => {
    if (!directory.itemCategories.has(code))
      problems.push(`items[${i}]: inspection item ${code} is not in the item list`);
    if (file.items.indexOf(code) !== i) problems.push(`items[${i}]: ${code} is listed twice`);
  });
  const categories = file.items
    .map((c) => directory.itemCategories.get(c))
    .filter((c): c is string => c !== undefined);
  if (file.ratio !== undefined && categories.length === file.items.length && allItemsGeneral(categories)) {
    const cap = settings.generalRatioCap;
    const ratios = typeof file.ratio === 'number' ? { all: file.ratio } : file.ratio;
    for (const [cls, r] of Object.entries(ratios)) {
      if (r !== undefined && r > cap) {
        problems.push(
          `ratio${cls === 'all' ? '' : '.' + cls}: ${r} is above the cap of ${cap} for a task whose items are all general (一般) — LIANCHA_GENERAL_RATIO_CAP`,
        );
      }
    }
  }
  if (
    file.specialty !== undefined &&
    !directory.inspectors.some((i) => i.specialties.includes(file.specialty!))
  ) {
    const known = [...new Set(directory.inspectors.flatMap((i) => i.specialties))].sort();
    problems.push(
      `specialty: no inspector in the directory has the specialty "${file.specialty}"` +
        (known.length
          ? ` (specialties there: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''})`
          : ' (no inspector has any specialty)'),
    );
  }
  return problems;
}

/**
 * Warnings for departments whose eligible officers (active officers with a certificate valid through the
 * window's end, and the specialty if the task names one) are few: none or fewer than a team needs means
 * `draw freeze` will refuse; no spare means a conflict or a replacement may leave a team short.
 */
export function smallPoolWarnings(task: TaskDefinition, inspectors: readonly Inspector[]): string[] {
  const eligible = eligibleOfficers(task, inspectors);
  const warnings: string[] = [];
  for (const [dept, m] of officersNeeded(task)) {
    const n = eligible.filter((i) => i.department === dept).length;
    if (n < m)
      warnings.push(
        `department ${dept} has ${n} eligible officer(s) for this task and every team needs ${m}` +
          `${n === 0 ? ` (${whyNoOfficers(task, dept, inspectors)})` : ''}: draw freeze will refuse it until the inspector directory changes`,
      );
    else if (n < 2 * m)
      warnings.push(
        `department ${dept} has only ${n} eligible officer(s) for this task (every team needs ${m}): with no spare, a conflict or a replacement may leave a team short`,
      );
  }
  return warnings;
}
