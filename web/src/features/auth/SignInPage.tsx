import { useState } from 'react';
import { api } from '../../lib/api.js';
import { Link, navigate, useLocation } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { useT } from '../../i18n/i18n.js';
import { useSession } from '../../session/session.js';
import { Form, SubmitButton, text, TextField } from '../../ui/forms.js';
import { Notice } from '../../ui/feedback.js';
import { AuthLayout } from './AuthLayout.js';

/** Where to go after signing in: the page that asked for it, if it is one of ours. */
export function nextPath(params: URLSearchParams): string {
  const next = params.get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function SignInPage() {
  const t = useT();
  const { refresh } = useSession();
  const { params } = useLocation();

  async function signIn(data: FormData) {
    await api('POST', '/api/auth/login', { email: text(data, 'email'), password: String(data.get('password') ?? '') });
    await refresh();
    navigate(nextPath(params), { replace: true });
  }

  return (
    <AuthLayout title={t('signin.title')} intro={t('signin.intro')} testId="signin-page">
      {params.get('error') && <div className="notice error" role="alert" data-testid="oidc-error">{t('signin.oidc_failed')}</div>}
      <Form action={signIn} testId="signin-form">
        <TextField label={t('field.email')} name="email" type="email" autoComplete="username" required testId="signin-email" />
        <TextField label={t('field.password')} name="password" type="password" autoComplete="current-password" required testId="signin-password" />
        <div className="form-actions">
          <SubmitButton testId="signin-submit">{t('signin.submit')}</SubmitButton>
          <Link to="/forgot-password" data-testid="forgot-password-link">{t('signin.forgot')}</Link>
        </div>
      </Form>
      <OidcButtons />
      <MagicLinkRequest />
      <p className="switch-auth">{t('signin.new')} <Link to="/sign-up" data-testid="signup-link">{t('signin.create_account')}</Link></p>
    </AuthLayout>
  );
}

/** "Email me a sign-in link": one-time, short-lived links (magic link). */
function MagicLinkRequest() {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  if (!open) {
    return (
      <button type="button" className="btn secondary wide" onClick={() => setOpen(true)} data-testid="magic-link-open">
        {t('magic.open')}
      </button>
    );
  }
  async function request(data: FormData) {
    const email = text(data, 'email');
    await api('POST', '/api/auth/magic-link', { email });
    setSentTo(email);
  }
  return (
    <section className="subsection" aria-labelledby="magic-link-heading">
      <h2 id="magic-link-heading">{t('magic.title')}</h2>
      {sentTo
        ? <Notice tone="success" testId="magic-link-sent">{t('magic.sent', { email: sentTo })}</Notice>
        : (
          <Form action={request} testId="magic-link-form">
            <TextField label={t('field.email')} name="email" type="email" autoComplete="email" required autoFocus testId="magic-link-email" />
            <SubmitButton variant="secondary" testId="magic-link-submit">{t('magic.submit')}</SubmitButton>
          </Form>
        )}
    </section>
  );
}

interface Provider { name: string; display_name: string }

/** Sign-in with the identity providers the server is configured for; none shown when there are none. */
function OidcButtons() {
  const t = useT();
  const providers = useApi<{ items: Provider[] }>('/api/auth/oidc/providers');
  const items = providers.data?.items ?? [];
  if (!items.length) return null;
  return (
    <div className="oidc" data-testid="oidc-providers">
      <p className="divider"><span>{t('signin.or')}</span></p>
      {items.map((p) => (
        <a key={p.name} className="btn secondary wide" href={`/api/auth/oidc/${encodeURIComponent(p.name)}/start?redirect=/`} data-testid={`oidc-${p.name}`}>
          {t('signin.continue_with', { provider: p.display_name })}
        </a>
      ))}
    </div>
  );
}
