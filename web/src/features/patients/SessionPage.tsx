/**
 * One treatment session (/patients/{id}/sessions/{sessionId}): what was recorded, an override of a
 * contraindication when there was one, amending it (a signed session keeps every earlier version:
 * who, when, why, what changed), and the drugs and pigments it used, taken from inventory lots.
 */
import { useState, type ReactNode } from 'react';
import { api, query } from '../../lib/api.js';
import { Link } from '../../lib/router.js';
import { useApi, type Resource } from '../../lib/useApi.js';
import { useT, type MessageKey } from '../../i18n/i18n.js';
import { useCan, useFormat } from '../../session/session.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { ErrorAlert, Loading, Notice } from '../../ui/feedback.js';
import { fieldError, FieldMessage, Form, SelectField, SubmitButton, text, TextAreaField, TextField } from '../../ui/forms.js';
import { Card, Page } from '../../ui/layout.js';
import { areaLabel, FaceMap } from '../clinical/FaceMap.js';
import { compact, Fact, itemsOf, useClinicFormat } from '../clinical/shared.js';
import { zonedInput, zonedInstant } from '../../lib/format.js';
import { AreaEditor, areaOf, pointsOf, useMapSum } from '../clinical/AreaEditor.js';
import { PMU_PROCEDURES, pmuProcedureLabel, pmuSummary } from '../clinical/pmu.js';
import { useMoneyInput } from '../catalog/editing.js';
import { num, type ComplianceException, type Device, type FacePoint, type Lot, type Practitioner, type Product, type TreatmentSession } from '../clinical/types.js';

/** GET /api/treatment-sessions/{id} */
interface SessionDetail extends TreatmentSession {
  practitioner_code?: string | null; device_id?: string | null; device_name?: string | null; device_code?: string | null; device_settings?: Record<string, unknown> | null;
  price_minor?: number | null; currency?: string | null; signed_at?: string | null; clinical_notes_hidden?: boolean; performed_on?: string;
}

/** GET /api/treatment-sessions/{id}/amendments: `previous` is the stored row as it was (column names). */
interface Amendment {
  version: number; changed_fields: string[]; reason: string; amended_by: string | null; amended_by_name: string | null; amended_at: string;
  previous: Record<string, unknown>;
}
interface History { current_version: number; items: Amendment[] }

/** GET /api/treatment-drug-usage */
interface Usage {
  id: string; usage_id?: string; session_id: string; drug_id: string; product_id: string; product_name: string; amount_used: number; unit: string;
  lot_id: string; lot_number: string; expiry_date: string; quantity_on_hand: number; created_at: string;
}
interface RecordedUsage extends Usage { lot_chosen_by: 'named' | 'fefo'; warnings: string[] }

type List<T> = T[] | { items: T[] };
/** The catalogue lists the session page reads once for its parts. */
interface Catalog { practitioners: Resource<List<Practitioner>>; devices: Resource<List<Device>> }

/** Fields an amendment may change, in the order the history shows them. */
const FIELDS = ['performed_at', 'practitioner_id', 'device_id', 'device_settings', 'dosage_value', 'dosage_unit', 'treatment_area', 'pmu',
  'immediate_reaction', 'clinical_notes', 'price_minor', 'currency', 'visit_id'] as const;
type Field = (typeof FIELDS)[number];

/** The current session's value of a field, under the stored row's column name. */
function currentValue(s: SessionDetail, f: Field): unknown {
  if (f === 'practitioner_id') return s.doctor_id ?? null;
  return (s as unknown as Record<string, unknown>)[f] ?? null;
}

