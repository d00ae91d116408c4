/**
 * Growth integrations (campaign.read to look, campaign.write to change): the GoHighLevel webhook
 * (its address, whether it is connected, a secret created or rotated and shown once, disconnect),
 * the public lead form (its address and a copy-paste HTML form that posts to it), and the
 * retention of growth data (past runs with what each removed, and "Run now").
 */
import { useState } from 'react';
import { api, asApiError, type ApiError } from '../../lib/api.js';
import { useApi } from '../../lib/useApi.js';
import { usePaged } from '../../lib/usePaged.js';
import { useT, type MessageKey } from '../../i18n/i18n.js';
import { useCan, useFormat, useMe } from '../../session/session.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { ErrorAlert, Loading, Notice } from '../../ui/feedback.js';
import { Card, Page } from '../../ui/layout.js';
import { LoadMore } from '../admin/LoadMore.js';
import { useClinicFormat } from '../clinical/shared.js';
import { CopyButton, GrowthTabs } from './shared.js';
import { PROCEDURE_CODES, RETENTION_TABLES, type CrmIntegration, type CrmSecret, type RetentionRun } from './types.js';

export function IntegrationsPage() {
  const t = useT();
  return (
    <Page title={t('growth.integrations.title')} testId="integrations-page">
      <GrowthTabs />
      <p className="hint page-intro">{t('growth.integrations.intro')}</p>
      <GoHighLevelCard />
      <PublicFormCard />
      <RetentionCard />
    </Page>
  );
}

function CopyBox({ value, testId, multiline, method }: { value: string; testId: string; multiline?: boolean; method?: string }) {
  return (
    <div className={`copy-box${multiline ? ' multiline' : ''}`}>
      {method && <span className="badge method">{method}</span>}
      {multiline ? <pre data-testid={testId}><code>{value}</code></pre> : <code data-testid={testId}>{value}</code>}
      <CopyButton value={value} testId={`${testId}-copy`} />
    </div>
  );
}

