/** The clinical context's public surface: visits and treatment sessions. Other modules import from here only. */
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import type { Guard } from '../identity/index.js';
import { visitRoutes } from './visits.routes.js';
import { sessionRoutes } from './sessions.routes.js';

export { findSession, type SessionRow } from './sessions.service.js';
export { localDate, orgSettings, type OrgSettings } from './org-time.js';
export { checkAreaUnits, TreatmentArea } from './treatment-area.js';

export function clinicalRoutes(app: ZApp, deps: Deps, guard: Guard) {
  visitRoutes(app, deps, guard);
  sessionRoutes(app, deps, guard);
}
