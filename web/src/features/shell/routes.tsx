/**
 * The app's pages and the permissions they need. Navigation shows an entry only when the user
 * holds at least one of its permissions in the acting organization; the API enforces the same.
 */
import type { ReactNode } from 'react';
import type { MessageKey } from '../../i18n/i18n.js';
import { NotAvailable } from './NotAvailable.js';
import { HomePage } from './HomePage.js';
import { MembersPage } from '../admin/MembersPage.js';
import { RolesPage } from '../admin/RolesPage.js';
import { InvitationsPage } from '../admin/InvitationsPage.js';
import { AuditPage } from '../admin/AuditPage.js';
import { OrganizationPage } from '../admin/OrganizationPage.js';
import { ProfilePage } from '../profile/ProfilePage.js';
import { PatientsRoutes } from '../patients/PatientsRoutes.js';
import { TreatmentsPage } from '../catalog/TreatmentsPage.js';
import { InventoryPage } from '../inventory/InventoryPage.js';
import { FollowupsPage } from '../care/FollowupsPage.js';
import { CompliancePage } from '../care/CompliancePage.js';
import { DashboardPage } from '../dashboard/DashboardPage.js';
import { GrowthIndex, LeadsRoutes } from '../growth/GrowthRoutes.js';
import { PipelinePage } from '../growth/PipelinePage.js';
import { CampaignsPage } from '../growth/CampaignsPage.js';
import { FunnelPage } from '../growth/FunnelPage.js';
import { CommissionsPage } from '../growth/CommissionsPage.js';
import { IntegrationsPage } from '../growth/IntegrationsPage.js';
import '../clinical/clinic.css';

export interface AppRoute {
  path: string;
  label: MessageKey;
  /** Any one of these permissions opens the page; empty = every signed-in member. */
  anyOf: string[];
  /** Where the entry sits in the navigation; omitted = reached from elsewhere (the user menu). */
  group?: 'work' | 'growth' | 'settings';
  /** The page also answers the paths below it (/patients/{id}/...). */
  nested?: boolean;
  render: () => ReactNode;
}

/** A context of DESIGN.md whose screens are not built yet. */
const upcoming = (path: string, label: MessageKey, anyOf: string[]): AppRoute => ({
  path, label, anyOf, group: 'work', render: () => <NotAvailable title={label} />,
});

export const ROUTES: AppRoute[] = [
  { path: '/', label: 'nav.home', anyOf: [], group: 'work', render: () => <HomePage /> },
  { path: '/patients', label: 'nav.patients', anyOf: ['patient.read'], group: 'work', nested: true, render: () => <PatientsRoutes /> },
  upcoming('/calendar', 'nav.calendar', ['appointment.read']),
  { path: '/treatments', label: 'nav.treatments', anyOf: ['treatment.read'], group: 'work', render: () => <TreatmentsPage /> },
  { path: '/inventory', label: 'nav.inventory', anyOf: ['inventory.read'], group: 'work', render: () => <InventoryPage /> },
  { path: '/care', label: 'nav.care', anyOf: ['followup.read'], group: 'work', render: () => <FollowupsPage /> },
  { path: '/care/compliance', label: 'care.nav.compliance', anyOf: ['consent.read'], group: 'work', render: () => <CompliancePage /> },
  upcoming('/marketplace', 'nav.marketplace', ['inquiry.read', 'quote.read', 'platform.admin']),
  upcoming('/billing', 'nav.billing', ['payment.read', 'commission.read']),
  upcoming('/messages', 'nav.messages', ['message.read']),
  { path: '/dashboards', label: 'nav.dashboards', anyOf: ['dashboard.read'], group: 'work', render: () => <DashboardPage /> },
  { path: '/growth', label: 'nav.growth', anyOf: ['lead.read', 'campaign.read', 'commission.read'], render: () => <GrowthIndex /> },
  { path: '/growth/pipeline', label: 'growth.nav.pipeline', anyOf: ['lead.read'], group: 'growth', render: () => <PipelinePage /> },
  { path: '/growth/leads', label: 'growth.nav.leads', anyOf: ['lead.read'], group: 'growth', nested: true, render: () => <LeadsRoutes /> },
  { path: '/growth/campaigns', label: 'growth.nav.campaigns', anyOf: ['campaign.read'], group: 'growth', render: () => <CampaignsPage /> },
  { path: '/growth/funnel', label: 'growth.nav.funnel', anyOf: ['campaign.read'], group: 'growth', render: () => <FunnelPage /> },
  { path: '/growth/commissions', label: 'growth.nav.commissions', anyOf: ['commission.read'], group: 'growth', render: () => <CommissionsPage /> },
  { path: '/growth/integrations', label: 'growth.nav.integrations', anyOf: ['campaign.read'], group: 'growth', render: () => <IntegrationsPage /> },
  { path: '/settings/organization', label: 'nav.organization', anyOf: ['org.read'], group: 'settings', render: () => <OrganizationPage /> },
  { path: '/settings/members', label: 'nav.members', anyOf: ['member.read'], group: 'settings', render: () => <MembersPage /> },
  { path: '/settings/roles', label: 'nav.roles', anyOf: ['member.read'], group: 'settings', render: () => <RolesPage /> },
  { path: '/settings/invitations', label: 'nav.invitations', anyOf: ['member.manage'], group: 'settings', render: () => <InvitationsPage /> },
  { path: '/settings/audit', label: 'nav.audit', anyOf: ['audit.read'], group: 'settings', render: () => <AuditPage /> },
  { path: '/profile', label: 'nav.profile', anyOf: [], render: () => <ProfilePage /> },
];

export const findRoute = (path: string): AppRoute | undefined =>
  ROUTES.find((r) => r.path === path) ?? ROUTES.find((r) => r.nested && path.startsWith(`${r.path}/`));
