import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { Email, SessionResponse } from './identity.dto.js';
import { consumeMagicLink, sendMagicLink } from './magic-link.service.js';
import { sessionReply, signInRateLimit } from './session-response.js';

/** Password-less sign-in by a mailed single-use link (seed 001). */
export function magicLinkRoutes(app: ZApp, deps: Deps) {
  app.post('/api/auth/magic-link', {
    config: signInRateLimit(deps),
    schema: {
      tags: ['auth'], summary: 'Mail a sign-in link (same answer whether or not the account exists)', security: [],
      body: z.object({ email: Email }),
      response: { 202: z.object({ sent: z.literal(true) }) },
    },
  }, async (req, reply) => {
    await deps.db.run({ scope: 'auth' }, (tx) => sendMagicLink(tx, deps, req.body.email, deps.now()));
    return reply.status(202).send({ sent: true });
  });

  app.post('/api/auth/magic-link/consume', {
    config: signInRateLimit(deps),
    schema: {
      tags: ['auth'], summary: 'Sign in with a magic link token (works once, for 15 minutes)', security: [],
      body: z.object({ token: z.string().min(1).max(200) }),
      response: { 200: SessionResponse },
    },
  }, async (req, reply) => {
    const result = await deps.db.run({ scope: 'auth' }, (tx) => consumeMagicLink(tx, req, deps, req.body.token));
    if (!result.ok) throw result.error;
    return sessionReply(reply, deps, result.signedIn);
  });
}
