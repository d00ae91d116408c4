/**
 * Contraindication alerts for a patient and a treatment (the flags of the patient's latest intakes
 * against the treatment's contraindications and ingredients), shown before a session is recorded
 * and on the chart for the treatments the patient receives.
 */
import { useEffect } from 'react';
import { useApi } from '../../lib/useApi.js';
import { query } from '../../lib/api.js';
import { useT } from '../../i18n/i18n.js';
import { useCan } from '../../session/session.js';
import type { ScreeningAlert } from './types.js';

interface Screening { patient_id: string; treatment_id: string; treatment_code: string; intake_ids: string[]; alerts: ScreeningAlert[] }

/**
 * `quiet`: say nothing when there is nothing to say (the chart); otherwise confirm the all-clear (the session form).
 * `onAlerts`: told the alerts once they are known (the session form offers the override for critical ones).
 */
export function ScreeningAlerts({ patientId, treatmentId, quiet = false, onAlerts }: {
  patientId: string; treatmentId: string; quiet?: boolean; onAlerts?: (alerts: ScreeningAlert[]) => void;
}) {
  const t = useT();
  const can = useCan();
  const screening = useApi<Screening>(can('medical.read') ? `/api/patients/${patientId}/screening${query({ treatment_id: treatmentId })}` : null);
  const alerts = screening.data?.alerts ?? [];
  useEffect(() => { if (screening.data) onAlerts?.(screening.data.alerts); }, [screening.data, onAlerts]);
  if (!screening.data) return null;
  if (!alerts.length) return quiet ? null : <p className="notice success small" data-testid="screening-clear">{t('screening.clear')}</p>;
  return (
    <div className="alerts" data-testid="screening-alerts" role="alert">
      {alerts.map((a) => (
        <div key={a.key} className={`notice ${a.severity === 'critical' ? 'error' : 'warning'}`} data-testid="screening-alert" data-severity={a.severity}>
          <strong>{t(a.severity === 'critical' ? 'screening.critical' : 'screening.warning')}</strong> {a.message}
        </div>
      ))}
    </div>
  );
}
