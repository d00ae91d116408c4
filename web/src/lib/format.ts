/**
 * Dates, times and money are shown in the acting organization's locale, time zone and currency,
 * so every member of a Taipei clinic sees the same clock and NT$ amounts whatever their UI language.
 */
export interface OrgFormat { locale: string; timezone: string; currency: string }

export interface Formatter {
  dateTime(iso: string): string;
  date(iso: string): string;
  /** Money arrives as integer minor units (conventions: never floats). */
  money(minor: number, currency?: string): string;
}

export function formatter(org: OrgFormat): Formatter {
  const dateTime = new Intl.DateTimeFormat(org.locale, { dateStyle: 'medium', timeStyle: 'medium', timeZone: org.timezone });
  const date = new Intl.DateTimeFormat(org.locale, { dateStyle: 'medium', timeZone: org.timezone });
  return {
    dateTime: (iso) => dateTime.format(new Date(iso)),
    date: (iso) => date.format(new Date(iso)),
    money(minor, currency = org.currency) {
      const nf = new Intl.NumberFormat(org.locale, { style: 'currency', currency });
      const digits = nf.resolvedOptions().maximumFractionDigits ?? 2;
      const major = minor / 10 ** digits;
      // Whole amounts without ".00" (NT$4,999, not NT$4,999.00): clinic prices are whole; cents show when there are some.
      return Number.isInteger(major) ? new Intl.NumberFormat(org.locale, { style: 'currency', currency, maximumFractionDigits: 0 }).format(major) : nf.format(major);
    },
  };
}

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** Milliseconds to add to UTC to get the wall clock of `timeZone` at `instant`. */
function zoneOffset(instant: number, timeZone: string): number {
  let clock = wallClocks.get(timeZone);
  if (!clock) {
    clock = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    wallClocks.set(timeZone, clock);
  }
  const parts = clock.formatToParts(new Date(instant));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(instant / 1000) * 1000;
}

/** The instant a calendar day (`YYYY-MM-DD`, plus `addDays`) begins in `timeZone`, as ISO-8601 UTC. */
export function startOfDayIn(day: string, timeZone: string, addDays = 0): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d + addDays);
  // Two passes settle the offset on days when the zone changes it (DST).
  let instant = wall - zoneOffset(wall, timeZone);
  instant = wall - zoneOffset(instant, timeZone);
  return new Date(instant).toISOString();
}

/** An instant as a datetime-local field's value (`YYYY-MM-DDTHH:mm`) on the clock of `timeZone`. */
export function zonedInput(iso: string, timeZone: string): string {
  const at = Date.parse(iso);
  return new Date(at + zoneOffset(at, timeZone)).toISOString().slice(0, 16);
}

/**
 * A datetime-local field's value read on the clock of `timeZone`, as ISO-8601 UTC. Two passes
 * settle the offset across a DST change; the hour repeated when clocks go back reads as its first occurrence.
 */
export function zonedInstant(local: string, timeZone: string): string {
  const wall = Date.parse(`${local.length === 10 ? `${local}T00:00` : local.slice(0, 16)}:00Z`);
  const first = wall - zoneOffset(wall, timeZone);
  return new Date(wall - zoneOffset(first, timeZone)).toISOString();
}
