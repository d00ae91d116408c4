/**
 * /patients/{id}/intakes: the patient's intake questionnaires and PMU contraindication forms (with
 * the flags the API derived from the answers), what those flags mean for the patient's usual
 * treatments (screening, as the session form shows it), and skin analyses. Newest first; a row
 * opens its full answers or findings (read one by one, so each read is audited).
 * Medical data: reading needs medical.read; recording, correcting (same form prefilled, with a
 * reason) and removing (with a reason; soft, the API keeps the record) need medical.write.
 */
import { Fragment, useEffect, useRef, useState, type ReactNode } from 'react';
import { api } from '../../lib/api.js';
import { Link } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { usePaged } from '../../lib/usePaged.js';
import { useT, type Translate } from '../../i18n/i18n.js';
import { useCan, useFormat } from '../../session/session.js';
import { ErrorAlert, Loading, Notice } from '../../ui/feedback.js';
import { fieldError, Form, SubmitButton, text, TextAreaField } from '../../ui/forms.js';
import { Card, Page } from '../../ui/layout.js';
import { ScreeningAlerts } from '../clinical/ScreeningAlerts.js';
import { itemsOf, useWho } from '../clinical/shared.js';
import type { Patient, Treatment, TreatmentSession } from '../clinical/types.js';
import { IntakeForm } from './IntakeForm.js';
import { SkinAnalysisForm } from './SkinAnalysisForm.js';
import {
  answerLabel, findingLabel, flagLabel, flagTone, keyFindings, valueText, type Intake, type SkinAnalysis,
} from './intake-labels.js';
import './intakes.css';

/** The latest correction, as the API reports it. */
type Amended = { amended_at?: string | null };
type Done = { kind: 'intake-saved' | 'intake-corrected'; intake: Intake } | { kind: 'intake-removed' | 'analysis-saved' | 'analysis-corrected' | 'analysis-removed' };

export function IntakesPage({ patientId }: { patientId: string }) {
  const t = useT();
  const can = useCan();
  const patient = useApi<Patient>(`/api/patients/${patientId}`);
  const readable = can('medical.read');
  const writable = can('medical.write');
  return (
    <Page title={t('intake.title')} testId="intakes-page"
      actions={<Link to={`/patients/${patientId}`} className="btn secondary" data-testid="intakes-back">{t('chart.back')}</Link>}>
      {patient.data && <p className="lead">{patient.data.full_name} · <span className="mono">{patient.data.code}</span></p>}
      {patient.error && <ErrorAlert error={patient.error} />}
      {!readable ? <Notice tone="warning" testId="intakes-no-access">{t('intake.no_access')}</Notice> : (
        <IntakesBody patientId={patientId} writable={writable} />
      )}
    </Page>
  );
}

