/**
 * /patients/{id}/edit: the patient's own fields. Medical history and allergies are encrypted and
 * every read of them is audited; they appear here only for a role holding medical.write that can
 * also read them (medical.read), so nobody overwrites notes they cannot see. Only the fields that
 * changed are sent; a new phone or email that matches another chart is questioned like a new
 * chart is.
 */
import { useState } from 'react';
import { api, ApiError, asApiError } from '../../lib/api.js';
import { Link, navigate } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { useT } from '../../i18n/i18n.js';
import { useCan } from '../../session/session.js';
import { CheckboxField, Form, SelectField, SubmitButton, text, TextAreaField, TextField } from '../../ui/forms.js';
import { ResourceView } from '../../ui/feedback.js';
import { Page } from '../../ui/layout.js';
import { useClinicFormat } from '../clinical/shared.js';
import { GENDERS, SKIN_TYPES, type Patient } from '../clinical/types.js';
import { changed } from '../catalog/editing.js';

/** The chart's URL after a save: the chart says "saved". */
export const EDITED_PARAM = 'edited';

export function PatientEditForm({ patientId }: { patientId: string }) {
  const patient = useApi<Patient>(`/api/patients/${patientId}`);
  return <ResourceView resource={patient}>{(p) => <EditPatient patient={p} />}</ResourceView>;
}

function EditPatient({ patient: p }: { patient: Patient }) {
  const t = useT();
  const can = useCan();
  const day = useClinicFormat();
  const [duplicate, setDuplicate] = useState(false);
  // The API sends medical fields only to medical.read; editing them also needs medical.write.
  const medicalShown = p.medical_history !== undefined || p.allergy_notes !== undefined;
  const medicalEditable = medicalShown && can('medical.write');
  const chart = `/patients/${p.id}`;

  async function save(data: FormData) {
    const value = (k: string) => text(data, k) || null;
    const next: Record<string, unknown> = {
      full_name: text(data, 'full_name'), gender: value('gender'), date_of_birth: value('date_of_birth'), phone: value('phone'),
      email: value('email'), skin_type: value('skin_type'), emergency_contact: value('emergency_contact'), notes: value('notes'),
      is_active: data.get('is_active') === 'on',
    };
    if (medicalEditable) {
      next.medical_history = value('medical_history');
      next.allergy_notes = value('allergy_notes');
    }
    const body = changed({ ...p, gender: p.gender ?? null, skin_type: p.skin_type ?? null } as Record<string, unknown>, next);
    if (Object.keys(body).length) {
      if (data.get('allow_duplicate') === 'on') body.allow_duplicate = true;
      try {
        await api<Patient>('PATCH', `/api/patients/${p.id}`, body);
      } catch (err) {
        const e = asApiError(err);
        if (e instanceof ApiError && e.code === 'possible_duplicate') setDuplicate(true);
        throw err;
      }
    }
    navigate(`${chart}?${EDITED_PARAM}=1`);
  }

  return (
    <Page title={t('patient_edit.title', { name: p.full_name })} testId="patient-edit-page"
      actions={<Link to={chart} className="btn secondary" data-testid="patient-edit-back">{t('patient_edit.back')}</Link>}>
      <div className="card patient-edit">
        <Form action={save} testId="patient-edit-form" className="form edit-form">
          <p className="muted mono">{p.code}</p>
          <fieldset className="form-section">
            <legend>{t('patient_edit.section_person')}</legend>
            <div className="row">
              <TextField label={t('field.full_name')} name="full_name" required defaultValue={p.full_name} maxLength={200} autoComplete="off" testId="edit-patient-name" />
              <SelectField label={t('patients.gender')} name="gender" defaultValue={p.gender ?? ''} testId="edit-patient-gender">
                <option value="">—</option>
                {GENDERS.map((g) => <option key={g} value={g}>{t(`gender.${g}`)}</option>)}
              </SelectField>
              <TextField label={t('patients.dob')} name="date_of_birth" type="date" max={day.today()} defaultValue={p.date_of_birth ?? ''} testId="edit-patient-dob" />
              <SelectField label={t('patients.skin_type')} name="skin_type" defaultValue={p.skin_type ?? ''} hint={t('patients.skin_type_hint')} testId="edit-patient-skin">
                <option value="">—</option>
                {SKIN_TYPES.map((s) => <option key={s} value={s}>{t('chart.fitzpatrick', { type: s })}</option>)}
              </SelectField>
            </div>
          </fieldset>
          <fieldset className="form-section">
            <legend>{t('patient_edit.section_contact')}</legend>
            <div className="row">
              <TextField label={t('field.phone')} name="phone" type="tel" defaultValue={p.phone ?? ''} maxLength={40} autoComplete="off" testId="edit-patient-phone" />
              <TextField label={t('field.email')} name="email" type="email" defaultValue={p.email ?? ''} maxLength={254} autoComplete="off" testId="edit-patient-email" />
            </div>
            <TextField label={t('patients.emergency_contact')} name="emergency_contact" defaultValue={p.emergency_contact ?? ''} maxLength={300} autoComplete="off"
              hint={t('patient_edit.emergency_hint')} testId="edit-patient-emergency" />
            {duplicate && (
              <CheckboxField label={t('patient_edit.allow_duplicate')} name="allow_duplicate" testId="edit-patient-allow-duplicate" />
            )}
          </fieldset>
          {medicalEditable ? (
            <fieldset className="form-section medical-fields" data-testid="edit-patient-medical">
              <legend>{t('chart.medical')}</legend>
              <p className="hint">{t('patient_edit.medical_hint')}</p>
              <TextAreaField label={t('patients.medical_history')} name="medical_history" defaultValue={p.medical_history ?? ''} rows={4} maxLength={20000}
                testId="edit-patient-history" />
              <TextAreaField label={t('patients.allergies')} name="allergy_notes" defaultValue={p.allergy_notes ?? ''} rows={2} maxLength={5000}
                testId="edit-patient-allergies" />
            </fieldset>
          ) : (
            <p className="hint" data-testid="edit-patient-medical-hidden">{t(medicalShown ? 'patient_edit.medical_read_only' : 'patient_edit.medical_hidden')}</p>
          )}
          <fieldset className="form-section">
            <legend>{t('patient_edit.section_other')}</legend>
            <TextAreaField label={t('patients.notes')} name="notes" defaultValue={p.notes ?? ''} rows={3} maxLength={5000} testId="edit-patient-notes" />
            <CheckboxField label={t('patient_edit.active')} name="is_active" defaultChecked={p.is_active} hint={t('patient_edit.active_hint')} testId="edit-patient-active" />
          </fieldset>
          <div className="form-actions">
            <SubmitButton testId="edit-patient-save">{t('common.save')}</SubmitButton>
            <Link to={chart} className="btn secondary">{t('common.cancel')}</Link>
          </div>
        </Form>
      </div>
    </Page>
  );
}

/** On the chart after a save. */
export function PatientSavedNotice() {
  const t = useT();
  return <p className="notice success" role="status" data-testid="chart-patient-saved">{t('patient_edit.saved')}</p>;
}
