import { api, actingOrg } from '../../lib/api.js';
import { Link, navigate } from '../../lib/router.js';
import { useI18n } from '../../i18n/i18n.js';
import { useSession } from '../../session/session.js';
import { Form, SelectField, SubmitButton, text, TextField } from '../../ui/forms.js';
import { AuthLayout } from './AuthLayout.js';
import { browserTimezone, CURRENCIES, ORG_LOCALES, ORG_TYPES, TIMEZONES } from './options.js';

/** The second step of self-service sign-up, and "new organization" later on. */
export function CreateOrganizationPage() {
  const { t, lang } = useI18n();
  const { state, refresh, signOut } = useSession();
  const hasOrgs = state.status === 'signed-in' && state.me.organizations.length > 0;
  async function create(data: FormData) {
    const org = await api<{ id: string }>('POST', '/api/organizations', {
      name: text(data, 'name'), type: text(data, 'type'), timezone: text(data, 'timezone'),
      currency: text(data, 'currency'), locale: text(data, 'locale'),
    });
    actingOrg.set(org.id);
    await refresh();
    navigate('/', { replace: true });
  }
  return (
    <AuthLayout title={t('createorg.title')} intro={t('createorg.intro')} testId="create-org-page">
      <Form action={create} testId="create-org-form">
        <TextField label={t('org.name')} name="name" required autoComplete="organization" testId="org-name" />
        <SelectField label={t('org.type')} name="type" defaultValue="clinic" testId="org-type">
          {ORG_TYPES.map((o) => <option key={o.value} value={o.value}>{t(o.label)}</option>)}
        </SelectField>
        <SelectField label={t('org.timezone')} name="timezone" defaultValue={browserTimezone()} testId="org-timezone">
          {TIMEZONES.map((z) => <option key={z} value={z}>{z}</option>)}
        </SelectField>
        <SelectField label={t('org.currency')} name="currency" defaultValue="USD" testId="org-currency">
          {CURRENCIES.map((c) => <option key={c} value={c}>{c}</option>)}
        </SelectField>
        <SelectField label={t('org.locale')} name="locale" defaultValue={lang} hint={t('org.locale_hint')} testId="org-locale">
          {ORG_LOCALES.map((l) => <option key={l.value} value={l.value}>{l.label}</option>)}
        </SelectField>
        <SubmitButton testId="create-org-submit">{t('createorg.submit')}</SubmitButton>
      </Form>
      <p className="switch-auth">
        {hasOrgs
          ? <Link to="/">{t('common.cancel')}</Link>
          : <button type="button" className="link-button" onClick={() => void signOut()}>{t('shell.sign_out')}</button>}
      </p>
    </AuthLayout>
  );
}