export function SessionPage({ patientId, sessionId }: { patientId: string; sessionId: string }) {
  const t = useT();
  const can = useCan();
  const session = useApi<SessionDetail>(`/api/treatment-sessions/${sessionId}`);
  const history = useApi<History>(`/api/treatment-sessions/${sessionId}/amendments`);
  // Practitioners and devices name the history's changes and fill the amendment's choices.
  const practitioners = useApi<List<Practitioner>>(can('practitioner.read') ? '/api/practitioners?limit=200' : null);
  const devices = useApi<List<Device>>(can('practitioner.read') ? '/api/devices?limit=200' : null);
  const catalog: Catalog = { practitioners, devices };
  const overrides = useApi<List<ComplianceException>>(can('consent.read')
    ? `/api/compliance/exceptions${query({ patient_id: patientId, kind: 'contraindication_override', limit: 200 })}` : null);
  const [amending, setAmending] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const back = <Link to={`/patients/${patientId}`} className="btn secondary" data-testid="session-back">{t('chart.back')}</Link>;

  if (session.error) return <Page title={t('sessionpage.details')} actions={back}><ErrorAlert error={session.error} /></Page>;
  const s = session.data;
  if (!s) return <Page title={t('sessionpage.details')} actions={back}><Loading /></Page>;
  if (s.patient_id !== patientId) {
    return <Page title={t('notfound.title')} actions={back}><p className="muted">{t('notfound.title')}</p></Page>;
  }
  const override = itemsOf(overrides.data).find((e) => e.session?.id === s.id);
  const name = s.treatment_name ?? s.treatment_code ?? '';

  return (
    <Page title={t('sessionpage.title', { no: s.session_no, name })} testId="session-detail-page"
      actions={<>
        {can('session.write') && !amending && (
          <button type="button" className="btn primary" onClick={() => { setAmending(true); setSaved(null); }} data-testid="session-amend-start">
            {t('amend.start')}
          </button>
        )}
        {back}
      </>}>
      {override && (
        <div className="notice error" role="status" data-testid="session-override-notice">
          <span className="badge failure">{t('override.badge')}</span>{' '}
          {t('sessionpage.override_notice', {
            alerts: Array.isArray(override.details?.alerts) ? (override.details!.alerts as string[]).join(', ') : '',
            reason: String(override.details?.reason ?? ''),
          })}
        </div>
      )}
      {saved && <Notice tone="success" testId="session-amended">{saved}</Notice>}
      <SessionFacts session={s} />
      {amending && (
        <AmendForm session={s} catalog={catalog} onCancel={() => setAmending(false)} onSaved={(message) => {
          setAmending(false); setSaved(message); session.reload(); history.reload();
        }} />
      )}
      <VersionHistory session={s} catalog={catalog} history={history.data} error={history.error} />
      <DrugUsage session={s} />
    </Page>
  );
}

