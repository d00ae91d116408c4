/**
 * Signing a consent: the treatment's current consent text, the signer's typed name and a drawn
 * signature. The API stores the signed document; its link is shown once it exists.
 */
import { useEffect, useRef, useState } from 'react';
import { api, asApiError, query, type ApiError } from '../../lib/api.js';
import { Link } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { useT } from '../../i18n/i18n.js';
import { useCan, useFormat } from '../../session/session.js';
import { Form, SelectField, SubmitButton, text, TextAreaField, TextField } from '../../ui/forms.js';
import { ErrorAlert, Loading, Notice } from '../../ui/feedback.js';
import { Card, Page } from '../../ui/layout.js';
import { itemsOf } from '../clinical/shared.js';
import type { Consent, Patient, Treatment } from '../clinical/types.js';
import { SignaturePad, type SignaturePadHandle } from './SignaturePad.js';

interface Template { id: string; title: string; version: number; body: string; treatment_id?: string | null; is_current?: boolean }

export function ConsentPage({ patientId }: { patientId: string }) {
  const t = useT();
  const fmt = useFormat();
  const patient = useApi<Patient>(`/api/patients/${patientId}`);
  const treatments = useApi<Treatment[]>('/api/treatments');
  const all = itemsOf(treatments.data).filter((tr) => tr.is_active !== false);
  // Treatments that require consent first.
  const ordered = [...all.filter((tr) => tr.consent_required), ...all.filter((tr) => !tr.consent_required)];
  const [treatmentId, setTreatmentId] = useState('');
  const templates = useApi<Template[] | { items: Template[] }>(treatmentId ? `/api/consent-templates${query({ treatment_id: treatmentId, current: 'true' })}` : null);
  const template = itemsOf(templates.data).find((tpl) => tpl.is_current !== false);
  const [hasInk, setHasInk] = useState(false);
  const [name, setName] = useState('');
  const pad = useRef<SignaturePadHandle>(null);
  const [signed, setSigned] = useState<Consent | null>(null);

  async function sign(data: FormData) {
    const consent = await api<Consent>('POST', `/api/patients/${patientId}/consents`, {
      treatment_id: text(data, 'treatment_id'),
      signed_name: text(data, 'signed_name'),
      signature_png: pad.current!.toDataUrl(),
    });
    setSigned(consent);
  }

  const ready = !!treatmentId && name.trim().length > 0 && hasInk;
  return (
    <Page title={t('consent.title')} testId="consent-page"
      actions={<Link to={`/patients/${patientId}`} className="btn secondary" data-testid="consent-back">{t('chart.back')}</Link>}>
      {patient.data && <p className="lead">{patient.data.full_name} · <span className="mono">{patient.data.code}</span></p>}
      {treatments.error && <ErrorAlert error={treatments.error} />}
      {signed ? (
        <Card testId="consent-done">
          <Notice tone="success" testId="consent-signed">
            {t('consent.signed', { name: signed.signed_name, when: fmt.dateTime(signed.signed_at), version: signed.template_version })}
          </Notice>
          <p>
            <a href={signed.document_url ?? `/api/consents/${signed.id}/document`} target="_blank" rel="noreferrer" className="btn secondary"
              data-testid="consent-document-link">{t('consent.open_document')}</a>
          </p>
          <Link to={`/patients/${patientId}?consent=${signed.id}`} data-testid="consent-to-chart">{t('chart.back')}</Link>
        </Card>
      ) : (
        <Form action={sign} testId="consent-form">
          <Card>
            <SelectField label={t('session.treatment')} name="treatment_id" value={treatmentId} onChange={(e) => setTreatmentId(e.target.value)}
              required testId="consent-treatment">
              <option value="">{t('session.choose_treatment')}</option>
              {ordered.map((tr) => (
                <option key={tr.id} value={tr.id}>{tr.treatment_name} ({tr.treatment_id}){tr.consent_required ? ` · ${t('consent.required_mark')}` : ''}</option>
              ))}
            </SelectField>
            {template && (
              <article className="consent-text" data-testid="consent-template" aria-label={template.title}>
                <h2 className="card-title">{template.title} <span className="badge">{t('consent.version', { version: template.version })}</span></h2>
                <div className="prewrap">{template.body}</div>
              </article>
            )}
            {treatmentId && templates.data !== undefined && !template && <NewTemplate treatmentId={treatmentId} onDone={templates.reload} />}
          </Card>
          <Card title={t('consent.signature')}>
            <TextField label={t('consent.signed_name')} name="signed_name" value={name} onChange={(e) => setName(e.target.value)}
              required autoComplete="off" testId="consent-name" hint={t('consent.signed_name_hint')} />
            <SignaturePad ref={pad} onChange={setHasInk} label={t('consent.pad_label')} />
          </Card>
          <div className="form-actions">
            {ready
              ? <SubmitButton testId="consent-submit">{t('consent.submit')}</SubmitButton>
              : <button type="submit" className="btn primary" disabled data-testid="consent-submit">{t('consent.submit')}</button>}
            {!ready && <span className="hint" data-testid="consent-blocked">{t(!treatmentId ? 'session.choose_treatment_first' : !name.trim() ? 'consent.need_name' : 'consent.need_signature')}</span>}
          </div>
        </Form>
      )}
      <SignedConsents patientId={patientId} refresh={signed?.id} />
    </Page>
  );
}

