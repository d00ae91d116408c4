/**
 * Money typed in a form, read the way the organization's locale writes numbers: "4,999.50" in
 * en and zh-TW, "4.999,50" in tr. The locale's decimal separator marks the fraction; its group
 * separator is accepted only where it groups digits as the locale does ("4.999" in tr is 4999).
 * Input that could mean two amounts ("4999.50" or "4.99" in tr, "4999,50" in en: a separator
 * that does not group) is refused rather than guessed, so a form shows a field error and the
 * person writes it again; nothing is silently read as a hundred times the amount.
 */

export interface Separators { decimal: string; group: string }

/** Built once per locale or currency: an Intl.NumberFormat costs far more than the lookup. */
const separatorsByLocale = new Map<string, Separators & { indian: boolean }>();
const digitsByCurrency = new Map<string, number>();

/** The decimal and group separators of a locale ("." and "," for en; "," and "." for tr). */
export function separators(locale: string): Separators {
  const { decimal, group } = localeNumbers(locale);
  return { decimal, group };
}

function localeNumbers(locale: string): Separators & { indian: boolean } {
  const known = separatorsByLocale.get(locale);
  if (known) return known;
  let format: Intl.NumberFormat;
  try {
    format = new Intl.NumberFormat(locale);
  } catch {
    format = new Intl.NumberFormat('en');
  }
  const parts = format.formatToParts(1234567.5);
  const found = {
    decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.',
    group: parts.find((p) => p.type === 'group')?.value ?? ',',
    // 12,34,567 (en-IN lakhs) rather than 1,234,567.
    indian: /^\d{2}\D\d{2}\D\d{3}$/.test(format.format(1234567)),
  };
  separatorsByLocale.set(locale, found);
  return found;
}

/** Digits after the decimal point of a currency as Intl knows it (TWD 2, JPY 0, KWD 3); 2 when unknown. */
export function currencyDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

export type AmountProblem =
  /** Nothing typed. */
  | 'empty'
  /** Not a non-negative amount at all ("abc", "-5", "1.2.3" in en). */
  | 'invalid'
  /** Could be read two ways in this locale: a separator that does not group thousands. */
  | 'ambiguous'
  /** More decimals than the currency has (4.999 TWD). */
  | 'too_precise'
  /** Beyond what is counted exactly. */
  | 'too_large';

export type AmountResult = { ok: true; minor: number } | { ok: false; problem: AmountProblem };

const SPACES = /[\s\u00a0\u202f]/;
const APOSTROPHES = /['\u2019]/;

/** Integer digits grouped as the locale does: 1,234,567 (thousands) or 12,34,567 (en-IN lakhs). */
function groupedRe(group: string, indian: boolean): RegExp {
  const g = SPACES.test(group) ? '[\\s\\u00a0\\u202f]' : APOSTROPHES.test(group) ? "['\\u2019]" : group.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return indian ? new RegExp(`^(\\d{1,3}|\\d{1,2}(${g}\\d{2})*${g}\\d{3})$`) : new RegExp(`^\\d{1,3}(${g}\\d{3})*$`);
}

/**
 * A typed amount in major units ("4.999,50" in tr) as minor units of `currency` (499950), or
 * why it is not one. Whitespace around the amount is ignored; ",5" in tr and ".5" in en are 0.5.
 */
export function parseAmount(text: string, locale: string, currency: string): AmountResult {
  return parseScaled(text, locale, currencyDigits(currency));
}

/**
 * A typed quantity ("1.000,5" ml in tr) with at most `digits` decimals, by the same rules as an
 * amount; `signed` also accepts a leading minus (a count correction). NaN when it is not one.
 */
export function parseQuantity(text: string, locale: string, opts: { digits?: number; signed?: boolean } = {}): number {
  const digits = opts.digits ?? 2;
  let s = text.trim();
  let sign = 1;
  if (opts.signed && /^[-\u2212]/.test(s)) { sign = -1; s = s.slice(1); }
  const r = parseScaled(s, locale, digits);
  return r.ok ? (sign * r.minor) / 10 ** digits : Number.NaN;
}

function parseScaled(text: string, locale: string, digits: number): AmountResult {
  const s = text.trim();
  if (!s) return { ok: false, problem: 'empty' };
  const { decimal, group, indian } = localeNumbers(locale);
  const isGroup = (ch: string) => ch === group || (SPACES.test(group) && SPACES.test(ch)) || (APOSTROPHES.test(group) && APOSTROPHES.test(ch));
  // Every character is a digit, the decimal separator, the group separator or a '.'/',' the
  // locale does not use (fr has no '.': "4999.50" there is ambiguous, not wrong).
  for (const ch of s) {
    if (/\d/.test(ch) || ch === decimal || isGroup(ch)) continue;
    return { ok: false, problem: ch === '.' || ch === ',' ? 'ambiguous' : 'invalid' };
  }
  const at = s.indexOf(decimal);
  const whole = at < 0 ? s : s.slice(0, at);
  const frac = at < 0 ? '' : s.slice(at + decimal.length);
  if (at >= 0) {
    // A group separator after the decimal one ("1.234,5" in en) is another locale's way of writing it.
    if ([...frac].some(isGroup)) return { ok: false, problem: 'ambiguous' };
    if (!/^\d+$/.test(frac)) return { ok: false, problem: 'invalid' };
  }
  if ([...whole].some(isGroup)) {
    // "4,999" groups; "4999,50" or "4,99" in en does not: a decimal comma typed by habit, or a slip.
    if (!groupedRe(group, indian).test(whole)) return { ok: false, problem: 'ambiguous' };
  } else if (!/^\d*$/.test(whole) || (!whole && !frac)) {
    return { ok: false, problem: 'invalid' };
  }
  if (frac.length > digits) return { ok: false, problem: 'too_precise' };
  const minor = Number([...whole].filter((c) => /\d/.test(c)).join('')) * 10 ** digits + Number(frac.padEnd(digits, '0') || '0');
  return Number.isSafeInteger(minor) ? { ok: true, minor } : { ok: false, problem: 'too_large' };
}

/** parseAmount's minor units, or NaN when the text is not an amount (or is ambiguous). */
export function amountToMinor(text: string, locale: string, currency: string): number {
  const r = parseAmount(text, locale, currency);
  return r.ok ? r.minor : Number.NaN;
}

/**
 * Minor units as the text a form field starts with, in the locale's decimal separator and without
 * grouping, so it reads back as the same amount: 499950 TWD -> "4999.5" (en), "4999,5" (tr).
 */
export function amountInput(minor: number | null | undefined, locale: string, currency: string): string {
  if (minor === null || minor === undefined) return '';
  const digits = currencyDigits(currency);
  if (digits === 0) return String(minor);
  const plain = (minor / 10 ** digits).toFixed(digits).replace(/\.?0+$/, '');
  return plain.replace('.', separators(locale).decimal);
}
