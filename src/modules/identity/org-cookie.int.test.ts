/**
 * The web app mirrors its acting organization into the visage_org cookie so that plain links and
 * images (which cannot send X-Org-Id) act in it: honoured only for GETs signed in by the session
 * cookie, only among the caller's memberships, and never for API clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

describe('the acting organization of plain browser GETs', () => {
  it('follows the visage_org cookie for cookie-signed GETs; X-Org-Id and Bearer clients are unaffected; foreign orgs are refused', async () => {
    const o = await t.owner({ orgName: 'First Clinic' });
    const second = await t.call('POST', '/api/organizations', { token: o.token, body: { name: 'Second Studio', type: 'studio' } });
    expect(second.status).toBe(201);
    const b = second.body.id as string;
    const patient = await t.call('POST', '/api/patients', { token: o.token, org: b, body: { full_name: 'Lin Mei', phone: '0912-555-000' } });
    expect(patient.status).toBe(201);
    const url = `/api/patients/${patient.body.id}`;
    const session = `visage_session=${o.token}`;

    // The default organization is the first one: without a choice the patient of the second is not found.
    expect((await t.call('GET', url, { headers: { cookie: session } })).status).toBe(404);
    // A link opened in the web app after switching to the second organization.
    const linked = await t.call('GET', url, { headers: { cookie: `${session}; visage_org=${b}` } });
    expect(linked.status).toBe(200);
    expect(linked.body.full_name).toBe('Lin Mei');
    // X-Org-Id wins over the cookie.
    expect((await t.call('GET', url, { headers: { cookie: `${session}; visage_org=${b}`, 'x-org-id': o.orgId } })).status).toBe(404);
    // An API client's Bearer token ignores the cookie: default organization, as the API contract says.
    expect((await t.call('GET', url, { token: o.token, headers: { cookie: `visage_org=${b}` } })).status).toBe(404);
    // A malformed cookie is ignored, not an error.
    expect((await t.call('GET', url, { headers: { cookie: `${session}; visage_org=not-a-uuid` } })).status).toBe(404);

    // Another user's organization named in the cookie is refused like X-Org-Id would be.
    const stranger = await t.owner({ orgName: 'Elsewhere' });
    const refused = await t.call('GET', url, { headers: { cookie: `visage_session=${stranger.token}; visage_org=${b}` } });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('not_a_member');

    // Writes never take the organization from a cookie: a cookie-signed POST acts in the default organization.
    const written = await t.call('POST', '/api/patients', { headers: { cookie: `${session}; visage_org=${b}` }, body: { full_name: 'Chen Yu', phone: '0912-555-111' } });
    expect(written.status).toBe(201);
    expect((await t.call('GET', `/api/patients/${written.body.id}`, { token: o.token, org: o.orgId })).status).toBe(200);
    expect((await t.call('GET', `/api/patients/${written.body.id}`, { token: o.token, org: b })).status).toBe(404);
  });
});
