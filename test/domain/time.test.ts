import { describe, expect, it } from 'vitest';
import { localDate, localTime, localTimeWithSeconds } from '../../src/domain/time.ts';

/** What a person reads: the office's wall clock, whichever zone asked last and however often. */
describe('times shown in the office’s zone', () => {
  it('shows one moment in each zone asked for, one after another', () => {
    const at = '2026-12-01T06:03:27.500Z';
    expect(localTime(at, 'Asia/Shanghai')).toBe('2026-12-01 14:03');
    expect(localTime(at, 'Asia/Urumqi')).toBe('2026-12-01 12:03');
    expect(localTime(at, 'Asia/Shanghai')).toBe('2026-12-01 14:03');
    expect(localDate(new Date('2026-12-01T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-12-02');
  });

  it('tells seconds apart within a minute and across a day boundary', () => {
    const tz = 'Asia/Shanghai';
    expect(localTimeWithSeconds(Date.parse('2026-12-01T15:59:58.999Z'), tz)).toBe('2026-12-01 23:59:58');
    expect(localTimeWithSeconds(Date.parse('2026-12-01T15:59:59.000Z'), tz)).toBe('2026-12-01 23:59:59');
    expect(localTimeWithSeconds(Date.parse('2026-12-01T15:59:59.999Z'), tz)).toBe('2026-12-01 23:59:59');
    expect(localTimeWithSeconds(Date.parse('2026-12-01T16:00:00.000Z'), tz)).toBe('2026-12-02 00:00:00');
  });

  it('stays right over many different moments (more than it keeps in memory)', () => {
    const start = Date.parse('2026-12-01T00:00:00Z'); // 08:00:00 in Shanghai
    for (let i = 0; i < 2000; i++) {
      const s = i % 60;
      const m = Math.floor(i / 60) % 60;
      const expected = `2026-12-01 08:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
      expect(localTimeWithSeconds(start + i * 1000, 'Asia/Shanghai')).toBe(expected);
    }
  });

  it('refuses a moment that is not one', () => {
    expect(() => localTime('not a time', 'Asia/Shanghai')).toThrow(RangeError);
    // Asked again: nothing of the first refusal was kept.
    expect(() => localTime('not a time', 'Asia/Shanghai')).toThrow(RangeError);
  });
});
