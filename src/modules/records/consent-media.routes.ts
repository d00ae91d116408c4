import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import type { Guard } from '../identity/index.js';
import { consentTemplateRoutes } from './consent-templates.routes.js';
import { consentRoutes } from './consents.routes.js';
import { complianceRoutes } from './compliance.routes.js';
import { intakeRoutes } from './intakes.routes.js';
import { documentRoutes } from './documents.routes.js';
import { photoRoutes } from './photos.routes.js';

/** Consent (templates, signing, compliance), intakes and screening, skin analyses, documents and photos. */
export function consentMediaRoutes(app: ZApp, deps: Deps, guard: Guard) {
  for (const routes of [consentTemplateRoutes, consentRoutes, complianceRoutes, intakeRoutes, documentRoutes, photoRoutes]) routes(app, deps, guard);
}
