/**
 * The owner dashboard: treatment performance (sessions per month, repeat rate, average revenue),
 * follow-up risk (patients past their recommended re-treatment with nothing booked), client
 * retention, revenue by procedure type and popular pigments, all in the organization's calendar.
 */
import type { ReactNode } from 'react';
import { Link } from '../../lib/router.js';
import { useApi, type Resource } from '../../lib/useApi.js';
import { useT } from '../../i18n/i18n.js';
import { useFormat } from '../../session/session.js';
import { ErrorAlert, Loading } from '../../ui/feedback.js';
import { Page } from '../../ui/layout.js';
import { useClinicFormat } from '../clinical/shared.js';
import { CATEGORIES, categoryKey } from '../clinical/SessionForm.js';
import { BarChart, LineChart, type Datum } from './charts.js';
import { pmuProcedureLabel } from '../clinical/pmu.js';

interface TreatmentPerformance {
  treatment_id: string; treatment_code: string; treatment_name: string; month: string; monthly_sessions: number;
  repeat_rate: number | null; avg_revenue: number | null; revenue: number; currency: string; patients_12m: number; repeat_patients_12m: number;
  series: { month: string; sessions: number; revenue: number }[];
}
interface Risk {
  patient_id: string; patient_code: string; patient_name: string; last_treatment: string | null; days_since_last: number | null;
  status: 'due' | 'overdue'; recommended_date: string; days_past: number;
}
interface Retention { cohort_month: string; clients: number; returned: number; retention_rate: number | null; complete: boolean }
interface RevenueByType { procedure_type: string; sessions: number; revenue: number; avg_revenue: number | null; currency: string }
interface Pigment { pigment_brand: string; pigment_color: string | null; sessions: number; clients: number }

export function DashboardPage() {
  const t = useT();
  const day = useClinicFormat();
  const treatments = useApi<TreatmentPerformance[]>('/api/dashboard/treatments');
  const risk = useApi<Risk[]>('/api/dashboard/followup-risk?limit=500');
  const retention = useApi<Retention[]>('/api/dashboard/retention');
  const revenue = useApi<RevenueByType[]>('/api/dashboard/revenue-by-procedure-type');
  const pigments = useApi<Pigment[]>('/api/dashboard/popular-pigments');
  return (
    <Page title={t('dash.title')} testId="dashboard-page">
      <p className="hint page-intro">{t('dash.intro', { timezone: day.timezone })}</p>
      <Kpis treatments={treatments} risk={risk} />
      <div className="dash-grid">
        <Section resource={treatments} title={t('dash.treatments')} testId="dash-treatments" wide>{(d) => <TreatmentCharts rows={d} />}</Section>
        <Section resource={risk} title={t('dash.risk')} testId="dash-risk">{(d) => <RiskCharts rows={d} />}</Section>
        <Section resource={retention} title={t('dash.retention')} testId="dash-retention">{(d) => <RetentionChart rows={d} />}</Section>
        <Section resource={revenue} title={t('dash.revenue')} testId="dash-revenue">{(d) => <RevenueChart rows={d} />}</Section>
        <Section resource={pigments} title={t('dash.pigments')} testId="dash-pigments">{(d) => <PigmentChart rows={d} />}</Section>
      </div>
    </Page>
  );
}

function Section<T>({ resource, title, testId, wide, children }: {
  resource: Resource<T>; title: string; testId: string; wide?: boolean; children: (data: T) => ReactNode;
}) {
  return (
    <section className={`card${wide ? ' wide' : ''}`} data-testid={testId} aria-label={title}>
      <h2 className="card-title">{title}</h2>
      {resource.error ? <ErrorAlert error={resource.error} /> : resource.data === undefined ? <Loading /> : children(resource.data)}
    </section>
  );
}

