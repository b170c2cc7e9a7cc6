/**
 * The three canonical snapshot texts of docs/draw-algorithm.md (targets, officers, conflicts), their hashes, and parsers
 * back to structured rows. The draw and the verifier read only these texts: the export JSON is all an
 * independent party has, so nothing may come from anywhere else.
 */
import { createHash } from 'node:crypto';
import { RISK_CLASSES, type Conflict, type Inspector, type RiskClass, type Target } from '../directory.ts';
import { DrawError } from './errors.ts';
import { field } from './fields.ts';
import { TargetLinesBuilder, TargetTable, riskCodeOf } from './target-lines.ts';
import { byteCompare, sortByteOrder } from './stream.ts';

export const SNAPSHOT_NAMES = ['targets', 'officers', 'conflicts'] as const;
export type SnapshotName = (typeof SNAPSHOT_NAMES)[number];

/** The canonical UTF-8 texts, exactly as hashed and exported. */
export type SnapshotTexts = Record<SnapshotName, string>;
/** Lower-case hex SHA-256 of each text. */
export type SnapshotHashes = Record<SnapshotName, string>;

export interface SnapshotTarget {
  uscc: string;
  risk: RiskClass;
  region: string;
}

export interface SnapshotOfficer {
  certNo: string;
  dept: string;
  /** Sorted by byte order, no duplicates. */
  regions: string[];
}

export interface SnapshotConflict {
  certNo: string;
  uscc: string;
}

/** The snapshots as rows, in canonical (byte) order. */
export interface DrawSnapshots {
  targets: SnapshotTarget[];
  officers: SnapshotOfficer[];
  conflicts: SnapshotConflict[];
}

/**
 * Lines sorted by byte order, each ending "\n"; no lines gives the empty text. With `uniqueIds`, two lines
 * with the same first field are refused (sorting puts them next to each other, so no set is needed).
 */
function canonicalText(snapshot: SnapshotName, lines: readonly string[], uniqueIds: boolean): string {
  const sorted = sortByteOrder(lines);
  if (sorted.length === 0) return '';
  for (let i = 1; i < sorted.length; i++) {
    const id = sorted[i]!.slice(0, sorted[i]!.indexOf('\t'));
    if (uniqueIds ? sorted[i - 1]!.startsWith(id + '\t') : sorted[i - 1] === sorted[i]) {
      throw new DrawError('DRAW.SNAPSHOT_FORMAT', `${snapshot} snapshot: ${id} appears twice`);
    }
  }
  return sorted.join('\n') + '\n';
}

/**
 * `uscc\trisk\tregion` for every target given (the caller passes the eligible ones). A caller that streams a
 * large directory adds its eligible targets to a TargetLinesBuilder instead, which this uses too.
 */
export function targetsSnapshotText(targets: readonly Target[]): string {
  const builder = new TargetLinesBuilder();
  for (const t of targets) builder.add(t);
  return builder.finish().bytes.toString('utf8');
}

/**
 * `cert_no\tdept\tregion1;region2…` for every officer given (the caller passes the eligible ones).
 * All of the officer's regions are listed, sorted by byte order and de-duplicated — not only the task's
 * regions (the published vector lists regions outside the task's scope too).
 */
export function officersSnapshotText(officers: readonly Inspector[]): string {
  const lines = officers.map((o) => {
    const regions = sortByteOrder([...new Set(o.regions.map((r) => field('officers', 'region', r, ';')))]);
    const cert = field('officers', 'certificate number', o.certNo);
    return `${cert}\t${field('officers', 'department', o.department)}\t${regions.join(';')}`;
  });
  return canonicalText('officers', lines, true);
}

/**
 * `cert_no\tuscc` for every recorded conflict between an officer and a target of the snapshots; conflicts
 * involving anyone else are left out, and a pair recorded twice appears once.
 */
