import type { FastifyRequest } from 'fastify';
import type { Tx } from '../../platform/db/client.js';
import type { Deps } from '../../platform/deps.js';
import { audit } from '../../platform/audit/audit.service.js';
import { queueMail } from '../../platform/mail/outbox.js';
import { origin } from './guard.js';
import { invalidLinkToken, issueEmailLink, redeemEmailLink } from './one-time-tokens.js';
import { loadSignedIn, startSession, type SignInResult } from './session-response.js';

/** Seed 001: a magic link works once, for 15 minutes. */
export const MAGIC_LINK_TTL_MINUTES = 15;

/** Mails a sign-in link if the account exists (nothing otherwise); the caller answers the same either way. */
export async function sendMagicLink(tx: Tx, deps: Deps, email: string, now: Date): Promise<void> {
  const issued = await issueEmailLink(tx, email, {
    purpose: 'magic_link', ttlMinutes: MAGIC_LINK_TTL_MINUTES, url: `${deps.config.publicUrl}/magic-link`,
  }, now);
  if (!issued) return;
  await queueMail(tx, deps, {
    to: issued.user.email,
    subject: 'Your Visage sign-in link',
    text: `Open this link within 15 minutes to sign in to Visage. It works once.\n\n${issued.url}\n\n`
      + 'If you did not ask for it, ignore this message.',
  });
}

/** Signs in with a magic link. A refused link is audited as a failed sign-in (and committed). */
export async function consumeMagicLink(tx: Tx, req: FastifyRequest, deps: Deps, token: string): Promise<SignInResult> {
  const user = await redeemEmailLink(tx, 'magic_link', token, deps.now());
  if (!user) {
    await audit(tx, origin(req), { action: 'sign_in', entityType: 'user', outcome: 'failure', details: { method: 'magic_link', reason: 'invalid_token' } });
    return { ok: false, error: invalidLinkToken() };
  }
  const session = await startSession(tx, req, deps, user.id, 'magic_link');
  await audit(tx, origin(req), { action: 'sign_in', entityType: 'user', entityId: user.id, actorUserId: user.id, orgId: user.default_org_id, details: { method: 'magic_link' } });
  return { ok: true, signedIn: await loadSignedIn(tx, user.id, session) };
}
