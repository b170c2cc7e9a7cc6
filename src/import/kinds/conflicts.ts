import { MAX_LENGTH } from '../cells.ts';
import { col } from '../columns.ts';
import { SOURCE_DIGEST } from '../../storage/import/upsert.ts';
import { quote } from '../cells.ts';
import { type KindSpec, type PendingRecord } from './kind.ts';

const columns = [
  col('cert_no', '执法证号', 'cert_no', true),
  col('uscc', '统一社会信用代码', 'uscc', true),
  col('reason', '原因', 'reason'),
] as const;
type Field = (typeof columns)[number]['field'];

export const conflicts: KindSpec<Field> = {
  kind: 'conflicts',
  columns,
  table: {
    table: 'conflicts',
    columns: ['cert_no', 'uscc', 'reason', SOURCE_DIGEST],
    key: ['cert_no', 'uscc'],
  },
  key(r) {
    const cert = r.str('cert_no');
    const uscc = r.str('uscc').toUpperCase();
    return cert && uscc ? `${cert}\t${uscc}` : null;
  },
  duplicate: ['cert_no', 'uscc'],
  parse(r) {
    const row = {
      cert_no: r.code('cert_no', true),
      uscc: r.uscc('uscc', true),
      reason: r.text('reason', false, MAX_LENGTH.note),
    };
    return r.failed ? null : { row };
  },
  /** The inspector and the target must already be in the database. */
  async checkBatch(bulk, pending, report) {
    const certs = [...new Set(pending.map((p) => String(p.record.row.cert_no)))];
    const usccs = [...new Set(pending.map((p) => String(p.record.row.uscc)))];
    const knownCerts = new Set(
      (await bulk.selectIn<{ cert_no: string }>('inspectors', ['cert_no'], 'cert_no', certs)).map(
        (r) => r.cert_no,
      ),
    );
    const knownUsccs = new Set(
      (await bulk.selectIn<{ uscc: string }>('targets', ['uscc'], 'uscc', usccs)).map((r) => r.uscc),
    );
    const passed: PendingRecord[] = [];
    for (const p of pending) {
      const cert = String(p.record.row.cert_no);
      const uscc = String(p.record.row.uscc);
      let ok = true;
      if (!knownCerts.has(cert)) {
        report(
          p.rowNumber,
          'cert_no',
          `no inspector with 执法证号 ${quote(cert)} (not in the database: import inspectors first)`,
        );
        ok = false;
      }
      if (!knownUsccs.has(uscc)) {
        report(
          p.rowNumber,
          'uscc',
          `no target with 统一社会信用代码 ${quote(uscc)} (not in the database: import targets first)`,
        );
        ok = false;
      }
      if (ok) passed.push(p);
    }
    return passed;
  },
};
