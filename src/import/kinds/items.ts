import { MAX_LENGTH } from '../cells.ts';
import { col } from '../columns.ts';
import { SOURCE_DIGEST } from '../../storage/import/upsert.ts';
import { INSPECTION_METHOD, ITEM_CATEGORY } from '../values.ts';
import { department, type KindSpec } from './kind.ts';

const columns = [
  col('code', '事项编码', 'code', true),
  col('name', '事项名称', 'name', true),
  col('department', '发起部门', 'department', true),
  col('category', '事项类别', 'category', true),
  col('basis', '检查依据', 'basis'),
  col('method', '检查方式', 'method'),
  col('specialty', '业务专长', 'specialty'),
] as const;
type Field = (typeof columns)[number]['field'];

export const items: KindSpec<Field> = {
  kind: 'items',
  columns,
  table: {
    table: 'items',
    columns: ['code', 'name', 'department', 'category', 'basis', 'method', 'specialty', SOURCE_DIGEST],
    key: ['code'],
  },
  key: (r) => r.str('code') || null,
  duplicate: ['code'],
  parse(r, refs) {
    const row = {
      code: r.code('code', true),
      name: r.text('name', true, MAX_LENGTH.name),
      department: department(r, 'department', refs),
      category: r.oneOf('category', ITEM_CATEGORY, true),
      basis: r.text('basis', false, MAX_LENGTH.scope),
      method: r.oneOf('method', INSPECTION_METHOD),
      specialty: r.text('specialty', false, MAX_LENGTH.short),
    };
    return r.failed ? null : { row };
  },
};
