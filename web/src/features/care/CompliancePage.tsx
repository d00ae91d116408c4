/**
 * /care/compliance: the compliance worklist across all patients. Sessions recorded without the
 * current signed consent (consent policy "flag") and sessions recorded despite a critical
 * contraindication stay open here until someone says how each was resolved. Reading needs
 * consent.read, resolving consent.write; the override's reason is shown only with medical.read.
 */
import { useState } from 'react';
import { api } from '../../lib/api.js';
import { Link } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { usePaged } from '../../lib/usePaged.js';
import { useT, type Translate } from '../../i18n/i18n.js';
import { useCan, useFormat, useMe } from '../../session/session.js';
import { fieldError, Form, SubmitButton, text, TextAreaField } from '../../ui/forms.js';
import { EmptyState, ErrorAlert, Loading, Notice } from '../../ui/feedback.js';
import { Page } from '../../ui/layout.js';
import { LoadMore } from '../admin/LoadMore.js';
import { itemsOf, TabLinks, useTab } from '../clinical/shared.js';
import type { ComplianceException } from '../clinical/types.js';

type Exception = ComplianceException & { resolved_by?: string | null; resolved_by_name?: string | null; resolution?: string | null };
interface Member { user_id: string; full_name: string }

const SHOW = ['open', 'resolved', 'all'] as const;
const KINDS = ['missing_consent', 'contraindication_override'] as const;

const kindLabel = (t: Translate, kind: string) =>
  t(kind === 'contraindication_override' ? 'compliance.kind.contraindication_override' : 'compliance.kind.missing_consent');

export function CompliancePage() {
  const t = useT();
  const show = useTab(SHOW);
  const [kind, setKind] = useState('');
  const [resolved, setResolved] = useState<string | null>(null);
  const list = usePaged<Exception>('/api/compliance/exceptions', {
    open: show === 'open' ? 'true' : show === 'resolved' ? 'false' : undefined, kind: kind || undefined,
  }, 50);
  const who = useWho();

  return (
    <Page title={t('compliance.title')} testId="compliance-page"
      actions={<Link to="/care" className="btn secondary" data-testid="compliance-followups-link">{t('compliance.followups_link')}</Link>}>
      <p className="hint">{t('compliance.intro')}</p>
      <div className="filters">
        <TabLinks tabs={SHOW.map((s) => ({ value: s, label: t(`compliance.show.${s}`) }))} current={show} label={t('compliance.show_label')}
          base="/care/compliance" testId="compliance-show" />
        <span className="spacer" />
        <div className="inline-field">
          <label htmlFor="compliance-kind">{t('compliance.kind')}</label>
          <select id="compliance-kind" value={kind} onChange={(e) => setKind(e.target.value)} data-testid="compliance-kind">
            <option value="">{t('compliance.kind_all')}</option>
            {KINDS.map((k) => <option key={k} value={k}>{kindLabel(t, k)}</option>)}
          </select>
        </div>
      </div>
      {resolved && <Notice tone="success" testId="compliance-resolved">{t('compliance.resolved_notice', { name: resolved })}</Notice>}
      {list.error && <ErrorAlert error={list.error} />}
      {list.items.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="compliance-table">
            <thead>
              <tr>
                <th scope="col">{t('compliance.col.patient')}</th>
                <th scope="col">{t('compliance.col.session')}</th>
                <th scope="col">{t('compliance.col.kind')}</th>
                <th scope="col">{t('compliance.col.when')}</th>
                <th scope="col">{t('compliance.col.who')}</th>
                <th scope="col">{t('compliance.col.status')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((e) => (
                <ExceptionRow key={e.id} exception={e} who={who}
                  onResolved={() => { setResolved(e.patient.full_name); list.reload(); }} />
              ))}
            </tbody>
          </table>
        </div>
      ) : list.loading ? <Loading /> : !list.error && (
        <EmptyState title={t(`compliance.empty.${show}`)} testId="compliance-empty">
          {show === 'open' && <p>{t('compliance.empty_open_hint')}</p>}
        </EmptyState>
      )}
      <LoadMore list={list} testId="compliance-load-more" />
    </Page>
  );
}

