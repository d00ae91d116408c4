/**
 * Pieces the growth screens share: money typed in major units and sent in minor units, the
 * score badge, tag chips, campaign and stage pick-lists, and the growth navigation tabs.
 */
import { useMemo, useState, type ReactNode } from 'react';
import { Link, useLocation } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { useT, type MessageKey } from '../../i18n/i18n.js';
import { en } from '../../i18n/en.js';
import { useActingOrg, useCan, useFormat } from '../../session/session.js';
import { actingOrg, ApiError } from '../../lib/api.js';
import { saveBlob } from '../../lib/save.js';
import { amountInput, amountToMinor, currencyDigits } from '../../lib/amount.js';
import { itemsOf } from '../clinical/shared.js';
import type { Campaign, Member, Stage, Tag, TagRef } from './types.js';

/** The growth pages and who may open each (the API enforces the same). */
export const GROWTH_PAGES: { path: string; label: MessageKey; anyOf: string[] }[] = [
  { path: '/growth/pipeline', label: 'growth.nav.pipeline', anyOf: ['lead.read'] },
  { path: '/growth/leads', label: 'growth.nav.leads', anyOf: ['lead.read'] },
  { path: '/growth/campaigns', label: 'growth.nav.campaigns', anyOf: ['campaign.read'] },
  { path: '/growth/funnel', label: 'growth.nav.funnel', anyOf: ['campaign.read'] },
  { path: '/growth/commissions', label: 'growth.nav.commissions', anyOf: ['commission.read'] },
  { path: '/growth/integrations', label: 'growth.nav.integrations', anyOf: ['campaign.read'] },
];

/** The section's own tabs, under the page heading (the side navigation lists the same pages). */
export function GrowthTabs() {
  const t = useT();
  const can = useCan();
  const { path } = useLocation();
  return (
    <nav className="tabs growth-tabs" aria-label={t('nav.growth')} data-testid="growth-tabs">
      {GROWTH_PAGES.filter((p) => can(...p.anyOf)).map((p) => (
        <Link key={p.path} to={p.path} aria-current={path === p.path || path.startsWith(`${p.path}/`) ? 'page' : undefined}>{t(p.label)}</Link>
      ))}
    </nav>
  );
}

export interface Money {
  currency: string;
  /** Minor units as money in the organization's locale. */
  format(minor: number | null | undefined, currency?: string): string;
  /** Digits after the decimal point for the currency (0 for JPY, 2 for USD). */
  digits(currency?: string): number;
  /** A typed amount ("1,500.50" in en, "1.500,50" in tr) in minor units; NaN when it is not a non-negative amount or could be read two ways. */
  toMinor(text: string, currency?: string): number;
  /** Minor units as the plain number a form field shows ("1500.5" in en, "1500,5" in tr). */
  toInput(minor: number | null | undefined, currency?: string): string;
}

/** Money in the organization's locale; typed amounts are read by lib/amount.ts, as in the clinic's forms. */
export function useMoney(): Money {
  const org = useActingOrg();
  const fmt = useFormat();
  const locale = org?.locale ?? navigator.language;
  const orgCurrency = org?.currency ?? 'USD';
  return useMemo(() => ({
    currency: orgCurrency,
    digits: (currency = orgCurrency) => currencyDigits(currency),
    format: (minor, currency = orgCurrency) => (minor === null || minor === undefined ? '—' : fmt.money(minor, currency)),
    toMinor: (text, currency = orgCurrency) => amountToMinor(text, locale, currency),
    toInput: (minor, currency = orgCurrency) => amountInput(minor, locale, currency),
  }), [locale, orgCurrency, fmt]);
}

/** Score 0-100 as a coloured badge: cold, warm, hot. */
export function ScoreBadge({ score, testId }: { score: number; testId?: string }) {
  const t = useT();
  const heat = score >= 70 ? 'hot' : score >= 40 ? 'warm' : 'cold';
  return (
    <span className={`score-badge ${heat}`} title={t('growth.score_title', { score })} aria-label={t('growth.score_title', { score })} data-testid={testId} data-score={score}>
      {score}
    </span>
  );
}

export function TagChip({ tag, children }: { tag: TagRef; children?: ReactNode }) {
  return (
    <span className="tag-chip" style={{ ['--tag' as string]: tag.color }} data-testid="tag-chip" data-tag={tag.name}>
      <span className="tag-dot" aria-hidden="true" />{tag.name}{children}
    </span>
  );
}

