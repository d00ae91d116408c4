/**
 * The catalogue side of the clinic: treatments with prices and follow-up rules, practitioners, and
 * devices with their maintenance cycle (what is due, and recording a maintenance). Holders of
 * treatment.manage / practitioner.manage create, change and retire entries here; a form opens in
 * place of the row it changes, and the API's message for a field shows under that field.
 */
import { useState } from 'react';
import { api } from '../../lib/api.js';
import { useApi } from '../../lib/useApi.js';
import { useT } from '../../i18n/i18n.js';
import { useCan, useFormat } from '../../session/session.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { CheckboxField, fieldError, FieldMessage, Form, SelectField, SubmitButton, text, TextAreaField, TextField } from '../../ui/forms.js';
import { EmptyState, ErrorAlert, Loading } from '../../ui/feedback.js';
import { Page } from '../../ui/layout.js';
import { compact, daysBetween, itemsOf, TabLinks, useClinicFormat, useTab } from '../clinical/shared.js';
import type { Device, Practitioner, Treatment } from '../clinical/types.js';
import { changed, FormHeading, useEditing, useFlash, useMoneyInput } from './editing.js';

const TABS = ['catalogue', 'practitioners', 'devices'] as const;

/** What the API accepts (catalog.schema.ts, followup-rules.ts, directory services). */
export const CATEGORIES = ['Injection', 'Device', 'Laser', 'PMU', 'Surgery', 'Other'] as const;
export const DOSAGE_UNITS = ['U', 'lines', 'cc', 'ml', 'session', 'shots', 'grafts', 'mg'] as const;
export const FOLLOWUP_TYPES = ['medical', 'maintenance', 'reminder', 'touch_up'] as const;
export const PRACTITIONER_KINDS = ['doctor', 'nurse', 'pmu_artist', 'surgeon', 'therapist', 'other'] as const;
export const PRACTITIONER_STATUSES = ['active', 'inactive'] as const;
export const DEVICE_TYPES = ['HIFU', 'RF', 'Laser', 'IPL', 'Microneedling', 'PMU_Machine', 'Other'] as const;
export const DEVICE_STATUSES = ['active', 'inactive', 'in_repair'] as const;

const pick = <T extends string>(list: readonly T[], v: string | null | undefined, fallback: T): T => (list as readonly string[]).includes(v ?? '') ? v as T : fallback;
const categoryKey = (c: string) => pick(CATEGORIES, c, 'Other');
const followupKey = (v: string) => pick(FOLLOWUP_TYPES, v, 'reminder');

type TreatmentRow = Treatment & { code?: string; name?: string };
type DeviceRow = Device & { serial_no?: string | null };

export function TreatmentsPage() {
  const t = useT();
  const can = useCan();
  const tab = useTab(TABS);
  const tabs = [
    { value: 'catalogue' as const, label: t('catalog.treatments') },
    ...(can('practitioner.read') ? [{ value: 'practitioners' as const, label: t('catalog.practitioners') }, { value: 'devices' as const, label: t('catalog.devices') }] : []),
  ];
  return (
    <Page title={t('catalog.title')} testId="treatments-page">
      <TabLinks base="/treatments" current={tab} label={t('catalog.title')} tabs={tabs} testId="catalog-tabs" />
      {tab === 'catalogue' || !can('practitioner.read') ? <Catalogue /> : tab === 'practitioners' ? <Practitioners /> : <Devices />}
    </Page>
  );
}

