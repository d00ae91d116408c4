/**
 * Lead detail panels: the lead's KPI events (consult booked, consult shown, invoice paid, ad
 * click: what the funnel and the commission statements count) with a form to record one and a
 * way to void a mistaken one; and the lead's links to a user of the organization and to the
 * patient it became. Converting names a patient, so that part is offered only to members who may
 * read patients; the patient is searched by the patients API and kept on the lead as an id.
 */
import { useState } from 'react';
import { api, query } from '../../lib/api.js';
import { Link } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { usePaged } from '../../lib/usePaged.js';
import { useT } from '../../i18n/i18n.js';
import { useCan, useFormat } from '../../session/session.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { ErrorAlert, Loading, Notice } from '../../ui/feedback.js';
import { fieldError, Form, SelectField, SubmitButton, text, TextField } from '../../ui/forms.js';
import { Card } from '../../ui/layout.js';
import { LoadMore } from '../admin/LoadMore.js';
import { itemsOf } from '../clinical/shared.js';
import { useMembers, useMoney } from './shared.js';
import { KPI_KINDS, PROCEDURE_CODES, type KpiEvent, type Lead, type Provider } from './types.js';

type Kind = (typeof KPI_KINDS)[number];

/** `YYYY-MM-DDTHH:mm` of now in the browser's time (the datetime-local field's own format). */
const localNow = () => {
  const d = new Date();
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

export function KpiCard({ lead, writable, version, onChange }: { lead: Lead; writable: boolean; version: number; onChange: () => void }) {
  const t = useT();
  const fmt = useFormat();
  const money = useMoney();
  const list = usePaged<KpiEvent>('/api/kpi-events', { lead_id: lead.id, v: String(version) });
  const voidEvent = async (id: string) => {
    await api('DELETE', `/api/kpi-events/${id}`);
    onChange();
  };
  return (
    <Card title={t('growth.kpi.title')} testId="kpi-card">
      <p className="hint">{t('growth.kpi.hint')}</p>
      {writable && <RecordKpi lead={lead} onRecorded={onChange} />}
      {list.error && <ErrorAlert error={list.error} />}
      {list.items.length === 0 ? (list.loading ? <Loading /> : <p className="muted" data-testid="kpi-empty">{t('growth.kpi.empty')}</p>) : (
        <ol className="plain-list kpi-list" data-testid="kpi-list">
          {list.items.map((k) => (
            <li key={k.id} data-testid="kpi-event" data-kind={k.kind} data-value={k.value_minor ?? ''}>
              <span className="kpi-what">
                <strong>{t(`growth.kpi.kind.${k.kind}`)}</strong>
                {k.value_minor != null && <span className="kpi-amount"> · {money.format(k.value_minor, k.currency ?? lead.currency)}</span>}
                {k.procedure_code && <span className="small muted"> · {t(`growth.procedure.${k.procedure_code}`)}</span>}
                <time className="small muted kpi-time" dateTime={k.occurred_at}>{fmt.dateTime(k.occurred_at)}</time>
              </span>
              {writable && (
                <ConfirmButton label={t('growth.kpi.void')} question={t('growth.kpi.void_q')} testId="kpi-void" onConfirm={() => voidEvent(k.id)} />
              )}
            </li>
          ))}
        </ol>
      )}
      <LoadMore list={list} />
    </Card>
  );
}

function RecordKpi({ lead, onRecorded }: { lead: Lead; onRecorded: () => void }) {
  const t = useT();
  const can = useCan();
  const money = useMoney();
  const [kind, setKind] = useState<Kind>('consult_booked');
  const [recorded, setRecorded] = useState<string>();
  const providers = useApi<{ items: Provider[] }>(can('commission.read') ? '/api/commission-providers?limit=200' : null);
  const currency = lead.currency ?? money.currency;
  const record = async (data: FormData, form: HTMLFormElement) => {
    setRecorded(undefined);
    const body: Record<string, unknown> = { lead_id: lead.id, kind };
    if (kind === 'invoice_paid') {
      const value = money.toMinor(text(data, 'value_minor'), currency);
      if (!Number.isFinite(value) || value <= 0) throw fieldError('value_minor', t('growth.money_invalid'));
      body.value_minor = value;
      body.currency = currency;
    }
    const code = text(data, 'procedure_code');
    if (code) body.procedure_code = code;
    const provider = text(data, 'provider_id');
    if (provider) body.provider_id = provider;
    const at = text(data, 'occurred_at');
    if (at) {
      const when = new Date(at);
      if (Number.isNaN(when.getTime())) throw fieldError('occurred_at', t('growth.kpi.when_invalid'));
      body.occurred_at = when.toISOString();
    }
    await api('POST', '/api/kpi-events', body);
    form.reset();
    setRecorded(t('growth.kpi.recorded', { kind: t(`growth.kpi.kind.${kind}`) }));
    onRecorded();
  };
  const activeProviders = itemsOf(providers.data).filter((p) => p.is_active);
  return (
    <details className="log-activity" data-testid="kpi-add">
      <summary>{t('growth.kpi.record')}</summary>
      {recorded && <Notice tone="success" testId="kpi-recorded">{recorded}</Notice>}
      <Form action={record} testId="kpi-form" key={kind}>
        <div className="row">
          <SelectField label={t('growth.kpi.kind')} name="kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)} testId="kpi-kind">
            {KPI_KINDS.map((k) => <option key={k} value={k}>{t(`growth.kpi.kind.${k}`)}</option>)}
          </SelectField>
          {kind === 'invoice_paid' && (
            <TextField label={t('growth.kpi.amount', { currency })} name="value_minor" inputMode="decimal" required testId="kpi-amount" />
          )}
          {kind !== 'ad_click' && (
            <SelectField label={t('growth.kpi.procedure')} name="procedure_code" defaultValue="" testId="kpi-procedure">
              <option value="">—</option>
              {PROCEDURE_CODES.map((p) => <option key={p} value={p}>{t(`growth.procedure.${p}`)}</option>)}
            </SelectField>
          )}
        </div>
        <div className="row">
          {(kind === 'invoice_paid' || kind === 'consult_show') && activeProviders.length > 0 && (
            <SelectField label={t('growth.kpi.provider')} name="provider_id" defaultValue="" testId="kpi-provider" hint={t('growth.kpi.provider_hint')}>
              <option value="">—</option>
              {activeProviders.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
            </SelectField>
          )}
          <TextField label={t('growth.kpi.when')} name="occurred_at" type="datetime-local" max={localNow()} hint={t('growth.kpi.when_hint')} testId="kpi-when" />
        </div>
        <div className="form-actions"><SubmitButton testId="kpi-submit">{t('growth.kpi.save')}</SubmitButton></div>
      </Form>
    </details>
  );
}

interface PatientHit { id: string; code: string; full_name: string }

/** The user the lead turned out to be (a member of the organization) and the patient it became. */
export function LinksCard({ lead, writable, onChange }: { lead: Lead; writable: boolean; onChange: () => void }) {
  const t = useT();
  const can = useCan();
  const { members } = useMembers(can('member.read'));
  const [error, setError] = useState<string>();
  const linked = lead.user_id ? members.find((m) => m.user_id === lead.user_id) : undefined;
  const link = async (data: FormData) => {
    const userId = text(data, 'user_id');
    if (!userId) throw fieldError('user_id', t('growth.links.pick_user'));
    await api('POST', `/api/leads/${lead.id}/link`, { user_id: userId });
    onChange();
  };
  const unlink = async () => {
    setError(undefined);
    try { await api('POST', `/api/leads/${lead.id}/link`, { user_id: null }); onChange(); } catch (err) { setError((err as Error).message); }
  };
  const canConvert = writable && can('patient.read');
  return (
    <Card title={t('growth.links.title')} testId="links-card">
      {error && <div className="notice error" role="alert">{error}</div>}
      <h3 className="subhead">{t('growth.links.user')}</h3>
      {lead.user_id ? (
        <div className="link-row" data-testid="linked-user">
          <span>{linked ? `${linked.full_name} · ${linked.email}` : t('growth.links.user_linked')}</span>
          {writable && <button type="button" className="btn small secondary" onClick={() => void unlink()} data-testid="unlink-user">{t('growth.links.unlink')}</button>}
        </div>
      ) : <p className="muted">{t('growth.links.no_user')}</p>}
      {writable && !lead.user_id && can('member.read') && (
        <Form action={link} className="inline-form" testId="link-user-form">
          <SelectField label={t('growth.links.user_pick')} name="user_id" defaultValue="" testId="link-user-select">
            <option value="">{t('growth.choose')}</option>
            {members.map((m) => <option key={m.user_id} value={m.user_id}>{m.full_name || m.email}</option>)}
          </SelectField>
          <SubmitButton variant="secondary" testId="link-user-submit">{t('growth.links.link')}</SubmitButton>
        </Form>
      )}
      <h3 className="subhead">{t('growth.links.patient')}</h3>
      {lead.patient_id ? (
        <p className="became-patient" data-testid="became-patient">
          <span className="badge success">{t('growth.lead.converted')}</span>{' '}
          {can('patient.read') && <Link to={`/patients/${lead.patient_id}`} data-testid="patient-chart-link">{t('growth.links.open_chart')}</Link>}
        </p>
      ) : canConvert ? <ConvertForm lead={lead} onConverted={onChange} /> : <p className="muted">{t('growth.links.not_patient')}</p>}
    </Card>
  );
}

function ConvertForm({ lead, onConverted }: { lead: Lead; onConverted: () => void }) {
  const t = useT();
  const [q, setQ] = useState('');
  const [error, setError] = useState<string>();
  const hits = useApi<{ items: PatientHit[] }>(q ? `/api/patients${query({ q, limit: 10 })}` : null);
  const convert = async (p: PatientHit) => {
    setError(undefined);
    try {
      await api('POST', `/api/leads/${lead.id}/convert`, { patient_id: p.id });
      onConverted();
    } catch (err) {
      setError((err as Error).message || t('error.generic'));
    }
  };
  return (
    <div className="convert" data-testid="convert-lead">
      <p className="hint">{t('growth.links.convert_hint')}</p>
      <Form action={async (data) => setQ(text(data, 'q'))} className="inline-form" testId="patient-search">
        <TextField label={t('growth.links.patient_search')} name="q" type="search" required testId="patient-q" />
        <SubmitButton variant="secondary" testId="patient-search-submit">{t('common.search')}</SubmitButton>
      </Form>
      {error && <div className="notice error" role="alert" data-testid="convert-error">{error}</div>}
      {q && (hits.error ? <ErrorAlert error={hits.error} /> : !hits.data ? <Loading /> : hits.data.items.length === 0 ? <p className="muted">{t('growth.links.no_patients')}</p> : (
        <ul className="plain-list patient-hits">
          {hits.data.items.map((p) => (
            <li key={p.id} data-testid="patient-hit" data-patient={p.full_name}>
              <span><strong>{p.full_name}</strong> <span className="small muted mono">{p.code}</span></span>
              <button type="button" className="btn small primary" onClick={() => void convert(p)} data-testid="convert-to">{t('growth.links.convert')}</button>
            </li>
          ))}
        </ul>
      ))}
    </div>
  );
}
