/**
 * Recording a visit from the chart (seed 000 VISIT): a consultation or a follow-up visit without a
 * session, or a treatment visit; the date on the clinic's calendar (today by default), the
 * practitioner seen and notes. Sessions recorded from the session form open their own visit.
 */
import { api } from '../../lib/api.js';
import { useApi } from '../../lib/useApi.js';
import { useT } from '../../i18n/i18n.js';
import { useCan } from '../../session/session.js';
import { Form, SelectField, SubmitButton, text, TextAreaField, TextField } from '../../ui/forms.js';
import { Card } from '../../ui/layout.js';
import { compact, itemsOf, useClinicFormat } from '../clinical/shared.js';
import type { Practitioner } from '../clinical/types.js';

export const VISIT_TYPES = ['consultation', 'follow_up', 'treatment'] as const;

export function VisitForm({ patientId, onSaved, onCancel }: { patientId: string; onSaved: () => void; onCancel: () => void }) {
  const t = useT();
  const can = useCan();
  const day = useClinicFormat();
  const practitioners = useApi<Practitioner[] | { items: Practitioner[] }>(can('practitioner.read') ? '/api/practitioners?limit=200' : null);

  async function save(data: FormData) {
    await api('POST', '/api/visits', compact({
      patient_id: patientId, visit_type: text(data, 'visit_type'), visit_date: text(data, 'visit_date'),
      practitioner_id: text(data, 'practitioner_id'), notes: text(data, 'notes'),
    }));
    onSaved();
  }

  return (
    <Card title={t('visitform.title')} testId="visit-form-card">
      <Form action={save} testId="visit-form">
        <div className="row">
          <SelectField label={t('visitform.type')} name="visit_type" defaultValue="consultation" testId="visit-type">
            {VISIT_TYPES.map((v) => <option key={v} value={v}>{t(`visit.${v}`)}</option>)}
          </SelectField>
          <TextField label={t('visitform.date')} name="visit_date" type="date" required defaultValue={day.today()} testId="visit-date" />
          {can('practitioner.read') && (
            <SelectField label={t('session.practitioner')} name="practitioner_id" defaultValue="" testId="visit-practitioner">
              <option value="">—</option>
              {itemsOf(practitioners.data).filter((p) => p.status !== 'inactive').map((p) => (
                <option key={p.id} value={p.id}>{p.full_name}{p.specialty ? ` · ${p.specialty}` : ''}</option>
              ))}
            </SelectField>
          )}
        </div>
        <TextAreaField label={t('visitform.notes')} name="notes" maxLength={10_000} rows={3} hint={t('visitform.notes_hint')} testId="visit-notes" />
        <div className="form-actions">
          <SubmitButton testId="visit-submit">{t('visitform.submit')}</SubmitButton>
          <button type="button" className="btn secondary" onClick={onCancel}>{t('common.cancel')}</button>
        </div>
      </Form>
    </Card>
  );
}
