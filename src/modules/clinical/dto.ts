import { z } from 'zod';

export const Uuid = z.string().uuid();

/** A calendar date a person picks (YYYY-MM-DD), checked to exist (no 2026-02-30). */
export const DateStr = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date as YYYY-MM-DD.').refine((d) => {
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
}, 'Not a calendar date.');

/** A catalogue reference: a UUID or a code such as BOT_MASSETER, doc_01, BOTOX_US. */
export const Ref = z.string().trim().min(1).max(100);

export const iso = (d: Date | string | null | undefined): string | null => (d === null || d === undefined ? null : new Date(d).toISOString());

/** numeric/bigint columns arrive as strings from node-postgres. */
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export const Currency = z.string().regex(/^[A-Z]{3}$/, 'Use an ISO 4217 currency code such as TWD.');
