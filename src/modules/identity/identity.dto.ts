import { z } from 'zod';
import type { UserRow, OrgSummary } from './accounts.service.js';

export const Email = z.string().trim().toLowerCase().email().max(254);
export const Password = z.string().min(10, 'Use at least 10 characters.').max(200);
export const Uuid = z.string().uuid();

const timezones = new Set(Intl.supportedValuesOf('timeZone').concat(['UTC']));
const currencies = new Set(Intl.supportedValuesOf('currency'));
export const Timezone = z.string().refine((t) => timezones.has(t), 'Use an IANA time zone such as Asia/Taipei.');
export const Currency = z.string().toUpperCase().refine((c) => currencies.has(c), 'Use an ISO 4217 currency code such as TWD.');
/** The languages of the web app and of an organization's formatting. */
export const Locale = z.enum(['en', 'zh-TW', 'tr']);

export const UserDto = z.object({
  id: z.string(), email: z.string(), username: z.string().nullable(), full_name: z.string(), first_name: z.string().nullable(),
  last_name: z.string().nullable(), phone: z.string().nullable(), avatar_url: z.string().nullable(), preferred_language: z.string(),
  timezone: z.string().nullable(), user_type: z.string(), status: z.string(), auth_provider: z.string(), email_verified: z.boolean(),
  default_org_id: z.string().nullable(), created_at: z.string(),
});

export const OrgSummaryDto = z.object({
  id: z.string(), name: z.string(), type: z.string(), timezone: z.string(), currency: z.string(), locale: z.string(), roles: z.array(z.string()),
});

export const SessionResponse = z.object({ token: z.string(), user: UserDto, organizations: z.array(OrgSummaryDto) });

export const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

export function userDto(u: UserRow): z.infer<typeof UserDto> {
  return {
    id: u.id, email: u.email, username: u.username, full_name: u.full_name, first_name: u.first_name, last_name: u.last_name,
    phone: u.phone, avatar_url: u.avatar_url, preferred_language: u.preferred_language, timezone: u.timezone, user_type: u.user_type,
    status: u.status, auth_provider: u.auth_provider, email_verified: u.email_verified_at !== null, default_org_id: u.default_org_id,
    created_at: iso(u.created_at)!,
  };
}

export const orgSummaryDto = (o: OrgSummary): z.infer<typeof OrgSummaryDto> => ({
  id: o.id, name: o.name, type: o.type, timezone: o.timezone, currency: o.currency, locale: o.locale, roles: o.roles,
});

export const Problem = z.object({
  type: z.string(), title: z.string(), status: z.number(), detail: z.string(), code: z.string(),
  instance: z.string().optional(), request_id: z.string().optional(),
  errors: z.array(z.object({ pointer: z.string(), message: z.string() })).optional(),
});
