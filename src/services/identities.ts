import type { Kysely } from 'kysely';
import type { App } from '../app.ts';
import type { Database, IdentityRow } from '../storage/schema.ts';
import {
  identityKind,
  loadIdentities,
  normalizeIdentifier,
  saveIdentities,
  type IdentityKind,
} from '../storage/identities.ts';
import { activeInspectorContacts, departmentContacts } from '../storage/directory.ts';
import type { FeishuClient } from '../bot/feishu/client.ts';

export { openIdFor } from '../storage/identities.ts';

/**
 * Feishu identities of the people in the directories: department heads and liaisons, and inspectors. An open_id
 * (`ou_…`) is itself; a mobile number or e-mail address is resolved with `batch_get_id` (≤ 50 of each per call)
 * and the answer kept in `identities`, so that cards go to the right open_id.
 */

/** One place a person's Feishu identity is written down. */
export interface IdentitySource {
  who: 'department' | 'inspector';
  /** The person: an inspector's name, or "<department> head/liaison". */
  name: string;
  department: string;
  departmentName: string;
  field: 'head' | 'liaison' | 'mobile' | 'open_id';
  /** The inspector's certificate number. */
  certNo?: string;
  raw: string;
}

export interface ResolveReport {
  /** Distinct identifiers in the directories. */
  identifiers: number;
  /** Of these, open_ids (resolved as themselves). */
  openIds: number;
  /** Mobiles and e-mails asked of Feishu this time. */
  checked: number;
  resolved: number;
  unresolved: number;
  /** batch_get_id calls made. */
  calls: number;
}

export interface UnresolvedPerson {
  who: 'department' | 'inspector';
  name: string;
  department: string;
  departmentName: string;
  certNo?: string;
  /** The fields that hold an identifier, e.g. ['mobile'] or ['head']; empty when there is none. */
  fields: string[];
  /** The identifiers found in those fields. */
  values: string[];
  reason: string;
}

/** Every identifier written in the directories, with where it is written. */
export async function collectIdentifiers(db: Kysely<Database>): Promise<IdentitySource[]> {
  const depts = await departmentContacts(db);
  const names = new Map(depts.map((d) => [d.code, d.name]));
  const out: IdentitySource[] = [];
  for (const d of depts) {
    for (const field of ['head', 'liaison'] as const) {
      const raw = d[field]?.trim();
      if (raw)
        out.push({
          who: 'department',
          name: `${d.name} ${field === 'head' ? '负责人 head' : '联络员 liaison'}`,
          department: d.code,
          departmentName: d.name,
          field,
          raw,
        });
    }
  }
  const inspectors = await activeInspectorContacts(db);
  for (const i of inspectors) {
    for (const field of ['open_id', 'mobile'] as const) {
      const raw = i[field]?.trim();
      if (raw)
        out.push({
          who: 'inspector',
          name: i.name,
          department: i.department,
          departmentName: names.get(i.department) ?? i.department,
          field,
          certNo: i.cert_no,
          raw,
        });
    }
  }
  return out;
}

/**
 * Resolves the directories' mobiles and e-mails to open_ids (50 of each per call) and stores the outcome.
 * By default only identifiers not yet resolved are asked about; `all` asks again about every one.
 *
 * @example const report = await resolveIdentities(app, feishuFromConfig(app.config));
 */
