import { useId } from 'react';
import { api } from '../../lib/api.js';
import { isLang, LANGUAGES, useI18n } from '../../i18n/i18n.js';
import { useSession } from '../../session/session.js';

/** Switches the UI language; when signed in it also becomes the user's preferred language. */
export function LanguageSelect() {
  const { lang, setLang, t } = useI18n();
  const { state } = useSession();
  const id = useId();
  function change(value: string) {
    if (!isLang(value)) return;
    setLang(value);
    // Saved best-effort: the switch itself must not wait for or depend on the server.
    if (state.status === 'signed-in') api('PATCH', '/api/me', { preferred_language: value }).catch(() => undefined);
  }
  return (
    <div className="inline-field">
      <label htmlFor={id} className="visually-hidden">{t('shell.language')}</label>
      <select id={id} value={lang} onChange={(e) => change(e.target.value)} data-testid="language-switcher">
        {LANGUAGES.map((l) => <option key={l.code} value={l.code} lang={l.code}>{l.label}</option>)}
      </select>
    </div>
  );
}
