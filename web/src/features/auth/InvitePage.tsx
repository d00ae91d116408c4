import { actingOrg, api, query } from '../../lib/api.js';
import { Link, navigate, useLocation } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { useT } from '../../i18n/i18n.js';
import { useSession } from '../../session/session.js';
import { Form, SubmitButton, text, TextField } from '../../ui/forms.js';
import { Notice, ResourceView } from '../../ui/feedback.js';
import { AuthLayout } from './AuthLayout.js';

interface Invitation { organization_name: string; email: string; role: string; status: string; expires_at: string }

/** Opened from the invitation email: /invite?token=... Join as the signed-in user, or create an account. */
export function InvitePage() {
  const t = useT();
  const { state, refresh } = useSession();
  const { path, params } = useLocation();
  const token = params.get('token') ?? '';
  const invitation = useApi<Invitation>(token ? `/api/invitations/lookup${query({ token })}` : null);
  const signedIn = state.status === 'signed-in';

  async function accept(data: FormData) {
    const account = signedIn ? {} : { full_name: text(data, 'full_name'), password: String(data.get('password') ?? '') };
    const joined = await api<{ organization_id: string }>('POST', '/api/invitations/accept', { token, ...account });
    actingOrg.set(joined.organization_id);
    await refresh();
    navigate('/', { replace: true });
  }

  if (!token) return <AuthLayout title={t('invite.title')}><Notice tone="warning">{t('invite.no_token')}</Notice></AuthLayout>;
  return (
    <AuthLayout title={t('invite.title')} testId="invite-page">
      <ResourceView resource={invitation}>{(inv) => (
        <>
          <p className="intro" data-testid="invite-summary">
            {t('invite.summary', { org: inv.organization_name, email: inv.email, role: inv.role })}
          </p>
          {inv.status !== 'pending'
            ? <Notice tone="warning" testId="invite-status">{t('invite.not_pending', { status: inv.status })}</Notice>
            : (
              <Form action={accept} testId="invite-form">
                {signedIn
                  ? <p>{t('invite.as_signed_in', { email: state.me.user.email })}</p>
                  : (
                    <>
                      <TextField label={t('field.full_name')} name="full_name" autoComplete="name" required testId="invite-name" />
                      <TextField label={t('field.password')} name="password" type="password" autoComplete="new-password" minLength={10} required
                        hint={t('field.password_hint')} testId="invite-password" />
                    </>
                  )}
                <SubmitButton testId="invite-accept">{t('invite.accept')}</SubmitButton>
              </Form>
            )}
          {!signedIn && (
            <p className="switch-auth">
              {t('invite.have_account')} <Link to={`/sign-in${query({ next: `${path}?${params.toString()}` })}`}>{t('invite.sign_in_first')}</Link>
            </p>
          )}
        </>
      )}</ResourceView>
    </AuthLayout>
  );
}
