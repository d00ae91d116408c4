/**
 * The chart: who the patient is, alerts (contraindications, open compliance exceptions), what
 * lies ahead (planned follow-ups) and a timeline of everything recorded: visits, sessions,
 * photos, documents, consents and follow-ups.
 */
import { useState, type ReactNode } from 'react';
import { api, asApiError, query } from '../../lib/api.js';
import { Link, useLocation } from '../../lib/router.js';
import { useApi, type Resource } from '../../lib/useApi.js';
import { startOfDayIn } from '../../lib/format.js';
import { useT, type MessageKey } from '../../i18n/i18n.js';
import { useCan, useFormat } from '../../session/session.js';
import { ErrorAlert, Loading, Notice, ResourceView } from '../../ui/feedback.js';
import { Card, Page } from '../../ui/layout.js';
import { areaLabel, FaceMap } from '../clinical/FaceMap.js';
import { ScreeningAlerts } from '../clinical/ScreeningAlerts.js';
import { lastRecorded } from '../clinical/SessionForm.js';
import { EDITED_PARAM, PatientSavedNotice } from './PatientEditForm.js';
import { VisitForm } from './VisitForm.js';
import { daysBetween, Fact, itemsOf, useClinicFormat } from '../clinical/shared.js';
import { pmuSummary } from '../clinical/pmu.js';
import {
  idOf, num, type ComplianceException, type Consent, type FacePoint, type Followup, type Patient, type PatientDocument, type Photo,
  type TreatmentSession, type Visit,
} from '../clinical/types.js';

type Kind = 'visit' | 'session' | 'photo' | 'document' | 'consent' | 'followup';
const KINDS: Kind[] = ['session', 'visit', 'followup', 'consent', 'photo', 'document'];

interface Entry { kind: Kind; key: string; sort: string; when: ReactNode; title: ReactNode; body?: ReactNode }

type List<T> = T[] | { items: T[] };

export function PatientChart({ patientId }: { patientId: string }) {
  const t = useT();
  const can = useCan();
  const { params } = useLocation();
  const patient = useApi<Patient>(`/api/patients/${patientId}`);
  const recorded = params.get('recorded');
  const signed = params.get('consent');
  const [visiting, setVisiting] = useState(false);
  const [visitSaved, setVisitSaved] = useState(0);

  return (
    <ResourceView resource={patient}>
      {(p) => (
        <Page title={p.full_name} testId="chart-page"
          actions={<>
            {can('session.write') && <Link to={`/patients/${p.id}/session`} className="btn primary" data-testid="chart-record-session">{t('chart.record_session')}</Link>}
            {can('visit.write') && !visiting && (
              <button type="button" className="btn secondary" onClick={() => setVisiting(true)} data-testid="chart-record-visit">{t('visitform.open')}</button>
            )}
            {can('followup.write') && <Link to={`/care?patient=${p.id}`} className="btn secondary" data-testid="chart-plan-followup">{t('care.plan')}</Link>}
            {can('consent.write') && <Link to={`/patients/${p.id}/consent`} className="btn secondary" data-testid="chart-sign-consent">{t('chart.sign_consent')}</Link>}
            {can('patient.write') && <Link to={`/patients/${p.id}/edit`} className="btn secondary" data-testid="chart-edit-patient">{t('common.edit')}</Link>}
          </>}>
          {/* The chart's other pages: photos, intakes and skin analyses, documents. */}
          {(can('photo.read') || can('medical.read') || can('file.read')) && (
            <nav className="tabs chart-sections" aria-label={t('chart.sections')} data-testid="chart-sections">
              {can('photo.read') && <Link to={`/patients/${p.id}/photos`} data-testid="chart-photos">{t('chart.photos')}</Link>}
              {can('medical.read') && <Link to={`/patients/${p.id}/intakes`} data-testid="chart-intakes">{t('intake.chart_link')}</Link>}
              {can('file.read') && <Link to={`/patients/${p.id}/documents`} data-testid="chart-documents">{t('docs.chart_link')}</Link>}
            </nav>
          )}
          {visiting && <VisitForm patientId={p.id} onCancel={() => setVisiting(false)} onSaved={() => { setVisiting(false); setVisitSaved((n) => n + 1); }} />}
          {visitSaved > 0 && <Notice tone="success" testId="chart-visit-saved">{t('visitform.saved')}</Notice>}
          {recorded && <RecordedNotice id={recorded} />}
          {signed && <Notice tone="success" testId="chart-consent-signed">{t('chart.consent_signed')}</Notice>}
          {params.get(EDITED_PARAM) && <PatientSavedNotice />}
          <PatientSummary patient={p} />
          <OpenExceptions patientId={p.id} />
          <Timeline key={visitSaved} patient={p} />
        </Page>
      )}
    </ResourceView>
  );
}

