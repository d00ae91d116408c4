/**
 * Records a skin analysis (POST /api/patients/{id}/analyses): the Fitzpatrick type and the findings
 * as named measurements ({ method, hydration_pct, sebum, sensitivity, pigmentation, assessment }),
 * which the API keeps encrypted, and optionally the scanner's report or image (uploaded as a scan file).
 * Empty fields are left out; at least one finding is required.
 * With `analysis`, corrects it (PATCH /api/analyses/{id}): prefilled, with the reason the API requires;
 * findings this form does not name are kept, and a file chosen here replaces the attached one.
 */
import { zonedInstant } from '../../lib/format.js';
import { api, uploadFile } from '../../lib/api.js';
import { zonedInput } from '../../lib/format.js';
import { useT } from '../../i18n/i18n.js';
import { useFormat } from '../../session/session.js';
import { FieldMessage, fieldError, Form, SelectField, SubmitButton, text, TextAreaField, TextField } from '../../ui/forms.js';
import { Card } from '../../ui/layout.js';
import { SKIN_TYPES } from '../clinical/types.js';
import { useClinicFormat } from '../clinical/shared.js';
import { FINDING_FIELDS, type Answers, type SkinAnalysis } from './intake-labels.js';

const SENSITIVITY = ['low', 'moderate', 'high'] as const;

