import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { mailTo } from './mailbox.test-support.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

/** The code in the `nth` verification mail to `email` (1: the one sent at sign-up). */
async function codeFor(email: string, nth = 1): Promise<string> {
  const mail = await mailTo(t, email, /verification code/, nth);
  return /code: (\d{6})/.exec(mail[nth - 1]!.subject)![1]!;
}

const verify = (token: string, code: string) => t.call('POST', '/api/auth/verify-email', { token, body: { code } });
const wrong = (code: string) => (code === '000000' ? '111111' : '000000');

describe('email verification', () => {
  it('the mailed code verifies the address; a wrong one is refused with invalid_code', async () => {
    const o = await t.owner();
    const code = await codeFor(o.email);
    const bad = await verify(o.token, wrong(code));
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ code: 'invalid_code', errors: [{ pointer: '/code' }] });
    expect((await t.call('GET', '/api/me', { token: o.token })).body.user.email_verified).toBe(false);

    const ok = await verify(o.token, code);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ email_verified: true });
    expect((await t.call('GET', '/api/me', { token: o.token })).body.user.email_verified).toBe(true);

    const events = await t.call('GET', '/api/audit?action=verify', { token: o.token });
    expect(events.body.items.map((e: { outcome: string }) => e.outcome).sort()).toEqual(['failure', 'success']);
  });

  it('locks a code after 5 guesses, even for the right code; a new code starts over', async () => {
    const o = await t.owner();
    const code = await codeFor(o.email);
    for (let i = 0; i < 5; i++) expect((await verify(o.token, wrong(code))).body.code).toBe('invalid_code');
    const locked = await verify(o.token, code);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('code_locked');

    t.clock.advance(61_000);
    expect((await t.call('POST', '/api/auth/verify-email/resend', { token: o.token })).status).toBe(202);
    const fresh = await codeFor(o.email, 2);
    expect((await verify(o.token, fresh)).status).toBe(200);
  });

  it('evaluates at most 5 of 10 parallel guesses', async () => {
    const o = await t.owner();
    const code = await codeFor(o.email);
    const answers = await Promise.all(Array.from({ length: 10 }, () => verify(o.token, wrong(code))));
    expect(answers.filter((r) => r.body.code === 'invalid_code')).toHaveLength(5);
    expect(answers.filter((r) => r.body.code === 'code_locked')).toHaveLength(5);
  });

  it('a code expires after 24 hours', async () => {
    const o = await t.owner();
    const code = await codeFor(o.email);
    t.clock.advance(12 * 3600_000);
    await t.call('GET', '/api/me', { token: o.token }); // keeps the session from idling out
    t.clock.advance(12 * 3600_000 + 60_000);
    const late = await verify(o.token, code);
    expect(late.status).toBe(422);
    expect(late.body.code).toBe('code_expired');
  });

  it('resend mails a new code that replaces the old one, at most once a minute', async () => {
    const o = await t.owner();
    const first = await codeFor(o.email);
    const tooSoon = await t.call('POST', '/api/auth/verify-email/resend', { token: o.token });
    expect(tooSoon.status).toBe(429);
    expect(Number(tooSoon.headers['retry-after'])).toBeGreaterThan(0);

    t.clock.advance(61_000);
    const resent = await t.call('POST', '/api/auth/verify-email/resend', { token: o.token });
    expect(resent.status).toBe(202);
    expect(resent.body).toEqual({ sent: true });
    const second = await codeFor(o.email, 2);
    if (first !== second) expect((await verify(o.token, first)).body.code).toBe('invalid_code');
    expect((await verify(o.token, second)).status).toBe(200);

    const again = await t.call('POST', '/api/auth/verify-email/resend', { token: o.token });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('email_already_verified');
  });

  it('needs a signed-in user', async () => {
    expect((await t.call('POST', '/api/auth/verify-email', { body: { code: '123456' } })).status).toBe(401);
    expect((await t.call('POST', '/api/auth/verify-email/resend')).status).toBe(401);
  });
});
