/**
 * Recording a treatment session: treatment, practitioner, device, dosage and the face map whose
 * points must add up to the dosage before the session can be saved; PMU specifics for PMU
 * treatments; contraindication alerts for the chosen treatment shown before anything is saved.
 */
import { useEffect, useId, useRef, useState, type RefObject } from 'react';
import { api, asApiError } from '../../lib/api.js';
import { Link, navigate } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { useT } from '../../i18n/i18n.js';
import { useCan, useFormat } from '../../session/session.js';
import { fieldError, Form, SelectField, SubmitButton, text, TextAreaField, TextField } from '../../ui/forms.js';
import { ErrorAlert, Loading } from '../../ui/feedback.js';
import { Card, Page } from '../../ui/layout.js';
import { AreaEditor, useMapSum } from './AreaEditor.js';
import { ScreeningAlerts } from './ScreeningAlerts.js';
import { compact, itemsOf, useClinicFormat } from './shared.js';
import { idOf, type Device, type FacePoint, type Patient, type Practitioner, type ScreeningAlert, type Treatment, type TreatmentSession } from './types.js';
import { PMU_PROCEDURES, pmuProcedureLabel } from './pmu.js';

/** What the API answered for the session just recorded: the chart shows its follow-ups and warnings. */
export interface RecordedSession extends TreatmentSession {
  followups?: { followup_id: string; followup_type: string; scheduled_date: string; notify_flag: boolean }[];
  consent?: { state: string; policy: string; exception_id?: string };
  warnings?: string[];
}
export let lastRecorded: RecordedSession | null = null;

