/** /growth (opens the first page the member may see) and /growth/leads/{id} (a lead). */
import { useEffect } from 'react';
import { navigate, useLocation } from '../../lib/router.js';
import { useCan } from '../../session/session.js';
import { LeadDetail } from './LeadDetail.js';
import { LeadsPage } from './LeadsPage.js';
import { GROWTH_PAGES } from './shared.js';
import './growth.css';

export function GrowthIndex() {
  const can = useCan();
  const first = GROWTH_PAGES.find((p) => can(...p.anyOf));
  useEffect(() => { if (first) navigate(first.path, { replace: true }); }, [first]);
  return null;
}

export function LeadsRoutes() {
  const { path } = useLocation();
  const [, , , id] = path.split('/');
  // Keyed by lead: opening another lead starts afresh.
  return id ? <LeadDetail key={id} leadId={id} /> : <LeadsPage />;
}
