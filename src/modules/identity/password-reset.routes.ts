import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { Email, Password, SessionResponse } from './identity.dto.js';
import { completePasswordReset, requestPasswordReset } from './password-reset.service.js';
import { sessionReply, signInRateLimit } from './session-response.js';

/** Forgotten password: a mailed single-use link (1 hour) that sets a new password and signs in. */
export function passwordResetRoutes(app: ZApp, deps: Deps) {
  app.post('/api/auth/password-reset', {
    config: signInRateLimit(deps),
    schema: {
      tags: ['auth'], summary: 'Mail a password-reset link (same answer whether or not the account exists)', security: [],
      body: z.object({ email: Email }),
      response: { 202: z.object({ sent: z.literal(true) }) },
    },
  }, async (req, reply) => {
    await deps.db.run({ scope: 'auth' }, (tx) => requestPasswordReset(tx, deps, req.body.email, deps.now()));
    return reply.status(202).send({ sent: true });
  });

  app.post('/api/auth/password-reset/confirm', {
    config: signInRateLimit(deps),
    schema: {
      tags: ['auth'], summary: 'Set a new password from a reset link; signs in and ends every other session', security: [],
      body: z.object({ token: z.string().min(1).max(200), password: Password }),
      response: { 200: SessionResponse },
    },
  }, async (req, reply) => {
    const result = await deps.db.run({ scope: 'auth' }, (tx) => completePasswordReset(tx, req, deps, req.body));
    if (!result.ok) throw result.error;
    return sessionReply(reply, deps, result.signedIn);
  });
}