function SessionFacts({ session: s }: { session: SessionDetail }) {
  const t = useT();
  const fmt = useFormat();
  const day = useClinicFormat();
  const points = Array.isArray(s.treatment_area) ? s.treatment_area as FacePoint[] : [];
  const named = s.treatment_area && !Array.isArray(s.treatment_area) ? Object.entries(s.treatment_area) : [];
  const pmu = s.pmu && Object.keys(s.pmu).length ? Object.entries(s.pmu).filter(([, v]) => v !== null && v !== '') : [];
  const settings = s.device_settings && Object.keys(s.device_settings).length ? Object.entries(s.device_settings) : [];
  return (
    <Card title={t('sessionpage.details')} testId="session-facts">
      <div className="session-body">
        {points.length > 0 && <FaceMap points={points} compact unit={s.dosage_unit ?? undefined} testId="session-map" />}
        <dl className="facts">
          <Fact label={t('sessionpage.performed_at')}>{fmt.dateTime(s.performed_at)}</Fact>
          <Fact label={t('sessionpage.status')}>
            <span data-testid="session-status">{t(s.status === 'draft' ? 'sessionpage.status.draft' : 'sessionpage.status.signed')}</span>
            {' · '}<span data-testid="session-version">{t('sessionpage.version', { version: s.version ?? 1 })}</span>
          </Fact>
          <Fact label={t('sessionpage.practitioner')}>{s.practitioner_name}</Fact>
          <Fact label={t('sessionpage.device')}>{s.device_name}</Fact>
          <Fact label={t('sessionpage.device_settings')}>{settings.length ? settings.map(([k, v]) => `${k}: ${String(v)}`).join(' · ') : null}</Fact>
          <Fact label={t('sessionpage.dosage')}>
            {s.dosage_value !== null && s.dosage_value !== undefined
              ? <span data-testid="session-dosage">{`${day.number(num(s.dosage_value))} ${s.dosage_unit ?? ''}`.trim()}</span> : null}
          </Fact>
          <Fact label={t('sessionpage.area')}>
            {points.length || named.length ? (
              <span className="chips">
                {points.map((p, i) => <span key={i} className="chip">{i + 1}. {areaLabel(t, p.area ?? '')} {Number.isFinite(p.units) && day.number(p.units)}</span>)}
                {named.map(([k, v]) => <span key={k} className="chip">{areaLabel(t, k)}{v !== null && ` ${day.number(Number(v))}`}</span>)}
              </span>
            ) : null}
          </Fact>
          <Fact label={t('sessionpage.pmu')}>{pmu.length ? pmuSummary(t, Object.fromEntries(pmu)) : null}</Fact>
          <Fact label={t('sessionpage.price')}>{s.price_minor !== null && s.price_minor !== undefined ? fmt.money(num(s.price_minor), s.currency ?? undefined) : null}</Fact>
          <Fact label={t('session.reaction')}>{s.immediate_reaction}</Fact>
          <Fact label={t('session.notes')}>{s.clinical_notes ? <span className="prewrap" data-testid="session-notes-text">{s.clinical_notes}</span> : null}</Fact>
        </dl>
      </div>
      {s.clinical_notes_hidden && <p className="hint">{t('sessionpage.notes_hidden')}</p>}
    </Card>
  );
}

