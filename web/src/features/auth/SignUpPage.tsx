import { api } from '../../lib/api.js';
import { Link, navigate } from '../../lib/router.js';
import { useT } from '../../i18n/i18n.js';
import { useSession } from '../../session/session.js';
import { Form, SubmitButton, text, TextField } from '../../ui/forms.js';
import { AuthLayout } from './AuthLayout.js';

/** Self-service start: an account first, then the organization (the next page). */
export function SignUpPage() {
  const t = useT();
  const { refresh } = useSession();
  async function signUp(data: FormData) {
    await api('POST', '/api/auth/signup', {
      full_name: text(data, 'full_name'), email: text(data, 'email'), password: String(data.get('password') ?? ''),
    });
    await refresh();
    navigate('/', { replace: true });
  }
  return (
    <AuthLayout title={t('signup.title')} intro={t('signup.intro')} testId="signup-page">
      <Form action={signUp} testId="signup-form">
        <TextField label={t('field.full_name')} name="full_name" autoComplete="name" required testId="signup-name" />
        <TextField label={t('field.email')} name="email" type="email" autoComplete="email" required testId="signup-email" />
        <TextField label={t('field.password')} name="password" type="password" autoComplete="new-password" minLength={10} required
          hint={t('field.password_hint')} testId="signup-password" />
        <SubmitButton testId="signup-submit">{t('signup.submit')}</SubmitButton>
      </Form>
      <p className="switch-auth">{t('signup.have_account')} <Link to="/sign-in">{t('signup.sign_in')}</Link></p>
    </AuthLayout>
  );
}
