import { createHash, randomBytes, randomInt } from 'node:crypto';
import { uuidv7 } from 'uuidv7';

/** UUID v7 primary keys, generated in the app (time-ordered, index-friendly). */
export const newId = (): string => uuidv7();

/** An opaque secret for sessions, API tokens, magic links: 256 random bits, URL-safe. */
export const randomToken = (prefix = ''): string => prefix + randomBytes(32).toString('base64url');

/** Six-digit code for email verification. */
export const randomCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

/** Secrets are stored only as their SHA-256. */
export const sha256 = (value: string | Buffer): string => createHash('sha256').update(value).digest('hex');