function IntakesBody({ patientId, writable }: { patientId: string; writable: boolean }) {
  const t = useT();
  const intakes = usePaged<Intake>(`/api/patients/${patientId}/intakes`, {}, 20);
  const analyses = usePaged<SkinAnalysis>(`/api/patients/${patientId}/analyses`, {}, 20);
  const [done, setDone] = useState<Done | null>(null);
  // Screening is asked again after every change to the intakes.
  const [screeningVersion, setScreeningVersion] = useState(0);
  const [editingIntake, setEditingIntake] = useState<string | null>(null);
  const [editingAnalysis, setEditingAnalysis] = useState<string | null>(null);
  const who = useWho({ you: t('intake.by_you'), unknown: t('intake.by_unknown'), none: '—' });
  const intakeChanged = (d: Done) => { setDone(d); setEditingIntake(null); setScreeningVersion((v) => v + 1); intakes.reload(); };
  const analysisChanged = (d: Done) => { setDone(d); setEditingAnalysis(null); analyses.reload(); };

  return (
    <>
      {!writable && <Notice tone="info" testId="intakes-read-only">{t('intake.read_only')}</Notice>}
      {done && 'intake' in done && <SavedIntake intake={done.intake} corrected={done.kind === 'intake-corrected'} />}
      {done?.kind === 'intake-removed' && <Notice tone="success" testId="intake-removed">{t('intake.remove.done')}</Notice>}
      <Screening patientId={patientId} version={String(screeningVersion)} />

      <Card title={t('intake.list_title')} testId="intakes-list">
        {intakes.error && <ErrorAlert error={intakes.error} />}
        {intakes.loading && !intakes.items.length ? <Loading /> : !intakes.items.length ? (
          <p className="muted" data-testid="intakes-empty">{t('intake.list_empty')}</p>
        ) : (
          <IntakeTable items={intakes.items} who={who} writable={writable} editing={editingIntake}
            onEdit={(id) => { setDone(null); setEditingIntake(id); }} onRemoved={() => intakeChanged({ kind: 'intake-removed' })} />
        )}
        {intakes.hasMore && <div className="load-more"><button type="button" className="btn secondary" onClick={intakes.loadMore}>{t('common.load_more')}</button></div>}
      </Card>
      {writable && (editingIntake ? (
        <EditPanel<Intake> key={editingIntake} url={`/api/intakes/${editingIntake}`} onCancel={() => setEditingIntake(null)}>
          {(intake) => (
            <IntakeForm patientId={patientId} intake={intake} onCancel={() => setEditingIntake(null)}
              onSaved={(i) => intakeChanged({ kind: 'intake-corrected', intake: i })} />
          )}
        </EditPanel>
      ) : <IntakeForm patientId={patientId} onSaved={(i) => intakeChanged({ kind: 'intake-saved', intake: i })} />)}

      <Card title={t('analysis.list_title')} testId="analyses-list">
        {done?.kind === 'analysis-saved' && <Notice tone="success" testId="analysis-saved">{t('analysis.saved')}</Notice>}
        {done?.kind === 'analysis-corrected' && <Notice tone="success" testId="analysis-corrected">{t('analysis.edit.done')}</Notice>}
        {done?.kind === 'analysis-removed' && <Notice tone="success" testId="analysis-removed">{t('analysis.remove.done')}</Notice>}
        {analyses.error && <ErrorAlert error={analyses.error} />}
        {analyses.loading && !analyses.items.length ? <Loading /> : !analyses.items.length ? (
          <p className="muted" data-testid="analyses-empty">{t('analysis.list_empty')}</p>
        ) : (
          <AnalysisTable items={analyses.items} who={who} writable={writable} editing={editingAnalysis}
            onEdit={(id) => { setDone(null); setEditingAnalysis(id); }} onRemoved={() => analysisChanged({ kind: 'analysis-removed' })} />
        )}
        {analyses.hasMore && <div className="load-more"><button type="button" className="btn secondary" onClick={analyses.loadMore}>{t('common.load_more')}</button></div>}
      </Card>
      {writable && (editingAnalysis ? (
        <EditPanel<SkinAnalysis> key={editingAnalysis} url={`/api/analyses/${editingAnalysis}`} onCancel={() => setEditingAnalysis(null)}>
          {(analysis) => (
            <SkinAnalysisForm patientId={patientId} analysis={analysis} onCancel={() => setEditingAnalysis(null)}
              onSaved={() => analysisChanged({ kind: 'analysis-corrected' })} />
          )}
        </EditPanel>
      ) : <SkinAnalysisForm patientId={patientId} onSaved={() => analysisChanged({ kind: 'analysis-saved' })} />)}
    </>
  );
}

/**
 * The record to correct, read in full (an audited read), then its form; brought into view and
 * focused, since it opens below the list.
 */
function EditPanel<T>({ url, onCancel, children }: { url: string; onCancel: () => void; children: (record: T) => ReactNode }) {
  const t = useT();
  const r = useApi<T>(url);
  const ref = useRef<HTMLDivElement>(null);
  const ready = Boolean(r.data);
  useEffect(() => {
    if (!ready || !ref.current) return;
    ref.current.scrollIntoView?.({ block: 'start' });
    ref.current.querySelector<HTMLElement>('select, input, textarea')?.focus({ preventScroll: true });
  }, [ready]);
  if (r.error) {
    return (
      <Card testId="edit-error">
        <ErrorAlert error={r.error} />
        <button type="button" className="btn secondary" onClick={onCancel}>{t('common.cancel')}</button>
      </Card>
    );
  }
  if (!r.data) return <Card><Loading /></Card>;
  return <div ref={ref}>{children(r.data)}</div>;
}

