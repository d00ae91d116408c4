/**
 * Records an intake questionnaire or a PMU contraindication form (POST /api/patients/{id}/intakes),
 * or corrects one (PATCH /api/intakes/{id}: the same form prefilled, plus the reason the API
 * requires; the earlier version is kept by the API). The answers use the keys the API derives flags
 * from; every yes/no question is sent as true or false, so "no" is on record as an answer. Errors
 * from the API show under the field they name (`/answers/allergies`, `/completed_at`, `/reason`).
 */
import { useState } from 'react';
import { zonedInstant } from '../../lib/format.js';
import { api } from '../../lib/api.js';
import { zonedInput } from '../../lib/format.js';
import { useT } from '../../i18n/i18n.js';
import { useFormat } from '../../session/session.js';
import { CheckboxField, fieldError, Form, SelectField, SubmitButton, text, TextAreaField, TextField } from '../../ui/forms.js';
import { Card } from '../../ui/layout.js';
import { useClinicFormat } from '../clinical/shared.js';
import { answerLabel, PMU_YES_NO, YES_NO_SECTIONS, type Answers, type AnswerValue, type Intake, type IntakeKind } from './intake-labels.js';

const TEXT_KEYS = ['allergies', 'medications', 'concerns', 'previous_aesthetic_treatments', 'notes'];

/** Other keys the API reads as the same question (records/intake-flags.ts): a correction answers the form's own key. */
const ALIASES: Record<string, string[]> = {
  anticoagulants: ['blood_thinners'], keloid: ['keloid_history'], active_infection: ['skin_infection'], isotretinoin_6m: ['isotretinoin', 'accutane'],
  neuromuscular_disorder: ['myasthenia_gravis'], herpes_simplex: ['cold_sores'], recent_tan: ['recent_sun_exposure'],
};

/** As the API reads a yes/no answer (records/intake-flags.ts isYes). */
const isYes = (v: AnswerValue | undefined) =>
  v === true || v === 1 || (typeof v === 'string' && ['yes', 'y', 'true', '1', '是', '有'].includes(v.trim().toLowerCase()));
const answeredYes = (a: Answers, key: string) => [key, ...(ALIASES[key] ?? [])].some((k) => isYes(a[k]));
const asText = (v: AnswerValue | undefined) => (v === undefined || v === null ? '' : Array.isArray(v) ? v.join(', ') : String(v));

