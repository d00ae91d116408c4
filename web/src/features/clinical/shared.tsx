/**
 * Pieces the clinic screens share: calendar days in the organization's locale, "today" in its
 * time zone, numbers, tabs kept in the URL, and lists that arrive either as an array or as a page.
 */
import { useMemo, type ReactNode } from 'react';
import { Link, useLocation } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { useActingOrg, useCan, useMe } from '../../session/session.js';

export interface ClinicFormat {
  /** A calendar date (`YYYY-MM-DD`, a day someone picked): never shifted by a time zone. */
  day(date: string): string;
  /** A calendar month (`YYYY-MM`). */
  month(month: string): string;
  number(n: number, maxFractionDigits?: number): string;
  percent(ratio: number): string;
  /** Today's date (`YYYY-MM-DD`) on the organization's clock. */
  today(): string;
  timezone: string;
}

export function useClinicFormat(): ClinicFormat {
  const org = useActingOrg();
  const locale = org?.locale ?? navigator.language;
  const timezone = org?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  return useMemo(() => {
    const day = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
    const mon = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', timeZone: 'UTC' });
    const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
    const iso = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    return {
      timezone,
      day: (date) => day.format(new Date(`${date.slice(0, 10)}T00:00:00Z`)),
      month: (m) => mon.format(new Date(`${m.slice(0, 7)}-01T00:00:00Z`)),
      number: (n, max = 2) => new Intl.NumberFormat(locale, { maximumFractionDigits: max }).format(n),
      percent: (ratio) => pct.format(ratio),
      today: () => iso.format(new Date()),
    };
  }, [locale, timezone]);
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to.slice(0, 10)}T00:00:00Z`) - Date.parse(`${from.slice(0, 10)}T00:00:00Z`)) / 86_400_000);
}

/** Lists arrive as `{items, next_cursor}` pages or, where the seed says so, as plain arrays. */
export function itemsOf<T>(data: T[] | { items: T[] } | undefined): T[] {
  if (!data) return [];
  return Array.isArray(data) ? data : data.items ?? [];
}

/** Tabs as links (`?tab=`): the chosen tab survives a reload and the back button. */
export function useTab<T extends string>(tabs: readonly T[]): T {
  const { params } = useLocation();
  const tab = params.get('tab') as T | null;
  return tab && tabs.includes(tab) ? tab : tabs[0]!;
}

export function TabLinks<T extends string>({ tabs, current, label, base, testId }: {
  tabs: { value: T; label: string }[]; current: T; label: string; base: string; testId?: string;
}) {
  return (
    <nav className="tabs" aria-label={label} data-testid={testId}>
      {tabs.map((tab) => (
        <Link key={tab.value} to={`${base}?tab=${tab.value}`} aria-current={tab.value === current ? 'page' : undefined}
          data-testid={`tab-${tab.value}`}>{tab.label}</Link>
      ))}
    </nav>
  );
}

/** A small definition list row, skipped when there is no value. */
export function Fact({ label, children }: { label: string; children: ReactNode }) {
  if (children === null || children === undefined || children === '') return null;
  return <><dt>{label}</dt><dd>{children}</dd></>;
}

/** Fields a form may leave empty are sent as absent, not as empty strings. */
export function compact<T extends Record<string, unknown>>(obj: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== '' && v !== undefined && v !== null) (out as Record<string, unknown>)[k] = v;
  return out;
}


/**
 * Names the member behind a user id: "Name (you)" for the signed-in user, the member's name when
 * the caller may list members (member.read), else `unknown`; `none` when there is no id.
 */
export function useWho(labels: { you: string; unknown: string; none?: string }): (userId: string | null) => string {
  const can = useCan();
  const me = useMe();
  const members = useApi<{ items: { user_id: string; full_name: string }[] }>(can('member.read') ? '/api/members?limit=200' : null);
  const names = new Map(itemsOf(members.data).map((m) => [m.user_id, m.full_name]));
  return (userId) => {
    if (!userId) return labels.none ?? labels.unknown;
    if (userId === me.user.id) return `${me.user.full_name} (${labels.you})`;
    return names.get(userId) ?? labels.unknown;
  };
}
