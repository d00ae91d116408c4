import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { audit } from '../../platform/audit/audit.service.js';
import { clearSessionCookie, origin, type Guard } from './guard.js';
import { iso, Uuid } from './identity.dto.js';
import { listCredentials } from './sessions.service.js';
import { assertSignInSession, issueToken, revokeOwnCredential } from './tokens.service.js';

const SessionDto = z.object({
  id: z.string(), method: z.string(), ip: z.string().nullable(), user_agent: z.string().nullable(), created_at: z.string(),
  last_seen_at: z.string(), expires_at: z.string().nullable(), current: z.boolean(),
});
const TokenDto = z.object({
  id: z.string(), name: z.string(), scopes: z.array(z.string()), created_at: z.string(), last_seen_at: z.string(), expires_at: z.string().nullable(),
});

const NewToken = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.string().max(100)).min(1).max(100),
  expires_in_days: z.number().int().min(1).max(365).optional(),
});

/** The caller's own sign-in sessions and personal API tokens. */
export function tokenRoutes(app: ZApp, deps: Deps, guard: Guard) {
  app.get('/api/me/sessions', {
    schema: { tags: ['account'], summary: 'Your active sign-in sessions', response: { 200: z.object({ items: z.array(SessionDto) }) } },
  }, async (req) => guard(req, {}, async (tx, p) => {
    const rows = await listCredentials(tx, p.userId, 'session', deps.now());
    await audit(tx, origin(req), { action: 'list', entityType: 'session', details: { count: rows.length } });
    return {
      items: rows.map((s) => ({
        id: s.id, method: s.method, ip: s.ip, user_agent: s.user_agent, created_at: iso(s.created_at)!, last_seen_at: iso(s.last_seen_at)!,
        expires_at: iso(s.expires_at), current: s.id === p.sessionId,
      })),
    };
  }));

  app.delete('/api/me/sessions/:id', {
    schema: { tags: ['account'], summary: 'Sign out one of your sessions', params: z.object({ id: Uuid }), response: { 204: z.null() } },
  }, async (req, reply) => {
    const current = await guard(req, {}, async (tx, p) => {
      assertSignInSession(p);
      await revokeOwnCredential(tx, origin(req), p, 'session', req.params.id, deps.now());
      return req.params.id === p.sessionId;
    });
    if (current) clearSessionCookie(reply, deps);
    return reply.status(204).send(null);
  });

  app.get('/api/me/tokens', {
    schema: { tags: ['account'], summary: 'Your personal API tokens (never the secrets)', response: { 200: z.object({ items: z.array(TokenDto) }) } },
  }, async (req) => guard(req, {}, async (tx, p) => {
    const rows = await listCredentials(tx, p.userId, 'personal', deps.now());
    await audit(tx, origin(req), { action: 'list', entityType: 'api_token', details: { count: rows.length } });
    return {
      items: rows.map((t) => ({
        id: t.id, name: t.name ?? '', scopes: t.scopes, created_at: iso(t.created_at)!, last_seen_at: iso(t.last_seen_at)!, expires_at: iso(t.expires_at),
      })),
    };
  }));

  app.post('/api/me/tokens', {
    schema: {
      tags: ['account'], summary: 'Create a personal API token; scopes are "*" or permission names. The token is shown only once.',
      body: NewToken,
      response: { 201: z.object({ id: z.string(), name: z.string(), scopes: z.array(z.string()), token: z.string(), expires_at: z.string().nullable() }) },
    },
  }, async (req, reply) => {
    const t = await guard(req, {}, async (tx, p) => {
      assertSignInSession(p);
      return issueToken(tx, origin(req), p, { name: req.body.name, scopes: req.body.scopes, expiresInDays: req.body.expires_in_days }, deps.now());
    });
    return reply.status(201).send({ id: t.id, name: t.name, scopes: t.scopes, token: t.token, expires_at: iso(t.expiresAt) });
  });

  app.delete('/api/me/tokens/:id', {
    schema: { tags: ['account'], summary: 'Revoke a personal API token', params: z.object({ id: Uuid }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, {}, async (tx, p) => {
      assertSignInSession(p);
      await revokeOwnCredential(tx, origin(req), p, 'personal', req.params.id, deps.now());
    });
    return reply.status(204).send(null);
  });
}
