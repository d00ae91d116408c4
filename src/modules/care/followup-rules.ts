import { z } from 'zod';
import { FOLLOWUP_TYPES } from './care.schema.js';

/** A treatment's follow-up rule: e.g. a medical check 14 days after botulinum toxin, a maintenance recall at 120. */
export const FollowupRule = z.object({
  type: z.enum(FOLLOWUP_TYPES),
  after_days: z.number().int().min(1).max(3650),
  notify: z.boolean().default(true),
});
export type FollowupRule = z.infer<typeof FollowupRule>;
export const FollowupRules = z.array(FollowupRule).max(10);

/** Adds days to a calendar date (YYYY-MM-DD) without time-zone drift. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The follow-ups a session on `performedOn` (the organization's calendar date) generates. */
export function plannedFollowups(rules: FollowupRule[], performedOn: string): { followupType: FollowupRule['type']; scheduledDate: string; notifyFlag: boolean }[] {
  return rules.map((r) => ({ followupType: r.type, scheduledDate: addDays(performedOn, r.after_days), notifyFlag: r.notify }));
}
