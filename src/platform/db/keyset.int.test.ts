// Keyset pages over rows that share a time stamp to the microsecond (written in one transaction):
// the cursor's time went through a JavaScript Date (milliseconds), yet no row is skipped or repeated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { newId } from '../crypto.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

describe('keyset pagination', () => {
  it('pages through rows of one transaction (same microsecond) without skipping any', async () => {
    const o = await t.owner();
    const lead = await t.call('POST', '/api/leads', { token: o.token, body: { first_name: 'Kim', email: 'kim@example.com', source: 'website' } });
    expect(lead.status).toBe(201);
    const ids = Array.from({ length: 9 }, () => newId());
    await t.db.run({ scope: 'tenant', orgId: o.orgId, userId: o.userId }, async (tx) => {
      // One statement, default created_at = now(): nine rows with the same microsecond-precise time.
      await tx.query(`INSERT INTO journey_events (id, org_id, lead_id, event_type, created_at)
        SELECT unnest($1::uuid[]), visage_current_org(), $2, 'page_view', date_trunc('second', now()) + interval '123457 microseconds'`, [ids, lead.body.id]);
    });
    const seen: string[] = [];
    let url = `/api/leads/${lead.body.id}/journey-events?limit=2&event_type=page_view`;
    for (let pages = 0; pages < 20; pages++) {
      const r = await t.call('GET', url, { token: o.token });
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((i: { id: string }) => i.id));
      if (!r.body.next_cursor) break;
      url = `/api/leads/${lead.body.id}/journey-events?limit=2&event_type=page_view&cursor=${encodeURIComponent(r.body.next_cursor)}`;
    }
    expect(seen).toHaveLength(9);
    expect(new Set(seen)).toEqual(new Set(ids));
  });
});