/** Removes a record after asking why (the API keeps it, with the reason, and it leaves the lists). */
function RemoveForm({ url, question, intro, submit, onRemoved, onCancel, testId }: {
  url: string; question: string; intro: string; submit: string; onRemoved: () => void; onCancel: () => void; testId: string;
}) {
  const t = useT();
  async function remove(data: FormData) {
    const reason = text(data, 'reason');
    if (reason.length < 3) throw fieldError('reason', t('intake.remove.reason_hint'));
    await api('DELETE', url, { reason });
    onRemoved();
  }
  return (
    <Form action={remove} testId={testId} className="form stack remove-form">
      <p><strong>{question}</strong></p>
      <p className="hint">{intro}</p>
      <TextAreaField label={t('intake.remove.reason')} name="reason" hint={t('intake.remove.reason_hint')} required minLength={3} maxLength={1000} rows={2}
        autoFocus testId={`${testId}-reason`} />
      <div className="form-actions">
        <SubmitButton variant="danger" testId={`${testId}-submit`}>{submit}</SubmitButton>
        <button type="button" className="btn secondary" onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </Form>
  );
}

/** "Corrected on …" under a record's date, when it was. */
function Corrected({ at }: { at?: string | null }) {
  const t = useT();
  const fmt = useFormat();
  if (!at) return null;
  return <div className="hint" data-testid="record-corrected"><time dateTime={at}>{t('intake.corrected_on', { date: fmt.dateTime(at) })}</time></div>;
}

export function FlagList({ flags, testId = 'intake-flags' }: { flags: string[]; testId?: string }) {
  const t = useT();
  if (!flags.length) return <span className="muted" data-testid={testId} data-empty="true">{t('intake.no_flags')}</span>;
  return (
    <ul className="flag-list" data-testid={testId}>
      {flags.map((f) => <li key={f} className={`badge ${flagTone(f)}`} data-testid="intake-flag" data-flag={f}>{flagLabel(t, f)}</li>)}
    </ul>
  );
}

function SavedIntake({ intake, corrected }: { intake: Intake; corrected: boolean }) {
  const t = useT();
  return (
    <div className="notice success" role="status" data-testid={corrected ? 'intake-corrected' : 'intake-saved'}>
      <p><strong>{corrected ? t('intake.edit.done') : t('intake.saved')}</strong> {t(intake.kind === 'contraindication' ? 'intake.kind.contraindication' : 'intake.kind.intake')}</p>
      {intake.flags.length ? (
        <div className="flag-row"><span>{t('intake.saved_flags')}</span> <FlagList flags={intake.flags} testId="intake-saved-flags" /></div>
      ) : <p data-testid="intake-saved-flags" data-empty="true">{t('intake.saved_no_flags')}</p>}
    </div>
  );
}

