import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, uniqueEmail, type TestVisage } from '../../../test/helpers.js';
import { mailTo } from './mailbox.test-support.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage({ config: { publicUrl: 'https://visage.example' } }); });
afterAll(async () => { await t?.close(); });

const LINK_MAIL = /sign-in link/;

/** Asks for a magic link and returns the token from the mail. */
async function magicToken(email: string): Promise<string> {
  const sent = t.mail.filter((m) => m.to === email && LINK_MAIL.test(m.subject)).length;
  expect((await t.call('POST', '/api/auth/magic-link', { body: { email } })).status).toBe(202);
  const mail = (await mailTo(t, email, LINK_MAIL, sent + 1)).at(-1)!;
  return /https:\/\/visage\.example\/magic-link\?token=([\w-]+)/.exec(mail.text)![1]!;
}

const consume = (token: string) => t.call('POST', '/api/auth/magic-link/consume', { body: { token } });

describe('magic link sign-in', () => {
  it('signs in like a password login, with the session cookie, and is audited as sign_in by magic_link', async () => {
    const o = await t.owner({ orgName: 'Ink Studio', type: 'studio' });
    const res = await consume(await magicToken(o.email));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['organizations', 'token', 'user']);
    expect(res.body.user.id).toBe(o.userId);
    expect(res.body.organizations).toEqual([expect.objectContaining({ id: o.orgId, name: 'Ink Studio', roles: ['owner'] })]);
    expect(String(res.headers['set-cookie'])).toMatch(/visage_session=.*HttpOnly.*SameSite=Lax/i);
    const me = await t.call('GET', '/api/me', { token: res.body.token });
    expect(me.body.acting_org_id).toBe(o.orgId);

    const signIns = await t.call('GET', '/api/audit?action=sign_in', { token: res.body.token });
    expect(signIns.body.items).toContainEqual(expect.objectContaining({ entity_id: o.userId, outcome: 'success', details: { method: 'magic_link' } }));
  });

  it('works once', async () => {
    const o = await t.owner();
    const token = await magicToken(o.email);
    expect((await consume(token)).status).toBe(200);
    const again = await consume(token);
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('invalid_token');
  });

  it('expires after 15 minutes', async () => {
    const o = await t.owner();
    const token = await magicToken(o.email);
    t.clock.advance(15 * 60_000 + 1000);
    const late = await consume(token);
    expect(late.status).toBe(400);
    expect(late.body.code).toBe('invalid_token');
  });

  it('sends nothing for an unknown email, with the same answer', async () => {
    const nobody = uniqueEmail('nobody');
    const res = await t.call('POST', '/api/auth/magic-link', { body: { email: nobody } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ sent: true });
    expect(t.mail.filter((m) => m.to === nobody)).toEqual([]);
  });

  it('proves the email address: an unverified account becomes verified', async () => {
    const email = uniqueEmail('fresh');
    const signup = await t.call('POST', '/api/auth/signup', { body: { email, password: 'a long enough password', full_name: 'Mei Lin' } });
    expect(signup.body.user.email_verified).toBe(false);
    const res = await consume(await magicToken(email));
    expect(res.body.user.email_verified).toBe(true);
  });

  it('refuses made-up tokens and stores issued ones only as hashes', async () => {
    expect((await consume('not-a-real-token')).body.code).toBe('invalid_token');
    const o = await t.owner();
    const token = await magicToken(o.email);
    const rows = await t.db.run({ scope: 'auth' }, (tx) =>
      tx.query<{ secret_hash: string }>(`SELECT secret_hash FROM one_time_tokens WHERE user_id = $1 AND purpose = 'magic_link'`, [o.userId]));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.secret_hash).not.toContain(token);
  });
});
