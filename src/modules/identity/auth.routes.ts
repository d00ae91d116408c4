import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { audit } from '../../platform/audit/audit.service.js';
import { errors } from '../../platform/http/problem.js';
import { createUser, getUser, login, userOrganizations, CALLER_WITH_ORGANIZATIONS, splitOrganizations } from './accounts.service.js';
import { createSession, revokeSession } from './sessions.service.js';
import { clearSessionCookie, origin, type Guard } from './guard.js';
import { Email, orgSummaryDto, Password, SessionResponse, userDto } from './identity.dto.js';
import { loadSignedIn, sessionReply, signInRateLimit } from './session-response.js';
import { startEmailVerification } from './verification.service.js';

/** Sign-in by password, self-service sign-up, sign-out. The contract other tools rely on. */
export function authRoutes(app: ZApp, deps: Deps, guard: Guard) {
  const policy = () => ({ idleMinutes: deps.config.sessionIdleMinutes, absoluteHours: deps.config.sessionAbsoluteHours });
  const authLimit = signInRateLimit(deps);

  app.post('/api/auth/login', {
    config: authLimit,
    schema: {
      tags: ['auth'], summary: 'Sign in with email and password', security: [],
      body: z.object({ email: Email, password: z.string().min(1).max(200) }),
      response: { 200: SessionResponse },
    },
  }, async (req, reply) => {
    const now = deps.now();
    const result = await deps.db.run({ scope: 'auth' }, async (tx) => {
      const r = await login(tx, origin(req), { ...req.body, userAgent: req.headers['user-agent'] ?? null }, now, policy());
      if (!r.ok) return r;
      const expiresAt = new Date(now.getTime() + deps.config.sessionAbsoluteHours * 3600_000);
      return { ok: true as const, signedIn: await loadSignedIn(tx, r.userId, { token: r.token, expiresAt }) };
    });
    if (!result.ok) throw result.error;
    return sessionReply(reply, deps, result.signedIn);
  });

  app.post('/api/auth/signup', {
    config: authLimit,
    schema: {
      tags: ['auth'], summary: 'Create an account (sends an email verification code)', security: [],
      body: z.object({ email: Email, password: Password, full_name: z.string().trim().min(1).max(200) }),
      response: { 201: SessionResponse },
    },
  }, async (req, reply) => {
    const now = deps.now();
    const out = await deps.db.run({ scope: 'auth' }, async (tx) => {
      const userId = await createUser(tx, { email: req.body.email, password: req.body.password, fullName: req.body.full_name }, now);
      await audit(tx, origin(req), { action: 'sign_up', entityType: 'user', entityId: userId, actorUserId: userId, details: { method: 'password' } });
      const session = await createSession(tx, userId, { method: 'signup', ip: req.ip, userAgent: req.headers['user-agent'], now, policy: policy() });
      await startEmailVerification(tx, deps, userId, req.body.email, now);
      return loadSignedIn(tx, userId, session);
    });
    return reply.status(201).send(sessionReply(reply, deps, out));
  });

  app.post('/api/auth/logout', {
    schema: { tags: ['auth'], summary: 'End the current session', response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, {}, async (tx, p) => {
      await revokeSession(tx, p.userId, p.sessionId, deps.now());
      await audit(tx, origin(req), { action: 'sign_out', entityType: 'user', entityId: p.userId });
    });
    clearSessionCookie(reply, deps);
    return reply.status(204).send(null);
  });

  app.get('/api/me', {
    schema: {
      tags: ['auth'], summary: 'The signed-in user with memberships',
      response: { 200: z.object({ user: SessionResponse.shape.user, organizations: SessionResponse.shape.organizations, acting_org_id: z.string().nullable(), permissions: z.array(z.string()) }) },
    },
  }, async (req) => guard(req, { prelude: { text: CALLER_WITH_ORGANIZATIONS, values: [] } }, async (tx, p) => {
    const me = splitOrganizations(tx.prelude[0]?.[0] as Parameters<typeof splitOrganizations>[0]);
    if (!me) throw errors.unauthenticated();
    await audit(tx, origin(req), { action: 'read', entityType: 'user', entityId: p.userId });
    return { user: userDto(me.user), organizations: me.organizations.map(orgSummaryDto), acting_org_id: p.orgId, permissions: [...p.permissions].sort() };
  }));
}
