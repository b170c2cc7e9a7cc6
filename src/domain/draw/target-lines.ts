/**
 * The targets snapshot of a large directory, built compactly (docs/draw-algorithm.md §2): every line's UTF-8
 * bytes go into one growing buffer and its start into a Uint32Array — about 32 bytes a target, where a string
 * per line cost several times that. The lines are sorted once (an index over the offsets, and only when they did
 * not arrive in order), repeated USCCs refused, and the text hashed from its bytes.
 */
import { createHash } from 'node:crypto';
import type { RiskClass } from '../directory.ts';
import { DrawError } from './errors.ts';
import { field } from './fields.ts';
import { byteCompare } from './stream.ts';

const TAB = 0x09;
const LINE_FEED = 0x0a;
/** Room reserved per expected line: a USCC line (`uscc\trisk\tregion\n`) is 27 bytes. */
const BYTES_PER_LINE = 32;

/** The finished targets snapshot: the canonical text as UTF-8 bytes, its hash and how many lines it has. */
export interface TargetsSnapshot {
  /**
   * The text's UTF-8 bytes, exactly as hashed. A caller that stores it can write these bytes as text, and make
   * the JavaScript string (`bytes.toString('utf8')`) only afterwards, if at all.
   */
  bytes: Buffer;
  /** Lower-case hex SHA-256 of the text's UTF-8 bytes. */
  hash: string;
  lines: number;
}

/**
 * Collects `uscc\trisk\tregion` lines in any order; `finish` gives the canonical text. A lone surrogate in an
 * identifier is stored as U+FFFD, which is what its UTF-8 bytes (and so the hash and the database) hold anyway.
 * @example
 *   const b = new TargetLinesBuilder();
 *   b.add({ uscc: '9115030300000000B2', risk: 'B', region: '150303' });
 *   b.finish().bytes.toString('utf8'); // '9115030300000000B2\tB\t150303\n'
 */
export class TargetLinesBuilder {
  private bytes: Buffer;
  private used = 0;
  /** starts[i] is where line i begins; line i ends (its "\n") one byte before starts[i + 1] or `used`. */
  private starts: Uint32Array;
  private count = 0;
  private finished = false;

  /**
   * `expectedLines` (say, how many targets the directory holds) sizes the buffers once: room the lines never
   * use is never written, so it costs address space, not memory, while growing by copying would leave each
   * outgrown buffer behind until the next full garbage collection.
   */
  constructor(opts: { expectedLines?: number } = {}) {
    const lines = Math.max(1 << 12, Math.ceil(opts.expectedLines ?? 0));
    this.bytes = Buffer.allocUnsafe(lines * BYTES_PER_LINE);
    this.starts = new Uint32Array(lines);
  }

  /** Lines added so far. */
  get lines(): number {
    return this.count;
  }

  /**
   * Adds one target's line.
   * @throws DrawError DRAW.SNAPSHOT_FORMAT when the USCC or region is empty or holds a control character.
   */
  add(t: { uscc: string; risk: RiskClass; region: string }): void {
    if (this.finished) throw new Error('TargetLinesBuilder: add after finish');
    const uscc = field('targets', 'USCC', t.uscc);
    const region = field('targets', 'region', t.region);
    const risk = t.risk;
    // At most 3 UTF-8 bytes per UTF-16 code unit, plus the two tabs and the line feed.
    this.reserve(3 * (uscc.length + risk.length + region.length) + 3);
    if (this.count === this.starts.length) {
      const grown = new Uint32Array(Math.ceil(this.starts.length * 1.5));
      grown.set(this.starts);
      this.starts = grown;
    }
    this.starts[this.count++] = this.used;
    this.put(uscc);
    this.bytes[this.used++] = TAB;
    this.put(risk);
    this.bytes[this.used++] = TAB;
    this.put(region);
    this.bytes[this.used++] = LINE_FEED;
  }

  /**
   * The canonical text: lines in byte order, each ending "\n" (the empty text for none), and its hash. The builder
   * lets go of its buffers and takes no more lines.
   * @throws DrawError DRAW.SNAPSHOT_FORMAT when two lines have the same USCC.
   */
  finish(): TargetsSnapshot {
    if (this.finished) throw new Error('TargetLinesBuilder: finish twice');
    this.finished = true;
    const n = this.count;
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = this.compare(i - 1, i) < 0;
    let order: Uint32Array | null = null;
    if (!sorted) {
      // One index array, sorted once; the bytes themselves stay where they are.
      const index = Array.from({ length: n }, (_, i) => i);
      index.sort((a, b) => this.compare(a, b));
      order = Uint32Array.from(index);
    }
    for (let i = 1; i < n; i++) {
      const a = order ? order[i - 1]! : i - 1;
      const b = order ? order[i]! : i;
      if (this.sameUscc(a, b)) {
        const start = this.starts[b]!;
        const id = this.bytes.toString('utf8', start, this.bytes.indexOf(TAB, start));
        throw new DrawError('DRAW.SNAPSHOT_FORMAT', `targets snapshot: ${id} appears twice`);
      }
    }
    let text: Buffer = this.bytes.subarray(0, this.used);
    if (order) {
      text = Buffer.allocUnsafe(this.used);
      let at = 0;
      for (let i = 0; i < n; i++) {
        const line = order[i]!;
        at += this.bytes.copy(text, at, this.starts[line]!, this.end(line) + 1);
      }
    }
    const hash = createHash('sha256').update(text).digest('hex');
    this.bytes = Buffer.alloc(0);
    this.starts = new Uint32Array(0);
    return { bytes: text, hash, lines: n };
  }

