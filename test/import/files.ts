/**
 * Test helpers for the importer: the Wuhai fixtures as cell arrays, writing variants of them (CSV in UTF-8 or
 * GBK, XLSX), and a dump of every table for "nothing changed" comparisons.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import JSZip from 'jszip';
import { sql } from 'kysely';
import { openStore } from '../../src/storage/db.ts';
import { WUHAI_DIR } from '../helpers/wuhai.ts';

export type Grid = string[][];

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'liancha-import-'));

/** A Wuhai fixture as rows of cells, the header first. */
export function fixture(name: string): Grid {
  return parse(readFileSync(join(WUHAI_DIR, name)), { bom: true }) as Grid;
}

const csvText = (grid: Grid): string =>
  grid
    .map((row) => row.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(','))
    .join('\r\n') + '\r\n';

/** Writes a CSV (UTF-8 with BOM unless told otherwise, or GBK as Excel exports it) and returns its path. */
export function writeCsv(
  dir: string,
  name: string,
  grid: Grid,
  opts: { encoding?: 'utf8' | 'gbk'; bom?: boolean } = {},
): string {
  const path = join(dir, name);
  const text = csvText(grid);
  if (opts.encoding === 'gbk') writeFileSync(path, iconv.encode(text, 'gbk'));
  else writeFileSync(path, (opts.bom ?? true) ? '\uFEFF' + text : text);
  return path;
}

export type XlsxCell = string | number | Date | null;

/** Writes a one-sheet XLSX (with a second, ignored sheet) and returns its path. */
export async function writeXlsx(dir: string, name: string, grid: XlsxCell[][]): Promise<string> {
  const path = join(dir, name);
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('名录');
  for (const row of grid) sheet.addRow(row);
  sheet.getColumn(1).width = 24;
  workbook.addWorksheet('说明').addRow(['this sheet is not imported']);
  await workbook.xlsx.writeFile(path);
  return path;
}

/**
 * Writes the parts of an XLSX again as a zip without compression ("stored"), as some tools save them; with
 * small stored parts after the sheets, exceljs's streaming reader used to lose the last parts (its zip loop ends
 * when the input does, not when the parts have been read). jszip is exceljs's own zip library.
 */
export async function storeXlsx(path: string, out: string): Promise<string> {
  const zip = await JSZip.loadAsync(readFileSync(path));
  writeFileSync(out, await zip.generateAsync({ type: 'nodebuffer', compression: 'STORE' }));
  return out;
}

/** A zip archive holding `files` (name → text): a zip that is not a workbook. */
export async function writeZip(path: string, files: Record<string, string>): Promise<string> {
  const zip = new JSZip();
  for (const [name, text] of Object.entries(files)) zip.file(name, text);
  writeFileSync(path, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  return path;
}

/** Moves columns: `order` lists the old column indexes in their new order. */
export const reorder = (grid: Grid, order: number[]): Grid =>
  grid.map((row) => order.map((i) => row[i] ?? ''));

/**
 * Every table of the database, each row as JSON, sorted: equal dumps mean equal contents. `except`: tables left
 * out; `exceptColumns`: columns left out of every row.
 */
export async function dumpDatabase(
  url: string,
  opts: { except?: string[]; exceptColumns?: string[] } = {},
): Promise<Record<string, string[]>> {
  const store = openStore(url);
  try {
    const tables =
      store.dialect === 'sqlite'
        ? (
            await sql<{
              name: string;
            }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(
              store.db,
            )
          ).rows.map((r) => r.name)
        : (
            await sql<{
              name: string;
            }>`select tablename as name from pg_tables where schemaname = 'public'`.execute(store.db)
          ).rows.map((r) => r.name);
    const dump: Record<string, string[]> = {};
    for (const table of tables.sort()) {
      if (opts.except?.includes(table)) continue;
      const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db))
        .rows;
      dump[table] = rows
        .map((r) =>
          JSON.stringify(
            Object.fromEntries(
              Object.entries(r)
                .filter(([k]) => !opts.exceptColumns?.includes(k))
                .map(([k, v]) => [k, normalize(v)]),
            ),
          ),
        )
        .sort();
    }
    return dump;
  } finally {
    await store.close();
  }
}

/** PostgreSQL returns bigints as strings and integers as numbers; SQLite numbers: compare them as text. */
const normalize = (v: unknown): unknown => (typeof v === 'number' || typeof v === 'bigint' ? String(v) : v);

/** SHA-256 of a SQLite database file after folding its WAL back in (no store may hold it open). */
export function sqliteFileHash(url: string): string {
  const path = url.slice('file:'.length);
  const db = new Database(path);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Makes the database refuse (as a failing disk would) the insert of the target with this USCC. */
export async function refuseTargetInsert(url: string, uscc: string): Promise<void> {
  const admin = openStore(url);
  try {
    if (admin.dialect === 'sqlite')
      admin.sqlite!.exec(`create trigger refuse_last before insert on targets when new.uscc = '${uscc}'
        begin select raise(abort, 'disk I/O error'); end`);
    else
      await sql
        .raw(
          `create function refuse_last() returns trigger language plpgsql as $$
          begin if new.uscc = '${uscc}' then raise exception 'disk I/O error'; end if; return new; end $$;
          create trigger refuse_last before insert on targets for each row execute function refuse_last()`,
        )
        .execute(admin.db);
  } finally {
    await admin.close();
  }
}
