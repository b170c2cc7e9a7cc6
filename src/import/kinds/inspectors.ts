import { MAX_LENGTH } from '../cells.ts';
import { col } from '../columns.ts';
import { SOURCE_DIGEST } from '../../storage/import/upsert.ts';
import { INSPECTOR_KIND, YES_NO } from '../values.ts';
import { department, type KindSpec } from './kind.ts';

const columns = [
  col('cert_no', '执法证号', 'cert_no', true),
  col('name', '姓名', 'name', true),
  col('department', '所在部门', 'department', true),
  col('section', '科室', 'section'),
  col('cert_valid_until', '执法证有效期至', 'cert_valid_until', true),
  col('specialties', '业务专长', 'specialties'),
  col('regions', '执法区域', 'regions', true),
  col('mobile', '手机号', 'mobile'),
  col('open_id', '飞书ID', 'open_id'),
  // Checked, never stored, printed or logged.
  col('id_number', '身份证号', 'id_number'),
  col('kind', '人员类别', 'kind'),
  col('active', '在岗', 'active'),
] as const;
type Field = (typeof columns)[number]['field'];

export const inspectors: KindSpec<Field> = {
  kind: 'inspectors',
  columns,
  table: {
    table: 'inspectors',
    columns: [
      'cert_no',
      'name',
      'department',
      'section',
      'cert_valid_until',
      'specialties',
      'regions',
      'mobile',
      'open_id',
      'kind',
      'active',
      SOURCE_DIGEST,
    ],
    key: ['cert_no'],
  },
  key: (r) => r.str('cert_no') || null,
  duplicate: ['cert_no'],
  parse(r, refs) {
    r.checkIdNumber('id_number');
    const row = {
      cert_no: r.code('cert_no', true),
      name: r.text('name', true, MAX_LENGTH.person),
      department: department(r, 'department', refs),
      section: r.text('section', false, MAX_LENGTH.short),
      cert_valid_until: r.date('cert_valid_until', true),
      specialties: JSON.stringify(r.list('specialties')),
      regions: JSON.stringify(r.regions('regions', true)),
      mobile: r.contact('mobile'),
      open_id: r.contact('open_id'),
      kind: r.oneOf('kind', INSPECTOR_KIND) ?? 'officer',
      active: (r.oneOf('active', YES_NO) ?? true) ? 1 : 0,
    };
    return r.failed ? null : { row };
  },
};