export function SessionForm({ patientId }: { patientId: string }) {
  const t = useT();
  const can = useCan();
  const fmt = useFormat();
  const day = useClinicFormat();
  const patient = useApi<Patient>(`/api/patients/${patientId}`);
  const treatments = useApi<Treatment[] | { items: Treatment[] }>('/api/treatments');
  const practitioners = useApi<Practitioner[] | { items: Practitioner[] }>(can('practitioner.read') ? '/api/practitioners?limit=200' : null);
  const devices = useApi<Device[] | { items: Device[] }>(can('practitioner.read') ? '/api/devices?limit=200' : null);
  const activeTreatments = itemsOf(treatments.data).filter((tr) => tr.is_active !== false);

  const [treatmentId, setTreatmentId] = useState('');
  const treatment = activeTreatments.find((tr) => tr.id === treatmentId);
  const [dosage, setDosage] = useState('');
  const [unit, setUnit] = useState('');
  const [points, setPoints] = useState<FacePoint[]>([]);
  // Screening: critical alerts stop the session unless a practitioner allowed to overrides them with a reason.
  const [alerts, setAlerts] = useState<ScreeningAlert[]>([]);
  const [overriding, setOverriding] = useState(false);
  const [overrideReason, setOverrideReason] = useState('');
  const [refusal, setRefusal] = useState<string | null>(null);
  // The visit opened by a refused attempt is reused when the session is sent again.
  const visitOfAttempt = useRef<string | undefined>(undefined);
  const overrideSection = useRef<HTMLDivElement>(null);
  const critical = alerts.filter((a) => a.severity === 'critical');

  useEffect(() => { if (treatment) setUnit(treatment.default_unit); }, [treatment]);
  useEffect(() => { setAlerts([]); setOverriding(false); setRefusal(null); }, [treatmentId]);

  const dosageValue = dosage.trim() === '' ? null : Number(dosage);
  const isPmu = treatment?.category === 'PMU';
  const needsMap = treatment?.category === 'Injection';
  const sum = useMapSum(points, dosageValue, unit, needsMap);
  const canSubmit = !!treatment && sum.ok;

  async function submit(data: FormData) {
    const override = critical.length > 0 && overriding ? { reason: overrideReason.trim() } : undefined;
    if (override && override.reason.length < 10) throw fieldError('override_reason', t('override.reason_short'));
    setRefusal(null);
    const visitDate = day.today();
    let visitId = visitOfAttempt.current;
    if (!visitId && can('visit.write')) {
      const visit = await api<{ id?: string; visit_id?: string }>('POST', '/api/visits', compact({
        patient_id: patientId, visit_type: 'treatment', visit_date: visitDate, doctor_id: text(data, 'doctor_id'),
      }));
      visitId = visit.id ?? visit.visit_id;
      visitOfAttempt.current = visitId;
    }
    const pmu = isPmu ? compact({
      procedure_type: text(data, 'procedure_type'),
      area_treated: text(data, 'area_treated'),
      duration_min: text(data, 'duration_min') ? Number(text(data, 'duration_min')) : undefined,
      voltage: text(data, 'voltage') ? Number(text(data, 'voltage')) : undefined,
      needle_configuration: text(data, 'needle_configuration'),
      depth: text(data, 'depth'),
      pigment_brand: text(data, 'pigment_brand'),
      pigment_color: text(data, 'pigment_color'),
      lot_number: text(data, 'lot_number'),
    }) : undefined;
    const session = await api<RecordedSession>('POST', '/api/treatment-sessions', compact({
      contraindication_override: override,
      visit_id: visitId,
      patient_id: patientId,
      treatment_id: treatment!.id,
      doctor_id: text(data, 'doctor_id'),
      device_id: text(data, 'device_id'),
      dosage_value: dosageValue ?? undefined,
      dosage_unit: unit || undefined,
      treatment_area: points.length ? points.map((p) => ({ x: p.x, y: p.y, units: p.units, area: p.area })) : undefined,
      pmu: pmu && Object.keys(pmu).length ? pmu : undefined,
      immediate_reaction: text(data, 'immediate_reaction'),
      clinical_notes: text(data, 'clinical_notes'),
    })).catch((err: unknown) => {
      const e = asApiError(err);
      // The API's own reason, shown beside the override as well as at the top of the form.
      if (e.code === 'contraindicated' || e.code === 'override_not_permitted') {
        setRefusal(e.detail);
        // The override is next to the alerts, far above the submit button: bring it into view.
        requestAnimationFrame(() => overrideSection.current?.scrollIntoView({ block: 'center' }));
      }
      throw err;
    });
    lastRecorded = session;
    navigate(`/patients/${patientId}?recorded=${idOf(session)}`);
  }

  return (
    <Page title={t('session.title')} testId="session-page"
      actions={<Link to={`/patients/${patientId}`} className="btn secondary">{t('chart.back')}</Link>}>
      {patient.data && <p className="lead" data-testid="session-patient">{patient.data.full_name} · <span className="mono">{patient.data.code}</span></p>}
      {treatments.error && <ErrorAlert error={treatments.error} />}
      {treatments.loading && !treatments.data ? <Loading /> : (
        <Form action={submit} testId="session-form">
          <Card title={t('session.what')}>
            <div className="row">
              <SelectField label={t('session.treatment')} name="treatment_id" value={treatmentId} required testId="session-treatment"
                onChange={(e) => setTreatmentId(e.target.value)}>
                <option value="">{t('session.choose_treatment')}</option>
                {activeTreatments.map((tr) => (
                  <option key={tr.id} value={tr.id}>{tr.treatment_name}{tr.name_en ? ` · ${tr.name_en}` : ''} ({tr.treatment_id})</option>
                ))}
              </SelectField>
              <SelectField label={t('session.practitioner')} name="doctor_id" testId="session-practitioner" defaultValue="">
                <option value="">—</option>
                {itemsOf(practitioners.data).filter((p) => p.status !== 'inactive').map((p) => (
                  <option key={p.id} value={p.id}>{p.full_name}{p.specialty ? ` · ${p.specialty}` : ''}</option>
                ))}
              </SelectField>
              <SelectField label={t('session.device')} name="device_id" testId="session-device" defaultValue="">
                <option value="">{t('session.no_device')}</option>
                {itemsOf(devices.data).filter((d) => d.status !== 'inactive').map((d) => (
                  <option key={d.id} value={d.id}>{d.device_name} ({d.device_type})</option>
                ))}
              </SelectField>
            </div>
            {treatment && (
              <p className="hint" data-testid="session-treatment-facts">
                {t('session.treatment_facts', {
                  category: t(`category.${categoryKey(treatment.category)}`),
                  price: fmt.money(treatment.base_price_minor ?? treatment.base_price, treatment.currency),
                })}
                {treatment.consent_required && <> · <strong>{t('session.consent_required')}</strong></>}
              </p>
            )}
            {treatment && <ScreeningAlerts key={treatment.id} patientId={patientId} treatmentId={treatment.id} onAlerts={setAlerts} />}
            {(critical.length > 0 || refusal) && (
              <OverrideContraindication sectionRef={overrideSection} allowed={can('contraindication.override')} critical={critical.length > 0} checked={overriding} onChecked={setOverriding}
                reason={overrideReason} onReason={setOverrideReason} refusal={refusal} />
            )}
            <div className="row">
              <TextField label={t('session.dosage')} name="dosage_value" type="number" min="0" step="any" inputMode="decimal"
                value={dosage} onChange={(e) => setDosage(e.target.value)} testId="session-dosage" />
              <TextField label={t('session.unit')} name="dosage_unit" value={unit} onChange={(e) => setUnit(e.target.value)}
                list="dosage-units" testId="session-unit" />
              <datalist id="dosage-units">{['U', 'lines', 'cc', 'ml', 'session', 'shots', 'grafts', 'mg'].map((u) => <option key={u} value={u} />)}</datalist>
            </div>
          </Card>

          <Card title={t('session.map_title')} testId="session-map-card">
            <AreaEditor points={points} onChange={setPoints} dosage={dosageValue} unit={unit} sum={sum} />
          </Card>

          {isPmu && (
            <Card title={t('session.pmu_title')} testId="session-pmu">
              <div className="row">
                <SelectField label={t('pmu.procedure_type')} name="procedure_type" defaultValue={treatment?.procedure_type ?? ''} testId="pmu-procedure">
                  <option value="">—</option>
                  {PMU_PROCEDURES.map((p) => <option key={p} value={p}>{pmuProcedureLabel(t, p)}</option>)}
                </SelectField>
                <TextField label={t('pmu.area_treated')} name="area_treated" testId="pmu-area" />
                <TextField label={t('pmu.duration')} name="duration_min" type="number" min="0" testId="pmu-duration" />
              </div>
              <div className="row">
                <TextField label={t('pmu.voltage')} name="voltage" type="number" step="0.1" min="0" testId="pmu-voltage" />
                <TextField label={t('pmu.needle')} name="needle_configuration" testId="pmu-needle" />
                <TextField label={t('pmu.depth')} name="depth" testId="pmu-depth" />
              </div>
              <div className="row">
                <TextField label={t('pmu.pigment_brand')} name="pigment_brand" testId="pmu-brand" />
                <TextField label={t('pmu.pigment_color')} name="pigment_color" testId="pmu-color" />
                <TextField label={t('pmu.lot')} name="lot_number" testId="pmu-lot" />
              </div>
            </Card>
          )}

          <Card title={t('session.notes_title')}>
            <TextField label={t('session.reaction')} name="immediate_reaction" testId="session-reaction" />
            <TextAreaField label={t('session.notes')} name="clinical_notes" testId="session-notes" />
          </Card>

          <div className="form-actions">
            <SubmitDisabledUnless ok={canSubmit} />
            {!canSubmit && <span className="hint" data-testid="session-blocked">{!treatment ? t('session.choose_treatment_first') : sum.message}</span>}
          </div>
        </Form>
      )}
    </Page>
  );
}

