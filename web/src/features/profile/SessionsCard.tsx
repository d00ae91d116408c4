import { api } from '../../lib/api.js';
import { useApi } from '../../lib/useApi.js';
import { useT, type MessageKey } from '../../i18n/i18n.js';
import { useFormat } from '../../session/session.js';
import { ResourceView } from '../../ui/feedback.js';
import { Card } from '../../ui/layout.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';

interface SignInSession {
  id: string; method: string; ip: string | null; user_agent: string | null; created_at: string; last_seen_at: string; expires_at: string | null; current: boolean;
}

/** How a session was started, in words; a method not listed here shows as the API names it. */
const METHODS: Record<string, MessageKey> = {
  password: 'profile.method.password',
  signup: 'profile.method.signup',
  magic_link: 'profile.method.magic_link',
  password_reset: 'profile.method.password_reset',
  invitation: 'profile.method.invitation',
  oidc: 'profile.method.oidc',
};

/** Where the user is signed in; any other session can be ended from here. */
export function SessionsCard() {
  const t = useT();
  const fmt = useFormat();
  const sessions = useApi<{ items: SignInSession[] }>('/api/me/sessions');
  return (
    <Card title={t('profile.sessions')} testId="profile-sessions">
      <ResourceView resource={sessions}>{({ items }) => (
        <ul className="plain-list">
          {items.map((s) => (
            <li key={s.id} data-testid="session-item">
              <div>
                <strong>{describeAgent(s.user_agent) ?? t('profile.unknown_device')}</strong>
                {s.current && <span className="badge success">{t('profile.this_browser')}</span>}
                <div className="muted small">
                  {t('profile.session_meta', { method: METHODS[s.method] ? t(METHODS[s.method]!) : s.method, ip: s.ip ?? '—', seen: fmt.dateTime(s.last_seen_at) })}
                </div>
              </div>
              {!s.current && (
                <ConfirmButton label={t('profile.sign_out_session')} question={t('profile.sign_out_session_confirm')}
                  onConfirm={() => api('DELETE', `/api/me/sessions/${s.id}`).then(sessions.reload)} testId="session-revoke" />
              )}
            </li>
          ))}
        </ul>
      )}</ResourceView>
    </Card>
  );
}

/** A short, readable name for a browser from its user agent ("Chrome on Linux"). */
function describeAgent(ua: string | null): string | null {
  if (!ua) return null;
  const browser = [/Edg\//, /Firefox\//, /Chrome\//, /Safari\//].map((re, i) => (re.test(ua) ? ['Edge', 'Firefox', 'Chrome', 'Safari'][i] : null)).find(Boolean);
  const os = [/Windows/, /Mac OS X/, /Android/, /iPhone|iPad/, /Linux/].map((re, i) => (re.test(ua) ? ['Windows', 'macOS', 'Android', 'iOS', 'Linux'][i] : null)).find(Boolean);
  return browser && os ? `${browser} · ${os}` : browser ?? os ?? ua.slice(0, 60);
}
