/**
 * /patients/{id}/intakes: the patient's intake questionnaires and PMU contraindication forms (with
 * the flags the API derived from the answers), what those flags mean for the patient's usual
 * treatments (screening, as the session form shows it), and skin analyses. Newest first; a row
 * opens its full answers or findings (read one by one, so each read is audited).
 * Medical data: reading needs medical.read, recording medical.write.
 */
import { Fragment, useState } from 'react';
import { Link } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { usePaged } from '../../lib/usePaged.js';
import { useT } from '../../i18n/i18n.js';
import { useCan, useFormat, useMe } from '../../session/session.js';
import { EmptyState, ErrorAlert, Loading, Notice } from '../../ui/feedback.js';
import { Card, Page } from '../../ui/layout.js';
import { ScreeningAlerts } from '../clinical/ScreeningAlerts.js';
import { itemsOf } from '../clinical/shared.js';
import type { Patient, Treatment, TreatmentSession } from '../clinical/types.js';
import { IntakeForm } from './IntakeForm.js';
import { SkinAnalysisForm } from './SkinAnalysisForm.js';
import {
  answerLabel, findingLabel, flagLabel, flagTone, keyFindings, valueText, type Intake, type SkinAnalysis,
} from './intake-labels.js';
import './intakes.css';

interface Member { user_id: string; full_name: string }

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
  const [savedIntake, setSavedIntake] = useState<Intake | null>(null);
  const [savedAnalysis, setSavedAnalysis] = useState<SkinAnalysis | null>(null);
  const who = useWho();

  return (
    <>
      {!writable && <Notice tone="info" testId="intakes-read-only">{t('intake.read_only')}</Notice>}
      {savedIntake && <SavedIntake intake={savedIntake} />}
      <Screening patientId={patientId} version={savedIntake?.id ?? 'initial'} />

      <Card title={t('intake.list_title')} testId="intakes-list">
        {intakes.error && <ErrorAlert error={intakes.error} />}
        {intakes.loading && !intakes.items.length ? <Loading /> : !intakes.items.length ? (
          <p className="muted" data-testid="intakes-empty">{t('intake.list_empty')}</p>
        ) : (
          <IntakeTable items={intakes.items} who={who} />
        )}
        {intakes.hasMore && <div className="load-more"><button type="button" className="btn secondary" onClick={intakes.loadMore}>{t('common.load_more')}</button></div>}
      </Card>
      {writable && <IntakeForm patientId={patientId} onSaved={(i) => { setSavedIntake(i); intakes.reload(); }} />}

      <Card title={t('analysis.list_title')} testId="analyses-list">
        {savedAnalysis && <Notice tone="success" testId="analysis-saved">{t('analysis.saved')}</Notice>}
        {analyses.error && <ErrorAlert error={analyses.error} />}
        {analyses.loading && !analyses.items.length ? <Loading /> : !analyses.items.length ? (
          <p className="muted" data-testid="analyses-empty">{t('analysis.list_empty')}</p>
        ) : (
          <AnalysisTable items={analyses.items} who={who} />
        )}
        {analyses.hasMore && <div className="load-more"><button type="button" className="btn secondary" onClick={analyses.loadMore}>{t('common.load_more')}</button></div>}
      </Card>
      {writable && <SkinAnalysisForm patientId={patientId} onSaved={(a) => { setSavedAnalysis(a); analyses.reload(); }} />}
    </>
  );
}

/** Who recorded a row: the member's name when the caller may list members, "you" for oneself. */
function useWho(): (userId: string | null) => string {
  const t = useT();
  const can = useCan();
  const me = useMe();
  const members = useApi<{ items: Member[] }>(can('member.read') ? '/api/members?limit=200' : null);
  const names = new Map(itemsOf(members.data).map((m) => [m.user_id, m.full_name]));
  return (userId) => {
    if (!userId) return '—';
    if (userId === me.user.id) return `${me.user.full_name} (${t('intake.by_you')})`;
    return names.get(userId) ?? t('intake.by_unknown');
  };
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

function SavedIntake({ intake }: { intake: Intake }) {
  const t = useT();
  return (
    <div className="notice success" role="status" data-testid="intake-saved">
      <p><strong>{t('intake.saved')}</strong> {t(intake.kind === 'contraindication' ? 'intake.kind.contraindication' : 'intake.kind.intake')}</p>
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

function IntakeTable({ items, who }: { items: Intake[]; who: (id: string | null) => string }) {
  const t = useT();
  const fmt = useFormat();
  const [open, setOpen] = useState<string | null>(null);
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
                <tr data-testid="intake-row" data-kind={i.kind} data-id={i.id}>
                  <td className="nowrap"><time dateTime={i.completed_at}>{when}</time></td>
                  <td>{kind}</td>
                  <td>{who(i.created_by)}</td>
                  <td><FlagList flags={i.flags} /></td>
                  <td className="row-actions">
                    <button type="button" className="btn small secondary" aria-expanded={expanded} aria-controls={`intake-${i.id}`}
                      aria-label={expanded ? t('intake.hide') : t('intake.show_named', { kind, date: when })}
                      onClick={() => setOpen(expanded ? null : i.id)} data-testid="intake-toggle">
                      {expanded ? t('intake.hide') : t('intake.show')}
                    </button>
                  </td>
                </tr>
                {expanded && (
                  <tr className="detail-row">
                    <td colSpan={5} id={`intake-${i.id}`}><IntakeDetail id={i.id} /></td>
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
  const r = useApi<Intake>(`/api/intakes/${id}`);
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
    </div>
  );
}

function AnalysisTable({ items, who }: { items: SkinAnalysis[]; who: (id: string | null) => string }) {
  const t = useT();
  const fmt = useFormat();
  const [open, setOpen] = useState<string | null>(null);
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
                <tr data-testid="analysis-row" data-id={a.id}>
                  <td className="nowrap"><time dateTime={a.analyzed_at}>{when}</time></td>
                  <td className="nowrap">{a.skin_type ? t('chart.fitzpatrick', { type: a.skin_type }) : '—'}</td>
                  <td data-testid="analysis-key-findings">{keyFindings(t, a.findings)}</td>
                  <td>{who(a.created_by)}</td>
                  <td className="row-actions">
                    <button type="button" className="btn small secondary" aria-expanded={expanded} aria-controls={`analysis-${a.id}`}
                      aria-label={expanded ? t('analysis.hide') : t('analysis.show_named', { date: when })}
                      onClick={() => setOpen(expanded ? null : a.id)} data-testid="analysis-toggle">
                      {expanded ? t('analysis.hide') : t('analysis.show')}
                    </button>
                  </td>
                </tr>
                {expanded && (
                  <tr className="detail-row">
                    <td colSpan={5} id={`analysis-${a.id}`}><AnalysisDetail id={a.id} /></td>
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
  const r = useApi<SkinAnalysis>(`/api/analyses/${id}`);
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
    </div>
  );
}
