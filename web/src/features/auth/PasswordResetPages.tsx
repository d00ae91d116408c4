import { useState } from 'react';
import { api } from '../../lib/api.js';
import { Link, navigate, useLocation } from '../../lib/router.js';
import { useSession } from '../../session/session.js';
import { useT } from '../../i18n/i18n.js';
import { fieldError, Form, SubmitButton, text, TextField } from '../../ui/forms.js';
import { Notice } from '../../ui/feedback.js';
import { AuthLayout } from './AuthLayout.js';

export function ForgotPasswordPage() {
  const t = useT();
  const [sentTo, setSentTo] = useState<string | null>(null);
  async function request(data: FormData) {
    const email = text(data, 'email');
    await api('POST', '/api/auth/password-reset', { email });
    setSentTo(email);
  }
  return (
    <AuthLayout title={t('forgot.title')} intro={t('forgot.intro')} testId="forgot-page">
      {sentTo
        ? <Notice tone="success" testId="reset-sent">{t('forgot.sent', { email: sentTo })}</Notice>
        : (
          <Form action={request} testId="forgot-form">
            <TextField label={t('field.email')} name="email" type="email" autoComplete="email" required testId="forgot-email" />
            <SubmitButton testId="forgot-submit">{t('forgot.submit')}</SubmitButton>
          </Form>
        )}
      <p className="switch-auth"><Link to="/sign-in">{t('common.back_to_signin')}</Link></p>
    </AuthLayout>
  );
}

/** Opened from the emailed link: /reset-password?token=... */
export function ResetPasswordPage() {
  const t = useT();
  const { params } = useLocation();
  const token = params.get('token') ?? '';
  const { refresh } = useSession();
  async function confirm(data: FormData) {
    const password = String(data.get('password') ?? '');
    if (password !== String(data.get('password_repeat') ?? '')) {
      throw fieldError('password_repeat', t('reset.mismatch'));
    }
    // Setting the new password also signs in (and ends every other session).
    await api('POST', '/api/auth/password-reset/confirm', { token, password });
    await refresh();
    navigate('/', { replace: true });
  }
  return (
    <AuthLayout title={t('reset.title')} testId="reset-page">
      {!token
        ? <Notice tone="warning">{t('reset.no_token')}</Notice>
        : (
          <Form action={confirm} testId="reset-form">
            <TextField label={t('field.new_password')} name="password" type="password" autoComplete="new-password" minLength={10} required
              hint={t('field.password_hint')} testId="reset-password" />
            <TextField label={t('field.repeat_password')} name="password_repeat" type="password" autoComplete="new-password" required testId="reset-password-repeat" />
            <SubmitButton testId="reset-submit">{t('reset.submit')}</SubmitButton>
          </Form>
        )}
      <p className="switch-auth"><Link to="/sign-in">{t('common.back_to_signin')}</Link></p>
    </AuthLayout>
  );
}
