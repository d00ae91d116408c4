import { useI18n } from '../../i18n/i18n.js';
import { useActingOrg, useFormat, useMe } from '../../session/session.js';
import { Card, Page } from '../../ui/layout.js';
import { ORG_TYPES } from '../auth/options.js';

/** Where the app opens: who you are here and how this organization shows times and money. */
export function HomePage() {
  const { t } = useI18n();
  const me = useMe();
  const org = useActingOrg();
  const fmt = useFormat();
  const type = ORG_TYPES.find((o) => o.value === org?.type);
  return (
    <Page title={t('home.title', { name: me.user.full_name })} testId="home-page">
      {org && (
        <Card title={org.name} testId="home-org">
          <dl className="facts">
            <dt>{t('org.type')}</dt><dd>{type ? t(type.label) : org.type}</dd>
            <dt>{t('home.your_roles')}</dt><dd>{org.roles.join(', ')}</dd>
            <dt>{t('org.timezone')}</dt><dd>{org.timezone}</dd>
            <dt>{t('home.local_time')}</dt><dd data-testid="home-local-time">{fmt.dateTime(new Date().toISOString())}</dd>
            <dt>{t('org.currency')}</dt><dd>{t('home.money_example', { currency: org.currency, example: fmt.money(123456) })}</dd>
          </dl>
          <p className="hint">{t('home.format_note')}</p>
        </Card>
      )}
    </Page>
  );
}
