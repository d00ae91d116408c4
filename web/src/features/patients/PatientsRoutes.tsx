/** /patients, /patients/{id} (the chart) and the chart's pages: session, consent, photos, intakes, sessions/{sessionId}. */
import { Link, useLocation } from '../../lib/router.js';
import { useT } from '../../i18n/i18n.js';
import { useCan } from '../../session/session.js';
import { EmptyState } from '../../ui/feedback.js';
import { Page } from '../../ui/layout.js';
import { SessionForm } from '../clinical/SessionForm.js';
import { ConsentPage } from './ConsentPage.js';
import { DocumentsPage } from './DocumentsPage.js';
import { IntakesPage } from './IntakesPage.js';
import { PatientChart } from './PatientChart.js';
import { PatientEditForm } from './PatientEditForm.js';
import { PatientsPage } from './PatientsPage.js';
import { PhotosPage } from './PhotosPage.js';
import { SessionPage } from './SessionPage.js';

export function PatientsRoutes() {
  const { path } = useLocation();
  const can = useCan();
  const [, , id, sub, ...rest] = path.split('/');
  if (!id) return <PatientsPage />;
  // /patients/{id}/sessions/{sessionId}: a session, its version history and its drug usage.
  if (sub === 'sessions' && rest.length === 1 && rest[0]) {
    return can('session.read') ? <SessionPage key={rest[0]} patientId={id} sessionId={rest[0]} /> : <Denied />;
  }
  if (rest.length) return <Missing />;
  // Keyed by patient: opening another chart starts afresh.
  switch (sub) {
    case undefined: case '': return <PatientChart key={id} patientId={id} />;
    case 'session': return can('session.write') ? <SessionForm key={id} patientId={id} /> : <Denied />;
    case 'consent': return can('consent.write') ? <ConsentPage key={id} patientId={id} /> : <Denied />;
    case 'photos': return can('photo.read') ? <PhotosPage key={id} patientId={id} /> : <Denied />;
    // Shows its own notice without medical.read (intakes are medical data; the chart is not).
    case 'intakes': return can('patient.read') ? <IntakesPage key={id} patientId={id} /> : <Denied />;
    case 'documents': return can('patient.read') ? <DocumentsPage key={id} patientId={id} /> : <Denied />;
    case 'edit': return can('patient.write') ? <PatientEditForm key={id} patientId={id} /> : <Denied />;
    default: return <Missing />;
  }
}

function Denied() {
  const t = useT();
  return <Page title={t('noaccess.title')}><EmptyState title={t('noaccess.title')} testId="no-access"><p>{t('noaccess.body')}</p></EmptyState></Page>;
}

function Missing() {
  const t = useT();
  return <Page title={t('notfound.title')}><EmptyState title={t('notfound.title')}><p><Link to="/patients">{t('nav.patients')}</Link></p></EmptyState></Page>;
}
