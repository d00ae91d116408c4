/**
 * Records a skin analysis (POST /api/patients/{id}/analyses): the Fitzpatrick type and the findings
 * as named measurements ({ method, hydration_pct, sebum, sensitivity, pigmentation, assessment }),
 * which the API keeps encrypted, and optionally the scanner's report or image (uploaded as a scan file).
 * Empty fields are left out; at least one finding is required.
 */
import { api, uploadFile } from '../../lib/api.js';
import { useT } from '../../i18n/i18n.js';
import { FieldMessage, fieldError, Form, SelectField, SubmitButton, text, TextAreaField, TextField } from '../../ui/forms.js';
import { Card } from '../../ui/layout.js';
import { SKIN_TYPES } from '../clinical/types.js';
import { useClinicFormat } from '../clinical/shared.js';
import { FINDING_FIELDS, wallClockIso, type Answers, type SkinAnalysis } from './intake-labels.js';

const SENSITIVITY = ['low', 'moderate', 'high'] as const;

export function SkinAnalysisForm({ patientId, onSaved }: { patientId: string; onSaved: (a: SkinAnalysis) => void }) {
  const t = useT();
  const { timezone } = useClinicFormat();

  async function save(data: FormData, form: HTMLFormElement) {
    const findings: Answers = {};
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
    const analyzedAt = wallClockIso(text(data, 'analyzed_at'), timezone);
    const skinType = text(data, 'skin_type');
    // The scanner's report or image, when one is attached: uploaded first, then named by the analysis.
    const file = data.get('file');
    const stored = file instanceof File && file.size > 0 ? await uploadFile(file, { kind: 'scan', entityType: 'patient', entityId: patientId }) : null;
    const saved = await api<SkinAnalysis>('POST', `/api/patients/${patientId}/analyses`, {
      findings, ...(skinType ? { skin_type: skinType } : {}), ...(analyzedAt ? { analyzed_at: analyzedAt } : {}), ...(stored ? { file_id: stored.id } : {}),
    });
    form.reset();
    onSaved(saved);
  }

  return (
    <Card title={t('analysis.new_title')} testId="analysis-form-card">
      <Form action={save} testId="analysis-form">
        <div className="row">
          <TextField label={t('analysis.field.analyzed_at')} name="analyzed_at" type="datetime-local" hint={t('intake.field.completed_at_hint')}
            testId="analysis-analyzed-at" />
          <SelectField label={t('analysis.field.skin_type')} name="skin_type" defaultValue="" testId="analysis-skin-type">
            <option value="">—</option>
            {SKIN_TYPES.map((s) => <option key={s} value={s}>{t('chart.fitzpatrick', { type: s })}</option>)}
          </SelectField>
        </div>
        <div className="row">
          <TextField label={t('analysis.field.method')} name="method" pointer="/findings/method" hint={t('analysis.field.method_hint')} maxLength={2000}
            testId="analysis-method" />
          <TextField label={t('analysis.field.hydration_pct')} name="hydration_pct" pointer="/findings/hydration_pct" type="number" min={0} max={100}
            step="any" inputMode="decimal" testId="analysis-hydration" />
        </div>
        <div className="row">
          <TextField label={t('analysis.field.sebum')} name="sebum" pointer="/findings/sebum" maxLength={2000} testId="analysis-sebum" />
          <SelectField label={t('analysis.field.sensitivity')} name="sensitivity" pointer="/findings/sensitivity" defaultValue="" testId="analysis-sensitivity">
            <option value="">—</option>
            {SENSITIVITY.map((s) => <option key={s} value={s}>{t(`analysis.sensitivity.${s}`)}</option>)}
          </SelectField>
          <TextField label={t('analysis.field.pigmentation')} name="pigmentation" pointer="/findings/pigmentation" maxLength={2000} testId="analysis-pigmentation" />
        </div>
        <TextAreaField label={t('analysis.field.assessment')} name="assessment" pointer="/findings/assessment" hint={t('analysis.field.assessment_hint')}
          maxLength={2000} testId="analysis-assessment" />
        <FieldMessage pointer="/findings" testId="analysis-findings-error" />
        <TextField type="file" label={t('analysis.field.file')} name="file" hint={t('analysis.field.file_hint')}
          accept="application/pdf,image/jpeg,image/png,image/webp" testId="analysis-file" />
        <div className="form-actions"><SubmitButton testId="analysis-submit">{t('analysis.submit')}</SubmitButton></div>
      </Form>
    </Card>
  );
}
