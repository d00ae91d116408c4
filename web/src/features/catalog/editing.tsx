/**
 * What the catalogue, inventory and patient edit forms share: money typed in major units (4,999)
 * and sent in minor units, "send only what changed", the API's messages for the parts of a list
 * (`/followup_rules/1/after_days`), a success notice, and keyboard focus put back on the button
 * that opened a form once it closes.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ApiError, FieldError } from '../../lib/api.js';
import { useActingOrg, useFormat } from '../../session/session.js';
import { Notice } from '../../ui/feedback.js';
import './edit.css';

export interface MoneyInput {
  /** The organization's currency (ISO 4217). */
  currency: string;
  /** Minor units as the organization's locale writes them, with the currency (NT$4,999.00). */
  format(minor: number | null | undefined, currency?: string): string;
  /** "4,999.50" typed in major units -> minor units; NaN when it is not an amount of `currency`. */
  toMinor(text: string, currency?: string): number;
  /** Minor units -> the major-unit text a form field starts with ("4999.5"). */
  toInput(minor: number | null | undefined, currency?: string): string;
}

/** Digits after the decimal point of a currency as Intl knows it (TWD 2, JPY 0, KWD 3). */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/**
 * "4,999.50" (en), "4.999,50" (tr) or "4999.5" as digits with a '.' before the fraction: the
 * separator the locale writes decimals with is the decimal point; the other one is taken as
 * grouping only where it groups thousands ("4,999"), else as the decimal point ("4999.5" in tr).
 */
export function plainNumber(text: string, decimal: string): string {
  const s = text.replace(/[\s\u00a0\u202f_']/g, '');
  const other = decimal === ',' ? '.' : ',';
  if (s.includes(decimal)) return s.split(other).join('').replace(decimal, '.');
  if (s.includes(other)) return /^\d{1,3}([.,]\d{3})+$/.test(s) ? s.split(other).join('') : s.replace(other, '.');
  return s;
}

export function useMoneyInput(): MoneyInput {
  const org = useActingOrg();
  const fmt = useFormat();
  const orgCurrency = org?.currency ?? 'USD';
  const locale = org?.locale ?? navigator.language;
  const decimal = useMemo(() => new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.', [locale]);
  return useMemo<MoneyInput>(() => ({
    currency: orgCurrency,
    format: (minor, currency = orgCurrency) => (minor === null || minor === undefined ? '—' : fmt.money(minor, currency)),
    toMinor(text, currency = orgCurrency) {
      const clean = plainNumber(text, decimal);
      if (!/^\d+(\.\d+)?$/.test(clean)) return Number.NaN;
      const [whole, frac = ''] = clean.split('.') as [string, string?];
      const d = currencyDigits(currency);
      if (frac.length > d) return Number.NaN;
      const minor = Number(whole) * 10 ** d + Number(frac.padEnd(d, '0') || '0');
      return Number.isSafeInteger(minor) ? minor : Number.NaN;
    },
    toInput(minor, currency = orgCurrency) {
      if (minor === null || minor === undefined) return '';
      const d = currencyDigits(currency);
      return d === 0 ? String(minor) : (minor / 10 ** d).toFixed(d).replace(/\.?0+$/, '');
    },
  }), [orgCurrency, fmt, decimal]);
}

/** The fields of `next` whose value differs from `before` (arrays and objects compared by content). */
export function changed(before: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const same = (a: unknown, b: unknown) => (typeof a === 'object' || typeof b === 'object' ? JSON.stringify(a ?? null) === JSON.stringify(b ?? null) : (a ?? null) === (b ?? null));
  return Object.fromEntries(Object.entries(next).filter(([k, v]) => !same(before[k], v)));
}

/** The API's messages for the items of a list field: `/followup_rules/1/after_days` -> {1: {after_days: '...'}}. */
export function itemErrors(error: ApiError | undefined, field: string): Map<number, Record<string, string>> {
  const out = new Map<number, Record<string, string>>();
  for (const e of error?.fieldErrors ?? []) {
    const [name, index, part = '_'] = e.pointer.split('/').filter((s) => s && !s.startsWith('#'));
    if (name !== field || index === undefined || !/^\d+$/.test(index)) continue;
    const entry = out.get(Number(index)) ?? {};
    entry[part] ??= e.message;
    out.set(Number(index), entry);
  }
  return out;
}

/** A message about the whole list (`/followup_rules` itself, e.g. "at most 10"). */
export function listError(error: ApiError | undefined, field: string): FieldError | undefined {
  return error?.fieldErrors.find((e) => e.pointer.split('/').filter(Boolean).join('/') === field);
}

/**
 * Which row's form is open ('new' for the create form), and the button to give focus back to when
 * it closes: the opener carries `data-focus-key`.
 */
export function useEditing() {
  const [open, setOpen] = useState<string | null>(null);
  const returnTo = useRef<string | null>(null);
  useEffect(() => {
    if (open !== null || returnTo.current === null) return;
    document.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(returnTo.current)}"]`)?.focus();
    returnTo.current = null;
  }, [open]);
  const close = useCallback(() => {
    if (open !== null) returnTo.current = open;
    setOpen(null);
  }, [open]);
  return { open, setOpen, close };
}

/** A success message that stays until the next action replaces or clears it. */
export function useFlash() {
  const [flash, setFlash] = useState<{ message: string; testId: string } | null>(null);
  const view = flash ? <Notice tone="success" testId={flash.testId}>{flash.message}</Notice> : null;
  const show = useCallback((message: string, testId = 'edit-saved') => setFlash({ message, testId }), []);
  const clear = useCallback(() => setFlash(null), []);
  return { message: flash?.message ?? null, show, clear, view };
}

/** "U, ml, cc…": units a product or treatment is commonly counted in, as suggestions. */
export const UNIT_SUGGESTIONS = ['U', 'ml', 'cc', 'vial', 'syringe', 'kit', 'g', 'mg', 'bottle', 'piece'];

/** The heading of an inline form (what it creates or changes). */
export function FormHeading({ title, id }: { title: string; id?: string }) {
  return <h3 className="card-title edit-title" id={id}>{title}</h3>;
}
