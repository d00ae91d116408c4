import type { Tx } from '../../platform/db/client.js';

export interface OrgSettings { timezone: string; consentPolicy: 'flag' | 'strict'; currency: string; country: string | null }

/** The acting organization's time zone, consent policy, currency and country. */
export async function orgSettings(tx: Tx): Promise<OrgSettings> {
  const [o] = await tx.query<{ timezone: string; consent_policy: 'flag' | 'strict'; currency: string; country: string | null }>(
    'SELECT timezone, consent_policy, currency, country FROM organizations WHERE id = visage_current_org()');
  if (!o) throw new Error('no acting organization');
  return { timezone: o.timezone, consentPolicy: o.consent_policy, currency: o.currency, country: o.country };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (YYYY-MM-DD) of an instant in a time zone: "today" of a clinic in Taipei. */
export function localDate(at: Date, timezone: string): string {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timezone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}
