import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, uniqueEmail, type TestVisage } from '../../../test/helpers.js';
import { mailTo } from './mailbox.test-support.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage({ config: { publicUrl: 'https://visage.example' } }); });
afterAll(async () => { await t?.close(); });

const NEW_PASSWORD = 'a brand new passphrase';
const RESET_MAIL = /Reset your Visage password/;

/** Asks for a reset link and returns the token from the mail. */
async function resetToken(email: string): Promise<string> {
  const sent = t.mail.filter((m) => m.to === email && RESET_MAIL.test(m.subject)).length;
  const res = await t.call('POST', '/api/auth/password-reset', { body: { email } });
  expect(res.status).toBe(202);
  const mail = (await mailTo(t, email, RESET_MAIL, sent + 1)).at(-1)!;
  return /https:\/\/visage\.example\/reset-password\?token=([\w-]+)/.exec(mail.text)![1]!;
}

const confirm = (token: string, password = NEW_PASSWORD) => t.call('POST', '/api/auth/password-reset/confirm', { body: { token, password } });
const login = (email: string, password: string) => t.call('POST', '/api/auth/login', { body: { email, password } });

describe('password reset', () => {
  it('answers the same for unknown and known accounts, and mails only the account holder', async () => {
    const o = await t.owner();
    const ghost = uniqueEmail('ghost');
    const unknown = await t.call('POST', '/api/auth/password-reset', { body: { email: ghost } });
    const known = await t.call('POST', '/api/auth/password-reset', { body: { email: o.email.toUpperCase() } });
    expect([unknown.status, known.status]).toEqual([202, 202]);
    expect(unknown.body).toEqual({ sent: true });
    expect(known.body).toEqual(unknown.body);
    expect(await mailTo(t, o.email, RESET_MAIL, 1)).toHaveLength(1);
    expect(t.mail.filter((m) => m.to === ghost)).toEqual([]);
  });

  it('the link sets a new password, signs in, and ends every other session', async () => {
    const o = await t.owner({ orgName: 'Reset Clinic' });
    const other = await login(o.email, o.password);
    const res = await confirm(await resetToken(o.email));
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe(o.email);
    expect(res.body.organizations).toEqual([expect.objectContaining({ id: o.orgId, name: 'Reset Clinic' })]);
    expect(String(res.headers['set-cookie'])).toMatch(/visage_session=.*HttpOnly/i);

    expect((await t.call('GET', '/api/me', { token: o.token })).status).toBe(401);
    expect((await t.call('GET', '/api/me', { token: other.body.token })).status).toBe(401);
    expect((await t.call('GET', '/api/me', { token: res.body.token })).status).toBe(200);
    expect((await login(o.email, o.password)).status).toBe(401);
    expect((await login(o.email, NEW_PASSWORD)).status).toBe(200);

    const events = await t.call('GET', '/api/audit?action=password_reset', { token: res.body.token });
    expect(events.body.items).toEqual([expect.objectContaining({ entity_id: o.userId, outcome: 'success', actor_user_id: o.userId })]);
  });

  it('a link works once, and not after an hour', async () => {
    const o = await t.owner();
    const token = await resetToken(o.email);
    expect((await confirm(token)).status).toBe(200);
    const reused = await confirm(token, 'yet another passphrase');
    expect(reused.status).toBe(400);
    expect(reused.body.code).toBe('invalid_token');
    expect((await login(o.email, NEW_PASSWORD)).status).toBe(200);

    t.clock.advance(61_000);
    const late = await resetToken(o.email);
    t.clock.advance(61 * 60_000);
    expect((await confirm(late)).body.code).toBe('invalid_token');
  });

  it('a newer link replaces the older one; a second request within a minute mails nothing', async () => {
    const o = await t.owner();
    const first = await resetToken(o.email);
    await expect(resetToken(o.email)).rejects.toThrow(/expected 2 message/);
    t.clock.advance(61_000);
    const second = await resetToken(o.email);
    expect((await confirm(first)).body.code).toBe('invalid_token');
    expect((await confirm(second)).status).toBe(200);
  });

  it('lets an owner locked out by failed sign-ins back in', async () => {
    const o = await t.owner();
    for (let i = 0; i < 100; i++) await login(o.email, `wrong-${i}`);
    expect((await login(o.email, o.password)).status).toBe(429);
    expect((await confirm(await resetToken(o.email))).status).toBe(200);
    expect((await login(o.email, NEW_PASSWORD)).status).toBe(200);
  }, 120_000);

  it('refuses a weak password without using up the link', async () => {
    const o = await t.owner();
    const token = await resetToken(o.email);
    const weak = await confirm(token, 'short');
    expect(weak.status).toBe(422);
    expect(weak.body.errors).toEqual([expect.objectContaining({ pointer: '/password' })]);
    expect((await confirm(token)).status).toBe(200);
  });

  it('stores only a hash of the link token and never writes it to the audit log', async () => {
    const o = await t.owner();
    const token = await resetToken(o.email);
    await confirm(token);
    const stored = await t.db.run({ scope: 'auth' }, (tx) =>
      tx.query<{ secret_hash: string }>(`SELECT secret_hash FROM one_time_tokens WHERE user_id = $1 AND purpose = 'password_reset'`, [o.userId]));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.secret_hash).not.toContain(token);
    const audited = await t.db.run({ scope: 'tenant', orgId: o.orgId, userId: o.userId }, (tx) =>
      tx.query<{ details: string }>(`SELECT details::text AS details FROM audit_events WHERE action = 'password_reset'`));
    expect(audited).toHaveLength(1);
    expect(audited[0]!.details).not.toContain(token);
  });
});