/**
 * Shown when screening found a critical alert: who may override sees a checkbox and the reason
 * (sent as contraindication_override); others are told only a practitioner can. The API's refusal
 * (409 contraindicated, 403 override_not_permitted) is repeated here.
 */
function OverrideContraindication({ sectionRef, allowed, critical, checked, onChecked, reason, onReason, refusal }: {
  sectionRef: RefObject<HTMLDivElement | null>; allowed: boolean; critical: boolean; checked: boolean; onChecked: (v: boolean) => void; reason: string; onReason: (v: string) => void; refusal: string | null;
}) {
  const t = useT();
  const id = useId();
  return (
    <div className="override" ref={sectionRef} data-testid="override-section">
      {critical && <p className="small"><strong>{t(allowed ? 'override.blocked' : 'override.blocked_no_permission')}</strong></p>}
      {refusal && <p className="notice error small" role="alert" data-testid="session-refused">{refusal}</p>}
      {allowed && critical && (
        <>
          <label className="checkbox">
            <input type="checkbox" checked={checked} onChange={(e) => onChecked(e.target.checked)} data-testid="override-checkbox" />
            <span>{t('override.checkbox')}</span>
          </label>
          {checked && (
            <OverrideReason id={id} value={reason} onChange={onReason} />
          )}
        </>
      )}
    </div>
  );
}

function OverrideReason({ id, value, onChange }: { id: string; value: string; onChange: (v: string) => void }) {
  const t = useT();
  const short = value.trim().length > 0 && value.trim().length < 10;
  return (
    <div className={short ? 'field has-error' : 'field'}>
      <label htmlFor={`${id}-reason`}>{t('override.reason')}</label>
      <textarea id={`${id}-reason`} name="override_reason" rows={2} required maxLength={2000} value={value}
        onChange={(e) => onChange(e.target.value)} aria-describedby={`${id}-hint`} data-testid="override-reason" />
      <p id={`${id}-hint`} className="hint">{t('override.reason_hint')}</p>
    </div>
  );
}

/** The submit button, disabled while the record is incomplete (the reason is shown beside it). */
function SubmitDisabledUnless({ ok }: { ok: boolean }) {
  const t = useT();
  if (ok) return <SubmitButton testId="session-submit">{t('session.submit')}</SubmitButton>;
  return <button type="submit" className="btn primary" disabled aria-disabled="true" data-testid="session-submit">{t('session.submit')}</button>;
}

export const CATEGORIES = ['Injection', 'Device', 'Laser', 'PMU', 'Surgery', 'Other'] as const;
export const categoryKey = (c: string) => ((CATEGORIES as readonly string[]).includes(c) ? c : 'Other') as (typeof CATEGORIES)[number];

