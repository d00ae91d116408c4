import { useState } from 'react';
import { api } from '../../lib/api.js';
import { useApi } from '../../lib/useApi.js';
import { useT } from '../../i18n/i18n.js';
import { useCan } from '../../session/session.js';
import { CheckboxGroup, Form, SubmitButton, text, TextField } from '../../ui/forms.js';
import { ErrorAlert, Loading } from '../../ui/feedback.js';
import { Card, Page } from '../../ui/layout.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';

export interface Role { id: string; name: string; description: string; builtin: boolean; permissions: string[]; member_count: number }
export interface Permission { name: string; description: string; context: string }

/** Built-in and custom roles with their permissions; custom roles are created and edited here. */
export function RolesPage() {
  const t = useT();
  const can = useCan();
  const manage = can('role.manage');
  const roles = useApi<{ items: Role[] }>('/api/roles');
  const permissions = useApi<{ items: Permission[] }>(manage ? '/api/permissions' : null);
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const done = () => { setEditing(null); roles.reload(); };

  return (
    <Page title={t('roles.title')} testId="roles-page"
      actions={manage && editing === null && <button type="button" className="btn primary" onClick={() => setEditing('new')} data-testid="role-new">{t('roles.new')}</button>}>
      {editing !== null && permissions.data && (
        <RoleForm role={editing === 'new' ? null : editing} permissions={permissions.data.items} onDone={done} onCancel={() => setEditing(null)} />
      )}
      {roles.error && <ErrorAlert error={roles.error} />}
      {!roles.data ? !roles.error && <Loading /> : (
        <ul className="role-list" data-testid="roles-list">
          {roles.data.items.map((r) => (
            <li key={r.id} className="card" data-testid="role-item" data-role={r.name}>
              <div className="role-head">
                <h2 className="card-title">{r.name} {r.builtin && <span className="badge neutral">{t('roles.builtin')}</span>}</h2>
                <span className="muted small">{t('roles.counts', { members: r.member_count, permissions: r.permissions.length })}</span>
                {manage && !r.builtin && (
                  <span className="row-actions">
                    <button type="button" className="btn small secondary" onClick={() => setEditing(r)} data-testid="role-edit">{t('common.edit')}</button>
                    <ConfirmButton label={t('common.delete')} question={t('roles.delete_confirm', { name: r.name })}
                      onConfirm={() => api('DELETE', `/api/roles/${r.id}`).then(done)} testId="role-delete" />
                  </span>
                )}
              </div>
              {r.description && <p>{r.description}</p>}
              <details>
                <summary>{t('roles.show_permissions')}</summary>
                <p className="chips">{r.permissions.map((p) => <span key={p} className="chip mono">{p}</span>)}</p>
              </details>
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}

/** Create (role = null) or change a custom role; permissions grouped by context. */
function RoleForm({ role, permissions, onDone, onCancel }: { role: Role | null; permissions: Permission[]; onDone: () => void; onCancel: () => void }) {
  const t = useT();
  const contexts = [...new Set(permissions.map((p) => p.context))];
  async function save(data: FormData) {
    const body = { name: text(data, 'name'), description: text(data, 'description'), permissions: data.getAll('permissions').map(String) };
    if (role) await api('PATCH', `/api/roles/${role.id}`, body);
    else await api('POST', '/api/roles', body);
    onDone();
  }
  return (
    <Card title={role ? t('roles.edit_named', { name: role.name }) : t('roles.new')} testId="role-form">
      <Form action={save}>
        <div className="row">
          <TextField label={t('roles.name')} name="name" defaultValue={role?.name} required testId="role-name" />
          <TextField label={t('roles.description')} name="description" defaultValue={role?.description} testId="role-description" />
        </div>
        <div className="permission-grid">
          {contexts.map((c) => (
            <CheckboxGroup key={c} legend={c} name="permissions" checked={role?.permissions ?? []}
              options={permissions.filter((p) => p.context === c).map((p) => ({ value: p.name, label: p.name, hint: p.description }))} />
          ))}
        </div>
        <div className="form-actions">
          <SubmitButton testId="role-save">{t('common.save')}</SubmitButton>
          <button type="button" className="btn secondary" onClick={onCancel}>{t('common.cancel')}</button>
        </div>
      </Form>
    </Card>
  );
}
