/**
 * The catalogue side of the clinic: treatments with prices and follow-up rules, practitioners, and
 * devices with their maintenance cycle (what is due, and recording a maintenance).
 */
import { useState } from 'react';
import { api } from '../../lib/api.js';
import { useApi } from '../../lib/useApi.js';
import { useT } from '../../i18n/i18n.js';
import { useCan, useFormat } from '../../session/session.js';
import { Form, SubmitButton, text, TextField } from '../../ui/forms.js';
import { EmptyState, ErrorAlert, Loading, Notice } from '../../ui/feedback.js';
import { Card, Page } from '../../ui/layout.js';
import { categoryKey } from '../clinical/SessionForm.js';
import { compact, daysBetween, itemsOf, TabLinks, TextArea, useClinicFormat, useTab } from '../clinical/shared.js';
import type { Device, Practitioner, Treatment } from '../clinical/types.js';
import { followupType } from '../patients/PatientChart.js';

const TABS = ['catalogue', 'practitioners', 'devices'] as const;

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
  const fmt = useFormat();
  const list = useApi<Treatment[]>('/api/treatments');
  const rows = itemsOf(list.data);
  if (list.error) return <ErrorAlert error={list.error} />;
  if (!list.data) return <Loading />;
  if (!rows.length) return <EmptyState title={t('catalog.no_treatments')} />;
  return (
    <div className="table-wrap">
      <table data-testid="treatments-table">
        <thead>
          <tr>
            <th scope="col">{t('catalog.treatment')}</th>
            <th scope="col">{t('catalog.category')}</th>
            <th scope="col">{t('catalog.unit')}</th>
            <th scope="col" className="num">{t('catalog.price')}</th>
            <th scope="col">{t('catalog.followup_rules')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((tr) => (
            <tr key={tr.id} data-testid="treatment-row" data-code={tr.treatment_id}>
              <td>
                <strong>{tr.treatment_name}</strong>{tr.name_en && <span className="muted"> · {tr.name_en}</span>}
                <div className="muted small mono">{tr.treatment_id}</div>
                {tr.consent_required && <span className="badge pending">{t('catalog.consent_required')}</span>}
                {tr.is_active === false && <span className="badge">{t('patients.inactive')}</span>}
              </td>
              <td>{t(`category.${categoryKey(tr.category)}`)}</td>
              <td>{tr.default_unit}</td>
              <td className="num nowrap">{fmt.money(tr.base_price_minor ?? tr.base_price, tr.currency)}</td>
              <td className="small">
                {(tr.followup_rules ?? []).map((r, i) => (
                  <span key={i} className="chip">{t('catalog.rule', { type: t(`followup.type.${followupType(r.type)}`), days: r.after_days })}</span>
                ))}
                {!(tr.followup_rules ?? []).length && '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Practitioners() {
  const t = useT();
  const list = useApi<Practitioner[] | { items: Practitioner[] }>('/api/practitioners?limit=200');
  const rows = itemsOf(list.data);
  if (list.error) return <ErrorAlert error={list.error} />;
  if (!list.data) return <Loading />;
  if (!rows.length) return <EmptyState title={t('catalog.no_practitioners')} />;
  return (
    <div className="table-wrap">
      <table data-testid="practitioners-table">
        <thead>
          <tr>
            <th scope="col">{t('members.name')}</th>
            <th scope="col">{t('catalog.specialty')}</th>
            <th scope="col">{t('catalog.license')}</th>
            <th scope="col">{t('members.status')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={p.id} data-testid="practitioner-row">
              <td><strong>{p.full_name}</strong><div className="muted small mono">{p.code ?? p.doctor_id}</div></td>
              <td>{p.specialty ?? '—'}</td>
              <td className="mono">{p.license_no ?? '—'}</td>
              <td><span className={`badge ${p.status === 'inactive' ? 'suspended' : 'active'}`}>{t(p.status === 'inactive' ? 'patients.inactive' : 'patients.active')}</span></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Maintenance due: the next date is the last maintenance plus the device's cycle. */
function Devices() {
  const t = useT();
  const can = useCan();
  const day = useClinicFormat();
  const devices = useApi<Device[] | { items: Device[] }>('/api/devices?limit=200');
  const due = useApi<Device[] | { items: Device[] }>('/api/devices/maintenance-due?days=30');
  const [open, setOpen] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const dueIds = new Set(itemsOf(due.data).map((d) => d.id));
  const today = day.today();
  const reload = () => { devices.reload(); due.reload(); };
  const nextOf = (d: Device) => d.next_maintenance_on ?? d.maintenance_due_on
    ?? (d.last_maintenance_on && d.maintenance_cycle_days ? addDays(d.last_maintenance_on, d.maintenance_cycle_days) : null);

  if (devices.error) return <ErrorAlert error={devices.error} />;
  if (!devices.data) return <Loading />;
  const rows = itemsOf(devices.data);
  return (
    <>
      {saved && <Notice tone="success" testId="maintenance-saved">{t('devices.saved', { name: saved })}</Notice>}
      {due.error && <ErrorAlert error={due.error} />}
      {due.data && (
        <p className={`notice ${dueIds.size ? 'warning' : 'info'}`} data-testid="devices-due-summary">
          {dueIds.size ? t('devices.due_count', { count: dueIds.size }) : t('devices.none_due')}
        </p>
      )}
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
                return open === d.id ? (
                  <tr key={d.id} className="editing"><td colSpan={6}>
                    <MaintenanceForm device={d} onDone={(ok) => { setOpen(null); if (ok) { setSaved(d.device_name); reload(); } }} />
                  </td></tr>
                ) : (
                  <tr key={d.id} data-testid="device-row" data-code={d.code ?? ''} data-due={dueIds.has(d.id) ? 'yes' : 'no'}
                    className={left !== null && left < 0 ? 'lot-expired' : dueIds.has(d.id) ? 'lot-soon' : undefined}>
                    <td><strong>{d.device_name}</strong><div className="muted small">{[d.manufacturer, d.model].filter(Boolean).join(' · ')}</div></td>
                    <td>{d.device_type}</td>
                    <td>{d.maintenance_cycle_days ? t('devices.every', { days: d.maintenance_cycle_days }) : '—'}</td>
                    <td className="nowrap">{d.last_maintenance_on ? day.day(d.last_maintenance_on) : t('devices.never')}</td>
                    <td className="nowrap">
                      {next ? day.day(next) : '—'}
                      {left !== null && (
                        <div className={`small ${left < 0 ? 'expiry-expired' : dueIds.has(d.id) ? 'expiry-soon' : 'muted'}`}>
                          {left < 0 ? t('devices.overdue_by', { days: -left }) : t('followups.in_days', { days: left })}
                        </div>
                      )}
                    </td>
                    <td className="row-actions">
                      {can('practitioner.manage') && (
                        <button type="button" className="btn small secondary" onClick={() => setOpen(d.id)} data-testid="device-maintain">{t('devices.record')}</button>
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
      <TextField label={t('devices.performed_on')} name="performed_on" type="date" defaultValue={day.today()} required testId="maintenance-date" />
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

