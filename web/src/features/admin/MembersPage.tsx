import { useState } from 'react';
import { api } from '../../lib/api.js';
import { useApi } from '../../lib/useApi.js';
import { usePaged } from '../../lib/usePaged.js';
import { useT } from '../../i18n/i18n.js';
import { useCan, useFormat, useMe } from '../../session/session.js';
import { CheckboxGroup, Form, SelectField, SubmitButton, text, TextField } from '../../ui/forms.js';
import { EmptyState, ErrorAlert, Loading } from '../../ui/feedback.js';
import { Page } from '../../ui/layout.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { LoadMore } from './LoadMore.js';
import type { Role } from './RolesPage.js';

export interface Member {
  id: string; user_id: string; email: string; full_name: string; title: string | null; status: 'active' | 'suspended'; roles: string[]; created_at: string;
}

/** Staff of the acting organization; managers change roles, suspend or remove. */
export function MembersPage() {
  const t = useT();
  const can = useCan();
  const [q, setQ] = useState('');
  const members = usePaged<Member>('/api/members', { q: q || undefined });
  const manage = can('member.manage');
  const roles = useApi<{ items: Role[] }>(manage ? '/api/roles' : null);
  const [editing, setEditing] = useState<string | null>(null);

  return (
    <Page title={t('members.title')} testId="members-page">
      <Form action={async (data) => setQ(text(data, 'q'))} className="filters" testId="members-search">
        <TextField label={t('members.search')} name="q" type="search" testId="members-q" />
        <SubmitButton variant="secondary">{t('common.search')}</SubmitButton>
      </Form>
      {members.error && <ErrorAlert error={members.error} />}
      {members.items.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="members-table">
            <thead>
              <tr>
                <th scope="col">{t('members.name')}</th>
                <th scope="col">{t('members.roles')}</th>
                <th scope="col">{t('members.status')}</th>
                <th scope="col">{t('members.joined')}</th>
                {manage && <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>}
              </tr>
            </thead>
            <tbody>
              {members.items.map((m) => editing === m.id
                ? <MemberEditor key={m.id} member={m} roles={roles.data?.items ?? []} onDone={(changed) => { setEditing(null); if (changed) members.reload(); }} />
                : <MemberRow key={m.id} member={m} manage={manage} onEdit={() => setEditing(m.id)} />)}
            </tbody>
          </table>
        </div>
      ) : members.loading ? <Loading /> : !members.error && <EmptyState title={t('members.empty')} />}
      <LoadMore list={members} />
    </Page>
  );
}

function MemberRow({ member: m, manage, onEdit }: { member: Member; manage: boolean; onEdit: () => void }) {
  const t = useT();
  const fmt = useFormat();
  return (
    <tr data-testid="member-row" data-email={m.email}>
      <td>
        <strong>{m.full_name}</strong>
        <div className="muted small">{m.email}{m.title && ` · ${m.title}`}</div>
      </td>
      <td>{m.roles.map((r) => <span key={r} className="chip">{r}</span>)}</td>
      <td><span className={`badge ${m.status}`}>{t(`members.status.${m.status}`)}</span></td>
      <td className="nowrap">{fmt.date(m.created_at)}</td>
      {manage && (
        <td className="row-actions">
          <button type="button" className="btn small secondary" onClick={onEdit} data-testid="member-edit"
            aria-label={t('members.edit_named', { name: m.full_name })}>{t('common.edit')}</button>
        </td>
      )}
    </tr>
  );
}

/** Inline editor: roles as checkboxes, title, status; removal asks once more before it happens. */
function MemberEditor({ member: m, roles, onDone }: { member: Member; roles: Role[]; onDone: (changed: boolean) => void }) {
  const t = useT();
  const me = useMe();
  async function save(data: FormData) {
    const status = text(data, 'status');
    await api('PATCH', `/api/members/${m.id}`, {
      title: text(data, 'title') || null,
      // Until the role list has loaded the roles are shown read-only and left as they are.
      ...(roles.length ? { roles: data.getAll('roles').map(String) } : {}),
      ...(status ? { status } : {}),
    });
    onDone(true);
  }
  async function remove() {
    await api('DELETE', `/api/members/${m.id}`);
    onDone(true);
  }
  const isSelf = m.user_id === me.user.id;
  return (
    <tr className="editing" data-testid="member-editor">
      <td colSpan={5}>
        <Form action={save} className="form stack">
          <h2 className="card-title">{t('members.edit_named', { name: m.full_name })}</h2>
          {roles.length > 0
            ? <CheckboxGroup legend={t('members.roles')} name="roles" checked={m.roles} testId="member-roles"
              options={roles.map((r) => ({ value: r.name, label: r.name, hint: r.description }))} />
            : <p>{t('members.roles')}: {m.roles.join(', ')}</p>}
          <div className="row">
            <TextField label={t('members.member_title')} name="title" defaultValue={m.title ?? ''} />
            <SelectField label={t('members.status')} name="status" defaultValue={m.status} disabled={isSelf}>
              <option value="active">{t('members.status.active')}</option>
              <option value="suspended">{t('members.status.suspended')}</option>
            </SelectField>
          </div>
          <div className="form-actions">
            <SubmitButton testId="member-save">{t('common.save')}</SubmitButton>
            <button type="button" className="btn secondary" onClick={() => onDone(false)}>{t('common.cancel')}</button>
            <span className="spacer" />
            {!isSelf && <ConfirmButton label={t('members.remove')} question={t('members.remove_confirm', { name: m.full_name })} onConfirm={remove} testId="member-remove" />}
          </div>
        </Form>
      </td>
    </tr>
  );
}