export function conflictsSnapshotText(
  conflicts: readonly Conflict[],
  officers: readonly Inspector[],
  targets: readonly Target[],
): string {
  const certs = new Set(officers.map((o) => o.certNo));
  // Conflicts are few and targets may be a million: look the targets up against the conflicts' USCCs.
  const conflictUsccs = new Set(conflicts.map((c) => c.uscc));
  const usccs = new Set<string>();
  for (const t of targets) if (conflictUsccs.has(t.uscc)) usccs.add(t.uscc);
  const lines = new Set<string>();
  for (const c of conflicts) {
    if (certs.has(c.certNo) && usccs.has(c.uscc)) {
      lines.add(
        `${field('conflicts', 'certificate number', c.certNo)}\t${field('conflicts', 'USCC', c.uscc)}`,
      );
    }
  }
  return canonicalText('conflicts', [...lines], false);
}

/** All three texts from the eligible targets, the eligible officers and the conflict list. */
export function buildSnapshotTexts(input: {
  targets: readonly Target[];
  officers: readonly Inspector[];
  conflicts: readonly Conflict[];
}): SnapshotTexts {
  return {
    targets: targetsSnapshotText(input.targets),
    officers: officersSnapshotText(input.officers),
    conflicts: conflictsSnapshotText(input.conflicts, input.officers, input.targets),
  };
}

/** Characters hashed at a time: a long text is encoded to UTF-8 a piece at a time, never whole. */
const HASH_PIECE = 1 << 20;

/** Lower-case hex SHA-256 of a text's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  const hash = createHash('sha256');
  for (let start = 0; start < text.length;) {
    let end = Math.min(start + HASH_PIECE, text.length);
    // Never split a surrogate pair: its halves would each encode as U+FFFD.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    hash.update(text.slice(start, end), 'utf8');
    start = end;
  }
  return hash.digest('hex');
}

/** The hashes announced at freeze time and fed into the seed. */
export function snapshotHashes(texts: SnapshotTexts): SnapshotHashes {
  return {
    targets: sha256Hex(texts.targets),
    officers: sha256Hex(texts.officers),
    conflicts: sha256Hex(texts.conflicts),
  };
}

/** Identifiers and fields never hold control characters; this keeps line order equal to id order. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f]/;
const AT_OR_ABOVE_SURROGATES = /[\ud800-\uffff]/;

function formatError(snapshot: SnapshotName, line: number, why: string): DrawError {
  return new DrawError('DRAW.SNAPSHOT_FORMAT', `snapshots.${snapshot}: line ${line} ${why}`, {
    snapshot,
    line,
  });
}

/** Byte order of two lines of `text` given as [start, end) ranges, without slicing them out. */
function compareLines(
  text: string,
  a: number,
  aEnd: number,
  b: number,
  bEnd: number,
  plain: boolean,
): number {
  if (!plain) return byteCompare(text.slice(a, aEnd), text.slice(b, bEnd));
  const shorter = Math.min(aEnd - a, bEnd - b);
  for (let i = 0; i < shorter; i++) {
    const diff = text.charCodeAt(a + i) - text.charCodeAt(b + i);
    if (diff !== 0) return diff;
  }
  return aEnd - a - (bEnd - b);
}

/**
 * Walks a canonical text line by line, checking it really is canonical: every line ends "\n", no control
 * characters, lines strictly ascending in byte order, `width` tab-separated fields, a non-empty first
 * field, no repeated first field (except in conflicts). Streams over the text without slicing out anything,
 * because a targets snapshot can hold a million lines: `visit` gets each field's [start, end) in `spans`
 * (field j at 2j, 2j + 1), a reused array.
 */
