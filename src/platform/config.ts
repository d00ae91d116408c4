import path from 'node:path';
import { z } from 'zod';

/** Runtime configuration, read once from environment variables (documented in README.md). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** The database role every unit of work switches to. Never a superuser, never BYPASSRLS. */
  appRole: 'visage_app';
  adminEmail: string;
  adminPassword: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  publicUrl: string;
  storage: { driver: 'local' | 's3'; s3Bucket?: string; s3Endpoint?: string; s3Region?: string; s3ForcePathStyle: boolean };
  maxUploadBytes: number;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  logLevel: string;
  /** Run job workers in this process (VISAGE_WORKER=false: an API-only process). */
  worker: boolean;
  /** Requests per minute per client address, and for the sign-in/sign-up endpoints. */
  rateLimitPerMinute: number;
  authRateLimitPerMinute: number;
  /** The public lead form (growth): submissions per minute per client address, and per organization. */
  leadFormPerIpPerMinute: number;
  leadFormPerOrgPerMinute: number;
  /** Secure cookies need HTTPS; off automatically when PUBLIC_URL is plain http. */
  secureCookies: boolean;
  /** OpenID Connect providers offered for sign-in (OIDC_PROVIDERS). */
  oidcProviders: OidcProviderConfig[];
  /**
   * Reminder messages by SMS, WhatsApp and LINE: JSON POSTed to an HTTP gateway, one endpoint per
   * channel (VISAGE_SMS_WEBHOOK_URL ...) or one for all (VISAGE_MESSAGING_WEBHOOK_URL).
   */
  messaging: { webhookUrl?: string; sms?: string; whatsapp?: string; line?: string; token?: string };
}

export interface OidcProviderConfig { name: string; displayName: string; issuer: string; clientId: string; clientSecret: string }

const OidcProvidersEnv = z.array(z.object({
  name: z.string().regex(/^[a-z0-9_-]{1,40}$/, 'lower-case letters, digits, _ and - (it becomes part of the callback URL)'),
  display_name: z.string().min(1),
  issuer: z.url(),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
})).refine((list) => new Set(list.map((p) => p.name)).size === list.length, 'provider names must be unique');

/** OIDC_PROVIDERS: a JSON array of {name, display_name, issuer, client_id, client_secret}. */
function oidcProviders(raw: string | undefined): OidcProviderConfig[] {
  if (!raw) return [];
  let parsed: unknown;
  try { parsed = JSON.parse(raw); } catch { throw new Error('OIDC_PROVIDERS must be a JSON array'); }
  const result = OidcProvidersEnv.safeParse(parsed);
  if (!result.success) throw new Error(`OIDC_PROVIDERS is not valid: ${z.prettifyError(result.error)}`);
  return result.data.map((p) => ({ name: p.name, displayName: p.display_name, issuer: p.issuer, clientId: p.client_id, clientSecret: p.client_secret }));
}

function int(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

export function loadConfig(overrides: Partial<Config> = {}): Config {
  const env = process.env;
  const port = int('PORT', 3000);
  const publicUrl = env.PUBLIC_URL || `http://localhost:${port}`;

  const config: Config = {
    port,
    host: env.HOST || '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR || './.data'),
    databaseUrl: env.DATABASE_URL || undefined,
    appRole: 'visage_app',
    adminEmail: env.VISAGE_ADMIN_EMAIL || 'owner@demo.visage.local',
    adminPassword: env.VISAGE_ADMIN_PASSWORD || 'visage-demo-owner',
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || 'Visage <no-reply@visage.local>',
    publicUrl,
    storage: {
      driver: env.STORAGE_DRIVER === 's3' ? 's3' : 'local',
      s3Bucket: env.S3_BUCKET,
      s3Endpoint: env.S3_ENDPOINT,
      s3Region: env.S3_REGION || 'us-east-1',
      s3ForcePathStyle: env.S3_FORCE_PATH_STYLE !== 'false',
    },
    maxUploadBytes: int('MAX_UPLOAD_BYTES', 25 * 1024 * 1024),
    sessionIdleMinutes: int('SESSION_IDLE_MINUTES', 60 * 24),
    sessionAbsoluteHours: int('SESSION_ABSOLUTE_HOURS', 24 * 30),
    logLevel: env.LOG_LEVEL || 'info',
    worker: env.VISAGE_WORKER !== 'false',
    rateLimitPerMinute: int('RATE_LIMIT_PER_MINUTE', 1200),
    authRateLimitPerMinute: int('AUTH_RATE_LIMIT_PER_MINUTE', 300),
    leadFormPerIpPerMinute: int('LEAD_FORM_RATE_LIMIT_PER_MINUTE', 10),
    leadFormPerOrgPerMinute: int('LEAD_FORM_ORG_RATE_LIMIT_PER_MINUTE', 300),
    // Browsers keep Secure cookies on https and on localhost; plain http elsewhere would lose them.
    secureCookies: env.SECURE_COOKIES ? env.SECURE_COOKIES === 'true'
      : publicUrl.startsWith('https://') || /^http:\/\/(localhost|127\.0\.0\.1)(:|\/|$)/.test(publicUrl),
    oidcProviders: oidcProviders(env.OIDC_PROVIDERS),
    messaging: {
      webhookUrl: env.VISAGE_MESSAGING_WEBHOOK_URL || undefined, sms: env.VISAGE_SMS_WEBHOOK_URL || undefined,
      whatsapp: env.VISAGE_WHATSAPP_WEBHOOK_URL || undefined, line: env.VISAGE_LINE_WEBHOOK_URL || undefined,
      token: env.VISAGE_MESSAGING_WEBHOOK_TOKEN || undefined,
    },
  };
  return { ...config, ...overrides };
}
