/**
 * The follow-up worklist: overdue first, then today, then what is coming; each can be completed
 * in place with the actual date, the outcome and, for a recall, the next recommended date, moved
 * to another day or cancelled with a reason. Above it, a follow-up can be planned by hand for any
 * patient (also opened from a chart as /care?patient={id}), or a maintenance re-treatment
 * recommended after one of the patient's sessions (seed 000 POST /api/followups/recommend).
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { api, query } from '../../lib/api.js';
import { Link, navigate, useLocation } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { useT } from '../../i18n/i18n.js';
import { useCan } from '../../session/session.js';
import { CheckboxField, fieldError, Form, SelectField, SubmitButton, text, TextAreaField, TextField, useFieldMessage } from '../../ui/forms.js';
import { ErrorAlert, Loading, Notice } from '../../ui/feedback.js';
import { Card, Page } from '../../ui/layout.js';
import { compact, daysBetween, itemsOf, useClinicFormat } from '../clinical/shared.js';
import { idOf, type Followup, type Patient, type TreatmentSession } from '../clinical/types.js';
import { followupType } from '../patients/PatientChart.js';

/** A follow-up as the care API answers it (more than the chart needs). */
type CareFollowup = Followup & { source?: 'rule' | 'manual' | 'recommend'; treatment_code?: string | null; cancel_reason?: string | null };
interface Worklist { today: CareFollowup[]; overdue: CareFollowup[]; upcoming: CareFollowup[] }
type Session = TreatmentSession & { performed_on?: string };
type PatientPick = Pick<Patient, 'id' | 'code' | 'full_name' | 'date_of_birth' | 'phone'>;

const SECTIONS = ['overdue', 'today', 'upcoming'] as const;
const TYPES = ['medical', 'maintenance', 'reminder', 'touch_up'] as const;
const CHANNELS = ['email', 'sms', 'whatsapp', 'line'] as const;

type Panel = 'plan' | 'recommend';
type Recommended = CareFollowup & { updated_followup_id: string | null; later: string };
interface Outcome { tone: 'success' | 'info'; testId: string; text: string }

