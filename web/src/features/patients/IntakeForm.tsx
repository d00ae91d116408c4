/**
 * Records an intake questionnaire or a PMU contraindication form (POST /api/patients/{id}/intakes).
 * The answers use the keys the API derives flags from; every yes/no question is sent as true or
 * false, so "no" is on record as an answer. Errors from the API show under the field they name
 * (`/answers/allergies`, `/completed_at`).
 */
import { useState } from 'react';
import { api } from '../../lib/api.js';
import { useT } from '../../i18n/i18n.js';
import { CheckboxField, fieldError, Form, SelectField, SubmitButton, text, TextAreaField, TextField } from '../../ui/forms.js';
import { Card } from '../../ui/layout.js';
import { useClinicFormat } from '../clinical/shared.js';
import { answerLabel, PMU_YES_NO, wallClockIso, YES_NO_SECTIONS, type Answers, type Intake, type IntakeKind } from './intake-labels.js';

export function IntakeForm({ patientId, onSaved }: { patientId: string; onSaved: (intake: Intake) => void }) {
  const t = useT();
  const { timezone } = useClinicFormat();
  const [kind, setKind] = useState<IntakeKind>('intake');
  const yesNo = (key: string) => (
    <CheckboxField key={key} label={answerLabel(t, key)} name={key} pointer={`/answers/${key}`} testId={`intake-q-${key}`} />
  );

  async function save(data: FormData, form: HTMLFormElement) {
    const answers: Answers = {};
    for (const key of YES_NO_SECTIONS.flatMap((s) => s.keys)) answers[key] = data.get(key) === 'on';
    if (kind === 'contraindication') for (const key of PMU_YES_NO) answers[key] = data.get(key) === 'on';
    for (const key of ['allergies', 'medications', 'concerns', 'previous_aesthetic_treatments', 'notes', ...(kind === 'contraindication' ? ['previous_pmu'] : [])]) {
      const v = text(data, key);
      if (v) answers[key] = v;
    }
    const weeks = text(data, 'pregnancy_weeks');
    if (weeks) {
      const n = Number(weeks);
      if (!Number.isInteger(n) || n < 1 || n > 45) throw fieldError('answers/pregnancy_weeks', t('intake.q.pregnancy_weeks_invalid'));
      answers.pregnancy_weeks = n;
    }
    const completedAt = wallClockIso(text(data, 'completed_at'), timezone);
    const saved = await api<Intake>('POST', `/api/patients/${patientId}/intakes`, { kind, answers, ...(completedAt ? { completed_at: completedAt } : {}) });
    form.reset();
    setKind('intake');
    onSaved(saved);
  }

  return (
    <Card title={t('intake.new_title')} testId="intake-form-card">
      <Form action={save} testId="intake-form">
        <div className="row">
          <SelectField label={t('intake.field.kind')} name="kind" value={kind} onChange={(e) => setKind(e.target.value as IntakeKind)}
            hint={t('intake.field.kind_hint')} testId="intake-kind">
            <option value="intake">{t('intake.kind.intake')}</option>
            <option value="contraindication">{t('intake.kind.contraindication')}</option>
          </SelectField>
          <TextField label={t('intake.field.completed_at')} name="completed_at" type="datetime-local" hint={t('intake.field.completed_at_hint')}
            testId="intake-completed-at" />
        </div>
        {YES_NO_SECTIONS.map((s) => (
          <fieldset key={s.section} className="checkbox-group intake-questions" data-testid={`intake-section-${s.section.split('.').pop()}`}>
            <legend>{t(s.section)}</legend>
            {s.section === 'intake.section.allergies' && (
              <div className="intake-wide">
                <TextField label={t('intake.q.allergies')} name="allergies" pointer="/answers/allergies" hint={t('intake.q.allergies_hint')}
                  maxLength={2000} testId="intake-allergies" />
                <TextField label={t('intake.q.medications')} name="medications" pointer="/answers/medications" hint={t('intake.q.medications_hint')}
                  maxLength={2000} testId="intake-medications" />
              </div>
            )}
            {s.keys.map(yesNo)}
            {s.section === 'intake.section.pregnancy' && (
              <TextField label={t('intake.q.pregnancy_weeks')} name="pregnancy_weeks" pointer="/answers/pregnancy_weeks" type="number" min={1} max={45}
                inputMode="numeric" fieldClass="intake-short" testId="intake-pregnancy-weeks" />
            )}
          </fieldset>
        ))}
        {kind === 'contraindication' && (
          <fieldset className="checkbox-group intake-questions" data-testid="intake-section-pmu">
            <legend>{t('intake.section.pmu')}</legend>
            {PMU_YES_NO.map(yesNo)}
            <div className="intake-wide">
              <TextField label={t('intake.q.previous_pmu')} name="previous_pmu" pointer="/answers/previous_pmu" maxLength={2000} testId="intake-previous-pmu" />
            </div>
          </fieldset>
        )}
        <fieldset className="checkbox-group" data-testid="intake-section-notes">
          <legend>{t('intake.section.notes')}</legend>
          <div className="form stack">
            <TextField label={t('intake.q.concerns')} name="concerns" pointer="/answers/concerns" maxLength={2000} testId="intake-concerns" />
            <TextField label={t('intake.q.previous_aesthetic_treatments')} name="previous_aesthetic_treatments" pointer="/answers/previous_aesthetic_treatments"
              maxLength={2000} testId="intake-previous" />
            <TextAreaField label={t('intake.q.notes')} name="notes" pointer="/answers/notes" maxLength={2000} testId="intake-notes" />
          </div>
        </fieldset>
        <div className="form-actions"><SubmitButton testId="intake-submit">{t('intake.submit')}</SubmitButton></div>
      </Form>
    </Card>
  );
}
