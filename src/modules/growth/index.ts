/**
 * The growth context's public surface (seed 004 MedSpa Growth Hub, seed 003 leads and campaigns):
 * leads and the pipeline, campaigns and spend, KPI and journey events, attribution and the funnel,
 * lead scoring, commissions, lead intake (web form, ad click, inbound message), GoHighLevel sync
 * and retention. Every body a growth route receives is screened for PHI before validation.
 */
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import type { Guard } from '../identity/index.js';
import { rejectPhi } from './phi.js';
import { leadRoutes } from './leads.routes.js';
import { campaignRoutes } from './campaigns.routes.js';
import { funnelRoutes } from './funnel.routes.js';
import { commissionRoutes } from './commissions.routes.js';
import { intakeRoutes } from './intake.routes.js';
import { crmRoutes } from './crm.routes.js';
import { exportRoutes } from './exports.routes.js';

export { attributeRevenue, reviseRevenue, type RevenueInput } from './attribution.js';
export { growthJobs, startGrowthRetention } from './retention.js';
export { assertNoPhi, findPhi } from './phi.js';

export function growthRoutes(app: ZApp, deps: Deps, guard: Guard): void {
  app.register(async (scope) => {
    const g = scope as unknown as ZApp;
    g.addHook('preValidation', rejectPhi);
    leadRoutes(g, deps, guard);
    campaignRoutes(g, deps, guard);
    funnelRoutes(g, deps, guard);
    commissionRoutes(g, deps, guard);
    intakeRoutes(g, deps, guard);
    crmRoutes(g, deps, guard);
    exportRoutes(g, deps, guard);
  });
}