export function FollowupsPage() {
  const t = useT();
  const can = useCan();
  const day = useClinicFormat();
  const { params } = useLocation();
  const prefill = params.get('patient');
  const writable = can('followup.write');
  const [days, setDays] = useState(14);
  const worklist = useApi<Worklist>(`/api/followups/worklist?days=${days}`);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [panel, setPanel] = useState<Panel | null>(prefill && writable ? 'plan' : null);
  const [recommended, setRecommended] = useState<Recommended | null>(null);

  // Arriving from a chart (/care?patient=…) while the page is open: the plan form opens for that patient.
  useEffect(() => { if (prefill && writable) setPanel('plan'); }, [prefill, writable]);

  const open = (p: Panel) => { setPanel(p); setOutcome(null); setRecommended(null); };
  const close = () => {
    setPanel(null);
    if (prefill) navigate('/care', { replace: true });
  };
  /** After a change: the notice, and the worklist again. */
  const changed = (o: Outcome) => { setOutcome(o); worklist.reload(); };
  const beyondWindow = (date: string) => daysBetween(day.today(), date) > days;

  return (
    <Page title={t('followups.title')} testId="followups-page"
      actions={(
        <>
          {can('consent.read') && <Link to="/care/compliance" className="btn secondary" data-testid="care-compliance-link">{t('care.compliance_link')}</Link>}
          {writable && can('session.read') && (
            <button type="button" className="btn secondary" onClick={() => open('recommend')} aria-expanded={panel === 'recommend'}
              data-testid="followup-recommend-open">{t('care.recommend')}</button>
          )}
          {writable && (
            <button type="button" className="btn primary" onClick={() => open('plan')} aria-expanded={panel === 'plan'}
              data-testid="followup-new">{t('care.plan')}</button>
          )}
        </>
      )}>
      {outcome && <Notice tone={outcome.tone} testId={outcome.testId}>{outcome.text}</Notice>}
      {panel && (
        <PlanForm key={`${panel}-${prefill ?? ''}`} mode={panel} patientId={prefill} onCancel={close}
          onSaved={(f, updated) => {
            const later = beyondWindow(f.scheduled_date) ? ` ${t('care.outside_window', { days })}` : '';
            if (panel === 'recommend') {
              // The result card says what was planned; no second notice.
              setRecommended({ ...f, updated_followup_id: updated, later });
              setOutcome(null);
              worklist.reload();
            } else {
              const what = { type: t(`followup.type.${followupType(f.followup_type)}`), name: f.patient_name ?? '', date: day.day(f.scheduled_date) };
              changed({ tone: 'success', testId: 'followup-planned', text: t('care.planned', what) + later });
            }
            close();
          }} />
      )}
      {recommended && <RecommendResult followup={recommended} onClose={() => setRecommended(null)} />}
      <div className="filters">
        <p className="hint spacer">{t('followups.intro', { timezone: day.timezone })}</p>
        <div className="inline-field">
          <label htmlFor="fu-days">{t('followups.window')}</label>
          <select id="fu-days" value={days} onChange={(e) => setDays(Number(e.target.value))} data-testid="followups-days">
            {[7, 14, 30, 90].map((d) => <option key={d} value={d}>{t('followups.window_days', { days: d })}</option>)}
          </select>
        </div>
      </div>
      {worklist.error && <ErrorAlert error={worklist.error} />}
      {!worklist.data ? (worklist.loading && <Loading />) : (
        <>
          <div className="stat-row" data-testid="followup-counts">
            {SECTIONS.map((s) => (
              <a key={s} href={`#fu-${s}`} className={`stat ${s}`} data-testid={`followup-count-${s}`}>
                <span className="stat-value">{worklist.data![s].length}</span>
                <span className="stat-label">{s === 'upcoming' ? t('followups.upcoming_days', { days }) : t(`followups.section.${s}`)}</span>
              </a>
            ))}
          </div>
          {SECTIONS.map((s) => (
            <Section key={s} section={s} items={worklist.data![s]}
              onCompleted={(f) => changed({ tone: 'success', testId: 'followup-completed', text: t('followups.completed', { name: f.patient_name ?? '' }) })}
              onRescheduled={(f) => changed({
                tone: 'success', testId: 'followup-rescheduled',
                text: t('care.rescheduled', { name: f.patient_name ?? '', date: day.day(f.scheduled_date) })
                  + (beyondWindow(f.scheduled_date) ? ` ${t('care.outside_window', { days })}` : ''),
              })}
              onCancelled={(f) => changed({ tone: 'info', testId: 'followup-cancelled', text: t('care.cancelled', { name: f.patient_name ?? '' }) })} />
          ))}
        </>
      )}
    </Page>
  );
}

type RowMode = 'complete' | 'reschedule' | 'cancel';

