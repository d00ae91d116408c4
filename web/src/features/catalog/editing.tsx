/**
 * What the catalogue, inventory and patient edit forms share: money typed in major units (4,999)
 * and sent in minor units, "send only what changed", a success notice, and keyboard focus put
 * back on the button that opened a form once it closes. (The API's messages for the parts of a
 * list, `/followup_rules/1/after_days`, show through the form kit's `pointer` prop.)
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { amountInput, amountToMinor } from '../../lib/amount.js';
import { useActingOrg, useFormat } from '../../session/session.js';
import { Notice } from '../../ui/feedback.js';
import './edit.css';

export interface MoneyInput {
  /** The organization's currency (ISO 4217). */
  currency: string;
  /** Minor units as the organization's locale writes them, with the currency (NT$4,999.00). */
  format(minor: number | null | undefined, currency?: string): string;
  /** "4,999.50" (en) or "4.999,50" (tr) typed in major units -> minor units; NaN when it is not an amount of `currency` or could be read two ways. */
  toMinor(text: string, currency?: string): number;
  /** Minor units -> the major-unit text a form field starts with ("4999.5" in en, "4999,5" in tr). */
  toInput(minor: number | null | undefined, currency?: string): string;
}

/** Money fields read and filled in the organization's locale (parsing lives in lib/amount.ts, shared with growth). */
/** The locale numbers are typed in: the acting organization's, else the browser's. */
export function useOrgLocale(): string {
  return useActingOrg()?.locale ?? navigator.language;
}

export function useMoneyInput(): MoneyInput {
  const org = useActingOrg();
  const fmt = useFormat();
  const orgCurrency = org?.currency ?? 'USD';
  const locale = useOrgLocale();
  return useMemo<MoneyInput>(() => ({
    currency: orgCurrency,
    format: (minor, currency = orgCurrency) => (minor === null || minor === undefined ? '—' : fmt.money(minor, currency)),
    toMinor: (text, currency = orgCurrency) => amountToMinor(text, locale, currency),
    toInput: (minor, currency = orgCurrency) => amountInput(minor, locale, currency),
  }), [orgCurrency, fmt, locale]);
}

/** The fields of `next` whose value differs from `before` (arrays and objects compared by content). */
export function changed(before: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const same = (a: unknown, b: unknown) => (typeof a === 'object' || typeof b === 'object' ? JSON.stringify(a ?? null) === JSON.stringify(b ?? null) : (a ?? null) === (b ?? null));
  return Object.fromEntries(Object.entries(next).filter(([k, v]) => !same(before[k], v)));
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
