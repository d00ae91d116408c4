import { useT, type MessageKey } from '../../i18n/i18n.js';
import { EmptyState } from '../../ui/feedback.js';
import { Page } from '../../ui/layout.js';

/** An honest placeholder for a context whose screens are not built yet: no sample data. */
export function NotAvailable({ title }: { title: MessageKey }) {
  const t = useT();
  return (
    <Page title={t(title)}>
      <EmptyState title={t('upcoming.title')} testId="not-available">
        <p>{t('upcoming.body')}</p>
      </EmptyState>
    </Page>
  );
}
