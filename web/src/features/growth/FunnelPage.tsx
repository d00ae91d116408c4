/**
 * The funnel dashboard: leads created in a date range, grouped by campaign, source, platform or
 * month, and how far they went (contacted, consult booked, showed, won), with revenue, spend and
 * the ratios derived from them; then cohorts by month of lead creation. Money in the
 * organization's currency; dates on its calendar.
 */
import { query } from '../../lib/api.js';
import { navigate, useLocation } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { useT } from '../../i18n/i18n.js';
import { ErrorAlert, Loading } from '../../ui/feedback.js';
import { Form, SelectField, SubmitButton, text, TextField } from '../../ui/forms.js';
import { Page } from '../../ui/layout.js';
import { useClinicFormat } from '../clinical/shared.js';
import { FunnelChart, PairedBars } from './charts.js';
import { addMonths, ExportButton, GrowthTabs, ratio, useLabel, useMoney } from './shared.js';
import { GROUP_BY, type Cohorts, type Funnel, type FunnelRow, type GroupBy } from './types.js';

/** The campaign key of leads without a campaign. */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export function FunnelPage() {
  const t = useT();
  const day = useClinicFormat();
  const money = useMoney();
  const label = useLabel();
  const { params } = useLocation();
  const today = day.today();
  const from = params.get('from') ?? `${addMonths(today.slice(0, 7), -11)}-01`;
  const to = params.get('to') ?? today;
  const groupBy = (GROUP_BY as readonly string[]).includes(params.get('group_by') ?? '') ? params.get('group_by') as GroupBy : 'campaign';
  const funnel = useApi<Funnel>(`/api/growth/funnel${query({ from, to, group_by: groupBy })}`);
  const cohorts = useApi<Cohorts>(
    `/api/growth/cohorts${query({ from_month: from.slice(0, 7), to_month: to.slice(0, 7) })}`,
  );
  const pct = (r: number) => day.percent(r);
  const roas = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${day.number(r, 2)}×`);

  const apply = async (data: FormData) => {
    navigate(`/growth/funnel${query({ from: text(data, 'from'), to: text(data, 'to'), group_by: text(data, 'group_by') })}`);
  };
  // The server labels rows in English; keys are translated here where they are slugs or dates.
  const rowLabel = (r: FunnelRow) => {
    if (groupBy === 'month') return day.month(r.key);
    if (groupBy === 'source') return r.key ? label('growth.source', r.key) : t('growth.funnel.unattributed');
    if (groupBy === 'platform') return r.key ? label('growth.platform', r.key) : t('growth.funnel.none');
    if (r.key === NIL_UUID) return t('growth.no_campaign');
    return r.label || t('growth.funnel.none');
  };

  return (
    <Page title={t('growth.funnel.title')} testId="funnel-page">
      <GrowthTabs />
      <Form action={apply} className="filters" testId="funnel-filters" key={`${from}|${to}|${groupBy}`}>
        <TextField label={t('growth.funnel.from')} name="from" type="date" defaultValue={from} testId="funnel-from" />
        <TextField label={t('growth.funnel.to')} name="to" type="date" defaultValue={to} testId="funnel-to" />
        <SelectField label={t('growth.funnel.group_by')} name="group_by" defaultValue={groupBy} testId="funnel-group">
          {GROUP_BY.map((g) => <option key={g} value={g}>{t(`growth.funnel.by_${g}`)}</option>)}
        </SelectField>
        <SubmitButton variant="secondary" testId="funnel-apply">{t('common.apply')}</SubmitButton>
      </Form>
      <div className="list-toolbar">
        <p className="hint page-intro">{t('growth.funnel.intro', { timezone: day.timezone })}</p>
        <ExportButton path={`/api/growth/exports/funnel.csv${query({ from, to, group_by: groupBy })}`} fallbackName="funnel.csv" testId="funnel-export" />
      </div>
      {funnel.error ? <ErrorAlert error={funnel.error} /> : !funnel.data ? <Loading /> : (() => {
        const f = funnel.data;
        const tot = f.totals;
        const currency = f.currency;
        const rows = f.rows;
        return (
          <>
            <div className="stat-row funnel-kpis" data-testid="funnel-kpis">
              <Stat label={t('growth.funnel.leads')} value={day.number(tot.leads)} testId="funnel-leads" />
              <Stat label={t('growth.funnel.won')} value={day.number(tot.won)} testId="funnel-won" />
              <Stat label={t('growth.funnel.revenue')} value={money.format(tot.revenue_minor, currency)} testId="funnel-revenue" />
              <Stat label={t('growth.funnel.spend')} value={money.format(tot.spend_minor, currency)} testId="funnel-spend" />
              <Stat label={t('growth.funnel.roas')} value={roas(tot.roas)} testId="funnel-roas" />
            </div>
            <div className="funnel-grid">
              <section className="card" aria-label={t('growth.funnel.chart')}>
                <FunnelChart title={t('growth.funnel.chart')} percent={pct} testId="funnel-chart" steps={[
                  { label: t('growth.funnel.leads'), value: tot.leads, text: day.number(tot.leads) },
                  { label: t('growth.funnel.contacted'), value: tot.contacted, text: day.number(tot.contacted) },
                  { label: t('growth.funnel.booked'), value: tot.consults_booked, text: day.number(tot.consults_booked) },
                  { label: t('growth.funnel.shows'), value: tot.shows, text: day.number(tot.shows) },
                  { label: t('growth.funnel.won'), value: tot.won, text: day.number(tot.won) },
                ]} />
              </section>
              <section className="card" aria-label={t('growth.funnel.revenue_vs_spend')}>
                <PairedBars title={t('growth.funnel.revenue_vs_spend')} aLabel={t('growth.funnel.revenue')} bLabel={t('growth.funnel.spend')} testId="revenue-spend-chart"
                  data={rows.filter((r) => r.revenue_minor > 0 || r.spend_minor > 0).slice(0, 12).map((r) => ({
                    label: rowLabel(r), a: r.revenue_minor, aText: money.format(r.revenue_minor, currency), b: r.spend_minor, bText: money.format(r.spend_minor, currency),
                  }))} />
              </section>
            </div>
            <h2 className="section-title">{t('growth.funnel.table', { group: t(`growth.funnel.by_${groupBy}`) })}</h2>
            {rows.length === 0 ? <p className="muted" data-testid="funnel-empty">{t('growth.funnel.empty')}</p> : (
              <div className="table-wrap">
                <table className="funnel-table" data-testid="funnel-table">
                  <thead>
                    <tr>
                      <th scope="col">{t(`growth.funnel.by_${groupBy}`)}</th>
                      <th scope="col" className="num">{t('growth.funnel.leads')}</th>
                      <th scope="col" className="num">{t('growth.funnel.contacted')}</th>
                      <th scope="col" className="num">{t('growth.funnel.booked')}</th>
                      <th scope="col" className="num">{t('growth.funnel.shows')}</th>
                      <th scope="col" className="num">{t('growth.funnel.won')}</th>
                      <th scope="col" className="num">{t('growth.funnel.revenue')}</th>
                      <th scope="col" className="num">{t('growth.funnel.spend')}</th>
                      <th scope="col" className="num">{t('growth.funnel.cpl')}</th>
                      <th scope="col" className="num">{t('growth.funnel.cpc')}</th>
                      <th scope="col" className="num">{t('growth.funnel.show_rate')}</th>
                      <th scope="col" className="num">{t('growth.funnel.close_rate')}</th>
                      <th scope="col" className="num">{t('growth.funnel.roas')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => <FunnelTr key={r.key} name={rowLabel(r)} r={r} currency={currency} />)}
                  </tbody>
                  <tfoot>
                    <FunnelTr name={t('growth.funnel.total')} r={{ key: 'total', label: '', ...tot }} currency={currency} total />
                  </tfoot>
                </table>
              </div>
            )}
          </>
        );
      })()}
      <h2 className="section-title">{t('growth.cohorts.title')}</h2>
      <p className="hint">{t('growth.cohorts.hint')}</p>
      {cohorts.error ? <ErrorAlert error={cohorts.error} /> : !cohorts.data ? <Loading /> : cohorts.data.rows.length === 0 ? <p className="muted">{t('growth.funnel.empty')}</p> : (
        <div className="table-wrap">
          <table className="cohort-table" data-testid="cohort-table">
            <thead>
              <tr>
                <th scope="col">{t('growth.cohorts.month')}</th>
                <th scope="col" className="num">{t('growth.funnel.leads')}</th>
                <th scope="col" className="num">{t('growth.funnel.contacted')}</th>
                <th scope="col" className="num">{t('growth.funnel.booked')}</th>
                <th scope="col" className="num">{t('growth.funnel.shows')}</th>
                <th scope="col" className="num">{t('growth.funnel.won')}</th>
                <th scope="col" className="num">{t('growth.funnel.revenue')}</th>
                <th scope="col" className="num">{t('growth.funnel.spend')}</th>
                <th scope="col" className="num">{t('growth.funnel.roas')}</th>
              </tr>
            </thead>
            <tbody>
              {cohorts.data.rows.map((c) => (
                <tr key={c.month} data-testid="cohort-row" data-month={c.month}>
                  <th scope="row" className="nowrap">{day.month(c.month)}</th>
                  <td className="num">{day.number(c.leads)}</td>
                  <td className="num"><Share n={c.contacted} of={c.leads} /></td>
                  <td className="num"><Share n={c.consults_booked} of={c.leads} /></td>
                  <td className="num"><Share n={c.shows} of={c.leads} /></td>
                  <td className="num"><Share n={c.won} of={c.leads} /></td>
                  <td className="num nowrap">{money.format(c.revenue_minor, cohorts.data!.currency)}</td>
                  <td className="num nowrap">{money.format(c.spend_minor, cohorts.data!.currency)}</td>
                  <td className="num">{roas(c.roas)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId: string }) {
  return <div className="stat"><span className="stat-value" data-testid={testId}>{value}</span><span className="stat-label">{label}</span></div>;
}

/** A count with its share of the cohort under it. */
function Share({ n, of }: { n: number; of: number }) {
  const day = useClinicFormat();
  return <>{day.number(n)}{of > 0 && <div className="small muted">{day.percent(n / of)}</div>}</>;
}

function FunnelTr({ name, r, currency, total }: { name: string; r: FunnelRow; currency: string; total?: boolean }) {
  const day = useClinicFormat();
  const money = useMoney();
  const pct = (x: number) => day.percent(x);
  const Cell = total ? 'th' : 'td';
  return (
    <tr data-testid={total ? 'funnel-total' : 'funnel-row'} data-key={r.key}>
      <th scope="row">{name}</th>
      <Cell className="num">{day.number(r.leads)}</Cell>
      <Cell className="num">{day.number(r.contacted)}</Cell>
      <Cell className="num">{day.number(r.consults_booked)}</Cell>
      <Cell className="num">{day.number(r.shows)}</Cell>
      <Cell className="num" data-testid={total ? 'funnel-total-won' : undefined}>{day.number(r.won)}</Cell>
      <Cell className="num nowrap">{money.format(r.revenue_minor, currency)}</Cell>
      <Cell className="num nowrap">{money.format(r.spend_minor, currency)}</Cell>
      <Cell className="num nowrap">{money.format(r.cost_per_lead_minor, currency)}</Cell>
      <Cell className="num nowrap">{money.format(r.cost_per_consult_minor, currency)}</Cell>
      <Cell className="num">{ratio(r.show_rate, pct)}</Cell>
      <Cell className="num">{ratio(r.close_rate, pct)}</Cell>
      <Cell className="num">{r.roas === null || r.roas === undefined ? '—' : `${day.number(r.roas, 2)}×`}</Cell>
    </tr>
  );
}