function Catalogue() {
  const t = useT();
  const can = useCan();
  const fmt = useFormat();
  const manage = can('treatment.manage');
  const list = useApi<Treatment[]>('/api/treatments');
  const editing = useEditing();
  const flash = useFlash();
  const rows = itemsOf(list.data);

  const saved = (row: Treatment, created: boolean) => {
    editing.close();
    flash.show(t(created ? 'catalog.form.created' : 'catalog.form.saved', { name: row.treatment_name }));
    list.reload();
  };
  const retire = async (row: Treatment) => {
    await api('DELETE', `/api/treatments/${row.id}`);
    flash.show(t('catalog.form.retired', { name: row.treatment_name }));
    list.reload();
  };

  if (list.error) return <ErrorAlert error={list.error} />;
  if (!list.data) return <Loading />;
  return (
    <>
      {flash.view}
      {manage && editing.open !== 'new' && (
        <div className="toolbar">
          <button type="button" className="btn primary" data-focus-key="new" onClick={() => { flash.clear(); editing.setOpen('new'); }} data-testid="treatment-new">
            {t('catalog.form.new')}
          </button>
        </div>
      )}
      {editing.open === 'new' && (
        <section className="card edit-card" aria-labelledby="treatment-new-title">
          <TreatmentForm titleId="treatment-new-title" onSaved={(row) => saved(row, true)} onCancel={editing.close} />
        </section>
      )}
      {!rows.length ? <EmptyState title={t('catalog.no_treatments')} /> : (
        <div className="table-wrap">
          <table data-testid="treatments-table">
            <thead>
              <tr>
                <th scope="col">{t('catalog.treatment')}</th>
                <th scope="col">{t('catalog.category')}</th>
                <th scope="col">{t('catalog.unit')}</th>
                <th scope="col" className="num">{t('catalog.price')}</th>
                <th scope="col">{t('catalog.followup_rules')}</th>
                {manage && <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((tr) => editing.open === tr.id ? (
                <tr key={tr.id} className="editing"><td colSpan={manage ? 6 : 5}>
                  <TreatmentForm treatment={tr} titleId={`treatment-edit-${tr.id}`} onSaved={(row) => saved(row, false)} onCancel={editing.close} />
                </td></tr>
              ) : (
                <tr key={tr.id} data-testid="treatment-row" data-code={tr.treatment_id} data-active={tr.is_active === false ? 'no' : 'yes'}>
                  <td>
                    <strong>{tr.treatment_name}</strong>{tr.name_en && <span className="muted"> · {tr.name_en}</span>}
                    <div className="muted small mono">{tr.treatment_id}</div>
                    {tr.consent_required && <span className="badge pending">{t('catalog.consent_required')}</span>}
                    {tr.is_active === false && <span className="badge">{t('patients.inactive')}</span>}
                  </td>
                  <td>{t(`category.${categoryKey(tr.category)}`)}</td>
                  <td>{tr.default_unit}</td>
                  <td className="num nowrap" data-testid="treatment-price">{fmt.money(tr.base_price_minor ?? tr.base_price, tr.currency)}</td>
                  <td className="small">
                    {(tr.followup_rules ?? []).map((r, i) => (
                      <span key={i} className="chip">{t('catalog.rule', { type: t(`followup.type.${followupKey(r.type)}`), days: r.after_days })}</span>
                    ))}
                    {!(tr.followup_rules ?? []).length && '—'}
                  </td>
                  {manage && (
                    <td className="row-actions">
                      <button type="button" className="btn small secondary" data-focus-key={tr.id} onClick={() => { flash.clear(); editing.setOpen(tr.id); }}
                        aria-label={t('catalog.form.edit_named', { name: tr.treatment_name })} data-testid="treatment-edit">{t('common.edit')}</button>
                      <ConfirmButton label={t('catalog.form.retire')} question={t('catalog.form.retire_question', { name: tr.treatment_name })}
                        onConfirm={() => retire(tr)} testId="treatment-retire" />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

interface RuleDraft { key: number; type: (typeof FOLLOWUP_TYPES)[number]; after_days: string; notify: boolean }
let ruleKey = 0;

/** Create (no `treatment`) or change a treatment; only the fields that changed are sent. */
function TreatmentForm({ treatment, titleId, onSaved, onCancel }: {
  treatment?: TreatmentRow; titleId: string; onSaved: (row: Treatment) => void; onCancel: () => void;
}) {
  const t = useT();
  const money = useMoneyInput();
  const [currency, setCurrency] = useState(treatment?.currency ?? money.currency);
  const [rules, setRules] = useState<RuleDraft[]>(() => (treatment?.followup_rules ?? []).map((r) => ({
    key: ++ruleKey, type: followupKey(r.type), after_days: String(r.after_days), notify: r.notify !== false,
  })));
  const cur = /^[A-Za-z]{3}$/.test(currency) ? currency.toUpperCase() : money.currency;

  const setRule = (key: number, patch: Partial<RuleDraft>) => setRules((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  async function save(data: FormData) {
    const value = (k: string) => text(data, k) || null;
    const priceText = text(data, 'base_price_minor');
    const price = priceText ? money.toMinor(priceText, cur) : 0;
    if (!Number.isFinite(price)) throw fieldError('base_price_minor', t('catalog.form.price_invalid', { currency: cur }));
    const next: Record<string, unknown> = {
      code: text(data, 'code'), name: text(data, 'name'), name_en: value('name_en'), category: text(data, 'category'),
      default_unit: text(data, 'default_unit'), base_price_minor: price, currency: text(data, 'currency').toUpperCase() || cur,
      description: value('description'), is_active: data.get('is_active') === 'on', consent_required: data.get('consent_required') === 'on',
      followup_rules: rules.map((r) => ({ type: r.type, after_days: r.after_days.trim() === '' ? null : Number(r.after_days), notify: r.notify })),
    };
    const row = treatment
      ? await patch(treatment, next)
      : await api<Treatment>('POST', '/api/treatments', compact(next));
    onSaved(row);
  }
  async function patch(tr: TreatmentRow, next: Record<string, unknown>): Promise<Treatment> {
    const before = {
      code: tr.treatment_id, name: tr.treatment_name, name_en: tr.name_en ?? null, category: tr.category, default_unit: tr.default_unit,
      base_price_minor: tr.base_price_minor, currency: tr.currency, description: tr.description ?? null, is_active: tr.is_active !== false,
      consent_required: tr.consent_required === true, followup_rules: (tr.followup_rules ?? []).map((r) => ({ type: r.type, after_days: r.after_days, notify: r.notify !== false })),
    };
    const body = changed(before, next);
    // A price is read in its currency: a new currency sends the price along.
    if ('currency' in body) body.base_price_minor = next.base_price_minor;
    return Object.keys(body).length ? api<Treatment>('PATCH', `/api/treatments/${tr.id}`, body) : tr;
  }

  return (
    <Form action={save} testId="treatment-form" className="form edit-form">
      <FormHeading id={titleId} title={treatment ? t('catalog.form.edit_named', { name: treatment.treatment_name }) : t('catalog.form.new')} />
      <div className="row">
        <TextField label={t('catalog.form.code')} name="code" required defaultValue={treatment?.treatment_id ?? ''} maxLength={40} autoComplete="off"
          hint={t('catalog.form.code_hint')} testId="treatment-code" autoFocus className="mono" />
        <TextField label={t('catalog.form.name')} name="name" required defaultValue={treatment?.treatment_name ?? ''} maxLength={200} testId="treatment-name" />
        <TextField label={t('catalog.form.name_en')} name="name_en" defaultValue={treatment?.name_en ?? ''} maxLength={200} testId="treatment-name-en" />
      </div>
      <div className="row">
        <SelectField label={t('catalog.category')} name="category" defaultValue={treatment?.category ?? 'Injection'} testId="treatment-category">
          {CATEGORIES.map((c) => <option key={c} value={c}>{t(`category.${c}`)}</option>)}
        </SelectField>
        <SelectField label={t('catalog.form.default_unit')} name="default_unit" defaultValue={treatment?.default_unit ?? 'U'} testId="treatment-unit">
          {DOSAGE_UNITS.map((u) => <option key={u} value={u}>{u}</option>)}
        </SelectField>
        <TextField label={t('catalog.form.price_in', { currency: cur })} name="base_price_minor" inputMode="decimal"
          defaultValue={money.toInput(treatment?.base_price_minor ?? null, treatment?.currency ?? cur)}
          hint={treatment?.base_price_minor !== undefined ? t('catalog.form.price_now', { price: money.format(treatment.base_price_minor, treatment.currency) }) : t('catalog.form.price_hint')}
          testId="treatment-price-input" />
        <TextField label={t('catalog.form.currency')} name="currency" value={currency} onChange={(e) => setCurrency(e.target.value)} maxLength={3}
          autoCapitalize="characters" className="mono" testId="treatment-currency" />
      </div>
      <TextAreaField label={t('catalog.form.description')} name="description" defaultValue={treatment?.description ?? ''} maxLength={5000} rows={2}
        testId="treatment-description" />
      <div className="checks">
        <CheckboxField label={t('catalog.form.active')} name="is_active" defaultChecked={treatment?.is_active !== false} hint={t('catalog.form.active_hint')}
          testId="treatment-active" />
        <CheckboxField label={t('catalog.form.consent_required')} name="consent_required" defaultChecked={treatment?.consent_required === true}
          hint={t('catalog.form.consent_hint')} testId="treatment-consent" />
      </div>
      <fieldset className="form-section" data-testid="treatment-rules">
        <legend>{t('catalog.followup_rules')}</legend>
        <p className="hint">{t('catalog.form.rules_hint')}</p>
        <FieldMessage pointer="/followup_rules" />
        {rules.length > 0 && (
          <ol className="rule-list">
            {rules.map((r, i) => {
              const n = i + 1;
              // The API's message for one rule's part shows under that part: /followup_rules/1/after_days.
              return (
                <li key={r.key} data-testid="treatment-rule">
                  <SelectField label={t('catalog.form.rule_type', { n })} name={`rule_type_${r.key}`} pointer={`/followup_rules/${i}/type`} value={r.type}
                    onChange={(e) => setRule(r.key, { type: followupKey(e.target.value) })} testId="rule-type">
                    {FOLLOWUP_TYPES.map((f) => <option key={f} value={f}>{t(`followup.type.${f}`)}</option>)}
                  </SelectField>
                  <TextField label={t('catalog.form.rule_days', { n })} name={`rule_days_${r.key}`} pointer={`/followup_rules/${i}/after_days`} fieldClass="days"
                    type="number" step={1} inputMode="numeric" required value={r.after_days} onChange={(e) => setRule(r.key, { after_days: e.target.value })}
                    testId="rule-days" />
                  <label className="checkbox">
                    <input type="checkbox" checked={r.notify} onChange={(e) => setRule(r.key, { notify: e.target.checked })} data-testid="rule-notify" />
                    <span>{t('catalog.form.rule_notify')}</span>
                  </label>
                  <button type="button" className="btn small ghost" onClick={() => setRules((rs) => rs.filter((x) => x.key !== r.key))}
                    aria-label={t('catalog.form.rule_remove_n', { n })} data-testid="rule-remove">{t('catalog.form.rule_remove')}</button>
                </li>
              );
            })}
          </ol>
        )}
        {rules.length < 10 && (
          <button type="button" className="btn small secondary" onClick={() => setRules((rs) => [...rs, { key: ++ruleKey, type: 'medical', after_days: '14', notify: true }])}
            data-testid="rule-add">{t('catalog.form.rule_add')}</button>
        )}
      </fieldset>
      <div className="form-actions">
        <SubmitButton testId="treatment-save">{treatment ? t('common.save') : t('catalog.form.create')}</SubmitButton>
        <button type="button" className="btn secondary" onClick={onCancel} data-testid="treatment-cancel">{t('common.cancel')}</button>
      </div>
    </Form>
  );
}

// ---- practitioners ----

function Practitioners() {
  const t = useT();
  const can = useCan();
  const manage = can('practitioner.manage');
  const list = useApi<Practitioner[] | { items: Practitioner[] }>('/api/practitioners?limit=200');
  const editing = useEditing();
  const flash = useFlash();
  const rows = itemsOf(list.data);
  const saved = (p: Practitioner, created: boolean) => {
    editing.close();
    flash.show(t(created ? 'practitioner.form.created' : 'practitioner.form.saved', { name: p.full_name }));
    list.reload();
  };
  const remove = async (p: Practitioner) => {
    await api('DELETE', `/api/practitioners/${p.id}`);
    flash.show(t('practitioner.form.removed', { name: p.full_name }));
    list.reload();
  };
  if (list.error) return <ErrorAlert error={list.error} />;
  if (!list.data) return <Loading />;
  return (
    <>
      {flash.view}
      {manage && editing.open !== 'new' && (
        <div className="toolbar">
          <button type="button" className="btn primary" data-focus-key="new" onClick={() => { flash.clear(); editing.setOpen('new'); }} data-testid="practitioner-new">
            {t('practitioner.form.new')}
          </button>
        </div>
      )}
      {editing.open === 'new' && (
        <section className="card edit-card"><PractitionerForm onSaved={(p) => saved(p, true)} onCancel={editing.close} /></section>
      )}
      {!rows.length ? <EmptyState title={t('catalog.no_practitioners')} /> : (
        <div className="table-wrap">
          <table data-testid="practitioners-table">
            <thead>
              <tr>
                <th scope="col">{t('members.name')}</th>
                <th scope="col">{t('practitioner.form.kind')}</th>
                <th scope="col">{t('catalog.specialty')}</th>
                <th scope="col">{t('catalog.license')}</th>
                <th scope="col">{t('members.status')}</th>
                {manage && <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => editing.open === p.id ? (
                <tr key={p.id} className="editing"><td colSpan={6}>
                  <PractitionerForm practitioner={p} onSaved={(row) => saved(row, false)} onCancel={editing.close} />
                </td></tr>
              ) : (
                <tr key={p.id} data-testid="practitioner-row" data-code={p.code ?? p.doctor_id ?? ''}>
                  <td><strong>{p.full_name}</strong><div className="muted small mono">{p.code ?? p.doctor_id}</div></td>
                  <td>{t(`practitioner.kind.${pick(PRACTITIONER_KINDS, p.kind, 'other')}`)}</td>
                  <td>{p.specialty ?? '—'}</td>
                  <td className="mono">{p.license_no ?? '—'}</td>
                  <td><span className={`badge ${p.status === 'inactive' ? 'suspended' : 'active'}`}>{t(p.status === 'inactive' ? 'patients.inactive' : 'patients.active')}</span></td>
                  {manage && (
                    <td className="row-actions">
                      <button type="button" className="btn small secondary" data-focus-key={p.id} onClick={() => { flash.clear(); editing.setOpen(p.id); }}
                        aria-label={t('practitioner.form.edit_named', { name: p.full_name })} data-testid="practitioner-edit">{t('common.edit')}</button>
                      <ConfirmButton label={t('practitioner.form.remove')} question={t('practitioner.form.remove_question', { name: p.full_name })}
                        onConfirm={() => remove(p)} testId="practitioner-remove" />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function PractitionerForm({ practitioner: p, onSaved, onCancel }: { practitioner?: Practitioner; onSaved: (p: Practitioner) => void; onCancel: () => void }) {
  const t = useT();
  async function save(data: FormData) {
    const value = (k: string) => text(data, k) || null;
    const next: Record<string, unknown> = {
      code: text(data, 'code'), full_name: text(data, 'full_name'), kind: text(data, 'kind'), license_no: value('license_no'),
      specialty: value('specialty'), status: text(data, 'status'),
    };
    if (!p) { onSaved(await api<Practitioner>('POST', '/api/practitioners', compact(next))); return; }
    const body = changed({ code: p.code ?? p.doctor_id, full_name: p.full_name, kind: p.kind, license_no: p.license_no ?? null, specialty: p.specialty ?? null, status: p.status }, next);
    onSaved(Object.keys(body).length ? await api<Practitioner>('PATCH', `/api/practitioners/${p.id}`, body) : p);
  }
  return (
    <Form action={save} testId="practitioner-form" className="form edit-form">
      <FormHeading title={p ? t('practitioner.form.edit_named', { name: p.full_name }) : t('practitioner.form.new')} />
      <div className="row">
        <TextField label={t('practitioner.form.code')} name="code" required defaultValue={p?.code ?? p?.doctor_id ?? ''} maxLength={40} autoComplete="off"
          hint={t('practitioner.form.code_hint')} className="mono" autoFocus testId="practitioner-code" />
        <TextField label={t('field.full_name')} name="full_name" required defaultValue={p?.full_name ?? ''} maxLength={200} autoComplete="off" testId="practitioner-name" />
        <SelectField label={t('practitioner.form.kind')} name="kind" defaultValue={p?.kind ?? 'doctor'} testId="practitioner-kind">
          {PRACTITIONER_KINDS.map((k) => <option key={k} value={k}>{t(`practitioner.kind.${k}`)}</option>)}
        </SelectField>
      </div>
      <div className="row">
        <TextField label={t('catalog.license')} name="license_no" defaultValue={p?.license_no ?? ''} maxLength={100} autoComplete="off" className="mono" testId="practitioner-license" />
        <TextField label={t('catalog.specialty')} name="specialty" defaultValue={p?.specialty ?? ''} maxLength={200} testId="practitioner-specialty" />
        <SelectField label={t('members.status')} name="status" defaultValue={p?.status ?? 'active'} testId="practitioner-status"
          hint={t('practitioner.form.status_hint')}>
          {PRACTITIONER_STATUSES.map((s) => <option key={s} value={s}>{t(s === 'inactive' ? 'patients.inactive' : 'patients.active')}</option>)}
        </SelectField>
      </div>
      <div className="form-actions">
        <SubmitButton testId="practitioner-save">{p ? t('common.save') : t('practitioner.form.create')}</SubmitButton>
        <button type="button" className="btn secondary" onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </Form>
  );
}

// ---- devices ----

/** Maintenance due: the next date is the last maintenance plus the device's cycle. */
function Devices() {
  const t = useT();
  const can = useCan();
  const manage = can('practitioner.manage');
  const day = useClinicFormat();
  const devices = useApi<DeviceRow[] | { items: DeviceRow[] }>('/api/devices?limit=200');
  const due = useApi<Device[] | { items: Device[] }>('/api/devices/maintenance-due?days=30');
  const [maintaining, setMaintaining] = useState<string | null>(null);
  const editing = useEditing();
  const flash = useFlash();
  const dueIds = new Set(itemsOf(due.data).map((d) => d.id));
  const today = day.today();
  const reload = () => { devices.reload(); due.reload(); };
  const nextOf = (d: Device) => d.next_maintenance_on ?? d.maintenance_due_on
    ?? (d.last_maintenance_on && d.maintenance_cycle_days ? addDays(d.last_maintenance_on, d.maintenance_cycle_days) : null);
  const open = (what: 'edit' | 'maintain', id: string) => {
    flash.clear();
    if (what === 'edit') { setMaintaining(null); editing.setOpen(id); } else { editing.setOpen(null); setMaintaining(id); }
  };
  const saved = (d: Device, created: boolean) => {
    editing.close();
    flash.show(t(created ? 'device.form.created' : 'device.form.saved', { name: d.device_name }));
    reload();
  };
  const retire = async (d: Device) => {
    await api('DELETE', `/api/devices/${d.id}`);
    flash.show(t('device.form.retired', { name: d.device_name }));
    reload();
  };

  if (devices.error) return <ErrorAlert error={devices.error} />;
  if (!devices.data) return <Loading />;
  const rows = itemsOf(devices.data);
  return (
    <>
      {flash.view}
      {due.error && <ErrorAlert error={due.error} />}
      {due.data && (
        <p className={`notice ${dueIds.size ? 'warning' : 'info'}`} data-testid="devices-due-summary">
          {dueIds.size ? t('devices.due_count', { count: dueIds.size }) : t('devices.none_due')}
        </p>
      )}
      {manage && editing.open !== 'new' && (
        <div className="toolbar">
          <button type="button" className="btn primary" data-focus-key="new" onClick={() => open('edit', 'new')} data-testid="device-new">{t('device.form.new')}</button>
        </div>
      )}
      {editing.open === 'new' && <section className="card edit-card"><DeviceForm onSaved={(d) => saved(d, true)} onCancel={editing.close} /></section>}
      {!rows.length ? <EmptyState title={t('devices.empty')} /> : (
        <div className="table-wrap">
          <table data-testid="devices-table">
            <thead>
              <tr>
                <th scope="col">{t('devices.device')}</th>
                <th scope="col">{t('devices.type')}</th>
                <th scope="col">{t('devices.cycle')}</th>
                <th scope="col">{t('devices.last')}</th>
                <th scope="col">{t('devices.next')}</th>
                <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => {
                const next = nextOf(d);
                const left = next ? daysBetween(today, next) : null;
                if (maintaining === d.id) {
                  return (
                    <tr key={d.id} className="editing"><td colSpan={6}>
                      <MaintenanceForm device={d} onDone={(ok) => { setMaintaining(null); if (ok) { flash.show(t('devices.saved', { name: d.device_name }), 'maintenance-saved'); reload(); } }} />
                    </td></tr>
                  );
                }
                if (editing.open === d.id) {
                  return (
                    <tr key={d.id} className="editing"><td colSpan={6}>
                      <DeviceForm device={d} onSaved={(row) => saved(row, false)} onCancel={editing.close} />
                    </td></tr>
                  );
                }
                return (
                  <tr key={d.id} data-testid="device-row" data-code={d.code ?? ''} data-due={dueIds.has(d.id) ? 'yes' : 'no'}
                    className={left !== null && left < 0 ? 'lot-expired' : dueIds.has(d.id) ? 'lot-soon' : undefined}>
                    <td>
                      <strong>{d.device_name}</strong>
                      {d.status && d.status !== 'active' && <span className="badge">{t(`device.status.${pick(DEVICE_STATUSES, d.status, 'active')}`)}</span>}
                      <div className="muted small">{[d.manufacturer, d.model, d.serial_no].filter(Boolean).join(' · ')}</div>
                    </td>
                    <td>{t(`device.type.${pick(DEVICE_TYPES, d.device_type, 'Other')}`)}</td>
                    <td data-testid="device-cycle">{d.maintenance_cycle_days ? t('devices.every', { days: d.maintenance_cycle_days }) : '—'}</td>
                    <td className="nowrap">{d.last_maintenance_on ? day.day(d.last_maintenance_on) : t('devices.never')}</td>
                    <td className="nowrap" data-testid="device-next">
                      {next ? day.day(next) : '—'}
                      {left !== null && (
                        <div className={`small ${left < 0 ? 'expiry-expired' : dueIds.has(d.id) ? 'expiry-soon' : 'muted'}`}>
                          {left < 0 ? t('devices.overdue_by', { days: -left }) : t('followups.in_days', { days: left })}
                        </div>
                      )}
                    </td>
                    <td className="row-actions">
                      {manage && (
                        <>
                          <button type="button" className="btn small secondary" onClick={() => open('maintain', d.id)} data-testid="device-maintain">{t('devices.record')}</button>
                          <button type="button" className="btn small secondary" data-focus-key={d.id} onClick={() => open('edit', d.id)}
                            aria-label={t('device.form.edit_named', { name: d.device_name })} data-testid="device-edit">{t('common.edit')}</button>
                          <ConfirmButton label={t('device.form.retire')} question={t('device.form.retire_question', { name: d.device_name })}
                            onConfirm={() => retire(d)} testId="device-retire" />
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function DeviceForm({ device: d, onSaved, onCancel }: { device?: DeviceRow; onSaved: (d: Device) => void; onCancel: () => void }) {
  const t = useT();
  const day = useClinicFormat();
  async function save(data: FormData) {
    const value = (k: string) => text(data, k) || null;
    const cycleText = text(data, 'maintenance_cycle_days');
    const cycle = cycleText === '' ? null : Number(cycleText);
    if (cycle !== null && !Number.isInteger(cycle)) throw fieldError('maintenance_cycle_days', t('device.form.cycle_invalid'));
    const next: Record<string, unknown> = {
      code: text(data, 'code'), device_name: text(data, 'device_name'), device_type: text(data, 'device_type'), manufacturer: value('manufacturer'),
      model: value('model'), serial_no: value('serial_no'), maintenance_cycle_days: cycle, last_maintenance_on: value('last_maintenance_on'), status: text(data, 'status'),
    };
    if (!d) { onSaved(await api<Device>('POST', '/api/devices', compact(next))); return; }
    const body = changed({
      code: d.code, device_name: d.device_name, device_type: d.device_type, manufacturer: d.manufacturer ?? null, model: d.model ?? null,
      serial_no: d.serial_no ?? null, maintenance_cycle_days: d.maintenance_cycle_days ?? null, last_maintenance_on: d.last_maintenance_on ?? null, status: d.status,
    }, next);
    onSaved(Object.keys(body).length ? await api<Device>('PATCH', `/api/devices/${d.id}`, body) : d);
  }
  return (
    <Form action={save} testId="device-form" className="form edit-form">
      <FormHeading title={d ? t('device.form.edit_named', { name: d.device_name }) : t('device.form.new')} />
      <div className="row">
        <TextField label={t('device.form.code')} name="code" required defaultValue={d?.code ?? ''} maxLength={40} autoComplete="off" className="mono" autoFocus
          hint={t('device.form.code_hint')} testId="device-code" />
        <TextField label={t('device.form.name')} name="device_name" required defaultValue={d?.device_name ?? ''} maxLength={200} testId="device-name" />
        <SelectField label={t('devices.type')} name="device_type" defaultValue={d?.device_type ?? 'HIFU'} testId="device-type">
          {DEVICE_TYPES.map((x) => <option key={x} value={x}>{t(`device.type.${x}`)}</option>)}
        </SelectField>
      </div>
      <div className="row">
        <TextField label={t('device.form.manufacturer')} name="manufacturer" defaultValue={d?.manufacturer ?? ''} maxLength={200} testId="device-manufacturer" />
        <TextField label={t('device.form.model')} name="model" defaultValue={d?.model ?? ''} maxLength={200} testId="device-model" />
        <TextField label={t('device.form.serial')} name="serial_no" defaultValue={d?.serial_no ?? ''} maxLength={100} className="mono" testId="device-serial" />
      </div>
      <div className="row">
        <TextField label={t('device.form.cycle_days')} name="maintenance_cycle_days" type="number" min={1} max={3650} step={1} inputMode="numeric"
          defaultValue={d?.maintenance_cycle_days ?? ''} hint={t('device.form.cycle_hint')} testId="device-cycle-input" />
        <TextField label={t('devices.last')} name="last_maintenance_on" type="date" max={day.today()} defaultValue={d?.last_maintenance_on ?? ''}
          hint={t('device.form.last_hint')} testId="device-last" />
        <SelectField label={t('members.status')} name="status" defaultValue={d?.status ?? 'active'} hint={t('device.form.status_hint')} testId="device-status">
          {DEVICE_STATUSES.map((s) => <option key={s} value={s}>{t(`device.status.${s}`)}</option>)}
        </SelectField>
      </div>
      <div className="form-actions">
        <SubmitButton testId="device-save">{d ? t('common.save') : t('device.form.create')}</SubmitButton>
        <button type="button" className="btn secondary" onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </Form>
  );
}

function MaintenanceForm({ device, onDone }: { device: Device; onDone: (ok: boolean) => void }) {
  const t = useT();
  const day = useClinicFormat();
  async function save(data: FormData) {
    await api('POST', `/api/devices/${device.id}/maintenance`, compact({
      performed_on: text(data, 'performed_on'),
    }));
    onDone(true);
  }
  return (
    <Form action={save} className="form stack" testId="maintenance-form">
      <h3 className="card-title">{t('devices.record_named', { name: device.device_name })}</h3>
      <TextField label={t('devices.performed_on')} name="performed_on" type="date" defaultValue={day.today()} max={day.today()} required autoFocus testId="maintenance-date" />
      <div className="form-actions">
        <SubmitButton testId="maintenance-submit">{t('devices.record')}</SubmitButton>
        <button type="button" className="btn secondary" onClick={() => onDone(false)}>{t('common.cancel')}</button>
      </div>
    </Form>
  );
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
