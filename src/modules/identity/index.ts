/** The identity context's public surface. Other modules import from here only. */
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { makeGuard, type Guard } from './guard.js';
import { authRoutes } from './auth.routes.js';
import { organizationRoutes } from './organizations.routes.js';
import { memberRoutes } from './members.routes.js';
import { roleRoutes } from './roles.routes.js';
import { invitationRoutes } from './invitations.routes.js';
import { tokenRoutes } from './tokens.routes.js';
import { profileRoutes } from './profile.routes.js';
import { verificationRoutes } from './verification.routes.js';
import { passwordResetRoutes } from './password-reset.routes.js';
import { magicLinkRoutes } from './magic-link.routes.js';
import { oidcRoutes } from './oidc.routes.js';

export { callerLacks, makeGuard, origin, type Guard, type GuardOptions } from './guard.js';
export type { Principal } from './sessions.service.js';
export { PERMISSIONS, BUILTIN_ROLES, MEDICAL_PERMISSIONS, type Permission } from './permissions.js';
export { syncCatalog } from './catalog.js';
export { createUser, findUserByEmail, getUser } from './accounts.service.js';
export { createOrganization, addMember } from './organizations.service.js';

export function identityRoutes(app: ZApp, deps: Deps, guard: Guard) {
  authRoutes(app, deps, guard);
  organizationRoutes(app, deps, guard);
  for (const routes of [memberRoutes, roleRoutes, invitationRoutes, tokenRoutes, profileRoutes]) routes(app, deps, guard);
  verificationRoutes(app, deps, guard);
  passwordResetRoutes(app, deps);
  magicLinkRoutes(app, deps);
  oidcRoutes(app, deps);
}