/** Only what changed is sent, with the reason the API requires for a signed session. */
function AmendForm({ session: s, catalog, onSaved, onCancel }: {
  session: SessionDetail; catalog: Catalog; onSaved: (message: string) => void; onCancel: () => void;
}) {
  const t = useT();
  const can = useCan();
  const day = useClinicFormat();
  const money = useMoneyInput();
  const { practitioners, devices } = catalog;
  const medical = can('medical.write') && !s.clinical_notes_hidden;

  const storedDosage = s.dosage_value === null || s.dosage_value === undefined ? null : num(s.dosage_value);
  const [dosage, setDosage] = useState(storedDosage === null ? '' : String(storedDosage));
  const [unit, setUnit] = useState(s.dosage_unit ?? '');
  // The area is edited on the face map when every part carries units (the parts must add up to the dosage).
  const storedPoints = pointsOf(s.treatment_area);
  const namedAreas = !!s.treatment_area && !Array.isArray(s.treatment_area);
  const [points, setPoints] = useState<FacePoint[]>(storedPoints ?? []);
  const [areaTouched, setAreaTouched] = useState(false);
  const dosageValue = dosage.trim() === '' ? null : Number(dosage);
  const sum = useMapSum(points, dosageValue, unit, false);
  const performedInput = zonedInput(s.performed_at, day.timezone);
  const pmu = s.pmu as Record<string, unknown> | null | undefined;
  const currency = s.currency ?? money.currency;

  async function save(data: FormData) {
    const reason = text(data, 'reason');
    if (reason.length < 3) throw fieldError('reason', t('amend.reason_hint'));
    if (storedPoints && !sum.ok) throw fieldError('treatment_area', sum.message);
    const body: Record<string, unknown> = {};
    if (dosageValue !== storedDosage) body.dosage_value = dosageValue;
    if ((unit.trim() || null) !== (s.dosage_unit ?? null)) body.dosage_unit = unit.trim() || null;
    if (storedPoints && areaTouched) body.treatment_area = points.length ? areaOf(points, namedAreas) : null;
    const performed = text(data, 'performed_at');
    if (performed && performed !== performedInput) body.performed_at = zonedInstant(performed, day.timezone);
    if (can('practitioner.read')) {
      const pr = text(data, 'doctor_id') || null;
      if (pr !== (s.doctor_id ?? null)) body.doctor_id = pr;
      const dev = text(data, 'device_id') || null;
      if (dev !== (s.device_id ?? null)) body.device_id = dev;
    }
    const priceText = text(data, 'price');
    const price = priceText === '' ? null : money.toMinor(priceText, currency);
    if (price !== null && !Number.isFinite(price)) throw fieldError('price', t('amend.price_invalid', { currency }));
    if (price !== (s.price_minor ?? null)) body.price_minor = price;
    if (pmu) {
      const next = compact({
        procedure_type: text(data, 'procedure_type'), area_treated: text(data, 'area_treated'),
        duration_min: text(data, 'duration_min') ? Number(text(data, 'duration_min')) : undefined,
        voltage: text(data, 'voltage') ? Number(text(data, 'voltage')) : undefined,
        needle_configuration: text(data, 'needle_configuration'), depth: text(data, 'depth'),
        pigment_brand: text(data, 'pigment_brand'), pigment_color: text(data, 'pigment_color'), lot_number: text(data, 'lot_number'),
      });
      if (JSON.stringify(sortedEntries(next)) !== JSON.stringify(sortedEntries(pmu))) body.pmu = Object.keys(next).length ? next : null;
    }
    if (medical) {
      const reaction = text(data, 'immediate_reaction') || null;
      if (reaction !== (s.immediate_reaction ?? null)) body.immediate_reaction = reaction;
      const notes = text(data, 'clinical_notes') || null;
      if (notes !== (s.clinical_notes ?? null)) body.clinical_notes = notes;
    }
    if (!Object.keys(body).length) throw fieldError('reason', t('amend.nothing_changed'));
    const r = await api<{ version: number; amended: boolean; changed_fields: string[] }>('PATCH', `/api/treatment-sessions/${s.id}`, { reason, ...body });
    onSaved(r.amended
      ? t('amend.saved', { version: r.version, fields: r.changed_fields.map((f) => fieldLabel(t, f)).join(', ') })
      : t('amend.unchanged', { version: r.version }));
  }

  const pmuText = (k: string) => (pmu?.[k] === undefined || pmu[k] === null ? '' : String(pmu[k]));
  return (
    <Card title={t('amend.title')} testId="session-amend">
      <p className="hint">{t('amend.intro')}</p>
      <Form action={save} testId="session-amend-form">
        <div className="row">
          <TextField label={t('amendfield.performed_at')} name="performed_at" type="datetime-local" required defaultValue={performedInput}
            hint={t('amend.timezone', { timezone: day.timezone })} testId="amend-performed" />
          {can('practitioner.read') && (
            <SelectField label={t('session.practitioner')} name="doctor_id" defaultValue={s.doctor_id ?? ''} testId="amend-practitioner">
              <option value="">—</option>
              {itemsOf(practitioners.data).map((p) => <option key={p.id} value={p.id}>{p.full_name}</option>)}
            </SelectField>
          )}
          {can('practitioner.read') && (
            <SelectField label={t('session.device')} name="device_id" defaultValue={s.device_id ?? ''} testId="amend-device">
              <option value="">{t('session.no_device')}</option>
              {itemsOf(devices.data).map((d) => <option key={d.id} value={d.id}>{d.device_name} ({d.device_type})</option>)}
            </SelectField>
          )}
        </div>
        <div className="row">
          <TextField label={t('session.dosage')} name="dosage_value" type="number" min="0" step="any" inputMode="decimal"
            value={dosage} onChange={(e) => setDosage(e.target.value)} testId="amend-dosage" />
          <TextField label={t('session.unit')} name="dosage_unit" value={unit} onChange={(e) => setUnit(e.target.value)} testId="amend-unit" />
          <TextField label={t('amend.price', { currency })} name="price" inputMode="decimal" defaultValue={money.toInput(s.price_minor, currency)}
            testId="amend-price" />
        </div>
        {storedPoints ? (
          <fieldset className="amend-area" data-testid="amend-area">
            <legend>{t('amendfield.treatment_area')}</legend>
            <AreaEditor points={points} onChange={(p) => { setPoints(p); setAreaTouched(true); }} dosage={dosageValue} unit={unit} sum={sum} />
            <FieldMessage pointer="/treatment_area" testId="amend-area-error" />
          </fieldset>
        ) : s.treatment_area ? <p className="hint" data-testid="amend-area-fixed">{t('amend.area_without_units')}</p> : null}
        {pmu && (
          <fieldset data-testid="amend-pmu">
            <legend>{t('session.pmu_title')}</legend>
            <div className="row">
              <SelectField label={t('pmu.procedure_type')} name="procedure_type" defaultValue={pmuText('procedure_type')} testId="amend-pmu-procedure">
                <option value="">—</option>
                {!PMU_PROCEDURES.some((p) => p === pmuText('procedure_type')) && pmuText('procedure_type') && (
                  <option value={pmuText('procedure_type')}>{pmuText('procedure_type')}</option>
                )}
                {PMU_PROCEDURES.map((p) => <option key={p} value={p}>{pmuProcedureLabel(t, p)}</option>)}
              </SelectField>
              <TextField label={t('pmu.area_treated')} name="area_treated" defaultValue={pmuText('area_treated')} testId="amend-pmu-area" />
              <TextField label={t('pmu.duration')} name="duration_min" type="number" min="0" defaultValue={pmuText('duration_min')} testId="amend-pmu-duration" />
            </div>
            <div className="row">
              <TextField label={t('pmu.voltage')} name="voltage" type="number" step="0.1" min="0" defaultValue={pmuText('voltage')} testId="amend-pmu-voltage" />
              <TextField label={t('pmu.needle')} name="needle_configuration" defaultValue={pmuText('needle_configuration')} testId="amend-pmu-needle" />
              <TextField label={t('pmu.depth')} name="depth" defaultValue={pmuText('depth')} testId="amend-pmu-depth" />
            </div>
            <div className="row">
              <TextField label={t('pmu.pigment_brand')} name="pigment_brand" defaultValue={pmuText('pigment_brand')} testId="amend-pmu-brand" />
              <TextField label={t('pmu.pigment_color')} name="pigment_color" defaultValue={pmuText('pigment_color')} testId="amend-pmu-color" />
              <TextField label={t('pmu.lot')} name="lot_number" defaultValue={pmuText('lot_number')} testId="amend-pmu-lot" />
            </div>
          </fieldset>
        )}
        {medical && (
          <>
            <TextField label={t('session.reaction')} name="immediate_reaction" defaultValue={s.immediate_reaction ?? ''} testId="amend-reaction" />
            <TextAreaField label={t('session.notes')} name="clinical_notes" defaultValue={s.clinical_notes ?? ''} testId="amend-notes" />
          </>
        )}
        <TextAreaField label={t('amend.reason')} name="reason" hint={t('amend.reason_hint')} required minLength={3} maxLength={1000} rows={2} testId="amend-reason" />
        <div className="form-actions">
          <SubmitButton testId="amend-submit">{t('amend.submit')}</SubmitButton>
          <button type="button" className="btn secondary" onClick={onCancel}>{t('common.cancel')}</button>
        </div>
      </Form>
    </Card>
  );
}