export function StageDot({ color }: { color: string }) {
  return <span className="stage-dot" style={{ background: color }} aria-hidden="true" />;
}

/** A lead has only a first name (no PHI); without one it is shown by its source. */
export function leadName(lead: { first_name: string | null; source?: string }, t: (k: MessageKey) => string): string {
  return lead.first_name?.trim() || t('growth.lead.unnamed');
}

/** Pick-lists: every stage in order, the campaigns (first 200), the tags. */
export function useStages() {
  const r = useApi<Stage[] | { items: Stage[] }>('/api/pipeline-stages');
  return { stages: itemsOf(r.data).slice().sort((a, b) => a.position - b.position), error: r.error, reload: r.reload };
}

export function useCampaignOptions(enabled = true) {
  const r = useApi<Campaign[] | { items: Campaign[] }>(enabled ? '/api/campaigns?limit=200' : null);
  return { campaigns: itemsOf(r.data), error: r.error };
}

export function useTags() {
  const r = useApi<Tag[] | { items: Tag[] }>('/api/tags');
  return { tags: itemsOf(r.data), reload: r.reload, error: r.error };
}

/** A translated label for an enum value, falling back to the value itself when the key is unknown. */
export function useLabel() {
  const t = useT();
  return (prefix: string, value: string | null | undefined): string => {
    if (!value) return '—';
    const key = `${prefix}.${value}`;
    return key in en ? t(key as MessageKey) : value.replace(/_/g, ' ');
  };
}

/** The problem+json refusal for PHI reads as a policy statement, not a generic error. */
export function isPhiRefusal(error: ApiError | undefined): boolean {
  return error?.code === 'phi_not_allowed';
}

/** `YYYY-MM` of a date string, and the month `n` months from it. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}

export const ratio = (r: number | null | undefined, pct: (x: number) => string) => (r === null || r === undefined ? '—' : pct(r));

/** The organization's members (the admin pages' list), for assigning and linking leads; empty without member.read. */
export function useMembers(enabled = true) {
  const r = useApi<{ items: Member[] }>(enabled ? '/api/members?limit=200' : null);
  return { members: itemsOf(r.data).filter((m) => m.status === 'active'), loaded: r.data !== undefined, error: r.error };
}

/**
 * Downloads a CSV export. Fetched rather than linked so the acting organization travels in its
 * header like every other call; a refusal arrives as problem+json and is thrown as an ApiError.
 */
export async function downloadCsv(path: string, fallbackName: string): Promise<void> {
  const headers: Record<string, string> = { accept: 'text/csv, application/problem+json' };
  const org = actingOrg.get();
  if (org) headers['x-org-id'] = org;
  let res: Response;
  try {
    res = await fetch(path, { headers, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network_error', '');
  }
  if (!res.ok) {
    const problem = await res.json().catch(() => ({})) as { code?: string; detail?: string };
    throw new ApiError(res.status, problem.code ?? 'http_error', problem.detail ?? res.statusText);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  saveBlob(await res.blob(), name);
}

/** A button that downloads a CSV export and says why when it cannot. */
export function ExportButton({ path, fallbackName, testId }: { path: string; fallbackName: string; testId: string }) {
  const t = useT();
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });
  const run = async () => {
    setState({ busy: true });
    try {
      await downloadCsv(path, fallbackName);
      setState({ busy: false });
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(0, 'client_error', String(err));
      setState({ busy: false, error: e.status === 0 ? t('error.network') : e.detail || t('error.generic') });
    }
  };
  return (
    <span className="export-button">
      <button type="button" className="btn secondary" onClick={() => void run()} disabled={state.busy} data-testid={testId}>
        {state.busy ? t('common.working') : t('growth.export_csv')}
      </button>
      {state.error && <span className="field-error" role="alert" data-testid={`${testId}-error`}>{state.error}</span>}
    </span>
  );
}

/** Copies text to the clipboard and says so for a moment. */
export function CopyButton({ value, testId }: { value: string; testId?: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch { /* no clipboard (plain http): the text stays selectable */ }
  };
  return (
    <button type="button" className="btn small secondary" onClick={() => void copy()} data-testid={testId} aria-live="polite">
      {copied ? t('growth.copied') : t('common.copy')}
    </button>
  );
}