/** After recording: the follow-ups the session generated, and whatever the API warned about. */
function RecordedNotice({ id }: { id: string }) {
  const t = useT();
  const day = useClinicFormat();
  const s = lastRecorded && idOf(lastRecorded) === id ? lastRecorded : null;
  return (
    <>
      <Notice tone="success" testId="chart-recorded">
        <p>{t('chart.session_recorded')}</p>
        {s?.followups && s.followups.length > 0 && (
          <p data-testid="chart-recorded-followups">
            {t('chart.followups_planned')}{' '}
            {s.followups.map((f) => `${t(`followup.type.${followupType(f.followup_type)}`)} ${day.day(f.scheduled_date)}`).join(' · ')}
          </p>
        )}
      </Notice>
      {/* The API's own warnings say why (e.g. no signed consent); ours only when it gave none. */}
      {s?.warnings?.length
        ? s.warnings.map((w, i) => <Notice key={i} tone="warning" testId="chart-recorded-warning">{w}</Notice>)
        : s?.consent?.state === 'missing' && <Notice tone="warning" testId="chart-recorded-warning">{t('chart.recorded_without_consent')}</Notice>}
    </>
  );
}

function PatientSummary({ patient: p }: { patient: Patient }) {
  const t = useT();
  const day = useClinicFormat();
  const age = p.date_of_birth ? Math.floor(daysBetween(p.date_of_birth, day.today()) / 365.2425) : null;
  return (
    <Card testId="chart-summary">
      <div className="chart-head">
        <span className="mono muted" data-testid="chart-code">{p.code}</span>
        {!p.is_active && <span className="badge suspended">{t('patients.inactive')}</span>}
        {p.alert_level === 'critical' && <span className="badge failure" data-testid="chart-critical">{t('chart.critical')}</span>}
      </div>
      <dl className="facts two-col">
        <Fact label={t('patients.gender')}>{p.gender && t(`gender.${p.gender}`)}</Fact>
        <Fact label={t('patients.dob')}>{p.date_of_birth && `${day.day(p.date_of_birth)} · ${t('chart.age', { age: age ?? 0 })}`}</Fact>
        <Fact label={t('field.phone')}>{p.phone}</Fact>
        <Fact label={t('field.email')}>{p.email}</Fact>
        <Fact label={t('patients.skin_type')}>{p.skin_type && t('chart.fitzpatrick', { type: p.skin_type })}</Fact>
        <Fact label={t('patients.emergency_contact')}>{p.emergency_contact}</Fact>
        <Fact label={t('patients.notes')}>{p.notes}</Fact>
      </dl>
      {(p.medical_history !== undefined || p.allergy_notes !== undefined) && (
        <div className="medical" data-testid="chart-medical">
          <h2 className="card-title">{t('chart.medical')}</h2>
          <dl className="facts">
            <dt>{t('patients.medical_history')}</dt><dd className="prewrap">{p.medical_history || '—'}</dd>
            <dt>{t('patients.allergies')}</dt><dd className="prewrap" data-testid="chart-allergies">{p.allergy_notes || '—'}</dd>
          </dl>
        </div>
      )}
    </Card>
  );
}

