/** Calendar arithmetic for generated data: dates (YYYY-MM-DD) and wall-clock times in a time zone. */

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = dateFormatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    dateFormatters.set(timezone, f);
  }
  return f;
}

function wallClock(at: Date, timezone: string): Record<string, number> {
  return Object.fromEntries(formatter(timezone).formatToParts(at).filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
}

/** The calendar date of an instant in a time zone. */
export function dateIn(at: Date, timezone: string): string {
  const w = wallClock(at, timezone);
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `a` to `b`. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** The instant at which clocks in `timezone` show `date` `hour`:`minute` (DST-aware). */
export function instantAt(date: string, hour: number, minute: number, timezone: string): Date {
  const asUtc = Date.parse(`${date}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`);
  let guess = asUtc;
  for (let i = 0; i < 3; i++) {
    const w = wallClock(new Date(guess), timezone);
    const shown = Date.UTC(w.year!, w.month! - 1, w.day!, w.hour!, w.minute!, w.second!);
    const diff = asUtc - shown;
    if (diff === 0) break;
    guess += diff;
  }
  return new Date(guess);
}