/** Alerts for the treatments the patient receives (latest first, at most five), and for one chosen here. */
function Screening({ patientId, version }: { patientId: string; version: string }) {
  const t = useT();
  const can = useCan();
  const sessions = useApi<TreatmentSession[] | { items: TreatmentSession[] }>(can('session.read') ? `/api/treatment-sessions?patient_id=${patientId}&limit=200` : null);
  const catalog = useApi<Treatment[] | { items: Treatment[] }>(can('treatment.read') ? '/api/treatments' : null);
  const [chosen, setChosen] = useState('');
  const treated = new Map<string, string>();
  for (const s of itemsOf(sessions.data)) if (!treated.has(s.treatment_id)) treated.set(s.treatment_id, s.treatment_name ?? s.treatment_code ?? '');
  const usual = [...treated].slice(0, 5);
  const treatments = itemsOf(catalog.data).filter((x) => x.is_active !== false);
  const nameOf = (x: Treatment) => `${x.treatment_name}${x.name_en && x.name_en !== x.treatment_name ? ` · ${x.name_en}` : ''}`;
  const idOfTreatment = (x: Treatment) => x.id ?? x.treatment_id;
  const chosenName = treatments.find((x) => idOfTreatment(x) === chosen);
  // Without the sessions or the catalogue there is nothing to screen against.
  if (!can('session.read', 'treatment.read')) return null;

  return (
    <Card title={t('intake.screening_title')} testId="intake-screening">
      <p className="hint">{t('intake.screening_intro')}</p>
      {sessions.data && !usual.length && <p className="muted" data-testid="intake-screening-none">{t('intake.screening_none')}</p>}
      {usual.map(([id, name]) => (
        <div key={`${id}:${version}`} className="screening-block" data-testid="intake-screening-treatment" data-treatment={id}>
          <h3>{name}</h3>
          <ScreeningAlerts patientId={patientId} treatmentId={id} />
        </div>
      ))}
      {treatments.length > 0 && (
        <div className="screening-block">
          <div className="field intake-pick">
            <label htmlFor="intake-screening-pick">{t('intake.screening_other')}</label>
            <select id="intake-screening-pick" value={chosen} onChange={(e) => setChosen(e.target.value)} data-testid="intake-screening-pick">
              <option value="">{t('intake.screening_pick')}</option>
              {treatments.map((x) => <option key={idOfTreatment(x)} value={idOfTreatment(x)}>{nameOf(x)}</option>)}
            </select>
          </div>
          {chosen && (
            <div key={`${chosen}:${version}`} data-testid="intake-screening-chosen">
              {chosenName && <h3>{nameOf(chosenName)}</h3>}
              <ScreeningAlerts patientId={patientId} treatmentId={chosen} />
            </div>
          )}
        </div>
      )}
    </Card>
  );
}

interface RowActions { writable: boolean; editing: string | null; onEdit: (id: string) => void; onRemoved: () => void }

