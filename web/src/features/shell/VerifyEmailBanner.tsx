import { useState } from 'react';
import { api } from '../../lib/api.js';
import { useT } from '../../i18n/i18n.js';
import { useMe, useSession } from '../../session/session.js';
import { Form, SubmitButton, text, TextField } from '../../ui/forms.js';

/** Until the email address is confirmed: the code sent at sign-up, typed in here. */
export function VerifyEmailBanner() {
  const t = useT();
  const me = useMe();
  const { refresh } = useSession();
  const [resent, setResent] = useState(false);
  async function verify(data: FormData) {
    await api('POST', '/api/auth/verify-email', { code: text(data, 'code') });
    await refresh();
  }
  async function resend() {
    await api('POST', '/api/auth/verify-email/resend');
    setResent(true);
  }
  return (
    <section className="banner" aria-labelledby="verify-heading" data-testid="verify-banner">
      <h2 id="verify-heading">{t('verify.title')}</h2>
      <p>{t('verify.body', { email: me.user.email })}</p>
      <div className="banner-forms">
        <Form action={verify} className="inline-form" testId="verify-form">
          <TextField label={t('verify.code')} name="code" inputMode="numeric" autoComplete="one-time-code" required testId="verify-code" />
          <SubmitButton testId="verify-submit">{t('verify.submit')}</SubmitButton>
        </Form>
        <Form action={resend} className="inline-form">
          {resent ? <p role="status">{t('verify.resent')}</p> : <SubmitButton variant="secondary" testId="verify-resend">{t('verify.resend')}</SubmitButton>}
        </Form>
      </div>
    </section>
  );
}