export async function resolveIdentities(
  app: Pick<App, 'store' | 'clock' | 'log'>,
  feishu: Pick<FeishuClient, 'batchGetIds'>,
  options: { all?: boolean } = {},
): Promise<ResolveReport> {
  const db = app.store.db;
  const now = app.clock().toISOString();
  const raws = [...new Set((await collectIdentifiers(db)).map((s) => s.raw))];
  const known = await loadIdentities(db);
  const report: ResolveReport = {
    identifiers: raws.length,
    openIds: 0,
    checked: 0,
    resolved: 0,
    unresolved: 0,
    calls: 0,
  };
  const direct: IdentityRow[] = [];
  // normalized form → the raw spellings that share it
  const ask = { mobile: new Map<string, string[]>(), email: new Map<string, string[]>() };
  for (const raw of raws) {
    const kind = identityKind(raw);
    if (kind === 'open_id') {
      report.openIds++;
      if (known.get(raw)?.status !== 'resolved')
        direct.push({ raw, kind, open_id: raw, status: 'resolved', checked_at: now });
    } else if (kind === 'unknown') {
      direct.push({ raw, kind, open_id: null, status: 'unresolved', checked_at: now });
    } else if (options.all || known.get(raw)?.status !== 'resolved') {
      const norm = normalizeIdentifier(raw, kind);
      ask[kind].set(norm, [...(ask[kind].get(norm) ?? []), raw]);
    }
  }
  await saveIdentities(db, direct);

  const mobiles = [...ask.mobile.keys()];
  const emails = [...ask.email.keys()];
  for (let i = 0; i < Math.max(mobiles.length, emails.length); i += 50) {
    const m = mobiles.slice(i, i + 50);
    const e = emails.slice(i, i + 50);
    const answer = await feishu.batchGetIds({ mobiles: m, emails: e });
    report.calls += answer.calls;
    const rows: IdentityRow[] = [];
    const record = (kind: IdentityKind, norm: string, openId: string | null | undefined) => {
      for (const raw of ask[kind as 'mobile' | 'email'].get(norm) ?? []) {
        report.checked++;
        if (openId) report.resolved++;
        else report.unresolved++;
        rows.push({
          raw,
          kind,
          open_id: openId ?? null,
          status: openId ? 'resolved' : 'unresolved',
          checked_at: app.clock().toISOString(),
        });
      }
    };
    for (const v of m) record('mobile', v, answer.mobiles.get(v));
    for (const v of e) record('email', v, answer.emails.get(v));
    await saveIdentities(db, rows);
  }
  app.log.info({ ...report }, 'Feishu identities resolved');
  return report;
}

/**
 * People whose Feishu identity is not resolved: a department head or liaison whose identifier does not resolve,
 * a department without a head (who would approve replacements?), an active inspector with neither an open_id nor
 * a resolved mobile or e-mail.
 */
export async function unresolvedPeople(
  db: Kysely<Database>,
  options: { localMode?: boolean } = {},
): Promise<UnresolvedPerson[]> {
  const sources = await collectIdentifiers(db);
  const known = await loadIdentities(db);
  const state = (raw: string): { ok: boolean; reason: string } => {
    const kind = identityKind(raw);
    if (kind === 'open_id') return { ok: true, reason: '' };
    if (kind === 'unknown') return { ok: false, reason: 'not an open_id, mobile number or e-mail address' };
    const row = known.get(raw);
    if (!row)
      return {
        ok: false,
        reason: options.localMode ? 'not checked (no Feishu credentials: local mode)' : 'not checked yet',
      };
    return row.status === 'resolved'
      ? { ok: true, reason: '' }
      : { ok: false, reason: `${kind === 'mobile' ? 'mobile number' : 'e-mail'} not found in Feishu` };
  };
  const out: UnresolvedPerson[] = [];
  for (const s of sources.filter((x) => x.who === 'department')) {
    const st = state(s.raw);
    if (!st.ok)
      out.push({
        who: 'department',
        name: s.name,
        department: s.department,
        departmentName: s.departmentName,
        fields: [s.field],
        values: [s.raw],
        reason: st.reason,
      });
  }
  const heads = new Set(sources.filter((s) => s.field === 'head').map((s) => s.department));
  const depts = await departmentContacts(db);
  for (const d of depts)
    if (!heads.has(d.code))
      out.push({
        who: 'department',
        name: `${d.name} 负责人 head`,
        department: d.code,
        departmentName: d.name,
        fields: [],
        values: [],
        reason: 'no head set',
      });

  const byInspector = new Map<string, IdentitySource[]>();
  for (const s of sources.filter((x) => x.who === 'inspector'))
    byInspector.set(s.certNo!, [...(byInspector.get(s.certNo!) ?? []), s]);
  const inspectors = await activeInspectorContacts(db);
  for (const i of inspectors) {
    const own = byInspector.get(i.cert_no) ?? [];
    const states = own.map((s) => state(s.raw));
    if (states.some((s) => s.ok)) continue;
    out.push({
      who: 'inspector',
      name: i.name,
      department: i.department,
      departmentName: i.departmentName,
      certNo: i.cert_no,
      fields: own.map((s) => s.field),
      values: own.map((s) => s.raw),
      reason: own.length === 0 ? 'no mobile number or open_id' : states.map((s) => s.reason).join('; '),
    });
  }
  return out;
}

/**
 * Before assignment cards are queued, ask Feishu for the open_ids of people imported by mobile or e-mail, so that
 * everyone Feishu knows gets their card. Best effort: a failure only leaves more people listed as undeliverable.
 */
export async function resolveBeforeDraw(app: App, feishu: FeishuClient): Promise<void> {
  try {
    await resolveIdentities(app, feishu);
  } catch (err) {
    app.log.warn(
      { err: (err as Error).message },
      'could not resolve identities before the draw; unresolved people are listed as undeliverable',
    );
  }
}
