import { describe, expect, it } from 'vitest';
import type { Target } from '../../src/domain/directory.ts';
import { countTargets, targetsForEligibility } from '../../src/storage/draw-targets.ts';
import { dialects } from '../helpers/stores.ts';

/** 4,500 targets: more than two pages of 2,000. Target i is in D1 when i is even, in D2 when i % 3 = 0, in D3 always. */
const N = 4500;
const usccOf = (i: number) => `91150302${String(i).padStart(9, '0')}X`;

describe.each(dialects())('targetsForEligibility on $dialect', ({ fresh }) => {
  it('pages through every target once, with only its departments among those asked for', async () => {
    const { store } = await fresh();
    try {
      const db = store.db;
      await db
        .insertInto('departments')
        .values(['D1', 'D2', 'D3'].map((code) => ({ code, name: code, head: null, liaison: null })))
        .execute();
      for (let from = 0; from < N; from += 500) {
        const batch = Array.from({ length: Math.min(500, N - from) }, (_, k) => from + k);
        await db
          .insertInto('targets')
          .values(
            batch.map((i) => ({
              uscc: usccOf(i),
              name: `企业${i}`,
              kind: '企业',
              legal_rep: null,
              address: `地址${i}`,
              region: i % 2 ? '150303' : '150302',
              industry: i % 5 ? '餐饮服务' : null,
              scope: null,
              established: null,
              status: i % 7 ? '存续' : '注销',
              risk: 'ABCD'[i % 4]!,
              phone: null,
            })),
          )
          .execute();
        await db
          .insertInto('target_departments')
          .values(
            batch.flatMap((i) => [
              ...(i % 2 === 0 ? [{ uscc: usccOf(i), department: 'D1' }] : []),
              ...(i % 3 === 0 ? [{ uscc: usccOf(i), department: 'D2' }] : []),
              { uscc: usccOf(i), department: 'D3' },
            ]),
          )
          .execute();
      }
      expect(await countTargets(db)).toBe(N);

      const seen: Target[] = [];
      let pages = 0;
      for await (const page of targetsForEligibility(db, ['D1', 'D2'])) {
        pages += 1;
        seen.push(...page);
      }
      expect(pages).toBe(3);
      expect(seen.map((t) => t.uscc)).toEqual(Array.from({ length: N }, (_, i) => usccOf(i)));
      for (const [i, t] of seen.entries()) {
        expect(t).toEqual({
          uscc: usccOf(i),
          name: '',
          kind: '企业',
          legalRep: null,
          address: null,
          region: i % 2 ? '150303' : '150302',
          industry: i % 5 ? '餐饮服务' : null,
          scope: null,
          established: null,
          status: i % 7 ? '存续' : '注销',
          risk: 'ABCD'[i % 4],
          phone: null,
          departments: expect.any(Array),
        });
        const wanted = [...(i % 2 === 0 ? ['D1'] : []), ...(i % 3 === 0 ? ['D2'] : [])];
        expect([...t.departments].sort()).toEqual(wanted);
      }
    } finally {
      await store.close();
    }
  });
});
