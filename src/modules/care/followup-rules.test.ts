import { describe, expect, it } from 'vitest';
import { addDays, plannedFollowups } from './followup-rules.js';

describe('follow-up rules', () => {
  it('botulinum toxin: a medical check at +14 days and a maintenance recall at +120 days', () => {
    expect(plannedFollowups([{ type: 'medical', after_days: 14, notify: true }, { type: 'maintenance', after_days: 120, notify: true }], '2025-12-20'))
      .toEqual([
        { followupType: 'medical', scheduledDate: '2026-01-03', notifyFlag: true },
        { followupType: 'maintenance', scheduledDate: '2026-04-19', notifyFlag: true },
      ]);
  });

  it('adds days across month ends, leap days and DST changes without drifting', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(addDays('2026-10-24', 42)).toBe('2026-12-05');
  });
});
