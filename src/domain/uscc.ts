/**
 * Unified social credit code 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet
 * (digits and capital letters without I, O, Z, S, V). Characters 3–8 are the registering authority's
 * administrative division code; the 18th is a check character computed modulo 31 over the first 17.
 */

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const VALUE = new Map<string, number>([...ALPHABET].map((ch, i) => [ch, i]));

/** The check character for the first 17 characters of a code (which must be from the alphabet). */
export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = VALUE.get(first17[i]!);
    if (v === undefined) throw new Error(`not a USCC character at position ${i + 1}`);
    sum += v * WEIGHTS[i]!;
  }
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

/**
 * Why `code` is not a valid USCC, or null when it is. Expects an upper-case, trimmed code.
 *
 * @example usccProblem('9115030260J006RL9Q') // null
 * @example usccProblem('9115030260J006RL9A') // "check character should be 'Q', found 'A'"
 */
export function usccProblem(code: string): string | null {
  if (code.length !== 18) return `must be 18 characters, found ${code.length}`;
  for (let i = 0; i < 18; i++) {
    const ch = code[i]!;
    if (!VALUE.has(ch)) {
      const why = /[IOZSV]/.test(ch) ? ' (I, O, Z, S and V are never used)' : '';
      return `character ${i + 1} '${ch}' is not allowed${why}`;
    }
  }
  if (!/^\d{6}$/.test(code.slice(2, 8))) return 'characters 3–8 must be a 6-digit region code';
  const expected = usccCheckCharacter(code.slice(0, 17));
  if (code[17] !== expected) return `check character should be '${expected}', found '${code[17]}'`;
  return null;
}
