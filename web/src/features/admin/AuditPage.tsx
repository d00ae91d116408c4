import { useState } from 'react';
import { usePaged } from '../../lib/usePaged.js';
import { startOfDayIn } from '../../lib/format.js';
import { useT } from '../../i18n/i18n.js';
import { useActingOrg, useFormat } from '../../session/session.js';
import { Form, SelectField, SubmitButton, text, TextField } from '../../ui/forms.js';
import { EmptyState, ErrorAlert, Loading } from '../../ui/feedback.js';
import { Page } from '../../ui/layout.js';
import { LoadMore } from './LoadMore.js';

interface AuditEvent {
  id: string; occurred_at: string; actor_name: string | null; action: string; entity_type: string; entity_id: string | null;
  outcome: 'success' | 'failure' | 'denied'; ip: string | null; request_id: string | null;
}

type Filters = Record<'action' | 'entity_type' | 'outcome' | 'from' | 'to', string | undefined>;

/** Actions the platform records; the field accepts any other as typed. */
const KNOWN_ACTIONS = ['sign_in', 'sign_out', 'sign_up', 'create', 'read', 'update', 'delete', 'export', 'invite', 'revoke', 'access'];

/** The organization's audit trail, newest first, in the organization's time zone. */
export function AuditPage() {
  const t = useT();
  const org = useActingOrg();
  const fmt = useFormat();
  const timezone = org?.timezone ?? 'UTC';
  const [filters, setFilters] = useState<Filters>({ action: undefined, entity_type: undefined, outcome: undefined, from: undefined, to: undefined });
  const events = usePaged<AuditEvent>('/api/audit', filters);

  async function apply(data: FormData) {
    const day = (name: string, addDays = 0) => (text(data, name) ? startOfDayIn(text(data, name), timezone, addDays) : undefined);
    setFilters({
      action: text(data, 'action') || undefined,
      entity_type: text(data, 'entity_type') || undefined,
      outcome: text(data, 'outcome') || undefined,
      from: day('from'),
      // The last day chosen is included: the API's `to` is exclusive.
      to: day('to', 1),
    });
  }

  return (
    <Page title={t('audit.title')} testId="audit-page">
      <Form action={apply} className="filters" testId="audit-filters">
        <TextField label={t('audit.action')} name="action" list="audit-actions" testId="audit-filter-action" />
        <datalist id="audit-actions">{KNOWN_ACTIONS.map((a) => <option key={a} value={a} />)}</datalist>
        <TextField label={t('audit.entity_type')} name="entity_type" testId="audit-filter-entity" />
        <SelectField label={t('audit.outcome')} name="outcome" testId="audit-filter-outcome">
          <option value="">{t('common.any')}</option>
          <option value="success">{t('audit.outcome.success')}</option>
          <option value="failure">{t('audit.outcome.failure')}</option>
          <option value="denied">{t('audit.outcome.denied')}</option>
        </SelectField>
        <TextField label={t('audit.from')} name="from" type="date" testId="audit-filter-from" />
        <TextField label={t('audit.to')} name="to" type="date" testId="audit-filter-to" />
        <SubmitButton variant="secondary" testId="audit-apply">{t('common.apply')}</SubmitButton>
      </Form>
      <p className="hint">{t('audit.timezone_note', { timezone })}</p>
      {events.error && <ErrorAlert error={events.error} />}
      {events.items.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">{t('audit.time')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.entity')}</th>
                <th scope="col">{t('audit.outcome')}</th>
                <th scope="col">{t('audit.origin')}</th>
              </tr>
            </thead>
            <tbody>
              {events.items.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-action={e.action}>
                  <td className="nowrap"><time dateTime={e.occurred_at}>{fmt.dateTime(e.occurred_at)}</time></td>
                  <td>{e.actor_name ?? t('audit.system')}</td>
                  <td><code>{e.action}</code></td>
                  {/* Ids are UUID v7, whose first digits are a timestamp: the tail tells them apart. */}
                  <td>{e.entity_type}{e.entity_id && <span className="muted mono" title={e.entity_id}> …{e.entity_id.slice(-8)}</span>}</td>
                  <td><span className={`badge ${e.outcome}`}>{t(`audit.outcome.${e.outcome}`)}</span></td>
                  <td className="muted small">{e.ip ?? '—'}{e.request_id && <span className="mono" title={e.request_id}> · …{e.request_id.slice(-8)}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : events.loading ? <Loading /> : !events.error && <EmptyState title={t('audit.empty')} testId="audit-empty" />}
      <LoadMore list={events} testId="audit-load-more" />
    </Page>
  );
}