/** `intake` given: corrects that intake (its full answers, as read through GET /api/intakes/{id}). */
export function IntakeForm({ patientId, onSaved, intake, onCancel }: {
  patientId: string; onSaved: (intake: Intake) => void; intake?: Intake; onCancel?: () => void;
}) {
  const t = useT();
  const fmt = useFormat();
  const { timezone } = useClinicFormat();
  const [kind, setKind] = useState<IntakeKind>(intake?.kind ?? 'intake');
  const before = intake?.answers ?? {};
  const yesNo = (key: string) => (
    <CheckboxField key={key} label={answerLabel(t, key)} name={key} pointer={`/answers/${key}`} testId={`intake-q-${key}`}
      defaultChecked={intake ? answeredYes(before, key) : undefined} />
  );
  const prefill = (key: string) => (intake ? { defaultValue: asText(before[key]) } : {});
  const completedInput = intake ? zonedInput(intake.completed_at, timezone) : '';

  async function save(data: FormData, form: HTMLFormElement) {
    const reason = text(data, 'reason');
    if (intake && reason.length < 3) throw fieldError('reason', t('intake.edit.reason_hint'));
    // A correction keeps the answers this form does not ask (other keys, the PMU questions of a form now filed as an intake).
    const answers: Answers = {};
    if (intake) {
      const asked = new Set([...YES_NO_SECTIONS.flatMap((s) => s.keys), ...TEXT_KEYS, 'pregnancy_weeks', ...(kind === 'contraindication' ? [...PMU_YES_NO, 'previous_pmu'] : [])]);
      const aliases = new Set([...asked].flatMap((k) => ALIASES[k] ?? []));
      for (const [k, v] of Object.entries(before)) if (!asked.has(k) && !aliases.has(k)) answers[k] = v;
    }
    for (const key of YES_NO_SECTIONS.flatMap((s) => s.keys)) answers[key] = data.get(key) === 'on';
    if (kind === 'contraindication') for (const key of PMU_YES_NO) answers[key] = data.get(key) === 'on';
    for (const key of [...TEXT_KEYS, ...(kind === 'contraindication' ? ['previous_pmu'] : [])]) {
      const v = text(data, key);
      if (v) answers[key] = v;
    }
    const weeks = text(data, 'pregnancy_weeks');
    if (weeks) {
      const n = Number(weeks);
      if (!Number.isInteger(n) || n < 1 || n > 45) throw fieldError('answers/pregnancy_weeks', t('intake.q.pregnancy_weeks_invalid'));
      answers.pregnancy_weeks = n;
    }
    // A correction sends the time only when it was changed (the field shows minutes, the record has seconds).
    const when = text(data, 'completed_at');
    const completedAt = !when || (intake && when === completedInput) ? undefined : zonedInstant(when, timezone);
    if (intake) {
      onSaved(await api<Intake>('PATCH', `/api/intakes/${intake.id}`, { reason, kind, answers, ...(completedAt ? { completed_at: completedAt } : {}) }));
      return;
    }
    const saved = await api<Intake>('POST', `/api/patients/${patientId}/intakes`, { kind, answers, ...(completedAt ? { completed_at: completedAt } : {}) });
    form.reset();
    setKind('intake');
    onSaved(saved);
  }

  const title = intake
    ? t('intake.edit.title', { kind: t(intake.kind === 'contraindication' ? 'intake.kind.contraindication' : 'intake.kind.intake'), date: fmt.dateTime(intake.completed_at) })
    : t('intake.new_title');
  return (
    <Card title={title} testId={intake ? 'intake-edit-card' : 'intake-form-card'}>
      {intake && <p className="hint">{t('intake.edit.intro')}</p>}
      <Form action={save} testId={intake ? 'intake-edit-form' : 'intake-form'}>
        <div className="row">
          <SelectField label={t('intake.field.kind')} name="kind" value={kind} onChange={(e) => setKind(e.target.value as IntakeKind)}
            hint={t('intake.field.kind_hint')} testId="intake-kind">
            <option value="intake">{t('intake.kind.intake')}</option>
            <option value="contraindication">{t('intake.kind.contraindication')}</option>
          </SelectField>
          <TextField label={t('intake.field.completed_at')} name="completed_at" type="datetime-local"
            hint={intake ? t('intake.edit.completed_at_hint') : t('intake.field.completed_at_hint')}
            defaultValue={intake ? completedInput : undefined} testId="intake-completed-at" />
        </div>
        {YES_NO_SECTIONS.map((s) => (
          <fieldset key={s.section} className="checkbox-group intake-questions" data-testid={`intake-section-${s.section.split('.').pop()}`}>
            <legend>{t(s.section)}</legend>
            {s.section === 'intake.section.allergies' && (
              <div className="intake-wide">
                <TextField label={t('intake.q.allergies')} name="allergies" pointer="/answers/allergies" hint={t('intake.q.allergies_hint')}
                  maxLength={2000} {...prefill('allergies')} testId="intake-allergies" />
                <TextField label={t('intake.q.medications')} name="medications" pointer="/answers/medications" hint={t('intake.q.medications_hint')}
                  maxLength={2000} {...prefill('medications')} testId="intake-medications" />
              </div>
            )}
            {s.keys.map(yesNo)}
            {s.section === 'intake.section.pregnancy' && (
              <TextField label={t('intake.q.pregnancy_weeks')} name="pregnancy_weeks" pointer="/answers/pregnancy_weeks" type="number" min={1} max={45}
                inputMode="numeric" fieldClass="intake-short" {...prefill('pregnancy_weeks')} testId="intake-pregnancy-weeks" />
            )}
          </fieldset>
        ))}
        {kind === 'contraindication' && (
          <fieldset className="checkbox-group intake-questions" data-testid="intake-section-pmu">
            <legend>{t('intake.section.pmu')}</legend>
            {PMU_YES_NO.map(yesNo)}
            <div className="intake-wide">
              <TextField label={t('intake.q.previous_pmu')} name="previous_pmu" pointer="/answers/previous_pmu" maxLength={2000} {...prefill('previous_pmu')}
                testId="intake-previous-pmu" />
            </div>
          </fieldset>
        )}
        <fieldset className="checkbox-group" data-testid="intake-section-notes">
          <legend>{t('intake.section.notes')}</legend>
          <div className="form stack">
            <TextField label={t('intake.q.concerns')} name="concerns" pointer="/answers/concerns" maxLength={2000} {...prefill('concerns')} testId="intake-concerns" />
            <TextField label={t('intake.q.previous_aesthetic_treatments')} name="previous_aesthetic_treatments" pointer="/answers/previous_aesthetic_treatments"
              maxLength={2000} {...prefill('previous_aesthetic_treatments')} testId="intake-previous" />
            <TextAreaField label={t('intake.q.notes')} name="notes" pointer="/answers/notes" maxLength={2000} {...prefill('notes')} testId="intake-notes" />
          </div>
        </fieldset>
        {intake && (
          <TextAreaField label={t('intake.edit.reason')} name="reason" hint={t('intake.edit.reason_hint')} required minLength={3} maxLength={1000} rows={2}
            testId="intake-edit-reason" />
        )}
        <div className="form-actions">
          <SubmitButton testId="intake-submit">{intake ? t('intake.edit.submit') : t('intake.submit')}</SubmitButton>
          {onCancel && <button type="button" className="btn secondary" onClick={onCancel} data-testid="intake-edit-cancel">{t('common.cancel')}</button>}
        </div>
      </Form>
    </Card>
  );
}