function GoHighLevelCard() {
  const t = useT();
  const can = useCan();
  const fmt = useFormat();
  const day = useClinicFormat();
  const me = useMe();
  const r = useApi<{ items: CrmIntegration[] }>('/api/crm-integrations');
  const [secret, setSecret] = useState<CrmSecret | null>(null);
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const writable = can('campaign.write');
  const ghl = r.data?.items.find((i) => i.provider === 'gohighlevel');
  // Where GoHighLevel sends its deliveries: this server, as the browser reaches it.
  const webhookUrl = `${window.location.origin}/api/webhooks/gohighlevel/${me.acting_org_id ?? ''}`;

  const rotate = async () => {
    setError(undefined);
    setBusy(true);
    try {
      setSecret(await api<CrmSecret>('PUT', '/api/crm-integrations/gohighlevel'));
      r.reload();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  const status = !ghl ? null : ghl.is_active ? 'active' : ghl.configured ? 'disabled' : 'none';

  return (
    <Card title={t('growth.ghl.title')} testId="ghl-card">
      <p className="hint">{t('growth.ghl.hint')}</p>
      {r.error ? <ErrorAlert error={r.error} /> : !ghl ? <Loading /> : (
        <>
          <dl className="facts">
            <dt>{t('growth.ghl.status')}</dt>
            <dd>
              <span className={`badge ${status === 'active' ? 'success' : status === 'disabled' ? 'pending' : ''}`} data-testid="ghl-status" data-status={status}>
                {t(`growth.ghl.status_${status ?? 'none'}` as MessageKey)}
              </span>
            </dd>
            <dt>{t('growth.ghl.deliveries')}</dt>
            <dd data-testid="ghl-deliveries">
              {day.number(ghl.deliveries)}
              {ghl.last_delivery_at && <span className="small muted"> · {t('growth.ghl.last_delivery', { at: fmt.dateTime(ghl.last_delivery_at) })}</span>}
            </dd>
            {ghl.updated_at && <><dt>{t('growth.ghl.secret_set')}</dt><dd>{fmt.dateTime(ghl.updated_at)}</dd></>}
          </dl>
          <h3 className="subhead">{t('growth.ghl.webhook_url')}</h3>
          <p className="hint">{t('growth.ghl.webhook_hint', { header: ghl.signature_header })}</p>
          <CopyBox value={webhookUrl} testId="ghl-webhook-url" />
        </>
      )}
      {secret && (
        <div className="notice warning secret-once" role="alert" data-testid="ghl-secret">
          <p><strong>{t('growth.ghl.secret_once')}</strong></p>
          {secret.rotated && <p>{t('growth.ghl.secret_rotated')}</p>}
          <CopyBox value={secret.secret} testId="ghl-secret-value" />
          <button type="button" className="btn small secondary" onClick={() => setSecret(null)} data-testid="ghl-secret-done">{t('growth.ghl.secret_done')}</button>
        </div>
      )}
      {error && <ErrorAlert error={error} />}
      {writable && ghl && (
        <div className="form-actions">
          {ghl.is_active ? (
            <ConfirmButton label={t('growth.ghl.rotate')} question={t('growth.ghl.rotate_q')} testId="ghl-rotate" onConfirm={rotate} />
          ) : (
            <button type="button" className="btn primary" onClick={() => void rotate()} disabled={busy} data-testid="ghl-create">
              {busy ? t('common.working') : t('growth.ghl.create')}
            </button>
          )}
          {ghl.is_active && (
            <ConfirmButton label={t('growth.ghl.disable')} question={t('growth.ghl.disable_q')} testId="ghl-disable"
              onConfirm={async () => { await api('DELETE', '/api/crm-integrations/gohighlevel'); setSecret(null); r.reload(); }} />
          )}
        </div>
      )}
    </Card>
  );
}

/** A minimal form for the clinic's website: JSON posted with fetch, the honeypot and start time the endpoint expects. */
export function formSnippet(endpoint: string, labels: {
  first_name: string; email: string; phone: string; interest: string; consent: string; send: string; thanks: string; failed: string;
  procedures: Record<string, string>;
}): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const js = (s: string) => JSON.stringify(s);
  const options = PROCEDURE_CODES.map((c) => `      <option value="${c}">${esc(labels.procedures[c] ?? c)}</option>`).join('\n');
  return `<form id="visage-lead-form">
  <label>${esc(labels.first_name)} <input name="first_name" required maxlength="100" autocomplete="given-name"></label>
  <label>${esc(labels.email)} <input name="email" type="email" autocomplete="email"></label>
  <label>${esc(labels.phone)} <input name="phone" type="tel" autocomplete="tel"></label>
  <label>${esc(labels.interest)}
    <select name="interest">
      <option value=""></option>
${options}
    </select>
  </label>
  <label><input type="checkbox" name="contact_consent" required> ${esc(labels.consent)}</label>
  <!-- Left empty by people (hidden); bots fill it in. -->
  <div style="position:absolute;left:-9999px" aria-hidden="true">
    <input name="website" tabindex="-1" autocomplete="off">
  </div>
  <input type="hidden" name="form_started_at">
  <button type="submit">${esc(labels.send)}</button>
  <p role="status"></p>
</form>
<script>
(function () {
  var form = document.getElementById('visage-lead-form');
  var f = form.elements;
  f.form_started_at.value = String(Date.now());
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var body = {
      first_name: f.first_name.value.trim(),
      contact_consent: f.contact_consent.checked,
      website: f.website.value,
      form_started_at: Number(f.form_started_at.value),
      page_url: location.href
    };
    if (f.email.value.trim()) body.email = f.email.value.trim();
    if (f.phone.value.trim()) body.phone = f.phone.value.trim();
    if (f.interest.value) body.interest = [f.interest.value];
    var q = new URLSearchParams(location.search);
    ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content'].forEach(function (k) { if (q.get(k)) body[k] = q.get(k); });
    var status = form.querySelector('[role=status]');
    fetch(${js(endpoint)}, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (r) {
        status.textContent = r.status === 202 ? ${js(labels.thanks)} : ${js(labels.failed)};
        if (r.status === 202) form.reset();
      })
      .catch(function () { status.textContent = ${js(labels.failed)}; });
  });
})();
</script>
`;
}

function PublicFormCard() {
  const t = useT();
  const me = useMe();
  const org = useApi<{ slug: string }>(me.acting_org_id ? `/api/organizations/${me.acting_org_id}` : null);
  const endpoint = org.data ? `${window.location.origin}/api/public/orgs/${org.data.slug}/leads` : '';
  const snippet = endpoint ? formSnippet(endpoint, {
    first_name: t('growth.form.first_name'), email: t('growth.form.email'), phone: t('growth.form.phone'), interest: t('growth.form.interest'),
    consent: t('growth.form.consent'), send: t('growth.form.send'), thanks: t('growth.form.thanks'), failed: t('growth.form.failed'),
    procedures: Object.fromEntries(PROCEDURE_CODES.map((c) => [c, t(`growth.procedure.${c}`)])),
  }) : '';
  return (
    <Card title={t('growth.form.title')} testId="public-form-card">
      <p className="hint">{t('growth.form.hint')}</p>
      {org.error ? <ErrorAlert error={org.error} /> : !org.data ? <Loading /> : (
        <>
          <h3 className="subhead">{t('growth.form.endpoint')}</h3>
          <CopyBox value={endpoint} method="POST" testId="form-endpoint" />
          <details className="snippet">
            <summary data-testid="form-snippet-toggle">{t('growth.form.snippet')}</summary>
            <p className="hint">{t('growth.form.snippet_hint')}</p>
            <CopyBox value={snippet} testId="form-snippet" multiline />
          </details>
        </>
      )}
    </Card>
  );
}

function RetentionCard() {
  const t = useT();
  const can = useCan();
  const fmt = useFormat();
  const day = useClinicFormat();
  const runs = usePaged<RetentionRun>('/api/growth/retention/runs', {}, 20);
  const [last, setLast] = useState<RetentionRun | null>(null);
  const total = (r: RetentionRun) => RETENTION_TABLES.reduce((n, k) => n + (r.removed[k] ?? 0), 0);
  const runNow = async () => {
    const r = await api<RetentionRun>('POST', '/api/growth/retention/run');
    setLast(r);
    runs.reload();
  };
  return (
    <Card title={t('growth.retention.title')} testId="retention-card">
      <p className="hint">{t('growth.retention.hint')}</p>
      {last && <Notice tone="success" testId="retention-done">{t('growth.retention.done', { count: total(last) })}</Notice>}
      {can('campaign.write') && (
        <div className="form-actions retention-actions">
          <ConfirmButton label={t('growth.retention.run')} question={t('growth.retention.run_q')} testId="retention-run" onConfirm={runNow} />
        </div>
      )}
      {runs.error && <ErrorAlert error={runs.error} />}
      {runs.items.length === 0 ? (runs.loading ? <Loading /> : <p className="muted" data-testid="retention-empty">{t('growth.retention.none')}</p>) : (
        <div className="table-wrap">
          <table className="retention-table" data-testid="retention-runs">
            <thead>
              <tr>
                <th scope="col">{t('growth.retention.ran_at')}</th>
                {RETENTION_TABLES.map((k) => <th key={k} scope="col" className="num">{t(`growth.retention.table.${k}`)}</th>)}
                <th scope="col" className="num">{t('growth.retention.total')}</th>
              </tr>
            </thead>
            <tbody>
              {runs.items.map((r) => (
                <tr key={r.run_id} data-testid="retention-run-row">
                  <th scope="row" className="nowrap">{fmt.dateTime(r.ran_at)}</th>
                  {RETENTION_TABLES.map((k) => <td key={k} className="num" data-table={k}>{day.number(r.removed[k] ?? 0)}</td>)}
                  <td className="num"><strong>{day.number(total(r))}</strong></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore list={runs} />
    </Card>
  );
}
