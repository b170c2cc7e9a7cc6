import { describe, it, expect } from 'vitest';
import {
  describePools,
  DrawError,
  eligibleOfficers,
  eligibleTargets,
  sameYearExclusionApplies,
  type TargetEligibilityOptions,
} from '../../../src/domain/draw/index.ts';
import type { Target } from '../../../src/domain/directory.ts';
import type { TaskDefinition } from '../../../src/domain/task.ts';
import { inspector, item, target, task } from '../../helpers/draw-builders.ts';

const generalOnly: TargetEligibilityOptions = {
  items: [item('SCJG-1', 'general'), item('WJW-1', 'general', 'WJW'), item('SCJG-K', 'key')],
  excludedUsccs: new Set(),
  sameYearExclusion: true,
};

const usccsOf = (def: TaskDefinition, targets: Target[], opts = generalOnly) =>
  eligibleTargets(def, targets, opts).map((t) => t.uscc);

describe('eligible targets (docs/domain.md draw rule 1)', () => {
  it('only 存续 is drawable', () => {
    const targets = [target('T1'), target('T2', { status: '吊销' }), target('T3', { status: '注销' })];
    expect(usccsOf(task(), targets)).toEqual(['T1']);
  });

  it('kinds filter: absent allows all, present keeps only the listed kinds', () => {
    const targets = [target('T1'), target('T2', { kind: '个体工商户' }), target('T3', { kind: '社会组织' })];
    expect(usccsOf(task(), targets)).toEqual(['T1', 'T2', 'T3']);
    expect(usccsOf(task({ scope: { kinds: ['企业', '个体工商户'] } }), targets)).toEqual(['T1', 'T2']);
  });

  it('regions filter: absent allows all, present keeps only the listed regions', () => {
    const targets = [target('T1'), target('T2', { region: '150303' }), target('T3', { region: '150304' })];
    expect(usccsOf(task(), targets)).toEqual(['T1', 'T2', 'T3']);
    expect(usccsOf(task({ scope: { regions: ['150303'] } }), targets)).toEqual(['T2']);
  });

  it('industries filter: absent allows all (even none), present needs a listed industry', () => {
    const targets = [target('T1'), target('T2', { industry: '食品销售' }), target('T3', { industry: null })];
    expect(usccsOf(task(), targets)).toEqual(['T1', 'T2', 'T3']);
    expect(usccsOf(task({ scope: { industries: ['食品销售'] } }), targets)).toEqual(['T2']);
  });

  it('directories: absent = any task department, initiator included; explicit = only those', () => {
    const targets = [
      target('INIT', { departments: ['SCJG'] }),
      target('PART', { departments: ['WJW'] }),
      target('OTHER', { departments: ['SWJ'] }),
      target('BOTH', { departments: ['SWJ', 'WJW'] }),
    ];
    expect(usccsOf(task(), targets)).toEqual(['INIT', 'PART', 'BOTH']);
    expect(usccsOf(task({ scope: { directories: ['SCJG'] } }), targets)).toEqual(['INIT']);
    expect(usccsOf(task({ scope: { directories: ['SWJ'] } }), targets)).toEqual(['OTHER', 'BOTH']);
  });

  describe('same-year exclusion', () => {
    const targets = [target('T1'), target('T2')];
    const excluded: TargetEligibilityOptions = { ...generalOnly, excludedUsccs: new Set(['T2']) };

    it('applies to an all-general task when the setting is on', () => {
      const def = task({ items: ['SCJG-1', 'WJW-1'] });
      expect(sameYearExclusionApplies(def, excluded.items, true)).toBe(true);
      expect(usccsOf(def, targets, excluded)).toEqual(['T1']);
    });

    it('does not apply when the setting is off', () => {
      const def = task({ items: ['SCJG-1', 'WJW-1'] });
      expect(usccsOf(def, targets, { ...excluded, sameYearExclusion: false })).toEqual(['T1', 'T2']);
    });

    it('does not apply when any of the task items is key', () => {
      const def = task({ items: ['SCJG-1', 'SCJG-K'] });
      expect(sameYearExclusionApplies(def, excluded.items, true)).toBe(false);
      expect(usccsOf(def, targets, excluded)).toEqual(['T1', 'T2']);
    });

    it('refuses to guess when a task item is not in the item list', () => {
      expect(() => usccsOf(task({ items: ['NOPE-1'] }), targets, excluded)).toThrow(DrawError);
    });
  });
});

describe('eligible officers (docs/draw-algorithm.md officers snapshot)', () => {
  const certsOf = (def: TaskDefinition, list = all) => eligibleOfficers(def, list).map((o) => o.certNo);
  const all = [
    inspector('OK', 'SCJG'),
    inspector('EXPERT', 'SCJG', { kind: 'expert' }),
    inspector('INACTIVE', 'WJW', { active: false }),
    inspector('EXPIRES-EARLY', 'WJW', { certValidUntil: '2026-12-30' }),
    inspector('EXPIRES-AT-END', 'WJW', { certValidUntil: '2026-12-31' }),
    inspector('NO-SPECIALTY', 'WJW', { specialties: ['税务'] }),
    inspector('OTHER-DEPT', 'SWJ'),
    inspector('NO-REGION-IN-SCOPE', 'WJW', { regions: ['150304'] }),
  ];

  it('keeps active officers of task departments certified through the window end', () => {
    expect(certsOf(task())).toEqual(['OK', 'EXPIRES-AT-END', 'NO-SPECIALTY', 'NO-REGION-IN-SCOPE']);
  });

  it('requires the task specialty when the task names one', () => {
    expect(certsOf(task({ specialty: '食品安全' }))).toEqual(['OK', 'EXPIRES-AT-END', 'NO-REGION-IN-SCOPE']);
  });

  it('takes participants into account, and only them', () => {
    expect(certsOf(task({ participants: ['SWJ'] }))).toEqual(['OK', 'OTHER-DEPT']);
  });
});

describe('describePools (draw preview)', () => {
  it('counts eligible targets per class and region, officers per department and covered region', () => {
    const targets = [
      target('A1'),
      target('B1', { risk: 'B', region: '150303' }),
      target('B2', { risk: 'B', region: '150303' }),
      target('GONE', { status: '注销' }),
      target('FAR', { departments: ['SWJ'] }),
    ];
    const inspectors = [
      inspector('S1', 'SCJG'),
      inspector('W1', 'WJW', { regions: ['150302'] }),
      inspector('X', 'WJW', { kind: 'expert' }),
    ];
    const report = describePools(task(), targets, inspectors, generalOnly);
    expect(report.targets.eligible).toBe(3);
    expect(report.targets.byRisk).toEqual({ A: 1, B: 2, C: 0, D: 0 });
    expect(report.targets.byRegion).toEqual({
      '150302': { A: 1, B: 0, C: 0, D: 0 },
      '150303': { A: 0, B: 2, C: 0, D: 0 },
    });
    expect(report.targets.excluded).toMatchObject({ status: 1, directory: 1 });
    expect(report.officers.eligible).toBe(2);
    expect(report.officers.byDepartment).toEqual({
      SCJG: { total: 1, byRegion: { '150302': 1, '150303': 1 } },
      WJW: { total: 1, byRegion: { '150302': 1, '150303': 0 } },
    });
    expect(report.officers.excluded.kind).toBe(1);
  });
});
