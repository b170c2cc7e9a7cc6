import { MAX_LENGTH } from '../cells.ts';
import { col } from '../columns.ts';
import { SOURCE_DIGEST } from '../../storage/import/upsert.ts';
import { RISK_CLASS, TARGET_KIND, TARGET_STATUS } from '../values.ts';
import { departmentList, type KindSpec } from './kind.ts';

const columns = [
  col('uscc', '统一社会信用代码', 'uscc', true),
  col('name', '名称', 'name', true),
  col('kind', '主体类型', 'kind', true),
  col('legal_rep', '法定代表人', 'legal_rep'),
  col('address', '住所', 'address'),
  col('region', '行政区划代码', 'region', true),
  col('industry', '行业', 'industry'),
  col('scope', '经营范围', 'scope'),
  col('established', '成立日期', 'established'),
  col('status', '登记状态', 'status', true),
  col('risk', '信用风险分类', 'risk', true),
  col('phone', '联系电话', 'phone'),
  col('departments', '所属部门', 'departments', true),
] as const;
type Field = (typeof columns)[number]['field'];

export const targets: KindSpec<Field> = {
  kind: 'targets',
  columns,
  table: {
    table: 'targets',
    columns: [
      'uscc',
      'name',
      'kind',
      'legal_rep',
      'address',
      'region',
      'industry',
      'scope',
      'established',
      'status',
      'risk',
      'phone',
      SOURCE_DIGEST,
    ],
    key: ['uscc'],
    children: {
      table: 'target_departments',
      parent: 'uscc',
      value: 'department',
      references: { table: 'departments', column: 'code' },
    },
    // As migration 001 creates it.
    indexes: [
      {
        name: 'target_departments_by_department',
        table: 'target_departments',
        columns: ['department', 'uscc'],
      },
    ],
  },
  key: (r) => r.str('uscc').toUpperCase() || null,
  duplicate: ['uscc'],
  parse(r, refs) {
    const row = {
      uscc: r.uscc('uscc', true),
      name: r.text('name', true, MAX_LENGTH.name),
      kind: r.oneOf('kind', TARGET_KIND, true),
      legal_rep: r.text('legal_rep', false, MAX_LENGTH.person),
      address: r.text('address', false, MAX_LENGTH.address),
      region: r.region('region', true),
      industry: r.text('industry', false, MAX_LENGTH.short),
      scope: r.text('scope', false, MAX_LENGTH.scope),
      established: r.date('established'),
      status: r.oneOf('status', TARGET_STATUS, true),
      risk: r.oneOf('risk', RISK_CLASS, true),
      phone: r.text('phone', false, MAX_LENGTH.short),
    };
    const children = departmentList(r, 'departments', refs);
    return r.failed ? null : { row, children };
  },
};
