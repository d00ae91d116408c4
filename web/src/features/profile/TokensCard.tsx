import { useState } from 'react';
import { api } from '../../lib/api.js';
import { useApi } from '../../lib/useApi.js';
import { useT } from '../../i18n/i18n.js';
import { useFormat, useMe } from '../../session/session.js';
import { CheckboxGroup, Form, SelectField, SubmitButton, text, TextField } from '../../ui/forms.js';
import { ResourceView } from '../../ui/feedback.js';
import { Card } from '../../ui/layout.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';

interface ApiToken { id: string; name: string; scopes: string[]; created_at: string; last_seen_at: string; expires_at: string | null }

const EXPIRY_DAYS = ['30', '90', '365', ''];

/** Personal API tokens for integrations; the secret is shown once, right after creation. */
export function TokensCard() {
  const t = useT();
  const fmt = useFormat();
  const me = useMe();
  const tokens = useApi<{ items: ApiToken[] }>('/api/me/tokens');
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);

  async function create(data: FormData, form: HTMLFormElement) {
    const days = text(data, 'expires_in_days');
    const out = await api<{ name: string; token: string }>('POST', '/api/me/tokens', {
      name: text(data, 'name'), scopes: data.getAll('scopes').map(String), ...(days ? { expires_in_days: Number(days) } : {}),
    });
    form.reset();
    setCreated(out);
    tokens.reload();
  }

  return (
    <Card title={t('profile.tokens')} testId="profile-tokens">
      <p className="hint">{t('profile.tokens_intro')}</p>
      {created && (
        <div className="notice success" role="status" data-testid="token-created">
          <p>{t('profile.token_once', { name: created.name })}</p>
          <code className="secret" data-testid="token-value">{created.token}</code>
          <button type="button" className="btn small secondary" onClick={() => void navigator.clipboard?.writeText(created.token)}>{t('common.copy')}</button>
        </div>
      )}
      <ResourceView resource={tokens}>{({ items }) => (items.length === 0 ? <p className="muted">{t('profile.no_tokens')}</p> : (
        <ul className="plain-list">
          {items.map((k) => (
            <li key={k.id} data-testid="token-item">
              <div>
                <strong>{k.name}</strong>
                <div className="muted small">
                  {k.scopes.includes('*') ? t('profile.scope_all') : k.scopes.join(', ')}
                  {' · '}{k.expires_at ? t('profile.expires', { date: fmt.date(k.expires_at) }) : t('profile.never_expires')}
                </div>
              </div>
              <ConfirmButton label={t('profile.revoke')} question={t('profile.revoke_confirm', { name: k.name })}
                onConfirm={() => api('DELETE', `/api/me/tokens/${k.id}`).then(tokens.reload)} testId="token-revoke" />
            </li>
          ))}
        </ul>
      ))}</ResourceView>
      <details className="subsection">
        <summary>{t('profile.new_token')}</summary>
        <Form action={create} testId="token-form">
          <div className="row">
            <TextField label={t('profile.token_name')} name="name" required testId="token-name" />
            <SelectField label={t('profile.token_expiry')} name="expires_in_days" defaultValue="90">
              {EXPIRY_DAYS.map((d) => <option key={d} value={d}>{d ? t('profile.days', { days: d }) : t('profile.never_expires')}</option>)}
            </SelectField>
          </div>
          <CheckboxGroup legend={t('profile.token_scopes')} name="scopes" checked={['*']} testId="token-scopes"
            options={[{ value: '*', label: t('profile.scope_all') }, ...me.permissions.map((p) => ({ value: p, label: p }))]} />
          <SubmitButton testId="token-submit">{t('profile.create_token')}</SubmitButton>
        </Form>
      </details>
    </Card>
  );
}