/**
 * The patient's consents, newest first: what was signed, by whom and when, the verified document,
 * and withdrawing one (kept on record with the reason; it no longer counts as signed, so a session of
 * that treatment is flagged or refused again under the organization's consent policy).
 */
function SignedConsents({ patientId, refresh }: { patientId: string; refresh?: string }) {
  const t = useT();
  const fmt = useFormat();
  const can = useCan();
  const list = useApi<Consent[] | { items: Consent[] }>(`/api/patients/${patientId}/consents?limit=200`);
  const [withdrawing, setWithdrawing] = useState<string | null>(null);
  // A consent just signed on this page joins the list.
  const { reload } = list;
  useEffect(() => { if (refresh) reload(); }, [refresh, reload]);
  const items = itemsOf(list.data);
  return (
    <Card title={t('consent.list_title')} testId="consents-list">
      {list.error && <ErrorAlert error={list.error} />}
      {list.loading && !list.data ? <Loading /> : items.length === 0 ? <p className="muted" data-testid="consents-empty">{t('consent.list_empty')}</p> : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('consent.col.consent')}</th><th scope="col">{t('consent.col.signed')}</th>
              <th scope="col">{t('consent.col.state')}</th><th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id} data-testid="consent-row" data-id={c.id}>
                <td>
                  {c.title ?? c.treatment_code}{' '}
                  <span className="badge">{t('consent.version', { version: c.template_version })}</span>
                  {c.is_current_version === false && <> <span className="badge pending">{t('consent.outdated')}</span></>}
                </td>
                <td>{c.signed_name} · {fmt.dateTime(c.signed_at)}</td>
                <td data-testid="consent-state">
                  {c.withdrawn_at
                    ? <><span className="badge revoked">{t('consent.withdrawn')}</span> {fmt.dateTime(c.withdrawn_at)}{c.withdrawal_reason && <> · {c.withdrawal_reason}</>}</>
                    : <span className="badge success">{t('consent.in_force')}</span>}
                </td>
                <td className="row-actions">
                  <a href={c.document_url ?? `/api/consents/${c.id}/document`} target="_blank" rel="noreferrer" className="btn small secondary">{t('consent.open_document')}</a>
                  {can('consent.write') && !c.withdrawn_at && withdrawing !== c.id && (
                    <button type="button" className="btn small danger-outline" onClick={() => setWithdrawing(c.id)} data-testid="consent-withdraw">
                      {t('consent.withdraw')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {withdrawing && (
        <Form action={async (data) => {
          await api('POST', `/api/consents/${withdrawing}/withdraw`, { reason: text(data, 'reason') });
          setWithdrawing(null);
          list.reload();
        }} testId="consent-withdraw-form">
          <TextAreaField label={t('consent.withdraw_reason')} name="reason" required minLength={3} maxLength={2000} rows={2}
            hint={t('consent.withdraw_hint')} testId="consent-withdraw-reason" />
          <div className="form-actions">
            <SubmitButton variant="danger" testId="consent-withdraw-submit">{t('consent.withdraw_submit')}</SubmitButton>
            <button type="button" className="btn secondary" onClick={() => setWithdrawing(null)}>{t('common.cancel')}</button>
          </div>
        </Form>
      )}
    </Card>
  );
}

/** No consent text for the treatment yet: whoever collects consents can write version 1 here. */
function NewTemplate({ treatmentId, onDone }: { treatmentId: string; onDone: () => void }) {
  const t = useT();
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [pending, setPending] = useState(false);
  // Not a nested <form>: the signing form surrounds this block.
  async function publish() {
    setPending(true);
    setError(null);
    try {
      await api('POST', '/api/consent-templates', { treatment_id: treatmentId, title: title.trim(), body: body.trim() });
      onDone();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setPending(false);
    }
  }
  return (
    <div className="subsection" data-testid="consent-no-template">
      <p className="notice warning">{t('consent.no_template')}</p>
      {error && <ErrorAlert error={error} />}
      <div className="form stack">
        <div className="field">
          <label htmlFor="tpl-title">{t('consent.template_title')}</label>
          <input id="tpl-title" value={title} onChange={(e) => setTitle(e.target.value)} data-testid="template-title" />
        </div>
        <div className="field">
          <label htmlFor="tpl-body">{t('consent.template_body')}</label>
          <textarea id="tpl-body" rows={6} value={body} onChange={(e) => setBody(e.target.value)} data-testid="template-body" />
        </div>
        <div className="form-actions">
          <button type="button" className="btn secondary" disabled={pending || !title.trim() || !body.trim()} onClick={() => void publish()}
            data-testid="template-publish">{pending ? t('common.working') : t('consent.template_publish')}</button>
        </div>
      </div>
    </div>
  );
}