function OpenExceptions({ patientId }: { patientId: string }) {
  const t = useT();
  const fmt = useFormat();
  const can = useCan();
  const list = useApi<List<ComplianceException>>(can('consent.read')
    ? `/api/compliance/exceptions${query({ patient_id: patientId, open: 'true' })}` : null);
  const open = itemsOf(list.data).filter((e) => e.open);
  if (!open.length) return null;
  return (
    <div className="notice warning" role="alert" data-testid="chart-exceptions">
      <strong>{t('chart.exceptions', { count: open.length })}</strong>
      <ul className="tight">
        {open.map((e) => (
          <li key={e.id} data-testid="chart-exception">
            {t(e.kind === 'missing_consent' ? 'chart.exception.missing_consent' : 'chart.exception.contraindication_override')}
            {e.session && <> · {t('timeline.session', { no: e.session.session_no ?? 0, name: e.session.treatment_name ?? '' })}</>}
            {' · '}<time dateTime={e.created_at}>{fmt.dateTime(e.created_at)}</time>
            {can('consent.write') && <ResolveException id={e.id} onDone={list.reload} />}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Resolving says how (e.g. "consent signed after the session"); the exception stays on record. */
function ResolveException({ id, onDone }: { id: string; onDone: () => void }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (!open) {
    return <> <button type="button" className="link-button" onClick={() => setOpen(true)} data-testid="exception-resolve">{t('chart.resolve')}</button></>;
  }
  const resolve = () => api('POST', `/api/compliance/exceptions/${id}/resolve`, { resolution: text.trim() })
    .then(onDone, (err: unknown) => setError(asApiError(err).detail || t('error.generic')));
  return (
    <span className="inline-resolve">
      <input aria-label={t('chart.resolution')} placeholder={t('chart.resolution')} value={text} onChange={(e) => setText(e.target.value)}
        data-testid="exception-resolution" />
      <button type="button" className="btn small secondary" disabled={!text.trim()} onClick={() => void resolve()} data-testid="exception-resolve-submit">
        {t('chart.resolve')}
      </button>
      {error && <span className="field-error" role="alert">{error}</span>}
    </span>
  );
}

function Timeline({ patient }: { patient: Patient }) {
  const t = useT();
  const can = useCan();
  const fmt = useFormat();
  const day = useClinicFormat();
  const id = patient.id;
  const visits = useApi<List<Visit>>(can('visit.read') ? `/api/visits?patient_id=${id}&limit=200` : null);
  const sessions = useApi<List<TreatmentSession>>(can('session.read') ? `/api/treatment-sessions?patient_id=${id}&limit=200` : null);
  const photos = useApi<List<Photo>>(can('photo.read') ? `/api/patients/${id}/photos?limit=200` : null);
  const documents = useApi<List<PatientDocument>>(can('file.read') ? `/api/patients/${id}/documents?limit=200` : null);
  const consents = useApi<List<Consent>>(can('consent.read') ? `/api/patients/${id}/consents?limit=200` : null);
  const followups = useApi<List<Followup>>(can('followup.read') ? `/api/followups?patient_id=${id}&limit=200` : null);
  // Sessions recorded despite a critical contraindication (open or resolved) carry an "override" badge.
  const overrides = useApi<List<ComplianceException>>(can('consent.read')
    ? `/api/compliance/exceptions?patient_id=${id}&kind=contraindication_override&limit=200` : null);
  const overridden = new Map(itemsOf(overrides.data).filter((e) => e.session).map((e) => [e.session!.id, e]));
  const [shown, setShown] = useState<Kind | 'all'>('all');

  const sources: [Kind, Resource<unknown>][] = [['visit', visits], ['session', sessions], ['photo', photos], ['document', documents], ['consent', consents], ['followup', followups]];
  const failed = sources.filter(([, r]) => r.error);
  const loading = sources.some(([, r]) => r.loading && r.data === undefined);

  const at = (d: string) => (d.length === 10 ? startOfDayIn(d, day.timezone) : new Date(d).toISOString());
  const entries: Entry[] = [];
  const today = day.today();
  const upcoming: Followup[] = [];

  for (const v of itemsOf(visits.data)) {
    entries.push({
      kind: 'visit', key: `v${idOf(v)}`, sort: at(v.visit_date), when: day.day(v.visit_date),
      title: t('timeline.visit', { type: t(v.visit_type === 'consultation' ? 'visit.consultation' : v.visit_type === 'follow_up' ? 'visit.follow_up' : 'visit.treatment') }),
      body: v.notes || v.practitioner_name ? (
        <>
          {v.practitioner_name && <p className="muted small">{v.practitioner_name}</p>}
          {v.notes && <p className="prewrap">{v.notes}</p>}
        </>
      ) : undefined,
    });
  }
  for (const s of itemsOf(sessions.data)) entries.push(sessionEntry(s));
  for (const ph of itemsOf(photos.data)) {
    entries.push({
      kind: 'photo', key: `p${ph.id}`, sort: at(ph.captured_at), when: fmt.dateTime(ph.captured_at),
      title: t('timeline.photo', { type: t(`photo.type.${photoType(ph.media_type)}`), angle: t(`photo.angle.${photoAngle(ph.angle)}`) }),
      body: <img className="thumb" alt="" loading="lazy" src={ph.thumbnail_url ?? ph.content_url ?? `/api/photos/${ph.id}/content`} />,
    });
  }
  for (const d of itemsOf(documents.data)) {
    entries.push({
      kind: 'document', key: `d${d.id}`, sort: at(d.created_at), when: fmt.dateTime(d.created_at),
      title: <>{t(`doctype.${docType(d.type)}`)}{' · '}<a href={d.content_url ?? `/api/files/${d.file_id}/content`} data-testid="timeline-document-link">{d.original_name ?? d.filename ?? t('timeline.download')}</a></>,
      body: d.notes ? <p>{d.notes}</p> : undefined,
    });
  }
  for (const c of itemsOf(consents.data)) {
    entries.push({
      kind: 'consent', key: `c${c.id}`, sort: at(c.signed_at), when: fmt.dateTime(c.signed_at),
      title: <>
        {t('timeline.consent', { title: c.title ?? c.treatment_code ?? '', version: c.template_version, name: c.signed_name })}
        {c.withdrawn_at && <span className="badge revoked">{t('consent.withdrawn')}</span>}
      </>,
      body: <a href={c.document_url ?? `/api/consents/${c.id}/document`} target="_blank" rel="noreferrer" data-testid="timeline-consent-link">{t('consent.open_document')}</a>,
    });
  }
  for (const f of itemsOf(followups.data)) {
    const done = f.status === 'done' || !!f.actual_date;
    if (!done && f.status !== 'cancelled' && f.scheduled_date >= today) { upcoming.push(f); continue; }
    entries.push({
      kind: 'followup', key: `f${idOf(f)}`, sort: at(f.actual_date ?? f.scheduled_date), when: day.day(f.actual_date ?? f.scheduled_date),
      title: <>
        {t('timeline.followup', { type: t(`followup.type.${followupType(f.followup_type)}`) })}
        <span className={`badge ${done ? 'success' : f.status === 'cancelled' ? '' : 'failure'}`}>
          {t(done ? 'followup.done' : f.status === 'cancelled' ? 'followup.cancelled' : 'followup.overdue')}
        </span>
      </>,
      body: f.outcome_notes ? <p className="prewrap">{f.outcome_notes}</p> : undefined,
    });
  }
  entries.sort((a, b) => (a.sort < b.sort ? 1 : a.sort > b.sort ? -1 : a.kind.localeCompare(b.kind)));
  upcoming.sort((a, b) => a.scheduled_date.localeCompare(b.scheduled_date));
  const visible = shown === 'all' ? entries : entries.filter((e) => e.kind === shown);

  function sessionEntry(s: TreatmentSession): Entry {
    const points = Array.isArray(s.treatment_area) ? s.treatment_area as FacePoint[] : [];
    const named = s.treatment_area && !Array.isArray(s.treatment_area) ? Object.entries(s.treatment_area) : [];
    const dose = s.dosage_value !== null && s.dosage_value !== undefined ? `${day.number(num(s.dosage_value))} ${s.dosage_unit ?? ''}`.trim() : null;
    const pmu = s.pmu && Object.keys(s.pmu).length ? s.pmu : null;
    return {
      kind: 'session', key: `s${idOf(s)}`, sort: new Date(s.performed_at).toISOString(), when: fmt.dateTime(s.performed_at),
      title: <>
        <Link to={`/patients/${patient.id}/sessions/${idOf(s)}`} data-testid="timeline-session-link">
          {t('timeline.session', { no: s.session_no, name: s.treatment_name ?? s.treatment_code ?? '' })}
        </Link>
        {dose && <span className="chip" data-testid="timeline-dose">{dose}</span>}
        {s.consent_exception && <span className="badge pending">{t('timeline.consent_exception')}</span>}
        {overridden.has(idOf(s)) && (
          <span className="badge failure" data-testid="timeline-override" title={t('override.badge_title', { reason: String(overridden.get(idOf(s))!.details?.reason ?? '') })}>
            {t('override.badge')}
          </span>
        )}
        {(s.version ?? 1) > 1 && <span className="badge">{t('timeline.amended', { version: s.version ?? 1 })}</span>}
      </>,
      body: (
        <div className="session-body">
          {points.length > 0 && <FaceMap points={points} compact unit={s.dosage_unit ?? undefined} testId="timeline-map" />}
          <div>
            {s.practitioner_name && <p className="muted small">{s.practitioner_name}</p>}
            {(points.length > 0 || named.length > 0) && (
              <div className="chips">
                {points.map((p, i) => <span key={i} className="chip">{i + 1}. {areaLabel(t, p.area ?? '')} {p.units !== undefined && day.number(p.units)}</span>)}
                {named.map(([k, v]) => <span key={k} className="chip">{areaLabel(t, k)}{v !== null && ` ${day.number(v)}`}</span>)}
              </div>
            )}
            {pmu && (
              <p className="small" data-testid="timeline-pmu">
                {pmuSummary(t, pmu)}
              </p>
            )}
            {s.immediate_reaction && <p className="small"><strong>{t('session.reaction')}:</strong> {s.immediate_reaction}</p>}
            {s.clinical_notes && <p className="small prewrap">{s.clinical_notes}</p>}
          </div>
        </div>
      ),
    };
  }

  // Alerts for the treatments this patient receives (the latest first, at most five).
  const treated = [...new Set(itemsOf(sessions.data).map((s) => s.treatment_id))].slice(0, 5);
  return (
    <>
      {treated.map((tid) => <ScreeningAlerts key={tid} patientId={patient.id} treatmentId={tid} quiet />)}
      {upcoming.length > 0 && (
        <Card title={t('chart.upcoming')} testId="chart-upcoming">
          <ul className="plain-list">
            {upcoming.map((f) => (
              <li key={idOf(f)} data-testid="chart-upcoming-followup" data-type={f.followup_type}>
                <span>
                  <strong>{t(`followup.type.${followupType(f.followup_type)}`)}</strong>
                  {(f.treatment_name ?? f.treatment) && <span className="muted"> · {f.treatment_name ?? f.treatment}</span>}
                </span>
                <span className="nowrap">{day.day(f.scheduled_date)} · {t('followups.in_days', { days: daysBetween(today, f.scheduled_date) })}</span>
              </li>
            ))}
          </ul>
        </Card>
      )}
      <Card title={t('chart.timeline')} testId="chart-timeline">
        <div className="chip-filter" role="group" aria-label={t('chart.filter')}>
          {(['all', ...KINDS] as const).map((k) => (
            <button key={k} type="button" className={`btn small ${shown === k ? 'primary' : 'secondary'}`} aria-pressed={shown === k}
              onClick={() => setShown(k)} data-testid={`timeline-filter-${k}`}>
              {t(k === 'all' ? 'chart.kind.all' : (`chart.kind.${k}` as MessageKey))}
            </button>
          ))}
        </div>
        {failed.map(([k, r]) => <ErrorAlert key={k} error={r.error!} />)}
        {loading && !entries.length ? <Loading /> : visible.length === 0 ? <p className="muted" data-testid="timeline-empty">{t('chart.timeline_empty')}</p> : (
          <ol className="timeline">
            {visible.map((e) => (
              <li key={e.key} className={`tl-${e.kind}`} data-testid="timeline-entry" data-kind={e.kind}>
                <div className="tl-when">{e.when}</div>
                <div className="tl-what">
                  <div className="tl-title"><span className="tl-kind">{t(`chart.kind.${e.kind}`)}</span> {e.title}</div>
                  {e.body}
                </div>
              </li>
            ))}
          </ol>
        )}
      </Card>
    </>
  );
}

const pick = <T extends string>(all: readonly T[], v: string, fallback: T): T => ((all as readonly string[]).includes(v) ? v as T : fallback);
export const photoType = (v: string) => pick(['before', 'after', 'progress', 'consent'] as const, v, 'progress');
export const photoAngle = (v: string) => pick(['front', 'left', 'right', 'left45', 'right45', 'top', 'back', 'other'] as const, v, 'other');
export const followupType = (v: string) => pick(['medical', 'maintenance', 'reminder', 'touch_up'] as const, v, 'reminder');
export const docType = (v: string) => pick(['ID_DOCUMENT', 'CONSENT_FORM', 'WAIVER', 'INTAKE_FORM', 'CONTRAINDICATION_FORM', 'ANALYSIS_REPORT', 'PHOTO', 'OTHER'] as const, v, 'OTHER');
