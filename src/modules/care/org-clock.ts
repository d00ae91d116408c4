import type { Tx } from '../../platform/db/client.js';

export interface OrgClock { timezone: string; today: string; name: string }

/** The acting organization's time zone, name and calendar date ("today" of a clinic in Taipei) at `now`. */
export async function orgClock(tx: Tx, now: Date): Promise<OrgClock> {
  const [o] = await tx.query<OrgClock>(
    `SELECT timezone, name, (($1::timestamptz) AT TIME ZONE timezone)::date::text AS today FROM organizations WHERE id = visage_current_org()`, [now]);
  if (!o) throw new Error('no acting organization');
  return o;
}

/** Whole days from `from` to `to` (calendar dates). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
