import { useState } from 'react';
import { api } from '../../lib/api.js';
import { useApi } from '../../lib/useApi.js';
import { useT } from '../../i18n/i18n.js';
import { useCan, useMe, useSession } from '../../session/session.js';
import { Form, SelectField, SubmitButton, text, TextField } from '../../ui/forms.js';
import { Notice, ResourceView } from '../../ui/feedback.js';
import { Card, Page } from '../../ui/layout.js';
import { CURRENCIES, ORG_LOCALES, ORG_TYPES, TIMEZONES } from '../auth/options.js';

interface Organization {
  id: string; name: string; slug: string; type: string; timezone: string; currency: string; locale: string;
  country: string | null; city: string | null; email: string | null; phone: string | null; status: string;
}

/** The acting organization's settings; read-only without org.update. */
export function OrganizationPage() {
  const t = useT();
  const me = useMe();
  const can = useCan();
  const { refresh } = useSession();
  const org = useApi<Organization>(`/api/organizations/${me.acting_org_id}`);
  const [saved, setSaved] = useState(false);
  const editable = can('org.update');

  async function save(data: FormData) {
    setSaved(false);
    const optional = (name: string) => text(data, name) || null;
    await api('PATCH', `/api/organizations/${me.acting_org_id}`, {
      name: text(data, 'name'), type: text(data, 'type'), timezone: text(data, 'timezone'), currency: text(data, 'currency'),
      locale: text(data, 'locale'), country: optional('country'), city: optional('city'), email: optional('email'), phone: optional('phone'),
    });
    setSaved(true);
    // The header, the switcher and every date and amount follow the new settings.
    await refresh();
  }

  return (
    <Page title={t('orgsettings.title')} testId="org-settings-page">
      <ResourceView resource={org}>{(o) => (
        <Card>
          {saved && <Notice tone="success" testId="org-saved">{t('common.saved')}</Notice>}
          {!editable && <Notice>{t('orgsettings.read_only')}</Notice>}
          <Form action={save} testId="org-settings-form">
            <fieldset disabled={!editable} className="plain">
              <div className="row">
                <TextField label={t('org.name')} name="name" defaultValue={o.name} required testId="org-settings-name" />
                <SelectField label={t('org.type')} name="type" defaultValue={o.type}>
                  {ORG_TYPES.map((x) => <option key={x.value} value={x.value}>{t(x.label)}</option>)}
                </SelectField>
              </div>
              <div className="row">
                <SelectField label={t('org.timezone')} name="timezone" defaultValue={o.timezone} testId="org-settings-timezone">
                  {TIMEZONES.map((z) => <option key={z} value={z}>{z}</option>)}
                </SelectField>
                <SelectField label={t('org.currency')} name="currency" defaultValue={o.currency}>
                  {CURRENCIES.map((c) => <option key={c} value={c}>{c}</option>)}
                </SelectField>
                <SelectField label={t('org.locale')} name="locale" defaultValue={o.locale} hint={t('org.locale_hint')}>
                  {ORG_LOCALES.map((l) => <option key={l.value} value={l.value}>{l.label}</option>)}
                </SelectField>
              </div>
              <div className="row">
                <TextField label={t('org.country')} name="country" defaultValue={o.country ?? ''} />
                <TextField label={t('org.city')} name="city" defaultValue={o.city ?? ''} />
              </div>
              <div className="row">
                <TextField label={t('field.email')} name="email" type="email" defaultValue={o.email ?? ''} />
                <TextField label={t('field.phone')} name="phone" type="tel" defaultValue={o.phone ?? ''} />
              </div>
              {editable && <SubmitButton testId="org-settings-save">{t('common.save')}</SubmitButton>}
            </fieldset>
          </Form>
        </Card>
      )}</ResourceView>
    </Page>
  );
}