function IntakeTable({ items, who, writable, editing, onEdit, onRemoved }: { items: (Intake & Amended)[]; who: (id: string | null) => string } & RowActions) {
  const t = useT();
  const fmt = useFormat();
  const [open, setOpen] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">{t('intake.col.completed')}</th><th scope="col">{t('intake.col.kind')}</th>
            <th scope="col">{t('intake.col.by')}</th><th scope="col">{t('intake.col.flags')}</th><th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => {
            const kind = t(i.kind === 'contraindication' ? 'intake.kind.contraindication' : 'intake.kind.intake');
            const when = fmt.dateTime(i.completed_at);
            const expanded = open === i.id;
            return (
              <Fragment key={i.id}>
                <tr data-testid="intake-row" data-kind={i.kind} data-id={i.id} aria-current={editing === i.id ? 'true' : undefined}>
                  <td className="nowrap"><time dateTime={i.completed_at}>{when}</time><Corrected at={i.amended_at} /></td>
                  <td>{kind}</td>
                  <td>{who(i.created_by)}</td>
                  <td><FlagList flags={i.flags} /></td>
                  <td className="row-actions">
                    <div className="record-actions">
                      <button type="button" className="btn small secondary" aria-expanded={expanded} aria-controls={`intake-${i.id}`}
                        aria-label={expanded ? t('intake.hide') : t('intake.show_named', { kind, date: when })}
                        onClick={() => setOpen(expanded ? null : i.id)} data-testid="intake-toggle">
                        {expanded ? t('intake.hide') : t('intake.show')}
                      </button>
                      {writable && (
                        <>
                          <button type="button" className="btn small secondary" aria-label={t('intake.edit.named', { kind, date: when })}
                            onClick={() => { setRemoving(null); onEdit(i.id); }} data-testid="intake-edit">{t('intake.edit.button')}</button>
                          <button type="button" className="btn small danger-outline" aria-label={t('intake.remove.named', { kind, date: when })}
                            aria-expanded={removing === i.id} onClick={() => setRemoving(removing === i.id ? null : i.id)} data-testid="intake-remove">
                            {t('intake.remove.button')}
                          </button>
                        </>
                      )}
                    </div>
                  </td>
                </tr>
                {expanded && (
                  <tr className="detail-row">
                    <td colSpan={5} id={`intake-${i.id}`}><IntakeDetail id={i.id} /></td>
                  </tr>
                )}
                {removing === i.id && (
                  <tr className="detail-row">
                    <td colSpan={5}>
                      <RemoveForm url={`/api/intakes/${i.id}`} question={t('intake.remove.question', { kind, date: when })} intro={t('intake.remove.intro')} submit={t('intake.remove.submit')}
                        onRemoved={() => { setRemoving(null); onRemoved(); }} onCancel={() => setRemoving(null)} testId="intake-remove-form" />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The full answers, read through GET /api/intakes/{id}. */
function IntakeDetail({ id }: { id: string }) {
  const t = useT();
  const r = useApi<Intake & Amended>(`/api/intakes/${id}`);
  if (r.error) return <ErrorAlert error={r.error} />;
  if (!r.data) return <Loading />;
  const entries = Object.entries(r.data.answers);
  // Yes first, so what matters is read before the long list of "no".
  entries.sort(([, a], [, b]) => Number(b === true) - Number(a === true));
  return (
    <div data-testid="intake-detail">
      <h3 className="detail-title">{t('intake.answers')}</h3>
      <dl className="answer-grid">
        {entries.map(([k, v]) => (
          <div key={k} className={typeof v === 'string' && v.length > 40 ? 'wide' : undefined}>
            <dt>{answerLabel(t, k)}</dt>
            <dd data-testid="intake-answer" data-key={k} className={v === true ? 'answer-yes' : undefined}>{valueText(t, v)}</dd>
          </div>
        ))}
      </dl>
      {r.data.amended_at && <CorrectionHistory url={`/api/intakes/${id}/amendments`} field={(f) => fieldName(t, f, answerLabel)} />}
    </div>
  );
}

function AnalysisTable({ items, who, writable, editing, onEdit, onRemoved }: { items: (SkinAnalysis & Amended)[]; who: (id: string | null) => string } & RowActions) {
  const t = useT();
  const fmt = useFormat();
  const [open, setOpen] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">{t('analysis.col.date')}</th><th scope="col">{t('analysis.col.skin_type')}</th>
            <th scope="col">{t('analysis.col.findings')}</th><th scope="col">{t('intake.col.by')}</th>
            <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          {items.map((a) => {
            const when = fmt.dateTime(a.analyzed_at);
            const expanded = open === a.id;
            return (
              <Fragment key={a.id}>
                <tr data-testid="analysis-row" data-id={a.id} aria-current={editing === a.id ? 'true' : undefined}>
                  <td className="nowrap"><time dateTime={a.analyzed_at}>{when}</time><Corrected at={a.amended_at} /></td>
                  <td className="nowrap">{a.skin_type ? t('chart.fitzpatrick', { type: a.skin_type }) : '—'}</td>
                  <td data-testid="analysis-key-findings">{keyFindings(t, a.findings)}</td>
                  <td>{who(a.created_by)}</td>
                  <td className="row-actions">
                    <div className="record-actions">
                      <button type="button" className="btn small secondary" aria-expanded={expanded} aria-controls={`analysis-${a.id}`}
                        aria-label={expanded ? t('analysis.hide') : t('analysis.show_named', { date: when })}
                        onClick={() => setOpen(expanded ? null : a.id)} data-testid="analysis-toggle">
                        {expanded ? t('analysis.hide') : t('analysis.show')}
                      </button>
                      {writable && (
                        <>
                          <button type="button" className="btn small secondary" aria-label={t('analysis.edit.named', { date: when })}
                            onClick={() => { setRemoving(null); onEdit(a.id); }} data-testid="analysis-edit">{t('intake.edit.button')}</button>
                          <button type="button" className="btn small danger-outline" aria-label={t('analysis.remove.named', { date: when })}
                            aria-expanded={removing === a.id} onClick={() => setRemoving(removing === a.id ? null : a.id)} data-testid="analysis-remove">
                            {t('intake.remove.button')}
                          </button>
                        </>
                      )}
                    </div>
                  </td>
                </tr>
                {expanded && (
                  <tr className="detail-row">
                    <td colSpan={5} id={`analysis-${a.id}`}><AnalysisDetail id={a.id} /></td>
                  </tr>
                )}
                {removing === a.id && (
                  <tr className="detail-row">
                    <td colSpan={5}>
                      <RemoveForm url={`/api/analyses/${a.id}`} question={t('analysis.remove.question', { date: when })} intro={t('analysis.remove.intro')} submit={t('analysis.remove.submit')}
                        onRemoved={() => { setRemoving(null); onRemoved(); }} onCancel={() => setRemoving(null)} testId="analysis-remove-form" />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** All findings, read through GET /api/analyses/{id}. */
function AnalysisDetail({ id }: { id: string }) {
  const t = useT();
  const r = useApi<SkinAnalysis & Amended>(`/api/analyses/${id}`);
  if (r.error) return <ErrorAlert error={r.error} />;
  if (!r.data) return <Loading />;
  const f = r.data.findings;
  return (
    <div data-testid="analysis-detail">
      {typeof f === 'string' ? <p className="prewrap">{f}</p> : (
        <dl className="answer-grid">
          {Object.entries(f).map(([k, v]) => (
            <div key={k} className={typeof v === 'string' && v.length > 40 ? 'wide' : undefined}>
              <dt>{findingLabel(t, k)}</dt><dd className="prewrap" data-testid="analysis-finding" data-key={k}>{valueText(t, v)}</dd>
            </div>
          ))}
        </dl>
      )}
      {r.data.file_id && <p><a href={`/api/files/${r.data.file_id}/content`} target="_blank" rel="noreferrer">{t('analysis.file')}</a></p>}
      {r.data.amended_at && <CorrectionHistory url={`/api/analyses/${id}/amendments`} field={(f) => fieldName(t, f, findingLabel)} />}
    </div>
  );
}

const HISTORY_FIELDS = ['kind', 'completed_at', 'analyzed_at', 'skin_type', 'file_id', 'findings'] as const;

/** "answers.pregnant" as the question's label; other fields as their own label. */
function fieldName(t: Translate, field: string, label: (t: Translate, key: string) => string): string {
  const [head, key] = field.split('.');
  if ((head === 'answers' || head === 'findings') && key) return label(t, key);
  const known = HISTORY_FIELDS.find((f) => f === field);
  return known ? t(`intake.history.field.${known}`) : field.replace(/_/g, ' ');
}

interface Correction { action: string; changed_fields: string[]; reason: string; amended_by_name: string | null; amended_at: string }

/** A corrected record's history: when, who, why and what changed (the earlier values stay on record, readable through the API). */
function CorrectionHistory({ url, field }: { url: string; field: (f: string) => string }) {
  const t = useT();
  const fmt = useFormat();
  const r = useApi<{ items: Correction[] }>(url);
  if (r.error) return <ErrorAlert error={r.error} />;
  if (!r.data) return <Loading />;
  return (
    <section className="correction-history" data-testid="correction-history">
      <h3 className="detail-title">{t('intake.history.title')}</h3>
      <ol>
        {r.data.items.map((c) => (
          <li key={`${c.amended_at}-${c.changed_fields.join()}`} data-testid="correction">
            <time dateTime={c.amended_at}>{fmt.dateTime(c.amended_at)}</time>
            {c.amended_by_name && <> · {c.amended_by_name}</>}
            {' · '}<span data-testid="correction-fields">{c.changed_fields.map(field).join(', ')}</span>
            <div className="muted small" data-testid="correction-reason">{t('intake.history.reason', { reason: c.reason })}</div>
          </li>
        ))}
      </ol>
    </section>
  );
}
