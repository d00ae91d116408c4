/**
 * Commission statements: a month, every provider with their total, and one provider's statement
 * (a line per event and rule component, adding up to the total; events left out listed with the
 * reason). Holders of commission.manage also add providers and rules here.
 */
import { useState } from 'react';
import { api, query } from '../../lib/api.js';
import { navigate, useLocation } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { useT } from '../../i18n/i18n.js';
import { useCan, useFormat } from '../../session/session.js';
import { EmptyState, ErrorAlert, Loading } from '../../ui/feedback.js';
import { fieldError, Form, SelectField, SubmitButton, text, TextAreaField, TextField } from '../../ui/forms.js';
import { Card, Page } from '../../ui/layout.js';
import { itemsOf, useClinicFormat } from '../clinical/shared.js';
import { GrowthTabs, useLabel, useMoney } from './shared.js';
import type { Provider, Rule, Statement, StatementSummary } from './types.js';

const ROLES = ['surgeon', 'doctor', 'nurse', 'injector', 'aesthetician', 'consultant', 'coordinator', 'other'] as const;

export function CommissionsPage() {
  const t = useT();
  const can = useCan();
  const day = useClinicFormat();
  const money = useMoney();
  const label = useLabel();
  const { params } = useLocation();
  const month = /^\d{4}-\d{2}$/.test(params.get('month') ?? '') ? params.get('month')! : day.today().slice(0, 7);
  const providerId = params.get('provider');
  const summary = useApi<StatementSummary>(`/api/commission-statements${query({ month })}`);
  const go = (m: string, p?: string | null) => navigate(`/growth/commissions${query({ month: m, provider: p ?? undefined })}`);
  const manage = can('commission.manage');

  return (
    <Page title={t('growth.commissions.title')} testId="commissions-page">
      <GrowthTabs />
      <Form action={async (data) => go(text(data, 'month') || month, providerId)} className="filters month-filter" testId="commission-month" key={month}>
        <TextField label={t('growth.commissions.month')} name="month" type="month" defaultValue={month} testId="commission-month-input" />
        <SubmitButton variant="secondary" testId="commission-month-apply">{t('common.apply')}</SubmitButton>
      </Form>
      {summary.error ? <ErrorAlert error={summary.error} /> : !summary.data ? <Loading /> : (
        summary.data.items.length === 0 ? <EmptyState title={t('growth.commissions.no_providers')} testId="commissions-empty" /> : (
          <div className="table-wrap">
            <table data-testid="commission-summary">
              <thead>
                <tr>
                  <th scope="col">{t('growth.commissions.provider')}</th>
                  <th scope="col">{t('growth.commissions.role')}</th>
                  <th scope="col" className="num">{t('growth.commissions.revenue_basis')}</th>
                  <th scope="col" className="num">{t('growth.commissions.consults_shown')}</th>
                  <th scope="col" className="num">{t('growth.commissions.total')}</th>
                </tr>
              </thead>
              <tbody>
                {summary.data.items.map((i) => (
                  <tr key={i.provider.id} data-testid="commission-provider" data-provider={i.provider.name}
                    className={providerId === i.provider.id ? 'editing' : undefined}>
                    <td>
                      <button type="button" className="link-button" aria-pressed={providerId === i.provider.id}
                        onClick={() => go(month, providerId === i.provider.id ? null : i.provider.id)} data-testid="open-statement">{i.provider.name}</button>
                      {!i.provider.is_active && <span className="badge">{t('growth.commissions.inactive')}</span>}
                    </td>
                    <td>{label('growth.role', i.provider.role)}</td>
                    <td className="num nowrap">{money.format(i.revenue_basis_minor, i.currency)}</td>
                    <td className="num">{day.number(i.counts.consult_show)}</td>
                    <td className="num nowrap" data-testid="provider-total"><strong>{money.format(i.total_minor, i.currency)}</strong></td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row" colSpan={4}>{t('growth.commissions.all_total', { month: day.month(month) })}</th>
                  <td className="num nowrap" data-testid="commission-grand-total"><strong>{money.format(summary.data.total_minor, summary.data.currency)}</strong></td>
                </tr>
              </tfoot>
            </table>
          </div>
        )
      )}
      {providerId && <StatementView key={`${providerId}|${month}`} providerId={providerId} month={month} />}
      {manage && <ManageCommissions onChange={summary.reload} />}
    </Page>
  );
}

function StatementView({ providerId, month }: { providerId: string; month: string }) {
  const t = useT();
  const fmt = useFormat();
  const day = useClinicFormat();
  const money = useMoney();
  const label = useLabel();
  const r = useApi<Statement>(`/api/commission-statements/${providerId}${query({ month })}`);
  if (r.error) return <ErrorAlert error={r.error} />;
  if (!r.data) return <Loading />;
  const s = r.data;
  const sum = s.lines.reduce((acc, l) => acc + l.commission_minor, 0);
  const basis = (n: number | null) => (n === null ? '—' : money.format(n, s.currency));
  return (
    <Card title={t('growth.commissions.statement', { name: s.provider.name, month: day.month(s.month) })} testId="statement">
      <p className="hint">{t('growth.commissions.statement_hint', { timezone: s.timezone })}</p>
      {s.lines.length === 0 ? <p className="muted">{t('growth.commissions.no_lines')}</p> : (
        <div className="table-wrap flat">
          <table className="statement-table" data-testid="statement-lines">
            <thead>
              <tr>
                <th scope="col">{t('growth.commissions.when')}</th>
                <th scope="col">{t('growth.commissions.event')}</th>
                <th scope="col">{t('growth.commissions.rule')}</th>
                <th scope="col" className="num">{t('growth.commissions.basis')}</th>
                <th scope="col" className="num">{t('growth.commissions.rate')}</th>
                <th scope="col" className="num">{t('growth.commissions.amount')}</th>
              </tr>
            </thead>
            <tbody>
              {s.lines.map((l, i) => (
                <tr key={i} data-testid="statement-line" data-amount={l.commission_minor}>
                  <td className="nowrap small">{l.occurred_at ? fmt.dateTime(l.occurred_at) : '—'}</td>
                  <td>
                    {l.line_type === 'cap_adjustment' ? t('growth.commissions.cap') : label('growth.commissions.kind', l.event_kind)}
                    {l.procedure_code && <span className="small muted"> · {l.procedure_code}</span>}
                  </td>
                  <td>
                    {l.rule_name}
                    {l.component_type && <div className="small muted">{label('growth.commissions.component', l.component_type)}{l.tier_index !== null ? ` · ${t('growth.commissions.tier', { n: l.tier_index + 1 })}` : ''}</div>}
                  </td>
                  <td className="num nowrap">{basis(l.basis_minor)}</td>
                  <td className="num nowrap">{l.rate_percent !== null ? `${day.number(l.rate_percent, 2)}%` : l.flat_minor !== null ? money.format(l.flat_minor, s.currency) : '—'}</td>
                  <td className="num nowrap">{money.format(l.commission_minor, s.currency)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={5}>{t('growth.commissions.total')}</th>
                <td className="num nowrap" data-testid="statement-total" data-total={s.total_minor} data-sum={sum}><strong>{money.format(s.total_minor, s.currency)}</strong></td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      {sum !== s.total_minor && <div className="notice error" role="alert">{t('growth.commissions.mismatch')}</div>}
      {s.excluded.length > 0 && (
        <details className="subsection" data-testid="statement-excluded">
          <summary>{t('growth.commissions.excluded', { count: s.excluded.length })}</summary>
          <ul className="plain-list">
            {s.excluded.map((e) => (
              <li key={e.event_id}>
                <span>{label('growth.commissions.kind', e.event_kind)}{e.procedure_code ? ` · ${e.procedure_code}` : ''} — {e.detail}</span>
                <span className="small muted nowrap">{fmt.dateTime(e.occurred_at)}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </Card>
  );
}

const EXAMPLE_RULE = JSON.stringify({ version: 1, components: [{ type: 'percent_of_revenue', percent: 10, procedure_codes: ['BTX', 'FILLER'] }] }, null, 2);

function ManageCommissions({ onChange }: { onChange: () => void }) {
  const t = useT();
  const label = useLabel();
  const providers = useApi<{ items: Provider[] }>('/api/commission-providers?limit=200');
  const rules = useApi<{ items: Rule[] }>('/api/commission-rules?limit=200');
  const [open, setOpen] = useState(false);
  const addProvider = async (data: FormData, form: HTMLFormElement) => {
    await api('POST', '/api/commission-providers', { name: text(data, 'name'), role: text(data, 'role') });
    form.reset();
    providers.reload();
    onChange();
  };
  const addRule = async (data: FormData, form: HTMLFormElement) => {
    let rule: unknown;
    try { rule = JSON.parse(text(data, 'rule')); } catch { throw fieldError('rule', t('growth.commissions.rule_json_invalid')); }
    await api('POST', '/api/commission-rules', {
      provider_id: text(data, 'provider_id'), name: text(data, 'name'), rule,
      ...(text(data, 'effective_from') ? { effective_from: text(data, 'effective_from') } : {}),
    });
    form.reset();
    rules.reload();
    onChange();
  };
  return (
    <details className="subsection manage-commissions" open={open} onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="manage-commissions">
      <summary>{t('growth.commissions.manage')}</summary>
      <div className="funnel-grid">
        <Card title={t('growth.commissions.providers')}>
          <ul className="plain-list">
            {itemsOf(providers.data).map((p) => <li key={p.id}><span>{p.name}</span><span className="small muted">{label('growth.role', p.role)}</span></li>)}
          </ul>
          <Form action={addProvider} testId="provider-form">
            <div className="row">
              <TextField label={t('growth.commissions.provider_name')} name="name" required testId="provider-name" />
              <SelectField label={t('growth.commissions.role')} name="role" defaultValue="injector" testId="provider-role">
                {ROLES.map((r) => <option key={r} value={r}>{label('growth.role', r)}</option>)}
              </SelectField>
            </div>
            <SubmitButton testId="provider-add">{t('growth.commissions.add_provider')}</SubmitButton>
          </Form>
        </Card>
        <Card title={t('growth.commissions.rules')}>
          <ul className="plain-list">
            {itemsOf(rules.data).map((r) => <li key={r.id}><span>{r.name}</span><span className="small muted">{r.provider_name}</span></li>)}
          </ul>
          <Form action={addRule} testId="rule-form">
            <div className="row">
              <SelectField label={t('growth.commissions.provider')} name="provider_id" required testId="rule-provider">
                {itemsOf(providers.data).map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
              </SelectField>
              <TextField label={t('growth.commissions.rule_name')} name="name" required testId="rule-name" />
              <TextField label={t('growth.commissions.effective_from')} name="effective_from" type="date" />
            </div>
            <TextAreaField label={t('growth.commissions.rule_json')} name="rule" rows={7} defaultValue={EXAMPLE_RULE} testId="rule-json" />
            <p className="hint">{t('growth.commissions.rule_hint')}</p>
            <SubmitButton testId="rule-add">{t('growth.commissions.add_rule')}</SubmitButton>
          </Form>
        </Card>
      </div>
    </details>
  );
}