function Kpis({ treatments, risk }: { treatments: Resource<TreatmentPerformance[]>; risk: Resource<Risk[]> }) {
  const t = useT();
  const day = useClinicFormat();
  const rows = treatments.data ?? [];
  const sessions = rows.reduce((s, r) => s + r.monthly_sessions, 0);
  const patients = rows.reduce((s, r) => s + r.patients_12m, 0);
  const repeat = rows.reduce((s, r) => s + r.repeat_patients_12m, 0);
  const overdue = (risk.data ?? []).filter((r) => r.status === 'overdue').length;
  const due = (risk.data ?? []).filter((r) => r.status === 'due').length;
  const month = rows[0]?.month;
  return (
    <div className="stat-row" data-testid="dash-kpis">
      <div className="stat">
        <span className="stat-value" data-testid="kpi-sessions">{treatments.data ? day.number(sessions) : '…'}</span>
        <span className="stat-label">{month ? t('dash.kpi_sessions_in', { month: day.month(month) }) : t('dash.kpi_sessions')}</span>
      </div>
      <div className="stat"><span className="stat-value">{patients ? day.percent(repeat / patients) : '—'}</span><span className="stat-label">{t('dash.kpi_repeat')}</span></div>
      <div className="stat overdue"><span className="stat-value" data-testid="kpi-overdue">{risk.data ? day.number(overdue) : '…'}</span><span className="stat-label">{t('dash.kpi_overdue')}</span></div>
      <div className="stat today"><span className="stat-value" data-testid="kpi-due">{risk.data ? day.number(due) : '…'}</span><span className="stat-label">{t('dash.kpi_due')}</span></div>
    </div>
  );
}

function TreatmentCharts({ rows }: { rows: TreatmentPerformance[] }) {
  const t = useT();
  const fmt = useFormat();
  const day = useClinicFormat();
  const month = rows[0]?.month;
  // The months of the series, summed over the treatments.
  const byMonth = new Map<string, { sessions: number; revenue: number; currency: string }>();
  for (const r of rows) {
    for (const m of r.series) {
      const cur = byMonth.get(m.month) ?? { sessions: 0, revenue: 0, currency: r.currency };
      byMonth.set(m.month, { sessions: cur.sessions + m.sessions, revenue: cur.revenue + m.revenue, currency: cur.currency });
    }
  }
  const months = [...byMonth.entries()].sort(([a], [b]) => a.localeCompare(b));
  const active = rows.filter((r) => r.monthly_sessions > 0 || r.patients_12m > 0);
  return (
    <div className="chart-grid">
      <LineChart title={t('dash.sessions_by_month')} testId="chart-sessions-month"
        data={months.map(([m, v]) => ({ label: day.month(m), value: v.sessions, text: day.number(v.sessions) }))} />
      <LineChart title={t('dash.revenue_by_month')} testId="chart-revenue-month"
        data={months.map(([m, v]) => ({ label: day.month(m), value: v.revenue, text: money(fmt, v.revenue, v.currency) }))} />
      <BarChart title={month ? t('dash.monthly_sessions_in', { month: day.month(month) }) : t('dash.monthly_sessions')} testId="chart-monthly-sessions"
        data={active.map((r) => ({ label: r.treatment_name, value: r.monthly_sessions, text: day.number(r.monthly_sessions) }))} />
      <BarChart title={t('dash.repeat_rate')} testId="chart-repeat-rate"
        data={active.map((r) => ({ label: r.treatment_name, value: r.repeat_rate ?? 0, text: r.repeat_rate === null ? '—' : day.percent(r.repeat_rate) }))} />
      <BarChart title={t('dash.avg_revenue')} testId="chart-avg-revenue"
        data={active.map((r) => ({ label: r.treatment_name, value: r.avg_revenue ?? 0, text: r.avg_revenue === null ? '—' : money(fmt, r.avg_revenue, r.currency) }))} />
    </div>
  );
}

