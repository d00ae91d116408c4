import { useState } from 'react';
import { api } from '../../lib/api.js';
import { useT, LANGUAGES } from '../../i18n/i18n.js';
import { useMe, useSession } from '../../session/session.js';
import { fieldError, Form, SelectField, SubmitButton, text, TextField } from '../../ui/forms.js';
import { Notice } from '../../ui/feedback.js';
import { Card, Page } from '../../ui/layout.js';
import { TIMEZONES } from '../auth/options.js';
import { SessionsCard } from './SessionsCard.js';
import { TokensCard } from './TokensCard.js';

/** The signed-in user's own account: details, password, where they are signed in, API tokens. */
export function ProfilePage() {
  const t = useT();
  return (
    <Page title={t('profile.title')} testId="profile-page">
      <DetailsCard />
      <PasswordCard />
      <SessionsCard />
      <TokensCard />
    </Page>
  );
}

function DetailsCard() {
  const t = useT();
  const { user } = useMe();
  const { refresh } = useSession();
  const [saved, setSaved] = useState(false);
  async function save(data: FormData) {
    setSaved(false);
    await api('PATCH', '/api/me', {
      full_name: text(data, 'full_name'), phone: text(data, 'phone') || null,
      preferred_language: text(data, 'preferred_language'), timezone: text(data, 'timezone') || null,
    });
    await refresh();
    setSaved(true);
  }
  return (
    <Card title={t('profile.details')} testId="profile-details">
      {saved && <Notice tone="success" testId="profile-saved">{t('common.saved')}</Notice>}
      <Form action={save} testId="profile-form">
        <div className="row">
          <TextField label={t('field.full_name')} name="full_name" defaultValue={user.full_name} required autoComplete="name" testId="profile-name" />
          <TextField label={t('field.email')} name="email" defaultValue={user.email} readOnly hint={t('profile.email_fixed')} />
        </div>
        <div className="row">
          <TextField label={t('field.phone')} name="phone" type="tel" defaultValue={user.phone ?? ''} autoComplete="tel" />
          <SelectField label={t('profile.language')} name="preferred_language" defaultValue={user.preferred_language} testId="profile-language">
            {LANGUAGES.map((l) => <option key={l.code} value={l.code} lang={l.code}>{l.label}</option>)}
          </SelectField>
          <SelectField label={t('profile.timezone')} name="timezone" defaultValue={user.timezone ?? ''}>
            <option value="">{t('profile.timezone_org')}</option>
            {TIMEZONES.map((z) => <option key={z} value={z}>{z}</option>)}
          </SelectField>
        </div>
        <SubmitButton testId="profile-save">{t('common.save')}</SubmitButton>
      </Form>
    </Card>
  );
}

function PasswordCard() {
  const t = useT();
  const [changed, setChanged] = useState(false);
  async function change(data: FormData, form: HTMLFormElement) {
    setChanged(false);
    const next = String(data.get('new_password') ?? '');
    if (next !== String(data.get('new_password_repeat') ?? '')) {
      throw fieldError('new_password_repeat', t('reset.mismatch'));
    }
    await api('POST', '/api/me/password', { current_password: String(data.get('current_password') ?? ''), new_password: next });
    form.reset();
    setChanged(true);
  }
  return (
    <Card title={t('profile.password')} testId="profile-password">
      {changed && <Notice tone="success" testId="password-changed">{t('profile.password_changed')}</Notice>}
      <Form action={change} testId="password-form">
        <TextField label={t('field.current_password')} name="current_password" type="password" autoComplete="current-password" required />
        <div className="row">
          <TextField label={t('field.new_password')} name="new_password" type="password" autoComplete="new-password" minLength={10} required hint={t('field.password_hint')} />
          <TextField label={t('field.repeat_password')} name="new_password_repeat" type="password" autoComplete="new-password" required />
        </div>
        <SubmitButton testId="password-submit">{t('profile.change_password')}</SubmitButton>
      </Form>
    </Card>
  );
}
