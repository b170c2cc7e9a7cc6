import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Certificate numbers of the inspectors a Feishu user is: imported with that open_id, or with a mobile/e-mail
 * that resolved to it. One person normally has one certificate; a list keeps odd directories working.
 */
export async function certNosForOpenId(db: Kysely<Database>, openId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('inspectors')
    .select('cert_no')
    .where((eb) =>
      eb.or([
        eb('open_id', '=', openId),
        eb(
          'mobile',
          'in',
          eb
            .selectFrom('identities')
            .select('raw')
            .where('open_id', '=', openId)
            .where('status', '=', 'resolved'),
        ),
      ]),
    )
    .execute();
  return rows.map((r) => r.cert_no);
}
