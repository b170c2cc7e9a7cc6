import type { App } from '../app.ts';
import { activeInspectorContacts, departmentContacts } from '../storage/directory.ts';
import type { FakeFeishu } from './feishu/server.ts';

/** Someone you can act as on the chat page: an inspector, a department head or a liaison, with their Feishu id. */
export interface SimPerson {
  openId: string;
  name: string;
  role: 'inspector' | 'head' | 'liaison';
  dept: { code: string; name: string };
  /** What tells two people apart: the certificate number, or the department role. */
  detail: string;
}

const MOBILE = /^(\+?86)?1\d{10}$/;

/**
 * The simulator's id for a person the directories name by mobile (or e-mail): stable across restarts, so the
 * identities liancha resolved last time still hold. An imported open_id is used as it is.
 */
export function simOpenId(contact: string): string {
  const v = contact.trim();
  if (v.startsWith('ou_')) return v;
  const digits = MOBILE.test(v.replace(/[\s-]/g, '')) ? v.replace(/\D/g, '').slice(-11) : null;
  return digits ? `ou_sim_${digits}` : `ou_sim_${Buffer.from(v.toLowerCase()).toString('hex').slice(0, 24)}`;
}

/**
 * Everyone in the directories who can be reached in Feishu — active inspectors with a mobile or open_id, and each
 * department's head and liaison — in the order the picker lists them (department, then heads, liaisons,
 * inspectors). One person heading a department and inspecting too appears once per role.
 */
export async function simPeople(app: Pick<App, 'store'>): Promise<SimPerson[]> {
  return peopleOf(await directoryContacts(app));
}

/** The directories' contacts: active inspectors, and each department with its head and liaison. */
async function directoryContacts(app: Pick<App, 'store'>) {
  const db = app.store.db;
  const [inspectors, departments] = await Promise.all([activeInspectorContacts(db), departmentContacts(db)]);
  return { inspectors, departments };
}

function peopleOf({ inspectors, departments }: Awaited<ReturnType<typeof directoryContacts>>): SimPerson[] {
  const names = new Map(departments.map((d) => [d.code, d.name]));
  const out: SimPerson[] = [];
  for (const d of departments) {
    const dept = { code: d.code, name: d.name };
    if (d.head)
      out.push({
        openId: simOpenId(d.head),
        name: `${d.name}负责人`,
        role: 'head',
        dept,
        detail: '部门负责人',
      });
    if (d.liaison)
      out.push({
        openId: simOpenId(d.liaison),
        name: `${d.name}联络员`,
        role: 'liaison',
        dept,
        detail: '联络员',
      });
  }
  for (const i of inspectors) {
    const contact = i.open_id ?? i.mobile;
    if (!contact) continue;
    out.push({
      openId: simOpenId(contact),
      name: i.name,
      role: 'inspector',
      dept: { code: i.department, name: names.get(i.department) ?? i.departmentName },
      detail: `执法证号 ${i.cert_no}`,
    });
  }
  return out.sort((a, b) => (a.dept.code < b.dept.code ? -1 : a.dept.code > b.dept.code ? 1 : 0));
}

/**
 * Makes everyone in the directories a user of the simulator, with the mobile the directories give, so that
 * liancha's identity resolution (`batch_get_id`) finds them as it would in a real tenant. Returns the people.
 */
export async function registerPeople(app: Pick<App, 'store'>, fake: FakeFeishu): Promise<SimPerson[]> {
  const directory = await directoryContacts(app);
  const contacts = [
    ...directory.inspectors.flatMap((i) => [i.open_id, i.mobile]),
    ...directory.departments.flatMap((d) => [d.head, d.liaison]),
  ].filter((c): c is string => Boolean(c?.trim()));
  const people = peopleOf(directory);
  const nameOf = new Map(people.map((p) => [p.openId, p.name]));
  for (const c of contacts) {
    const openId = simOpenId(c);
    const existing = fake.users.get(openId);
    const mobile = MOBILE.test(c.replace(/[\s-]/g, '')) ? c : existing?.mobile;
    const email = c.includes('@') ? c : existing?.email;
    fake.addUser({
      openId,
      name: nameOf.get(openId) ?? c,
      ...(mobile ? { mobile } : {}),
      ...(email ? { email } : {}),
    });
  }
  return people;
}