/** An object's entries in key order, for comparing what a form holds with what is stored. */
const sortedEntries = (o: Record<string, unknown>) => Object.entries(o).filter(([, v]) => v !== null && v !== undefined && v !== '')
  .map(([k, v]) => [k, String(v)]).sort(([a], [b]) => (a! < b! ? -1 : 1));

const FIELD_KEYS: Record<Field, MessageKey> = {
  visit_id: 'amendfield.visit_id', practitioner_id: 'amendfield.practitioner_id', device_id: 'amendfield.device_id',
  device_settings: 'amendfield.device_settings', dosage_value: 'amendfield.dosage_value', dosage_unit: 'amendfield.dosage_unit',
  treatment_area: 'amendfield.treatment_area', pmu: 'amendfield.pmu', performed_at: 'amendfield.performed_at',
  immediate_reaction: 'amendfield.immediate_reaction', clinical_notes: 'amendfield.clinical_notes', price_minor: 'amendfield.price_minor',
  currency: 'amendfield.currency',
};
const fieldLabel = (t: ReturnType<typeof useT>, f: string) => ((FIELDS as readonly string[]).includes(f) ? t(FIELD_KEYS[f as Field]) : f.replace(/_/g, ' '));

/** A treatment area as text: "1. Forehead 30 · 2. Left masseter 20" (points) or "Left masseter 20 · Right masseter 20" (named areas). */
function areaText(t: ReturnType<typeof useT>, day: ReturnType<typeof useClinicFormat>, area: unknown): string {
  if (Array.isArray(area)) {
    return (area as { area?: string; units?: number }[])
      .map((p, i) => `${i + 1}. ${areaLabel(t, p.area ?? '')}${typeof p.units === 'number' ? ` ${day.number(p.units)}` : ''}`).join(' · ');
  }
  if (area && typeof area === 'object') {
    return Object.entries(area as Record<string, number | null>).map(([k, u]) => `${areaLabel(t, k)}${u === null ? '' : ` ${day.number(u)}`}`).join(' · ');
  }
  return String(area);
}

