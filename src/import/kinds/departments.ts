import { MAX_LENGTH } from '../cells.ts';
import { col } from '../columns.ts';
import { SOURCE_DIGEST } from '../../storage/import/upsert.ts';
import type { KindSpec } from './kind.ts';

const columns = [
  col('code', '部门编码', 'code', true),
  col('name', '部门名称', 'name', true),
  col('head', '负责人', 'head'),
  col('liaison', '联络员', 'liaison'),
] as const;
type Field = (typeof columns)[number]['field'];

export const departments: KindSpec<Field> = {
  kind: 'departments',
  columns,
  table: { table: 'departments', columns: ['code', 'name', 'head', 'liaison', SOURCE_DIGEST], key: ['code'] },
  key: (r) => r.str('code') || null,
  duplicate: ['code'],
  parse(r) {
    const code = r.code('code', true);
    const name = r.text('name', true, MAX_LENGTH.name);
    const head = r.contact('head');
    const liaison = r.contact('liaison');
    if (r.failed) return null;
    return { row: { code, name, head, liaison } };
  },
};