  private reserve(extra: number): void {
    if (this.used + extra <= this.bytes.length) return;
    let size = Math.ceil(this.bytes.length * 1.5);
    while (size < this.used + extra) size = Math.ceil(size * 1.5);
    const grown = Buffer.allocUnsafe(size);
    this.bytes.copy(grown, 0, 0, this.used);
    this.bytes = grown;
  }

  /** Writes a string's UTF-8 bytes at the end; ASCII byte by byte, anything else through Buffer.write. */
  private put(s: string): void {
    const bytes = this.bytes;
    const start = this.used;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.used = start + bytes.write(s, start, 'utf8');
        return;
      }
      bytes[start + i] = c;
    }
    this.used = start + s.length;
  }

  /** Where line i's "\n" is. */
  private end(i: number): number {
    return (i + 1 < this.count ? this.starts[i + 1]! : this.used) - 1;
  }

  /** Byte order of lines a and b (without their line feeds), as memcmp and then length. */
  private compare(a: number, b: number): number {
    const bytes = this.bytes;
    const aStart = this.starts[a]!;
    const bStart = this.starts[b]!;
    const aLength = this.end(a) - aStart;
    const bLength = this.end(b) - bStart;
    const shorter = Math.min(aLength, bLength);
    for (let i = 0; i < shorter; i++) {
      const diff = bytes[aStart + i]! - bytes[bStart + i]!;
      if (diff !== 0) return diff;
    }
    return aLength - bLength;
  }

  /** True when lines a and b start with the same USCC (the bytes up to and including the first tab). */
  private sameUscc(a: number, b: number): boolean {
    const bytes = this.bytes;
    const aStart = this.starts[a]!;
    const bStart = this.starts[b]!;
    for (let i = 0; ; i++) {
      const c = bytes[aStart + i]!;
      if (c !== bytes[bStart + i]) return false;
      if (c === TAB) return true;
    }
  }
}

const RISK_CODES: readonly RiskClass[] = ['A', 'B', 'C', 'D'];

/**
 * A parsed (and so checked) targets snapshot held compactly for the draw: the canonical text itself, where each
 * line starts and each line's risk class — 5 bytes a target beside the text, where a row object with its strings
 * cost about a hundred. A target's USCC and region are read from its line when asked for. Lines are in the
 * text's (byte) order.
 */
export class TargetTable {
  constructor(
    private readonly text: string,
    private readonly starts: Uint32Array,
    private readonly riskCodes: Uint8Array,
  ) {}

  /**
   * The table of rows already in canonical order (parseTargetsSnapshot's), for callers that hold rows.
   * @example TargetTable.fromRows([{ uscc: 'X1', risk: 'A', region: '150302' }]).uscc(0); // 'X1'
   */
  static fromRows(rows: readonly { uscc: string; risk: RiskClass; region: string }[]): TargetTable {
    const starts = new Uint32Array(rows.length);
    const riskCodes = new Uint8Array(rows.length);
    const lines: string[] = [];
    let at = 0;
    rows.forEach((r, i) => {
      const line = `${r.uscc}\t${r.risk}\t${r.region}\n`;
      starts[i] = at;
      riskCodes[i] = RISK_CODES.indexOf(r.risk);
      lines.push(line);
      at += line.length;
    });
    return new TargetTable(lines.join(''), starts, riskCodes);
  }

  /** How many targets. */
  get size(): number {
    return this.starts.length;
  }

  uscc(i: number): string {
    const start = this.starts[i]!;
    return this.text.slice(start, this.text.indexOf('\t', start));
  }

  risk(i: number): RiskClass {
    return RISK_CODES[this.riskCodes[i]!]!;
  }

  /** 0 for A … 3 for D. */
  riskCode(i: number): number {
    return this.riskCodes[i]!;
  }

  region(i: number): string {
    const riskAt = this.text.indexOf('\t', this.starts[i]) + 1;
    const end = (i + 1 < this.starts.length ? this.starts[i + 1]! : this.text.length) - 1;
    return this.text.slice(this.text.indexOf('\t', riskAt) + 1, end);
  }

  /** Whether a target with this USCC is in the table (binary search in byte order). */
  has(uscc: string): boolean {
    let low = 0;
    let high = this.size - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const order = byteCompare(this.uscc(mid), uscc);
      if (order === 0) return true;
      if (order < 0) low = mid + 1;
      else high = mid - 1;
    }
    return false;
  }
}

/** The risk code TargetTable stores for a class letter (A → 0 … D → 3), or -1 for anything else. */
export function riskCodeOf(risk: string): number {
  return RISK_CODES.indexOf(risk as RiskClass);
}
