import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Tx } from '../../platform/db/client.js';
import type { Deps } from '../../platform/deps.js';
import type { AppError } from '../../platform/http/problem.js';
import { getUser, userOrganizations, type OrgSummary, type UserRow } from './accounts.service.js';
import { createSession } from './sessions.service.js';
import { setSessionCookie } from './guard.js';
import { orgSummaryDto, userDto, type SessionResponse } from './identity.dto.js';

/** The per-address limit for endpoints that sign in or send sign-in mail. */
export const signInRateLimit = (deps: Deps) => ({ rateLimit: { max: deps.config.authRateLimitPerMinute, timeWindow: '1 minute' } });

/** Suspended and deactivated accounts cannot sign in by any method. */
export const canSignIn = (user: Pick<UserRow, 'status'>): boolean => user.status !== 'suspended' && user.status !== 'inactive';

/** Starts a session for a user who has just proved who they are by `method`. */
export function startSession(tx: Tx, req: FastifyRequest, deps: Deps, userId: string, method: string) {
  return createSession(tx, userId, {
    method, ip: req.ip, userAgent: req.headers['user-agent'], now: deps.now(),
    policy: { idleMinutes: deps.config.sessionIdleMinutes, absoluteHours: deps.config.sessionAbsoluteHours },
  });
}

/** Everything a sign-in answers with: the new session and who it belongs to. */
export interface SignedIn { token: string; expiresAt: Date; user: UserRow; organizations: OrgSummary[] }

/** A sign-in that may be refused; refusals are returned, not thrown, so their audit rows commit. */
export type SignInResult = { ok: true; signedIn: SignedIn } | { ok: false; error: AppError };

/** Switches the transaction to the signed-in user and loads the user and their organizations. */
export async function loadSignedIn(tx: Tx, userId: string, session: { token: string; expiresAt: Date }): Promise<SignedIn> {
  await tx.setContext({ scope: 'user', userId });
  const user = await getUser(tx, userId);
  if (!user) throw new Error(`signed-in user ${userId} not found`);
  return { ...session, user, organizations: await userOrganizations(tx, userId) };
}

/** Sets the session cookie (for the web app) and returns the `{token, user, organizations}` body (for API clients). */
export function sessionReply(reply: FastifyReply, deps: Deps, s: SignedIn): z.infer<typeof SessionResponse> {
  setSessionCookie(reply, deps, s.token, s.expiresAt);
  return { token: s.token, user: userDto(s.user), organizations: s.organizations.map(orgSummaryDto) };
}
