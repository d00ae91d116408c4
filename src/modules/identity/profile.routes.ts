import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { origin, type Guard } from './guard.js';
import { Locale, Password, Timezone, UserDto, userDto } from './identity.dto.js';
import { changePassword, updateProfile } from './profile.service.js';
import { signInRateLimit } from './session-response.js';
import { assertSignInSession } from './tokens.service.js';

/** Only these fields: email, status, user type and roles are not the user's to set here (extra keys are dropped). */
const ProfilePatch = z.object({
  full_name: z.string().trim().min(1).max(200).optional(),
  phone: z.string().trim().max(40).nullable().optional(),
  preferred_language: Locale.optional(),
  timezone: Timezone.nullable().optional(),
  username: z.string().trim().regex(/^[a-zA-Z0-9._-]{3,40}$/, 'Use 3-40 letters, digits, dots, dashes or underscores.').nullable().optional(),
});

/** The signed-in user's own profile and password. */
export function profileRoutes(app: ZApp, deps: Deps, guard: Guard) {
  app.patch('/api/me', {
    schema: { tags: ['account'], summary: 'Change your name, phone, language, time zone or username', body: ProfilePatch, response: { 200: UserDto } },
  }, async (req) => guard(req, {}, async (tx, p) => {
    assertSignInSession(p);
    return userDto(await updateProfile(tx, origin(req), p.userId, req.body));
  }));

  app.post('/api/me/password', {
    config: signInRateLimit(deps),
    schema: {
      tags: ['account'], summary: 'Change your password; signs out your other sessions',
      body: z.object({ current_password: z.string().min(1).max(200), new_password: Password }), response: { 204: z.null() },
    },
  }, async (req, reply) => {
    const result = await guard(req, {}, async (tx, p) => {
      assertSignInSession(p);
      return changePassword(tx, origin(req), p, { current: req.body.current_password, next: req.body.new_password }, deps.now());
    });
    if (!result.ok) throw result.error;
    return reply.status(204).send(null);
  });
}
