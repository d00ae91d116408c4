/**
 * The follow-up worklist: overdue first, then today, then what is coming; each can be completed
 * in place with the actual date, the outcome and, for a recall, the next recommended date.
 */
import { useState } from 'react';
import { api } from '../../lib/api.js';
import { Link } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { useT } from '../../i18n/i18n.js';
import { useCan } from '../../session/session.js';
import { Form, SubmitButton, text, TextAreaField, TextField } from '../../ui/forms.js';
import { ErrorAlert, Loading, Notice } from '../../ui/feedback.js';
import { Page } from '../../ui/layout.js';
import { compact, daysBetween, useClinicFormat } from '../clinical/shared.js';
import { idOf, type Followup } from '../clinical/types.js';
import { followupType } from '../patients/PatientChart.js';

interface Worklist { today: Followup[]; overdue: Followup[]; upcoming: Followup[] }

const SECTIONS = ['overdue', 'today', 'upcoming'] as const;

export function FollowupsPage() {
  const t = useT();
  const day = useClinicFormat();
  const [days, setDays] = useState(14);
  const worklist = useApi<Worklist>(`/api/followups/worklist?days=${days}`);
  const [done, setDone] = useState<string | null>(null);

  return (
    <Page title={t('followups.title')} testId="followups-page">
      <div className="filters">
        <p className="hint spacer">{t('followups.intro', { timezone: day.timezone })}</p>
        <div className="inline-field">
          <label htmlFor="fu-days">{t('followups.window')}</label>
          <select id="fu-days" value={days} onChange={(e) => setDays(Number(e.target.value))} data-testid="followups-days">
            {[7, 14, 30, 90].map((d) => <option key={d} value={d}>{t('followups.window_days', { days: d })}</option>)}
          </select>
        </div>
      </div>
      {done && <Notice tone="success" testId="followup-completed">{t('followups.completed', { name: done })}</Notice>}
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
              onCompleted={(f) => { setDone(f.patient_name ?? ''); worklist.reload(); }} />
          ))}
        </>
      )}
    </Page>
  );
}

function Section({ section, items, onCompleted }: { section: (typeof SECTIONS)[number]; items: Followup[]; onCompleted: (f: Followup) => void }) {
  const t = useT();
  const can = useCan();
  const day = useClinicFormat();
  const [open, setOpen] = useState<string | null>(null);
  const today = day.today();
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
                return open === id ? (
                  <tr key={id} className="editing" data-testid="followup-editor">
                    <td colSpan={5}><CompleteForm followup={f} onDone={(ok) => { setOpen(null); if (ok) onCompleted(f); }} /></td>
                  </tr>
                ) : (
                  <tr key={id} data-testid="followup-row" data-type={f.followup_type} data-patient={f.patient_name ?? ''}>
                    <td>{f.patient_id ? <Link to={`/patients/${f.patient_id}`}>{f.patient_name ?? f.patient_id}</Link> : f.patient_name}</td>
                    <td>
                      {t(`followup.type.${followupType(f.followup_type)}`)}
                      {f.notify_flag && <span className="badge" title={t('followups.notify_hint')}>{t('followups.notify')}</span>}
                    </td>
                    <td>{f.treatment_name ?? f.treatment ?? '—'}</td>
                    <td className="nowrap">
                      {day.day(f.scheduled_date)}
                      <div className={`small ${late > 0 ? 'text-danger' : 'muted'}`}>
                        {late > 0 ? t('followups.days_late', { days: late }) : late === 0 ? t('followups.due_today') : t('followups.in_days', { days: -late })}
                      </div>
                    </td>
                    <td className="row-actions">
                      {can('followup.write') && (
                        <button type="button" className="btn small secondary" onClick={() => setOpen(id)} data-testid="followup-complete">
                          {t('followups.complete')}
                        </button>
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

function CompleteForm({ followup: f, onDone }: { followup: Followup; onDone: (ok: boolean) => void }) {
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