/** Newest first: each amendment with who, when, why and each changed field before and after. */
function VersionHistory({ session: s, catalog, history, error }: {
  session: SessionDetail; catalog: Catalog; history?: History; error?: Parameters<typeof ErrorAlert>[0]['error'];
}) {
  const t = useT();
  const fmt = useFormat();
  const day = useClinicFormat();
  const names = new Map(itemsOf(catalog.practitioners.data).map((p) => [p.id, p.full_name]));
  const devices = new Map(itemsOf(catalog.devices.data).map((d) => [d.id, d.device_name]));

  const show = (f: string, v: unknown, currency: unknown): ReactNode => {
    if (v === null || v === undefined || v === '') return <span className="muted">{t('history.empty_value')}</span>;
    if (f === 'performed_at') return fmt.dateTime(String(v));
    if (f === 'practitioner_id') return names.get(String(v)) ?? <span className="mono small">{String(v)}</span>;
    if (f === 'price_minor') return fmt.money(Number(v), typeof currency === 'string' ? currency : undefined);
    if (f === 'dosage_value') return day.number(Number(v));
    if (f === 'device_id') return devices.get(String(v)) ?? <span className="mono small">{String(v)}</span>;
    if (f === 'treatment_area') return areaText(t, day, v);
    if (typeof v === 'object') {
      // PMU specifics and device settings: "voltage: 8 · depth: 0.5 mm".
      return Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== null && x !== '')
        .map(([k, x]) => `${k.replace(/_/g, ' ')}: ${typeof x === 'object' ? JSON.stringify(x) : String(x)}`).join(' · ');
    }
    return <span className="prewrap">{String(v)}</span>;
  };

  const items = [...(history?.items ?? [])].sort((a, b) => b.version - a.version);
  // What each version changed to: the next amendment's `previous`, or the session as it is now.
  const after = (a: Amendment, f: string): unknown => {
    const next = history?.items.find((x) => x.version === a.version + 1);
    return next ? next.previous[f] : currentValue(s, f as Field);
  };
  const currencyAfter = (a: Amendment): unknown => {
    const next = history?.items.find((x) => x.version === a.version + 1);
    return next ? next.previous.currency : s.currency;
  };

  return (
    <Card title={t('history.title')} testId="session-history">
      {error && <ErrorAlert error={error} />}
      {!history && !error ? <Loading /> : items.length === 0 ? <p className="muted" data-testid="history-empty">{t('history.empty')}</p> : (
        <ol className="history">
          {items.map((a) => (
            <li key={a.version} className={a.version === (history?.current_version ?? s.version) ? 'current' : undefined} data-testid="history-entry" data-version={a.version}>
              <div className="history-head">
                <strong>{t(a.version === (history?.current_version ?? s.version) ? 'history.current' : 'history.entry', { version: a.version })}</strong>
                <span className="muted">{t('history.by', { name: a.amended_by_name ?? t('history.unknown_user'), when: fmt.dateTime(a.amended_at) })}</span>
              </div>
              <p><strong>{t('history.reason')}:</strong> <span data-testid="history-reason">{a.reason}</span></p>
              <div className="table-wrap flat">
                <table>
                  <thead><tr><th scope="col">{t('history.field')}</th><th scope="col">{t('history.before')}</th><th scope="col">{t('history.after')}</th></tr></thead>
                  <tbody>
                    {a.changed_fields.map((f) => (
                      <tr key={f} data-testid="history-change" data-field={f}>
                        <th scope="row">{fieldLabel(t, f)}</th>
                        <td className="was" data-testid="history-before">{show(f, a.previous[f], a.previous.currency)}</td>
                        <td data-testid="history-after">{show(f, after(a, f), currencyAfter(a))}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </li>
          ))}
          <li data-testid="history-entry" data-version={1}>
            <div className="history-head">
              <strong>{t('history.entry', { version: 1 })}</strong>
              {s.signed_at && <span className="muted">{t('sessionpage.signed_at')} {fmt.dateTime(s.signed_at)}</span>}
            </div>
          </li>
        </ol>
      )}
    </Card>
  );
}

/** The session's drug and pigment usage; recording takes from a lot (the API picks the earliest-expiring usable one unless named). */
function DrugUsage({ session: s }: { session: SessionDetail }) {
  const t = useT();
  const can = useCan();
  const fmt = useFormat();
  const day = useClinicFormat();
  const usages = useApi<List<Usage>>(can('inventory.read') ? `/api/treatment-drug-usage${query({ session_id: s.id, limit: 200 })}` : null);
  const [recorded, setRecorded] = useState<RecordedUsage | null>(null);
  const [voided, setVoided] = useState<string | null>(null);
  if (!can('inventory.read')) return <Card title={t('usage.title')}><p className="muted">{t('usage.no_access')}</p></Card>;
  const items = itemsOf(usages.data);
  const amount = (u: Usage) => `${day.number(num(u.amount_used))} ${u.unit}`;

  return (
    <Card title={t('usage.title')} testId="session-usage">
      {usages.error && <ErrorAlert error={usages.error} />}
      {recorded && (
        <>
          <Notice tone="success" testId="usage-recorded">
            {t(recorded.lot_chosen_by === 'fefo' ? 'usage.recorded_fefo' : 'usage.recorded_named', {
              amount: amount(recorded), lot: recorded.lot_number, expiry: day.day(recorded.expiry_date),
            })}
          </Notice>
          {recorded.warnings.map((w, i) => <Notice key={i} tone="warning" testId="usage-warning">{w}</Notice>)}
        </>
      )}
      {voided && <Notice tone="success" testId="usage-voided">{t('usage.voided', { lot: voided })}</Notice>}
      {usages.loading && !usages.data ? <Loading /> : items.length === 0 ? <p className="muted" data-testid="usage-empty">{t('usage.empty')}</p> : (
        <div className="table-wrap flat">
          <table className="usage-table">
            <thead>
              <tr>
                <th scope="col">{t('usage.product')}</th>
                <th scope="col" className="num">{t('usage.amount')}</th>
                <th scope="col">{t('usage.lot')}</th>
                <th scope="col">{t('usage.expiry')}</th>
                <th scope="col" className="num">{t('usage.left')}</th>
                <th scope="col">{t('usage.recorded_at')}</th>
                {can('inventory.write') && <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>}
              </tr>
            </thead>
            <tbody>
              {items.map((u) => (
                <tr key={u.id} data-testid="usage-row" data-lot={u.lot_number}>
                  <td>{u.product_name}<div className="muted small mono">{u.drug_id}</div></td>
                  <td className="num">{amount(u)}</td>
                  <td className="lot" data-testid="usage-lot">{u.lot_number}</td>
                  <td className="nowrap">{day.day(u.expiry_date)}</td>
                  <td className="num">{day.number(num(u.quantity_on_hand))} {u.unit}</td>
                  <td className="nowrap">{fmt.dateTime(u.created_at)}</td>
                  {can('inventory.write') && (
                    <td className="row-actions">
                      <ConfirmButton label={t('usage.void')} question={t('usage.void_question', { lot: u.lot_number })} testId="usage-void"
                        onConfirm={async () => {
                          await api('DELETE', `/api/treatment-drug-usage/${u.id}`);
                          setRecorded(null); setVoided(u.lot_number); usages.reload();
                        }} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {can('inventory.write') && <UsageForm sessionId={s.id} onRecorded={(r) => { setVoided(null); setRecorded(r); usages.reload(); }} />}
    </Card>
  );
}

function UsageForm({ sessionId, onRecorded }: { sessionId: string; onRecorded: (u: RecordedUsage) => void }) {
  const t = useT();
  const day = useClinicFormat();
  const products = useApi<List<Product>>('/api/products?active=true&limit=200');
  const [productId, setProductId] = useState('');
  const product = itemsOf(products.data).find((p) => p.id === productId);
  const lots = useApi<List<Lot>>(productId ? `/api/lots${query({ product_id: productId, in_stock: 'true', limit: 200 })}` : null);
  const [formKey, setFormKey] = useState(0);

  async function record(data: FormData) {
    const amount = Number(text(data, 'amount_used'));
    const lotId = text(data, 'lot_id');
    const r = await api<RecordedUsage>('POST', '/api/treatment-drug-usage', {
      session_id: sessionId, drug_id: productId, amount_used: amount, unit: text(data, 'unit') || product?.unit,
      ...(lotId ? { lot_id: lotId } : {}),
    });
    onRecorded(r);
    setProductId('');
    setFormKey((k) => k + 1);
  }

  return (
    <Form key={formKey} action={record} testId="usage-form" className="form">
      {products.error && <ErrorAlert error={products.error} />}
      <div className="row">
        <SelectField label={t('usage.product')} name="drug_id" value={productId} required onChange={(e) => setProductId(e.target.value)} testId="usage-product">
          <option value="">{t('usage.choose_product')}</option>
          {itemsOf(products.data).map((p) => <option key={p.id} value={p.id}>{p.name} ({p.code})</option>)}
        </SelectField>
        <TextField label={t('usage.amount')} name="amount_used" type="number" min="0.01" step="0.01" inputMode="decimal" required testId="usage-amount" />
        <TextField key={product?.id ?? ''} label={t('usage.unit')} name="unit" defaultValue={product?.unit ?? ''} testId="usage-unit" />
      </div>
      <SelectField label={t('usage.lot')} name="lot_id" defaultValue="" testId="usage-lot-select" key={`lots-${productId}`}>
        <option value="">{t('usage.lot_auto')}</option>
        {itemsOf(lots.data).map((l) => (
          <option key={l.id} value={l.id}>
            {t('usage.lot_option', { lot: l.lot_number, expiry: day.day(l.expiry_date), qty: `${day.number(num(l.quantity_on_hand))} ${l.unit ?? ''}`.trim() })}
            {l.expired ? ` · ${t('inventory.expired')}` : ''}
          </option>
        ))}
      </SelectField>
      <div className="form-actions">
        <SubmitButton testId="usage-submit">{t('usage.record')}</SubmitButton>
      </div>
    </Form>
  );
}
