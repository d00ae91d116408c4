import { useState } from 'react';
import { api } from '../../lib/api.js';
import { useApi } from '../../lib/useApi.js';
import { usePaged } from '../../lib/usePaged.js';
import { useT } from '../../i18n/i18n.js';
import { useFormat } from '../../session/session.js';
import { Form, SelectField, SubmitButton, text, TextField } from '../../ui/forms.js';
import { EmptyState, ErrorAlert, Loading, Notice } from '../../ui/feedback.js';
import { Card, Page } from '../../ui/layout.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { LoadMore } from './LoadMore.js';
import type { Role } from './RolesPage.js';

interface Invitation { id: string; email: string; role: string; title: string | null; status: 'pending' | 'accepted' | 'revoked' | 'expired'; expires_at: string; created_at: string }

/** Invite staff by email with one role; pending invitations can be withdrawn. */
export function InvitationsPage() {
  const t = useT();
  const fmt = useFormat();
  const invitations = usePaged<Invitation>('/api/invitations');
  const roles = useApi<{ items: Role[] }>('/api/roles');
  const [sentTo, setSentTo] = useState<string | null>(null);

  async function invite(data: FormData, form: HTMLFormElement) {
    const email = text(data, 'email');
    await api('POST', '/api/invitations', { email, role: text(data, 'role'), ...(text(data, 'title') ? { title: text(data, 'title') } : {}) });
    form.reset();
    setSentTo(email);
    invitations.reload();
  }

  return (
    <Page title={t('invitations.title')} testId="invitations-page">
      <Card title={t('invitations.new')}>
        {sentTo && <Notice tone="success" testId="invitation-sent">{t('invitations.sent', { email: sentTo })}</Notice>}
        <Form action={invite} testId="invitation-form">
          <div className="row">
            <TextField label={t('field.email')} name="email" type="email" required testId="invitation-email" />
            <SelectField label={t('invitations.role')} name="role" required defaultValue="" testId="invitation-role">
              <option value="" disabled>{t('invitations.choose_role')}</option>
              {(roles.data?.items ?? []).filter((r) => r.name !== 'patient').map((r) => <option key={r.id} value={r.name}>{r.name}</option>)}
            </SelectField>
            <TextField label={t('members.member_title')} name="title" testId="invitation-title" />
          </div>
          <SubmitButton testId="invitation-submit">{t('invitations.send')}</SubmitButton>
        </Form>
      </Card>
      {invitations.error && <ErrorAlert error={invitations.error} />}
      {invitations.items.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="invitations-table">
            <thead>
              <tr>
                <th scope="col">{t('field.email')}</th>
                <th scope="col">{t('invitations.role')}</th>
                <th scope="col">{t('invitations.status')}</th>
                <th scope="col">{t('invitations.expires')}</th>
                <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {invitations.items.map((i) => (
                <tr key={i.id} data-testid="invitation-row" data-email={i.email}>
                  <td>{i.email}{i.title && <div className="muted small">{i.title}</div>}</td>
                  <td><span className="chip">{i.role}</span></td>
                  <td><span className={`badge ${i.status}`}>{t(`invitations.status.${i.status}`)}</span></td>
                  <td className="nowrap">{fmt.dateTime(i.expires_at)}</td>
                  <td className="row-actions">
                    {i.status === 'pending' && (
                      <ConfirmButton label={t('invitations.revoke')} question={t('invitations.revoke_confirm', { email: i.email })}
                        onConfirm={() => api('DELETE', `/api/invitations/${i.id}`).then(invitations.reload)} testId="invitation-revoke" />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : invitations.loading ? <Loading /> : !invitations.error && <EmptyState title={t('invitations.empty')} />}
      <LoadMore list={invitations} />
    </Page>
  );
}