function RiskCharts({ rows }: { rows: Risk[] }) {
  const t = useT();
  const day = useClinicFormat();
  const counts: Datum[] = (['overdue', 'due'] as const).map((s) => {
    const c = rows.filter((r) => r.status === s).length;
    return { label: t(s === 'overdue' ? 'dash.status_overdue' : 'dash.status_due'), value: c, text: day.number(c) };
  });
  const shown = rows.slice().sort((a, b) => b.days_past - a.days_past).slice(0, 15);
  return (
    <>
      <BarChart title={t('dash.risk_counts')} data={counts} tone="danger" testId="chart-risk" />
      {rows.length === 0 ? <p className="muted">{t('dash.no_risk')}</p> : (
        <div className="table-wrap flat">
          <table data-testid="risk-table">
            <thead>
              <tr>
                <th scope="col">{t('followups.patient')}</th>
                <th scope="col">{t('dash.last_treatment')}</th>
                <th scope="col" className="num">{t('dash.days_since')}</th>
                <th scope="col">{t('dash.recommended')}</th>
                <th scope="col">{t('inventory.status')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.patient_id} data-testid="risk-row">
                  <td><Link to={`/patients/${r.patient_id}`}>{r.patient_name}</Link><div className="muted small mono nowrap">{r.patient_code}</div></td>
                  <td>{r.last_treatment ?? '—'}</td>
                  <td className="num">{r.days_since_last === null ? '—' : day.number(r.days_since_last)}</td>
                  <td className="nowrap">{day.day(r.recommended_date)}</td>
                  <td><span className={`badge ${r.status === 'overdue' ? 'failure' : 'pending'}`}>{t(r.status === 'overdue' ? 'dash.status_overdue' : 'dash.status_due')}</span></td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length > shown.length && <p className="hint">{t('dash.more_rows', { count: rows.length - shown.length })}</p>}
        </div>
      )}
    </>
  );
}

function RetentionChart({ rows }: { rows: Retention[] }) {
  const t = useT();
  const day = useClinicFormat();
  const cohorts = rows.filter((r) => r.clients > 0);
  const clients = cohorts.reduce((s, r) => s + r.clients, 0);
  const returned = cohorts.reduce((s, r) => s + r.returned, 0);
  return (
    <>
      {clients > 0 && (
        <p className="big-number" data-testid="retention-overall">
          {day.percent(returned / clients)} <span className="muted small">{t('dash.retention_overall', { returned, clients })}</span>
        </p>
      )}
      <LineChart title={t('dash.retention_by_month')} testId="chart-retention"
        data={cohorts.map((r) => ({
          label: day.month(r.cohort_month), value: r.retention_rate ?? 0,
          text: `${r.retention_rate === null ? '—' : day.percent(r.retention_rate)}${r.complete ? '' : '*'}`,
        }))} />
      {cohorts.some((r) => !r.complete) && <p className="hint">{t('dash.retention_incomplete')}</p>}
    </>
  );
}

function RevenueChart({ rows }: { rows: RevenueByType[] }) {
  const t = useT();
  const fmt = useFormat();
  return (
    <BarChart title={t('dash.revenue_by_type')} testId="chart-revenue"
      data={rows.map((r) => ({
        // Sessions without a PMU procedure type are grouped by the treatment's category (Injection, Device ...): named in the UI language.
        label: !r.procedure_type ? t('dash.unspecified')
          : (CATEGORIES as readonly string[]).includes(r.procedure_type) ? t(`category.${categoryKey(r.procedure_type)}`) : pmuProcedureLabel(t, r.procedure_type),
        value: r.revenue,
        text: money(fmt, r.revenue, r.currency),
      }))} />
  );
}

function PigmentChart({ rows }: { rows: Pigment[] }) {
  const t = useT();
  const day = useClinicFormat();
  return (
    <BarChart title={t('dash.pigments_used')} tone="warning" testId="chart-pigments"
      data={rows.map((r) => ({ label: [r.pigment_brand, r.pigment_color].filter(Boolean).join(' · '), value: r.sessions, text: day.number(r.sessions) }))} />
  );
}

/** The dashboards answer money in major units (the seed's 38000 = NT$38,000): minor = major × 10^digits. */
function money(fmt: ReturnType<typeof useFormat>, major: number, currency: string): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return fmt.money(Math.round(major * 10 ** digits), currency);
}
