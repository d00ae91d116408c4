/**
 * Pieces the clinic screens share: calendar days in the organization's locale, "today" in its
 * time zone, numbers, tabs kept in the URL, and lists that arrive either as an array or as a page.
 */
import { useMemo, type ReactNode } from 'react';
import { Link, useLocation } from '../../lib/router.js';
import { useActingOrg } from '../../session/session.js';

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


const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** How far `tz`'s wall clock is ahead of UTC at the instant `at` (ms). */
function zoneOffset(at: number, tz: string): number {
  let clock = wallClocks.get(tz);
  if (!clock) {
    clock = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    wallClocks.set(tz, clock);
  }
  const parts = clock.formatToParts(new Date(at));
  const v = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(v('year'), v('month') - 1, v('day'), v('hour'), v('minute'), v('second')) - Math.floor(at / 1000) * 1000;
}

/** An instant as a datetime-local field's value (`YYYY-MM-DDTHH:mm`) on the clock of `tz`. */
export function zonedInput(iso: string, tz: string): string {
  const at = Date.parse(iso);
  return new Date(at + zoneOffset(at, tz)).toISOString().slice(0, 16);
}

/** A datetime-local field's value read on the clock of `tz`, as an ISO instant. */
export function zonedInstant(local: string, tz: string): string {
  const wall = Date.parse(`${local}:00Z`);
  // The offset at the guess, then at the corrected instant (right across a DST change).
  const first = wall - zoneOffset(wall, tz);
  return new Date(wall - zoneOffset(first, tz)).toISOString();
}