function forEachCanonicalLine(
  snapshot: SnapshotName,
  text: string,
  width: number,
  visit: (spans: Uint32Array, line: number) => void,
): void {
  if (text === '') return;
  if (!text.endsWith('\n')) {
    throw formatError(snapshot, text.split('\n').length, 'does not end with a line break');
  }
  const control = CONTROL_CHARACTER.exec(text);
  if (control) {
    throw formatError(snapshot, text.slice(0, control.index).split('\n').length, 'holds a control character');
  }
  // Below U+D800, UTF-16 code-unit order is byte order; otherwise compare real bytes.
  const plain = !AT_OR_ABOVE_SURROGATES.test(text);
  const spans = new Uint32Array(2 * width);
  let previous = -1;
  let previousEnd = -1;
  let lineNo = 0;
  for (let start = 0; start < text.length;) {
    const end = text.indexOf('\n', start);
    lineNo += 1;
    let count = 0;
    for (let from = start; ;) {
      const tab = text.indexOf('\t', from);
      const stop = tab === -1 || tab > end ? end : tab;
      if (count < width) {
        spans[2 * count] = from;
        spans[2 * count + 1] = stop;
      }
      count += 1;
      if (stop === end) break;
      from = stop + 1;
    }
    if (count !== width)
      throw formatError(snapshot, lineNo, `has ${count} tab-separated fields, expected ${width}`);
    const idLength = spans[1]! - start;
    if (idLength === 0) throw formatError(snapshot, lineNo, 'starts with an empty identifier');
    if (previous >= 0) {
      const order = compareLines(text, previous, previousEnd, start, end, plain);
      if (order >= 0) {
        throw formatError(snapshot, lineNo, order === 0 ? 'repeats the line before' : 'is out of byte order');
      }
      // Sorted lines put equal first fields next to each other, so this finds every repeated id.
      if (snapshot !== 'conflicts' && startsWithId(text, previous, start, idLength)) {
        throw formatError(snapshot, lineNo, `repeats ${text.slice(start, start + idLength)}`);
      }
    }
    visit(spans, lineNo);
    previous = start;
    previousEnd = end;
    start = end + 1;
  }
}

/** Whether the line at `previous` starts with the `idLength`-character id at `start` followed by a tab. */
function startsWithId(text: string, previous: number, start: number, idLength: number): boolean {
  if (text.charCodeAt(previous + idLength) !== 9) return false;
  for (let i = 0; i < idLength; i++)
    if (text.charCodeAt(previous + i) !== text.charCodeAt(start + i)) return false;
  return true;
}

/** forEachCanonicalLine with the fields sliced out, for the small snapshots and for callers that want rows. */
function forEachCanonicalRow(
  snapshot: SnapshotName,
  text: string,
  width: number,
  visit: (fields: readonly string[], line: number) => void,
): void {
  const fields = new Array<string>(width);
  forEachCanonicalLine(snapshot, text, width, (spans, line) => {
    for (let j = 0; j < width; j++) fields[j] = text.slice(spans[2 * j], spans[2 * j + 1]);
    visit(fields, line);
  });
}

const RISK_CLASS_SET: ReadonlySet<string> = new Set(RISK_CLASSES);

/** Rows of a targets text, in USCC byte order; `risk` must be one of A–D. */
export function parseTargetsSnapshot(text: string): SnapshotTarget[] {
  const rows: SnapshotTarget[] = [];
  forEachCanonicalRow('targets', text, 3, ([uscc, risk, region], line) => {
    if (!RISK_CLASS_SET.has(risk!)) throw formatError('targets', line, `has risk class ${risk}`);
    if (region === '') throw formatError('targets', line, 'has no region');
    rows.push({ uscc: uscc!, risk: risk as RiskClass, region: region! });
  });
  return rows;
}

/**
 * A targets text parsed into a compact TargetTable (the same checks as parseTargetsSnapshot): what the draw and
 * the verifier use, so that a million targets cost a few typed arrays and no object or string per line.
 */
export function parseTargetTable(text: string): TargetTable {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines += 1;
  const starts = new Uint32Array(lines);
  const riskCodes = new Uint8Array(lines);
  let i = 0;
  forEachCanonicalLine('targets', text, 3, (spans, line) => {
    const risk = spans[3]! - spans[2]! === 1 ? riskCodeOf(text[spans[2]!]!) : -1;
    if (risk < 0) throw formatError('targets', line, `has risk class ${text.slice(spans[2], spans[3])}`);
    if (spans[5] === spans[4]) throw formatError('targets', line, 'has no region');
    starts[i] = spans[0]!;
    riskCodes[i] = risk;
    i += 1;
  });
  return new TargetTable(text, starts, riskCodes);
}

