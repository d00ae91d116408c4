import { describe, expect, it } from 'vitest';
import { zonedInput, zonedInstant } from './format.js';

describe('datetime-local fields on the organization clock', () => {
  it('reads and writes Taipei wall time (UTC+8, no DST)', () => {
    expect(zonedInput('2026-11-26T01:30:00.000Z', 'Asia/Taipei')).toBe('2026-11-26T09:30');
    expect(zonedInstant('2026-11-26T09:30', 'Asia/Taipei')).toBe('2026-11-26T01:30:00.000Z');
    // Across midnight: the local day is the next one.
    expect(zonedInput('2026-11-26T20:15:00.000Z', 'Asia/Taipei')).toBe('2026-11-27T04:15');
  });

  it('follows daylight saving time in Los Angeles on both sides of the change', () => {
    // 2026-03-08: clocks go from 02:00 PST (UTC-8) to 03:00 PDT (UTC-7).
    expect(zonedInstant('2026-03-08T01:30', 'America/Los_Angeles')).toBe('2026-03-08T09:30:00.000Z');
    expect(zonedInstant('2026-03-08T04:00', 'America/Los_Angeles')).toBe('2026-03-08T11:00:00.000Z');
    expect(zonedInput('2026-07-01T17:00:00.000Z', 'America/Los_Angeles')).toBe('2026-07-01T10:00');
    expect(zonedInput('2026-12-01T17:00:00.000Z', 'America/Los_Angeles')).toBe('2026-12-01T09:00');
  });

  it('round-trips every hour of a year; the hour repeated when clocks go back reads as its first occurrence', () => {
    for (const tz of ['Europe/Istanbul', 'Asia/Taipei', 'America/New_York']) {
      for (let h = 0; h < 365 * 24; h += 1) {
        const iso = new Date(Date.UTC(2026, 0, 1) + h * 3_600_000).toISOString();
        const local = zonedInput(iso, tz);
        const back = zonedInstant(local, tz);
        // A wall time always reads back to itself.
        expect(zonedInput(back, tz)).toBe(local);
        // The instant too, except in New York's repeated hour (01:00-02:00 on 2026-11-01 happens at 05:xx and 06:xx UTC).
        if (tz !== 'America/New_York' || iso !== '2026-11-01T06:00:00.000Z') expect(back).toBe(iso);
        else expect(back).toBe('2026-11-01T05:00:00.000Z');
      }
    }
  });
});