function Section({ section, items, onCompleted, onRescheduled, onCancelled }: {
  section: (typeof SECTIONS)[number]; items: CareFollowup[];
  onCompleted: (f: CareFollowup) => void; onRescheduled: (f: CareFollowup) => void; onCancelled: (f: CareFollowup) => void;
}) {
  const t = useT();
  const can = useCan();
  const day = useClinicFormat();
  const [open, setOpen] = useState<{ id: string; mode: RowMode } | null>(null);
  const today = day.today();
  const done = (cb: (f: CareFollowup) => void) => (f: CareFollowup | null) => { setOpen(null); if (f) cb(f); };
  return (
    <section className="card" id={`fu-${section}`} data-testid={`followups-${section}`} aria-labelledby={`fu-${section}-h`}>
      <h2 className="card-title" id={`fu-${section}-h`}>{t(`followups.section.${section}`)} <span className="badge">{items.length}</span></h2>
      {items.length === 0 ? <p className="muted">{t(`followups.none.${section}`)}</p> : (
        <div className="table-wrap flat">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('followups.patient')}</th>
                <th scope="col">{t('followups.type')}</th>
                <th scope="col">{t('followups.treatment')}</th>
                <th scope="col">{t('followups.scheduled')}</th>
                <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {items.map((f) => {
                const id = idOf(f);
                const late = daysBetween(f.scheduled_date, today);
                if (open?.id === id) {
                  return (
                    <tr key={id} className="editing" data-testid="followup-editor">
                      <td colSpan={5}>
                        {open.mode === 'complete' && <CompleteForm followup={f} onDone={(ok) => done(onCompleted)(ok ? f : null)} />}
                        {open.mode === 'reschedule' && <RescheduleForm followup={f} onDone={done(onRescheduled)} />}
                        {open.mode === 'cancel' && <CancelForm followup={f} onDone={done(onCancelled)} />}
                      </td>
                    </tr>
                  );
                }
                return (
                  <tr key={id} data-testid="followup-row" data-id={id} data-type={f.followup_type} data-patient={f.patient_name ?? ''} data-source={f.source ?? ''}>
                    <td className="nowrap">{f.patient_id ? <Link to={`/patients/${f.patient_id}`}>{f.patient_name ?? f.patient_id}</Link> : f.patient_name}</td>
                    <td>
                      {t(`followup.type.${followupType(f.followup_type)}`)}
                      {f.notify_flag && <span className="badge" title={t('followups.notify_hint')}>{t('followups.notify')}</span>}
                      {f.source === 'recommend' && <span className="badge pending" title={t('care.source_recommend_hint')}>{t('care.source_recommend')}</span>}
                    </td>
                    <td>{f.treatment_name ?? f.treatment ?? '—'}</td>
                    <td className="nowrap" data-testid="followup-date" data-date={f.scheduled_date}>
                      {day.day(f.scheduled_date)}
                      <div className={`small ${late > 0 ? 'text-danger' : 'muted'}`}>
                        {late > 0 ? t('followups.days_late', { days: late }) : late === 0 ? t('followups.due_today') : t('followups.in_days', { days: -late })}
                      </div>
                    </td>
                    <td className="row-actions">
                      {can('followup.write') && (
                        <>
                          <button type="button" className="btn small secondary" onClick={() => setOpen({ id, mode: 'complete' })} data-testid="followup-complete"
                            aria-label={t('followups.complete_named', { name: f.patient_name ?? '' })}>
                            {t('followups.complete')}
                          </button>
                          <button type="button" className="btn small secondary" onClick={() => setOpen({ id, mode: 'reschedule' })} data-testid="followup-reschedule"
                            aria-label={t('care.reschedule_named', { name: f.patient_name ?? '' })}>
                            {t('care.reschedule')}
                          </button>
                          <button type="button" className="btn small danger-outline" onClick={() => setOpen({ id, mode: 'cancel' })} data-testid="followup-cancel"
                            aria-label={t('care.cancel_named', { name: f.patient_name ?? '' })}>
                            {t('care.cancel')}
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function CompleteForm({ followup: f, onDone }: { followup: CareFollowup; onDone: (ok: boolean) => void }) {
  const t = useT();
  const day = useClinicFormat();
  async function complete(data: FormData) {
    await api('POST', `/api/followups/${idOf(f)}/complete`, compact({
      actual_date: text(data, 'actual_date'),
      outcome_notes: text(data, 'outcome_notes'),
      next_recommend_date: text(data, 'next_recommend_date'),
    }));
    onDone(true);
  }
  return (
    <Form action={complete} className="form stack" testId="followup-complete-form">
      <h3 className="card-title">{t('followups.complete_named', { name: f.patient_name ?? '' })}</h3>
      <div className="row">
        <TextField label={t('followups.actual_date')} name="actual_date" type="date" defaultValue={day.today()} required testId="followup-actual-date" />
        <TextField label={t('followups.next_date')} name="next_recommend_date" type="date" testId="followup-next-date" hint={t('followups.next_hint')} />
      </div>
      <TextAreaField label={t('followups.outcome')} name="outcome_notes" testId="followup-outcome" />
      <div className="form-actions">
        <SubmitButton testId="followup-complete-submit">{t('followups.complete')}</SubmitButton>
        <button type="button" className="btn secondary" onClick={() => onDone(false)}>{t('common.cancel')}</button>
      </div>
    </Form>
  );
}

/** Moves a planned follow-up to another day (its reminder moves with it). */
function RescheduleForm({ followup: f, onDone }: { followup: CareFollowup; onDone: (f: CareFollowup | null) => void }) {
  const t = useT();
  const day = useClinicFormat();
  async function reschedule(data: FormData) {
    const date = text(data, 'scheduled_date');
    if (date === f.scheduled_date) throw fieldError('scheduled_date', t('care.reschedule_same'));
    onDone(await api<CareFollowup>('PATCH', `/api/followups/${idOf(f)}`, { scheduled_date: date }));
  }
  return (
    <div className="form stack">
      <h3 className="card-title">{t('care.reschedule_named', { name: f.patient_name ?? '' })}</h3>
      <p className="hint">{t('care.reschedule_current', { type: t(`followup.type.${followupType(f.followup_type)}`), date: day.day(f.scheduled_date) })}</p>
      <Form action={reschedule} className="form stack" testId="followup-reschedule-form">
        <div className="row">
          <TextField label={t('care.new_date')} name="scheduled_date" type="date" defaultValue={f.scheduled_date} required autoFocus
            testId="followup-reschedule-date" hint={f.notify_flag ? t('care.reschedule_reminder_hint') : undefined} />
        </div>
        <div className="form-actions">
          <SubmitButton testId="followup-reschedule-submit">{t('care.reschedule_submit')}</SubmitButton>
          <button type="button" className="btn secondary" onClick={() => onDone(null)}>{t('common.cancel')}</button>
        </div>
      </Form>
    </div>
  );
}

/** Cancels a planned follow-up; it stays on the chart with the reason given. */
function CancelForm({ followup: f, onDone }: { followup: CareFollowup; onDone: (f: CareFollowup | null) => void }) {
  const t = useT();
  const day = useClinicFormat();
  async function cancel(data: FormData) {
    const reason = text(data, 'reason');
    onDone(await api<CareFollowup>('POST', `/api/followups/${idOf(f)}/cancel`, reason ? { reason } : {}));
  }
  return (
    <div className="form stack">
      <h3 className="card-title">{t('care.cancel_named', { name: f.patient_name ?? '' })}</h3>
      <p className="hint">{t('care.cancel_hint', { type: t(`followup.type.${followupType(f.followup_type)}`), date: day.day(f.scheduled_date) })}</p>
      <Form action={cancel} className="form stack" testId="followup-cancel-form">
        <TextAreaField label={t('care.cancel_reason')} name="reason" maxLength={500} rows={2} autoFocus hint={t('care.cancel_reason_hint')}
          testId="followup-cancel-reason" />
        <div className="form-actions">
          <SubmitButton variant="danger" testId="followup-cancel-submit">{t('care.cancel_submit')}</SubmitButton>
          <button type="button" className="btn secondary" onClick={() => onDone(null)}>{t('care.keep')}</button>
        </div>
      </Form>
    </div>
  );
}

/**
 * Plans a follow-up by hand (any patient, optionally tied to one of their sessions) or recommends a
 * maintenance re-treatment after a session: the API plans it on the recommended date and records
 * that date on the session's latest follow-up.
 */
function PlanForm({ mode, patientId, onCancel, onSaved }: {
  mode: Panel; patientId: string | null; onCancel: () => void;
  onSaved: (f: CareFollowup, updatedFollowupId: string | null) => void;
}) {
  const t = useT();
  const can = useCan();
  const [patient, setPatient] = useState<PatientPick | null>(null);
  // Checked here rather than as a form error, so the message goes away as soon as a patient is chosen.
  const [noPatient, setNoPatient] = useState(false);
  const [notify, setNotify] = useState(mode === 'recommend');
  const preset = useApi<Patient>(patientId ? `/api/patients/${encodeURIComponent(patientId)}` : null);
  useEffect(() => { if (preset.data) setPatient(preset.data); }, [preset.data]);
  const recommend = mode === 'recommend';

  async function save(data: FormData) {
    if (!patient) { setNoPatient(true); return; }
    const common = { followup_type: text(data, 'followup_type'), notify_flag: data.get('notify_flag') === 'on', channel: notify ? text(data, 'channel') : '' };
    if (recommend) {
      const sessionId = text(data, 'session_id');
      if (!sessionId) throw fieldError('session_id', t('care.session_required'));
      const r = await api<CareFollowup & { updated_followup_id: string | null }>('POST', '/api/followups/recommend', compact({
        session_id: sessionId, next_recommend_date: text(data, 'next_recommend_date'), ...common,
      }));
      onSaved(r, r.updated_followup_id);
    } else {
      const f = await api<CareFollowup>('POST', '/api/followups', compact({
        patient_id: patient.id, session_id: text(data, 'session_id'), scheduled_date: text(data, 'scheduled_date'), ...common,
      }));
      onSaved(f, null);
    }
  }

  return (
    <Card title={t(recommend ? 'care.recommend_title' : 'care.plan_title')} testId={recommend ? 'followup-recommend-card' : 'followup-plan-card'}>
      <p className="hint">{t(recommend ? 'care.recommend_intro' : 'care.plan_intro')}</p>
      <Form action={save} testId={recommend ? 'followup-recommend-form' : 'followup-plan-form'}>
        {preset.error && <ErrorAlert error={preset.error} />}
        {patientId && preset.loading && !patient ? <Loading /> : <PatientPicker value={patient} missing={noPatient} onChange={(p) => { setPatient(p); setNoPatient(false); }} />}
        {patient && (can('session.read')
          ? <SessionSelect patientId={patient.id} required={recommend} />
          : !recommend && <p className="hint">{t('care.session_no_access')}</p>)}
        <div className="row">
          {recommend
            ? <TextField label={t('care.recommend_date')} name="next_recommend_date" type="date" required hint={t('care.recommend_date_hint')} testId="followup-form-date" />
            : <TextField label={t('care.scheduled_date')} name="scheduled_date" type="date" required testId="followup-form-date" />}
          <SelectField label={t('care.type')} name="followup_type" defaultValue={recommend ? 'maintenance' : ''} required testId="followup-form-type">
            {!recommend && <option value="">{t('care.choose_type')}</option>}
            {TYPES.map((ty) => <option key={ty} value={ty}>{t(`followup.type.${ty}`)}</option>)}
          </SelectField>
        </div>
        <div className="row">
          <CheckboxField label={t('care.notify')} name="notify_flag" checked={notify} onChange={(e) => setNotify(e.target.checked)}
            hint={t('care.notify_hint')} testId="followup-form-notify" />
          {notify && (
            <SelectField label={t('care.channel')} name="channel" defaultValue="" testId="followup-form-channel">
              <option value="">{t('care.channel_auto')}</option>
              {CHANNELS.map((c) => <option key={c} value={c}>{t(`care.channel.${c}`)}</option>)}
            </SelectField>
          )}
        </div>
        <div className="form-actions">
          <SubmitButton testId="followup-form-submit">{t(recommend ? 'care.recommend_submit' : 'care.plan_submit')}</SubmitButton>
          <button type="button" className="btn secondary" onClick={onCancel}>{t('common.cancel')}</button>
        </div>
      </Form>
    </Card>
  );
}

/** Finds a patient by name, code, phone or email (GET /api/patients?q=) and keeps the one chosen. */
function PatientPicker({ value, missing, onChange }: { value: PatientPick | null; missing: boolean; onChange: (p: PatientPick | null) => void }) {
  const t = useT();
  const id = useId();
  const apiMessage = useFieldMessage({ name: 'patient_id' });
  const message = missing ? t('care.patient_required') : apiMessage;
  const search = useRef<HTMLInputElement>(null);
  useEffect(() => { if (missing) search.current?.focus(); }, [missing]);
  const [q, setQ] = useState('');
  const [term, setTerm] = useState('');
  // After a choice made here, focus stays in the field (on the chosen patient) instead of falling to the page.
  const [picked, setPicked] = useState(false);
  const choose = (p: PatientPick) => { setPicked(true); onChange(p); };
  useEffect(() => {
    const timer = setTimeout(() => setTerm(q.trim()), 250);
    return () => clearTimeout(timer);
  }, [q]);
  const found = useApi<{ items: PatientPick[] }>(term && !value ? `/api/patients${query({ q: term, limit: 8 })}` : null);
  const items = term ? itemsOf(found.data) : [];
  const describedBy = [`${id}-hint`, message ? `${id}-error` : ''].filter(Boolean).join(' ');

  if (value) {
    return (
      <div className="field" data-testid="care-patient-chosen" data-patient-id={value.id}>
        <label htmlFor={id}>{t('care.patient')}</label>
        <input id={id} readOnly value={`${value.full_name} · ${value.code}`} autoFocus={picked} data-testid="care-patient-name" />
        <p className="hint">
          <button type="button" className="link-button" onClick={() => { onChange(null); setQ(''); setTerm(''); }} data-testid="care-patient-change"
            aria-label={t('care.patient_change_named', { name: value.full_name })}>
            {t('care.patient_change')}
          </button>
        </p>
      </div>
    );
  }
  // Enter in the search box picks the only match instead of submitting the form.
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    if (items.length === 1) choose(items[0]!);
  };
  return (
    <div className={['field', message ? 'has-error' : ''].filter(Boolean).join(' ')}>
      <label htmlFor={id}>{t('care.patient')}</label>
      <input ref={search} id={id} type="search" value={q} onChange={(e) => setQ(e.target.value)} onKeyDown={onKeyDown} autoComplete="off" autoFocus
        aria-invalid={message ? true : undefined} aria-describedby={describedBy} aria-controls={`${id}-results`} data-testid="care-patient-search" />
      <p id={`${id}-hint`} className="hint">{t('care.patient_hint')}</p>
      {message && <p id={`${id}-error`} className="field-error" role="alert" data-testid="field-error">{message}</p>}
      <div id={`${id}-results`} aria-live="polite" data-testid="care-patient-results">
        {!term ? null : found.error ? <ErrorAlert error={found.error} /> : !found.data || found.loading ? <Loading /> : items.length === 0 ? (
          <p className="muted" data-testid="care-patient-none">{t('care.patient_none', { q: term })}</p>
        ) : (
          <ul className="plain-list">
            {items.map((p) => (
              <li key={p.id}>
                <span>
                  <strong>{p.full_name}</strong> <span className="muted mono small">{p.code}</span>
                  <span className="muted small">{[p.date_of_birth, p.phone].filter(Boolean).map((v) => ` · ${v}`).join('')}</span>
                </span>
                <button type="button" className="btn small secondary" onClick={() => choose(p)} data-testid="care-patient-option" data-patient-id={p.id}
                  aria-label={t('care.patient_choose_named', { name: p.full_name, code: p.code })}>
                  {t('care.patient_choose')}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** The patient's sessions, newest first: a follow-up can hang on one; a recommendation must. */
function SessionSelect({ patientId, required }: { patientId: string; required: boolean }) {
  const t = useT();
  const day = useClinicFormat();
  const sessions = useApi<Session[] | { items: Session[] }>(`/api/treatment-sessions${query({ patient_id: patientId, limit: 50 })}`);
  if (sessions.error) return <ErrorAlert error={sessions.error} />;
  if (!sessions.data) return <Loading />;
  const items = itemsOf(sessions.data);
  if (required && items.length === 0) return <Notice tone="warning" testId="care-no-sessions">{t('care.no_sessions')}</Notice>;
  return (
    <SelectField label={t(required ? 'care.session' : 'care.session_optional')} name="session_id" defaultValue={required ? idOf(items[0]!) : ''}
      required={required} hint={t(required ? 'care.session_hint_recommend' : 'care.session_hint')} testId="followup-form-session">
      {!required && <option value="">{t('care.session_none')}</option>}
      {items.map((s) => (
        <option key={idOf(s)} value={idOf(s)}>
          {t('care.session_option', { no: s.session_no, treatment: s.treatment_name ?? s.treatment_code ?? '', date: day.day(s.performed_on ?? s.performed_at) })}
        </option>
      ))}
    </SelectField>
  );
}

/** What a recommendation planned, and what it changed on the session's own follow-up. */
function RecommendResult({ followup: f, onClose }: { followup: Recommended; onClose: () => void }) {
  const t = useT();
  const day = useClinicFormat();
  return (
    <Card title={t('care.recommend_result_title')} testId="recommend-result">
      <dl className="facts">
        <dt>{t('followups.patient')}</dt><dd><Link to={`/patients/${f.patient_id}`}>{f.patient_name}</Link></dd>
        <dt>{t('followups.treatment')}</dt><dd>{f.treatment_name ?? f.treatment ?? '—'}</dd>
        <dt>{t('followups.type')}</dt><dd data-testid="recommend-result-type">{t(`followup.type.${followupType(f.followup_type)}`)}</dd>
        <dt>{t('followups.scheduled')}</dt><dd data-testid="recommend-result-date" data-date={f.scheduled_date}>{day.day(f.scheduled_date)}</dd>
        <dt>{t('followups.notify')}</dt>
        <dd data-testid="recommend-result-notify">{t(f.notify_flag ? 'care.notify_on' : 'care.notify_off')}</dd>
      </dl>
      <p className="hint" data-testid="recommend-result-updated">
        {f.updated_followup_id ? t('care.recommend_updated', { date: day.day(f.scheduled_date) }) : t('care.recommend_no_previous')}{f.later}
      </p>
      <div className="form-actions">
        <button type="button" className="btn secondary" onClick={onClose} data-testid="recommend-result-close">{t('care.close')}</button>
      </div>
    </Card>
  );
}
