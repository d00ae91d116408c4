import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** The two-letter region a number without a leading + is read in, when it is one libphonenumber knows. */
export function phoneRegion(country: string | null | undefined): CountryCode | undefined {
  const c = country?.trim().toUpperCase();
  return c && /^[A-Z]{2}$/.test(c) && isSupportedCountry(c) ? (c as CountryCode) : undefined;
}

/**
 * A phone number as E.164 (+886912345678), or null when it is not a valid number. A number
 * without a leading + (or 00) is read as a national number of `defaultRegion` (the lead's or the
 * organization's country); without a region it cannot be placed and is refused.
 */
export function toE164(input: string, defaultRegion?: string | null): string | null {
  const raw = input.trim();
  if (!raw || raw.length > 40) return null;
  const international = raw.replace(/^00/, '+');
  const region = phoneRegion(defaultRegion);
  const parsed = international.startsWith('+') ? parsePhoneNumberFromString(international) : region ? parsePhoneNumberFromString(raw, region) : undefined;
  if (!parsed || !parsed.isValid()) return null;
  const e164 = parsed.number;
  // The column's check: + then 7 to 15 digits.
  return /^\+[1-9][0-9]{6,14}$/.test(e164) ? e164 : null;
}
