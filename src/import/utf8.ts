import { isUtf8 } from 'node:buffer';

/** Length of the UTF-8 sequence a lead byte starts (1 for ASCII; 4 for anything above 0xEF). */
const sequenceLength = (lead: number): number => (lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1);

/** Where a trailing, not yet complete multi-byte sequence starts (the length when there is none). */
function completeEnd(buf: Buffer, from: number): number {
  for (let j = buf.length - 1; j >= from && j >= buf.length - 4; j--) {
    const b = buf[j]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: keep looking for the lead
    return buf.length - j >= sequenceLength(b) ? buf.length : j;
  }
  return buf.length;
}

/**
 * Strict UTF-8 validation of a byte stream chunk by chunk, without decoding (no strings to collect): a
 * character split across two chunks is carried over to the next one.
 *
 * @example const v = new Utf8Validator(); for (const c of chunks) if (!v.push(c)) …; v.end()
 */
export class Utf8Validator {
  private carry: Buffer = Buffer.alloc(0);
  private valid = true;

  /** Adds a chunk; false once the bytes so far cannot be UTF-8. */
  push(chunk: Buffer): boolean {
    if (!this.valid) return false;
    let start = 0;
    if (this.carry.length > 0) {
      const need = sequenceLength(this.carry[0]!);
      const take = Math.min(need - this.carry.length, chunk.length);
      const head = Buffer.concat([this.carry, chunk.subarray(0, take)]);
      if (head.length < need) {
        this.carry = head;
        return true;
      }
      if (!isUtf8(head)) return (this.valid = false);
      start = take;
      this.carry = Buffer.alloc(0);
    }
    const end = completeEnd(chunk, start);
    if (!isUtf8(chunk.subarray(start, end))) return (this.valid = false);
    this.carry = Buffer.from(chunk.subarray(end));
    return true;
  }

  /** True when every byte pushed formed valid UTF-8, with no character left unfinished. */
  end(): boolean {
    return this.valid && this.carry.length === 0;
  }
}
