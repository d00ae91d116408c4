/**
 * Campaigns: platform, status, monthly spend, budget, dates, leads and spend to date; a form to
 * add or change one; and the month-by-month spend editor (a month without a recorded amount
 * counts the campaign's monthly spend).
 */
import { useState } from 'react';
import { api } from '../../lib/api.js';
import { useApi } from '../../lib/useApi.js';
import { usePaged } from '../../lib/usePaged.js';
import { useT } from '../../i18n/i18n.js';
import { useCan, useFormat } from '../../session/session.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { EmptyState, ErrorAlert, Loading, Notice } from '../../ui/feedback.js';
import { fieldError, Form, SelectField, SubmitButton, text, TextField } from '../../ui/forms.js';
import { Card, Page } from '../../ui/layout.js';
import { LoadMore } from '../admin/LoadMore.js';
import { useClinicFormat } from '../clinical/shared.js';
import { GrowthTabs, useLabel, useMoney } from './shared.js';
import { CAMPAIGN_PLATFORMS, CAMPAIGN_STATUSES, CAMPAIGN_TYPES, type Campaign, type Spend } from './types.js';

export function CampaignsPage() {
  const t = useT();
  const can = useCan();
  const money = useMoney();
  const day = useClinicFormat();
  const label = useLabel();
  const [status, setStatus] = useState('');
  const [q, setQ] = useState('');
  const list = usePaged<Campaign>('/api/campaigns', { status: status || undefined, q: q || undefined });
  const [editing, setEditing] = useState<Campaign | 'new' | null>(null);
  const [spendOf, setSpendOf] = useState<Campaign | null>(null);
  const writable = can('campaign.write');
  const dates = (c: Campaign) => (c.start_date || c.end_date ? `${c.start_date ? day.day(c.start_date) : '…'} – ${c.end_date ? day.day(c.end_date) : '…'}` : '—');

  return (
    <Page title={t('growth.campaigns.title')} testId="campaigns-page"
      actions={writable && editing === null ? <button type="button" className="btn primary" onClick={() => setEditing('new')} data-testid="campaign-new">{t('growth.campaigns.new')}</button> : undefined}>
      <GrowthTabs />
      {editing !== null && (
        <CampaignForm campaign={editing === 'new' ? null : editing} done={() => { setEditing(null); list.reload(); }} cancel={() => setEditing(null)} />
      )}
      <Form action={async (data) => { setStatus(text(data, 'status')); setQ(text(data, 'q')); }} className="filters" testId="campaign-filters">
        <TextField label={t('growth.campaigns.search')} name="q" type="search" testId="campaigns-q" />
        <SelectField label={t('growth.campaigns.status')} name="status" defaultValue="" testId="campaigns-status">
          <option value="">{t('common.any')}</option>
          {CAMPAIGN_STATUSES.map((s) => <option key={s} value={s}>{label('growth.campaign_status', s)}</option>)}
        </SelectField>
        <SubmitButton variant="secondary">{t('common.apply')}</SubmitButton>
      </Form>
      {list.error && <ErrorAlert error={list.error} />}
      {list.items.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="campaigns-table" className="campaigns-table">
            <thead>
              <tr>
                <th scope="col">{t('growth.campaigns.name')}</th>
                <th scope="col">{t('growth.campaigns.platform')}</th>
                <th scope="col">{t('growth.campaigns.status')}</th>
                <th scope="col" className="num">{t('growth.campaigns.monthly_spend')}</th>
                <th scope="col" className="num">{t('growth.campaigns.budget')}</th>
                <th scope="col">{t('growth.campaigns.dates')}</th>
                <th scope="col" className="num">{t('growth.campaigns.leads')}</th>
                <th scope="col" className="num">{t('growth.campaigns.spend_to_date')}</th>
                <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((c) => (
                <tr key={c.id} data-testid="campaign-row" data-campaign={c.name} className={editing !== 'new' && editing?.id === c.id ? 'editing' : undefined}>
                  <td><strong>{c.name}</strong>{c.type && <div className="small muted">{label('growth.campaign_type', c.type)}</div>}</td>
                  <td>{label('growth.platform', c.platform)}</td>
                  <td><span className={`badge campaign-${c.status}`}>{label('growth.campaign_status', c.status)}</span></td>
                  <td className="num nowrap">{money.format(c.monthly_spend_minor, c.currency)}</td>
                  <td className="num nowrap">{money.format(c.budget_minor, c.currency)}</td>
                  <td className="small campaign-dates">{dates(c)}</td>
                  <td className="num">{c.lead_count ?? '—'}</td>
                  <td className="num nowrap">
                    {money.format(c.spend_to_date_minor, c.currency)}
                    {c.budget_minor != null && c.spend_to_date_minor != null && c.spend_to_date_minor > c.budget_minor && (
                      <div><span className="badge failure">{t('growth.campaigns.over_budget')}</span></div>
                    )}
                  </td>
                  <td className="row-actions">
                    <button type="button" className="btn small secondary" onClick={() => setSpendOf(spendOf?.id === c.id ? null : c)} data-testid="campaign-spend">
                      {t('growth.campaigns.spend')}
                    </button>
                    {writable && <button type="button" className="btn small secondary" onClick={() => setEditing(c)} data-testid="campaign-edit">{t('common.edit')}</button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : list.loading ? <Loading /> : !list.error && <EmptyState title={t('growth.campaigns.empty')} testId="campaigns-empty" />}
      <LoadMore list={list} />
      {spendOf && <SpendEditor key={spendOf.id} campaign={spendOf} writable={writable} onChange={list.reload} close={() => setSpendOf(null)} />}
    </Page>
  );
}

function CampaignForm({ campaign, done, cancel }: { campaign: Campaign | null; done: () => void; cancel: () => void }) {
  const t = useT();
  const money = useMoney();
  const label = useLabel();
  const currency = campaign?.currency ?? money.currency;
  const save = async (data: FormData) => {
    const spend = money.toMinor(text(data, 'monthly_spend') || '0', currency);
    if (!Number.isFinite(spend)) throw fieldError('monthly_spend', t('growth.money_invalid'));
    const budgetText = text(data, 'budget');
    const budget = budgetText ? money.toMinor(budgetText, currency) : null;
    if (budget !== null && !Number.isFinite(budget)) throw fieldError('budget', t('growth.money_invalid'));
    const body = {
      name: text(data, 'name'), platform: text(data, 'platform'), type: text(data, 'type') || null, status: text(data, 'status'),
      monthly_spend_minor: spend, budget_minor: budget, start_date: text(data, 'start_date') || null, end_date: text(data, 'end_date') || null,
    };
    if (campaign) await api('PATCH', `/api/campaigns/${campaign.id}`, body);
    else await api('POST', '/api/campaigns', body);
    done();
  };
  return (
    <Card title={campaign ? t('growth.campaigns.edit', { name: campaign.name }) : t('growth.campaigns.new')} testId="campaign-form-card">
      <Form action={save} testId="campaign-form">
        <div className="row">
          <TextField label={t('growth.campaigns.name')} name="name" required defaultValue={campaign?.name} testId="campaign-name" />
          <SelectField label={t('growth.campaigns.platform')} name="platform" defaultValue={campaign?.platform ?? 'facebook'} testId="campaign-platform">
            {CAMPAIGN_PLATFORMS.map((p) => <option key={p} value={p}>{label('growth.platform', p)}</option>)}
          </SelectField>
          <SelectField label={t('growth.campaigns.type')} name="type" defaultValue={campaign?.type ?? ''} testId="campaign-type">
            <option value="">—</option>
            {CAMPAIGN_TYPES.map((p) => <option key={p} value={p}>{label('growth.campaign_type', p)}</option>)}
          </SelectField>
          <SelectField label={t('growth.campaigns.status')} name="status" defaultValue={campaign?.status ?? 'active'} testId="campaign-status">
            {CAMPAIGN_STATUSES.map((s) => <option key={s} value={s}>{label('growth.campaign_status', s)}</option>)}
          </SelectField>
        </div>
        <div className="row">
          <TextField label={t('growth.campaigns.monthly_spend_in', { currency })} name="monthly_spend" inputMode="decimal"
            defaultValue={money.toInput(campaign?.monthly_spend_minor ?? 0, currency)} testId="campaign-monthly" />
          <TextField label={t('growth.campaigns.budget_in', { currency })} name="budget" inputMode="decimal"
            defaultValue={money.toInput(campaign?.budget_minor, currency)} testId="campaign-budget" />
          <TextField label={t('growth.campaigns.start')} name="start_date" type="date" defaultValue={campaign?.start_date ?? ''} testId="campaign-start" />
          <TextField label={t('growth.campaigns.end')} name="end_date" type="date" defaultValue={campaign?.end_date ?? ''} testId="campaign-end" />
        </div>
        <div className="form-actions">
          <SubmitButton testId="campaign-save">{campaign ? t('common.save') : t('growth.campaigns.create')}</SubmitButton>
          <button type="button" className="btn secondary" onClick={cancel}>{t('common.cancel')}</button>
          {campaign && (
            <>
              <span className="spacer" />
              <ConfirmButton label={t('common.delete')} question={t('growth.campaigns.delete_q')} testId="campaign-delete"
                onConfirm={async () => { await api('DELETE', `/api/campaigns/${campaign.id}`); done(); }} />
            </>
          )}
        </div>
      </Form>
    </Card>
  );
}

/**
 * The months the campaign ran (and any with a recorded amount), newest first, each editable in
 * place; a month without a recorded amount counts the planned monthly spend.
 */
function SpendEditor({ campaign, writable, onChange, close }: { campaign: Campaign; writable: boolean; onChange: () => void; close: () => void }) {
  const t = useT();
  const money = useMoney();
  const day = useClinicFormat();
  const r = useApi<Spend>(`/api/campaigns/${campaign.id}/spend`);
  // The PUT answers with the whole spend table: shown at once, with the "saved" notice.
  const [fresh, setFresh] = useState<Spend>();
  const data = fresh ?? r.data;
  const [saved, setSaved] = useState<string | null>(null);
  const thisMonth = day.today().slice(0, 7);
  const byMonth = new Map((data?.months ?? []).map((m) => [m.month.slice(0, 7), m]));
  // This month is always offered, so spend can be recorded before the campaign's dates are set.
  const months = [...new Set([thisMonth, ...byMonth.keys()])].sort().reverse();
  const currency = data?.currency ?? campaign.currency;

  const save = (month: string) => async (data: FormData) => {
    const amount = money.toMinor(text(data, 'amount'), currency);
    if (!Number.isFinite(amount)) throw fieldError('amount', t('growth.money_invalid'));
    setFresh(await api<Spend>('PUT', `/api/campaigns/${campaign.id}/spend/${month}`, { amount_minor: amount }));
    setSaved(month);
    onChange();
  };

  return (
    <Card title={t('growth.spend.title', { name: campaign.name })} testId="spend-editor">
      <p className="hint">{t('growth.spend.hint', { amount: money.format(campaign.monthly_spend_minor, currency) })}</p>
      {saved && <Notice tone="success" testId="spend-saved">{t('growth.spend.saved', { month: day.month(saved) })}</Notice>}
      {r.error ? <ErrorAlert error={r.error} /> : !data ? <Loading /> : (
        <div className="table-wrap flat">
          <table className="spend-table">
            <thead>
              <tr>
                <th scope="col">{t('growth.spend.month')}</th>
                <th scope="col" className="num">{t('growth.spend.amount')}</th>
                {writable && <th scope="col">{t('growth.spend.record')}</th>}
              </tr>
            </thead>
            <tbody>
              {months.map((m) => {
                const row = byMonth.get(m);
                return (
                  <tr key={m} data-testid="spend-row" data-month={m} data-basis={row?.basis ?? 'none'}>
                    <th scope="row" className="nowrap">{day.month(m)}</th>
                    <td className="num nowrap">
                      {row ? money.format(row.amount_minor, currency) : <span className="muted">{t('growth.spend.not_recorded')}</span>}
                      {row && !row.recorded && <div className="small muted">{t('growth.spend.estimated')}</div>}
                    </td>
                    {writable && (
                      <td>
                        <Form action={save(m)} className="inline-form spend-form" testId={`spend-form-${m}`}>
                          <TextField label={t('growth.spend.amount_in', { currency })} name="amount" inputMode="decimal"
                            defaultValue={money.toInput(row?.recorded_minor, currency)} placeholder={money.toInput(row?.planned_minor ?? 0, currency)} testId="spend-amount" />
                          <SubmitButton variant="secondary" testId="spend-save">{t('common.save')}</SubmitButton>
                        </Form>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t('growth.spend.total')}</th>
                <td className="num nowrap" data-testid="spend-total">{money.format(data.spend_to_date_minor, currency)}</td>
                {writable && <td />}
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      <div className="form-actions"><button type="button" className="btn secondary" onClick={close}>{t('growth.close')}</button></div>
    </Card>
  );
}
