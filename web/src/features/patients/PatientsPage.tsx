import { useState } from 'react';
import { api, ApiError } from '../../lib/api.js';
import { Link, navigate } from '../../lib/router.js';
import { usePaged } from '../../lib/usePaged.js';
import { useT } from '../../i18n/i18n.js';
import { useCan } from '../../session/session.js';
import { Form, SelectField, SubmitButton, text, TextAreaField, TextField } from '../../ui/forms.js';
import { EmptyState, ErrorAlert, Loading } from '../../ui/feedback.js';
import { Card, Page } from '../../ui/layout.js';
import { LoadMore } from '../admin/LoadMore.js';
import { compact, useClinicFormat } from '../clinical/shared.js';
import { GENDERS, SKIN_TYPES, type Patient } from '../clinical/types.js';

/** The patient list with search (name, code, phone, email) and the new-patient form. */
export function PatientsPage() {
  const t = useT();
  const can = useCan();
  const day = useClinicFormat();
  const [q, setQ] = useState('');
  const [creating, setCreating] = useState(false);
  const patients = usePaged<Patient>('/api/patients', { q: q || undefined });

  return (
    <Page title={t('patients.title')} testId="patients-page"
      actions={can('patient.write') && !creating && (
        <button type="button" className="btn primary" onClick={() => setCreating(true)} data-testid="patient-new">{t('patients.new')}</button>
      )}>
      {creating && <NewPatientForm onCancel={() => setCreating(false)} />}
      <Form action={async (data) => setQ(text(data, 'q'))} className="filters" testId="patients-search">
        <TextField label={t('patients.search')} name="q" type="search" testId="patients-q" />
        <SubmitButton variant="secondary" testId="patients-search-submit">{t('common.search')}</SubmitButton>
      </Form>
      {patients.error && <ErrorAlert error={patients.error} />}
      {patients.items.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="patients-table">
            <thead>
              <tr>
                <th scope="col">{t('patients.name')}</th>
                <th scope="col">{t('patients.code')}</th>
                <th scope="col">{t('patients.dob')}</th>
                <th scope="col">{t('patients.contact')}</th>
                <th scope="col">{t('patients.skin_type')}</th>
                <th scope="col">{t('patients.status')}</th>
              </tr>
            </thead>
            <tbody>
              {patients.items.map((p) => (
                <tr key={p.id} data-testid="patient-row" data-code={p.code}>
                  <td>
                    <Link to={`/patients/${p.id}`} data-testid="patient-link"><strong>{p.full_name}</strong></Link>
                    {p.gender && <div className="muted small">{t(`gender.${p.gender}`)}</div>}
                  </td>
                  <td className="mono nowrap">{p.code}</td>
                  <td className="nowrap">{p.date_of_birth ? day.day(p.date_of_birth) : '—'}</td>
                  <td className="small">{[p.phone, p.email].filter(Boolean).join(' · ') || '—'}</td>
                  <td>{p.skin_type ?? '—'}</td>
                  <td><span className={`badge ${p.is_active ? 'active' : 'suspended'}`}>{t(p.is_active ? 'patients.active' : 'patients.inactive')}</span></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : patients.loading ? <Loading /> : !patients.error && (
        <EmptyState title={t(q ? 'patients.no_match' : 'patients.empty')} testId="patients-empty" />
      )}
      <LoadMore list={patients} testId="patients-load-more" />
    </Page>
  );
}

/** Creates a chart; a duplicate phone or email is refused by the API with a message naming the field. */
function NewPatientForm({ onCancel }: { onCancel: () => void }) {
  const t = useT();
  const can = useCan();
  const [duplicate, setDuplicate] = useState(false);
  async function create(data: FormData) {
    const created = await api<Patient>('POST', '/api/patients', compact({
      allow_duplicate: data.get('allow_duplicate') === 'on' ? true : undefined,
      full_name: text(data, 'full_name'),
      gender: text(data, 'gender'),
      date_of_birth: text(data, 'date_of_birth'),
      phone: text(data, 'phone'),
      email: text(data, 'email'),
      skin_type: text(data, 'skin_type'),
      emergency_contact: text(data, 'emergency_contact'),
      medical_history: text(data, 'medical_history'),
      allergy_notes: text(data, 'allergy_notes'),
      notes: text(data, 'notes'),
    })).catch((err: unknown) => {
      // A live chart with the same phone or email: the API says which; the person may still be someone else.
      if (err instanceof ApiError && err.code === 'possible_duplicate') setDuplicate(true);
      throw err;
    });
    navigate(`/patients/${created.id}`);
  }
  return (
    <Card title={t('patients.new')} testId="patient-form-card">
      <Form action={create} testId="patient-form">
        <div className="row">
          <TextField label={t('field.full_name')} name="full_name" required autoComplete="off" testId="patient-name" />
          <SelectField label={t('patients.gender')} name="gender" testId="patient-gender" defaultValue="">
            <option value="">—</option>
            {GENDERS.map((g) => <option key={g} value={g}>{t(`gender.${g}`)}</option>)}
          </SelectField>
          <TextField label={t('patients.dob')} name="date_of_birth" type="date" testId="patient-dob" />
        </div>
        <div className="row">
          <TextField label={t('field.phone')} name="phone" type="tel" autoComplete="off" testId="patient-phone" />
          <TextField label={t('field.email')} name="email" type="email" autoComplete="off" testId="patient-email" />
          <SelectField label={t('patients.skin_type')} name="skin_type" testId="patient-skin" defaultValue="" hint={t('patients.skin_type_hint')}>
            <option value="">—</option>
            {SKIN_TYPES.map((s) => <option key={s} value={s}>{s}</option>)}
          </SelectField>
        </div>
        <TextField label={t('patients.emergency_contact')} name="emergency_contact" autoComplete="off" />
        {can('medical.write') && (
          <div className="row">
            <TextAreaField label={t('patients.medical_history')} name="medical_history" testId="patient-history" />
            <TextAreaField label={t('patients.allergies')} name="allergy_notes" testId="patient-allergies" />
          </div>
        )}
        <TextAreaField label={t('patients.notes')} name="notes" testId="patient-notes" />
        {duplicate && (
          <label className="checkbox" data-testid="patient-allow-duplicate">
            <input type="checkbox" name="allow_duplicate" />
            <span>{t('patients.allow_duplicate')}</span>
          </label>
        )}
        <div className="form-actions">
          <SubmitButton testId="patient-submit">{t('patients.create')}</SubmitButton>
          <button type="button" className="btn secondary" onClick={onCancel}>{t('common.cancel')}</button>
        </div>
      </Form>
    </Card>
  );
}
