/**
 * Resident identity card number 公民身份号码 (GB 11643-1999): 17 digits and a check character computed
 * modulo 11 (ISO 7064 MOD 11-2), `X` standing for 10. Identity numbers are personal data: the messages here
 * never repeat the number or any part of it, so that callers can show them as they are.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/**
 * Why `id` is not a valid identity number, or null when it is. The reason never contains the number.
 *
 * @example idCardProblem('11010519491231002X') // null
 */
export function idCardProblem(id: string): string | null {
  const value = id.toUpperCase();
  if (value.length !== 18) return 'ID number must be 18 characters';
  if (!/^\d{17}[\dX]$/.test(value)) return 'ID number must be 17 digits and a check digit (0–9 or X)';
  if (!validBirthDate(value.slice(6, 14))) return 'ID number does not contain a valid birth date';
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (value.charCodeAt(i) - 48) * WEIGHTS[i]!;
  if (value[17] !== CHECK[sum % 11]) return 'ID number check digit is wrong';
  return null;
}

function validBirthDate(yyyymmdd: string): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1800 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}
