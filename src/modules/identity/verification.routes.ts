import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { origin, type Guard } from './guard.js';
import { resendEmailVerification, verifyEmail } from './verification.service.js';

/** Email verification by the six-digit code mailed at sign-up. */
export function verificationRoutes(app: ZApp, deps: Deps, guard: Guard) {
  app.post('/api/auth/verify-email', {
    schema: {
      tags: ['auth'], summary: 'Verify the email address with the mailed code (5 attempts per code)',
      body: z.object({ code: z.string().trim().min(1).max(32) }),
      response: { 200: z.object({ email_verified: z.literal(true) }) },
    },
  }, async (req) => {
    const result = await guard(req, {}, (tx, p) => verifyEmail(tx, origin(req), p, req.body.code, deps.now()));
    if (!result.ok) throw result.error;
    return { email_verified: true as const };
  });

  app.post('/api/auth/verify-email/resend', {
    schema: {
      tags: ['auth'], summary: 'Mail a new verification code (the previous one stops working)',
      response: { 202: z.object({ sent: z.literal(true) }) },
    },
  }, async (req, reply) => {
    await guard(req, {}, (tx, p) => resendEmailVerification(tx, deps, p, deps.now()));
    return reply.status(202).send({ sent: true });
  });
}