function ExceptionRow({ exception: e, who, onResolved }: { exception: Exception; who: Who; onResolved: () => void }) {
  const t = useT();
  const can = useCan();
  const fmt = useFormat();
  const [resolving, setResolving] = useState(false);
  const s = e.session;
  const overriddenBy = e.kind === 'contraindication_override' ? stringOf(e.details?.overridden_by) : null;
  const reason = e.kind === 'contraindication_override' && can('medical.read') ? stringOf(e.details?.reason) : null;
  return (
    <>
      <tr data-testid="compliance-row" data-id={e.id} data-kind={e.kind} data-open={String(e.open)} data-patient={e.patient.full_name}>
        <td>
          <Link to={`/patients/${e.patient.id}`} data-testid="compliance-patient"><strong>{e.patient.full_name}</strong></Link>
          <div className="muted small mono nowrap">{e.patient.code}</div>
        </td>
        <td>
          {s ? (
            <>
              <Link to={`/patients/${e.patient.id}/sessions/${s.id}`} data-testid="compliance-session">
                {t('compliance.session', { no: s.session_no ?? '?', name: s.treatment_name ?? s.treatment_code ?? '' })}
              </Link>
              {s.performed_at && <div className="muted small nowrap"><time dateTime={s.performed_at}>{fmt.date(s.performed_at)}</time></div>}
            </>
          ) : '—'}
        </td>
        <td>
          {kindLabel(t, e.kind)}
          {reason && <div className="small muted prewrap" data-testid="compliance-reason">{t('compliance.override_reason', { reason })}</div>}
        </td>
        <td className="nowrap"><time dateTime={e.created_at}>{fmt.dateTime(e.created_at)}</time></td>
        <td data-testid="compliance-who">
          {overriddenBy ? t('compliance.overridden_by', { name: who(overriddenBy, overriddenBy === s?.recorded_by ? s.recorded_by_name : null) })
            : s?.recorded_by ? t('compliance.recorded_by', { name: who(s.recorded_by, s.recorded_by_name) })
              : <span className="muted">{t('compliance.who_unknown')}</span>}
        </td>
        <td>
          {e.open ? (
            <>
              <span className="badge pending">{t('compliance.open')}</span>
              {can('consent.write') && !resolving && (
                <div>
                  <button type="button" className="btn small secondary" onClick={() => setResolving(true)} data-testid="compliance-resolve"
                    aria-label={t('compliance.resolve_named', { name: e.patient.full_name })}>{t('compliance.resolve')}</button>
                </div>
              )}
            </>
          ) : (
            <div data-testid="compliance-resolution">
              <span className="badge success">{t('compliance.resolved')}</span>
              <div className="small muted">
                {t('compliance.resolved_by', { name: who(e.resolved_by, e.resolved_by_name), when: e.resolved_at ? fmt.dateTime(e.resolved_at) : '' })}
              </div>
              {e.resolution && <div className="small prewrap">{e.resolution}</div>}
            </div>
          )}
        </td>
      </tr>
      {resolving && (
        <tr className="editing" data-testid="compliance-editor">
          <td colSpan={6}>
            <ResolveForm exception={e} onDone={(ok) => { setResolving(false); if (ok) onResolved(); }} />
          </td>
        </tr>
      )}
    </>
  );
}

/** Resolving says what was done (e.g. "consent signed after the session"); the exception stays on record. */
function ResolveForm({ exception: e, onDone }: { exception: Exception; onDone: (ok: boolean) => void }) {
  const t = useT();
  async function resolve(data: FormData) {
    if (!text(data, 'resolution')) throw fieldError('resolution', t('compliance.resolution_required'));
    await api('POST', `/api/compliance/exceptions/${e.id}/resolve`, { resolution: text(data, 'resolution') });
    onDone(true);
  }
  return (
    <div className="form stack">
      <h3 className="card-title">{t('compliance.resolve_title', { name: e.patient.full_name, kind: kindLabel(t, e.kind) })}</h3>
      <Form action={resolve} className="form stack" testId="compliance-resolve-form">
        <TextAreaField label={t('compliance.resolution')} name="resolution" rows={2} maxLength={2000} autoFocus aria-required="true"
          hint={t(e.kind === 'missing_consent' ? 'compliance.resolution_hint_consent' : 'compliance.resolution_hint_override')} testId="compliance-resolution-text" />
        <div className="form-actions">
          <SubmitButton testId="compliance-resolve-submit">{t('compliance.resolve')}</SubmitButton>
          <button type="button" className="btn secondary" onClick={() => onDone(false)}>{t('compliance.keep_open')}</button>
        </div>
      </Form>
    </div>
  );
}

const stringOf = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** A member's name when the caller may list members, "you" for oneself. */
/** A person as the API names them ("you" for the signed-in user). */
type Who = (userId: string | null | undefined, name?: string | null) => string;

function useWho(): Who {
  const t = useT();
  const me = useMe();
  return (userId, name) => {
    if (!userId) return '—';
    if (userId === me.user.id) return t('compliance.you', { name: me.user.full_name });
    return name ?? t('compliance.someone');
  };
}