/** Rows of an officers text, in certificate byte order; regions must be sorted and free of repeats. */
export function parseOfficersSnapshot(text: string): SnapshotOfficer[] {
  const rows: SnapshotOfficer[] = [];
  forEachCanonicalRow('officers', text, 3, ([certNo, dept, regionField], line) => {
    const regions = regionField === '' ? [] : regionField!.split(';');
    const ordered = regions.every((r, j) => r !== '' && (j === 0 || byteCompare(regions[j - 1]!, r) < 0));
    if (dept === '' || !ordered) {
      throw formatError(
        'officers',
        line,
        'needs a department and regions sorted by byte order without repeats',
      );
    }
    rows.push({ certNo: certNo!, dept: dept!, regions });
  });
  return rows;
}

/** Rows of a conflicts text. */
export function parseConflictsSnapshot(text: string): SnapshotConflict[] {
  const rows: SnapshotConflict[] = [];
  forEachCanonicalRow('conflicts', text, 2, ([certNo, uscc]) => rows.push({ certNo: certNo!, uscc: uscc! }));
  return rows;
}

/** Binary search in ids sorted by byte order (the parsers return rows in that order). */
function hasSorted<T>(rows: readonly T[], id: (row: T) => string, wanted: string): boolean {
  let low = 0;
  let high = rows.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const order = byteCompare(id(rows[mid]!), wanted);
    if (order === 0) return true;
    if (order < 0) low = mid + 1;
    else high = mid - 1;
  }
  return false;
}

/** The snapshots as the draw holds them: the targets compactly, the (few) officers and conflicts as rows. */
export interface CompactSnapshots {
  targets: TargetTable;
  officers: SnapshotOfficer[];
  conflicts: SnapshotConflict[];
}

/** Every conflict must join a snapshot officer and a snapshot target, as the canonical form requires. */
function checkConflicts(
  conflicts: readonly SnapshotConflict[],
  officers: readonly SnapshotOfficer[],
  hasTarget: (uscc: string) => boolean,
): void {
  conflicts.forEach((c, i) => {
    const knowsOfficer = hasSorted(officers, (o) => o.certNo, c.certNo);
    if (!knowsOfficer || !hasTarget(c.uscc)) {
      const missing = knowsOfficer ? `target ${c.uscc}` : `officer ${c.certNo}`;
      throw formatError('conflicts', i + 1, `names ${missing}, which is not in its snapshot`);
    }
  });
}

/**
 * parseCompactSnapshots with the targets as rows, for callers that want to look at them (the draw, the replays and
 * the verifier use the compact form): the same parser, checks and errors.
 * @throws DrawError DRAW.SNAPSHOT_FORMAT naming the snapshot and line.
 */
export function parseSnapshots(texts: SnapshotTexts): DrawSnapshots {
  const { targets, officers, conflicts } = parseCompactSnapshots(texts);
  const rows = Array.from({ length: targets.size }, (_, i) => ({
    uscc: targets.uscc(i),
    risk: targets.risk(i),
    region: targets.region(i),
  }));
  return { targets: rows, officers, conflicts };
}

/**
 * parseSnapshots with the targets in a TargetTable: the same checks and errors, a fraction of the memory.
 * @throws DrawError DRAW.SNAPSHOT_FORMAT naming the snapshot and line.
 */
export function parseCompactSnapshots(texts: SnapshotTexts): CompactSnapshots {
  const targets = parseTargetTable(texts.targets);
  const officers = parseOfficersSnapshot(texts.officers);
  const conflicts = parseConflictsSnapshot(texts.conflicts);
  checkConflicts(conflicts, officers, (uscc) => targets.has(uscc));
  return { targets, officers, conflicts };
}
