/**
 * `prepared` (src/storage/prepared.ts), which the click path's statements go through: compiled once per dialect,
 * each call's values bound where the placeholders were, the builder's own values kept, on SQLite and PostgreSQL.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { prepared } from '../../src/storage/prepared.ts';
import { dialects } from '../helpers/stores.ts';

const byName = prepared((db, p: { code: string; name: string }) =>
  db
    .selectFrom('departments')
    .select(['code', 'name'])
    // p.code twice and a value of the builder's own between: each lands in its place.
    .where((eb) => eb.or([eb('code', '=', p.code), eb('name', '=', p.name), eb('code', '=', 'D-FIXED')]))
    .where('code', '<>', 'D-NEVER')
    .orderBy('code'),
);

const rename = prepared((db, p: { code: string; name: string }) =>
  db.updateTable('departments').set({ name: p.name }).where('code', '=', p.code),
);

describe.each(dialects())('prepared queries on $dialect', ({ fresh }) => {
  it('binds each call its own values, keeps the constants, counts affected rows, also in a transaction', async () => {
    const { store } = await fresh();
    try {
      await store.db
        .insertInto('departments')
        .values(
          ['D1', 'D2', 'D3', 'D-FIXED', 'D-NEVER'].map((code) => ({
            code,
            name: `name ${code}`,
            head: null,
            liaison: null,
          })),
        )
        .execute();
      const codes = async (p: { code: string; name: string }) =>
        (await byName.run(store.db, p)).rows.map((r) => r.code);
      expect(await codes({ code: 'D1', name: 'none' })).toEqual(['D-FIXED', 'D1']);
      expect(await codes({ code: 'D2', name: 'name D3' })).toEqual(['D-FIXED', 'D2', 'D3']);
      expect(await codes({ code: 'D-NEVER', name: 'name D-NEVER' })).toEqual(['D-FIXED']);
      expect(Number((await rename.run(store.db, { code: 'D1', name: 'renamed' })).numAffectedRows)).toBe(1);
      expect(Number((await rename.run(store.db, { code: 'nope', name: 'x' })).numAffectedRows)).toBe(0);
      await store.db.transaction().execute(async (trx) => {
        await rename.run(trx, { code: 'D2', name: 'in a transaction' });
        expect(
          (await byName.run(trx, { code: 'none', name: 'in a transaction' })).rows.map((r) => r.code),
        ).toEqual(['D-FIXED', 'D2']);
      });
      expect(await codes({ code: 'none', name: 'renamed' })).toEqual(['D-FIXED', 'D1']);
    } finally {
      await store.close();
    }
  });

  it('refuses a query that writes a parameter into its SQL instead of binding it', async () => {
    const { store } = await fresh();
    try {
      const inlined = prepared((db, p: { code: string }) =>
        db.selectFrom('departments').select('code').where('code', '=', sql.lit(p.code)),
      );
      await expect(inlined.run(store.db, { code: 'D1' })).rejects.toThrow(/inlines a parameter/);
    } finally {
      await store.close();
    }
  });
});
