/** The insight context's public surface: owner dashboards. Other modules import from here only. */
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import type { Guard } from '../identity/index.js';
import { dashboardRoutes } from './dashboards.routes.js';

export { treatmentPerformance, followupRisk, retention, revenueByProcedureType, popularPigments } from './dashboards.service.js';

export function insightRoutes(app: ZApp, deps: Deps, guard: Guard) {
  dashboardRoutes(app, deps, guard);
}
