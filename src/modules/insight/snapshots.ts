import type { Tx } from '../../platform/db/client.js';
import { orgClock } from '../care/index.js';

/** How long a dashboard answer is reused when nothing it reads has changed (writes drop it at once). */
const SNAPSHOT_TTL_MS = 10 * 60_000;

/**
 * A dashboard's answer for the organization's local date and the query, from dashboard_snapshots
 * when fresh, else computed and stored. Writes to sessions, follow-ups, visits, treatments and
 * patients delete the organization's snapshots (triggers of migration 0008).
 */
export async function snapshot<T>(tx: Tx, now: Date, name: string, query: Record<string, unknown>, compute: () => Promise<T>): Promise<T> {
  const { today } = await orgClock(tx, now);
  const params = JSON.stringify({ today, ...Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b))) });
  const [hit] = await tx.query<{ body: T }>(
    'SELECT body FROM dashboard_snapshots WHERE org_id = visage_current_org() AND name = $1 AND params = $2 AND computed_at > $3',
    [name, params, new Date(now.getTime() - SNAPSHOT_TTL_MS)]);
  if (hit) return hit.body;
  const body = await compute();
  await tx.query(
    `INSERT INTO dashboard_snapshots (org_id, name, params, computed_at, body) VALUES (visage_current_org(), $1, $2, $3, $4)
     ON CONFLICT (org_id, name, params) DO UPDATE SET computed_at = EXCLUDED.computed_at, body = EXCLUDED.body`,
    [name, params, now, JSON.stringify(body)]);
  return body;
}