export function SkinAnalysisForm({ patientId, onSaved, analysis, onCancel }: {
  patientId: string; onSaved: (a: SkinAnalysis) => void; analysis?: SkinAnalysis; onCancel?: () => void;
}) {
  const t = useT();
  const fmt = useFormat();
  const { timezone } = useClinicFormat();
  // Free-text findings (from the API) are corrected in the assessment field.
  const before: Answers = !analysis ? {} : typeof analysis.findings === 'string' ? { assessment: analysis.findings } : analysis.findings;
  const prefill = (key: string) => (analysis ? { defaultValue: before[key] === undefined || before[key] === null ? '' : String(before[key]) } : {});
  const analyzedInput = analysis ? zonedInput(analysis.analyzed_at, timezone) : '';
  const recordedSensitivity = before.sensitivity === undefined || before.sensitivity === null ? '' : String(before.sensitivity);
  const otherSensitivity = recordedSensitivity && !(SENSITIVITY as readonly string[]).includes(recordedSensitivity) ? recordedSensitivity : null;

  async function save(data: FormData, form: HTMLFormElement) {
    const reason = text(data, 'reason');
    if (analysis && reason.length < 3) throw fieldError('reason', t('analysis.edit.reason_hint'));
    const findings: Answers = {};
    if (analysis) for (const [k, v] of Object.entries(before)) if (!(FINDING_FIELDS as readonly string[]).includes(k)) findings[k] = v;
    // In the order of the form, which is the order they are shown in.
    for (const key of FINDING_FIELDS) {
      const v = text(data, key);
      if (!v) continue;
      if (key === 'hydration_pct') {
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0 || n > 100) throw fieldError('findings/hydration_pct', t('analysis.hydration_invalid'));
        findings[key] = n;
      } else findings[key] = v;
    }
    if (!Object.keys(findings).length) throw fieldError('findings', t('analysis.need_findings'));
    const when = text(data, 'analyzed_at');
    const analyzedAt = !when || (analysis && when === analyzedInput) ? undefined : zonedInstant(when, timezone);
    const skinType = text(data, 'skin_type');
    // The scanner's report or image, when one is attached: uploaded first, then named by the analysis.
    const file = data.get('file');
    const stored = file instanceof File && file.size > 0 ? await uploadFile(file, { kind: 'scan', entityType: 'patient', entityId: patientId }) : null;
    if (analysis) {
      // Text findings stay text when only the assessment was corrected.
      const onlyText = typeof analysis.findings === 'string' && Object.keys(findings).length === 1 && typeof findings.assessment === 'string';
      onSaved(await api<SkinAnalysis>('PATCH', `/api/analyses/${analysis.id}`, {
        reason, findings: onlyText ? findings.assessment : findings, skin_type: skinType || null,
        ...(analyzedAt ? { analyzed_at: analyzedAt } : {}), ...(stored ? { file_id: stored.id } : {}),
      }));
      return;
    }
    const saved = await api<SkinAnalysis>('POST', `/api/patients/${patientId}/analyses`, {
      findings, ...(skinType ? { skin_type: skinType } : {}), ...(analyzedAt ? { analyzed_at: analyzedAt } : {}), ...(stored ? { file_id: stored.id } : {}),
    });
    form.reset();
    onSaved(saved);
  }

  return (
    <Card title={analysis ? t('analysis.edit.title', { date: fmt.dateTime(analysis.analyzed_at) }) : t('analysis.new_title')}
      testId={analysis ? 'analysis-edit-card' : 'analysis-form-card'}>
      {analysis && <p className="hint">{t('analysis.edit.intro')}</p>}
      <Form action={save} testId={analysis ? 'analysis-edit-form' : 'analysis-form'}>
        <div className="row">
          <TextField label={t('analysis.field.analyzed_at')} name="analyzed_at" type="datetime-local"
            hint={analysis ? t('intake.edit.completed_at_hint') : t('intake.field.completed_at_hint')}
            defaultValue={analysis ? analyzedInput : undefined} testId="analysis-analyzed-at" />
          <SelectField label={t('analysis.field.skin_type')} name="skin_type" defaultValue={analysis?.skin_type ?? ''} testId="analysis-skin-type">
            <option value="">—</option>
            {SKIN_TYPES.map((s) => <option key={s} value={s}>{t('chart.fitzpatrick', { type: s })}</option>)}
          </SelectField>
        </div>
        <div className="row">
          <TextField label={t('analysis.field.method')} name="method" pointer="/findings/method" hint={t('analysis.field.method_hint')} maxLength={2000}
            {...prefill('method')} testId="analysis-method" />
          <TextField label={t('analysis.field.hydration_pct')} name="hydration_pct" pointer="/findings/hydration_pct" type="number" min={0} max={100}
            step="any" inputMode="decimal" {...prefill('hydration_pct')} testId="analysis-hydration" />
        </div>
        <div className="row">
          <TextField label={t('analysis.field.sebum')} name="sebum" pointer="/findings/sebum" maxLength={2000} {...prefill('sebum')} testId="analysis-sebum" />
          <SelectField label={t('analysis.field.sensitivity')} name="sensitivity" pointer="/findings/sensitivity" defaultValue={recordedSensitivity}
            testId="analysis-sensitivity">
            <option value="">—</option>
            {SENSITIVITY.map((s) => <option key={s} value={s}>{t(`analysis.sensitivity.${s}`)}</option>)}
            {/* A value recorded in other words (through the API) stays selectable as it was. */}
            {otherSensitivity && <option value={otherSensitivity}>{otherSensitivity}</option>}
          </SelectField>
          <TextField label={t('analysis.field.pigmentation')} name="pigmentation" pointer="/findings/pigmentation" maxLength={2000} {...prefill('pigmentation')}
            testId="analysis-pigmentation" />
        </div>
        <TextAreaField label={t('analysis.field.assessment')} name="assessment" pointer="/findings/assessment" hint={t('analysis.field.assessment_hint')}
          maxLength={2000} {...prefill('assessment')} testId="analysis-assessment" />
        <FieldMessage pointer="/findings" testId="analysis-findings-error" />
        <TextField type="file" label={analysis?.file_id ? t('analysis.edit.file') : t('analysis.field.file')} name="file"
          hint={analysis?.file_id ? t('analysis.edit.file_hint') : t('analysis.field.file_hint')}
          accept="application/pdf,image/jpeg,image/png,image/webp" testId="analysis-file" />
        {analysis && (
          <TextAreaField label={t('intake.edit.reason')} name="reason" hint={t('analysis.edit.reason_hint')} required minLength={3} maxLength={1000} rows={2}
            testId="analysis-edit-reason" />
        )}
        <div className="form-actions">
          <SubmitButton testId="analysis-submit">{analysis ? t('intake.edit.submit') : t('analysis.submit')}</SubmitButton>
          {onCancel && <button type="button" className="btn secondary" onClick={onCancel} data-testid="analysis-edit-cancel">{t('common.cancel')}</button>}
        </div>
      </Form>
    </Card>
  );
}
