/**
 * UI strings in English, Traditional Chinese and Turkish. `en` defines the keys; the other
 * dictionaries are typed against it, so a missing or misspelt key fails the type check.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey, type Messages } from './en.js';
import { zhTW } from './zh-TW.js';
import { tr } from './tr.js';

export type { MessageKey };
export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'zh-TW', label: '繁體中文' },
  { code: 'tr', label: 'Türkçe' },
] as const;
export type Lang = (typeof LANGUAGES)[number]['code'];

const DICTIONARIES: Record<Lang, Messages> = { en, 'zh-TW': zhTW, tr };
const LANG_KEY = 'visage.lang';

export const isLang = (v: unknown): v is Lang => LANGUAGES.some((l) => l.code === v);

/** Before sign-in: the last language used on this browser, else the browser's own if we have it. */
function initialLang(): Lang {
  const stored = localStorage.getItem(LANG_KEY);
  if (isLang(stored)) return stored;
  const browser = navigator.language;
  if (/^zh-(TW|HK|Hant)/i.test(browser)) return 'zh-TW';
  if (/^tr\b/i.test(browser)) return 'tr';
  return 'en';
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18n { lang: Lang; setLang: (lang: Lang) => void; t: Translate }

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(LANG_KEY, next);
    setLangState(next);
  }, []);
  useEffect(() => { document.documentElement.lang = lang; }, [lang]);
  const value = useMemo<I18n>(() => {
    const dict = DICTIONARIES[lang];
    const t: Translate = (key, vars) => dict[key].replace(/\{(\w+)\}/g, (m, name: string) => (vars && name in vars ? String(vars[name]) : m));
    return { lang, setLang, t };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}

export const useT = (): Translate => useI18n().t;
