/**
 * One lead: header (first name, stage, score), its details and their edit form, the KPI events,
 * the score explained factor by factor, tags, the opportunity, the links to a user and to the
 * patient it became, the activity timeline (newest first) with a form to log a call, SMS or email,
 * the stage history and the journey events.
 */
import { useState, type ReactNode } from 'react';
import { api } from '../../lib/api.js';
import { Link, navigate } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { usePaged } from '../../lib/usePaged.js';
import { useT } from '../../i18n/i18n.js';
import { useCan, useFormat } from '../../session/session.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { ErrorAlert, Loading, Notice } from '../../ui/feedback.js';
import { fieldError, Form, SelectField, SubmitButton, text, TextField } from '../../ui/forms.js';
import { Card, Page } from '../../ui/layout.js';
import { LoadMore } from '../admin/LoadMore.js';
import { compact, itemsOf } from '../clinical/shared.js';
import {
  GrowthTabs, leadName, ScoreBadge, StageDot, TagChip, useLabel, useMoney, useStages, useTags,
} from './shared.js';
import { EditLead, LeadFacts } from './LeadEditForm.js';
import { KpiCard, LinksCard } from './LeadPanels.js';
import { PROCEDURE_CODES, type Activity, type JourneyEvent, type Lead, type StageHistoryEntry } from './types.js';

export function LeadDetail({ leadId }: { leadId: string }) {
  const t = useT();
  const lead = useApi<Lead>(`/api/leads/${leadId}`);
  const [version, setVersion] = useState(0);
  const refresh = () => { lead.reload(); setVersion((v) => v + 1); };
  if (lead.error) {
    return (
      <Page title={t('growth.lead.title')} testId="lead-page">
        <GrowthTabs />
        <ErrorAlert error={lead.error} />
        <p><Link to="/growth/leads">{t('growth.lead.back')}</Link></p>
      </Page>
    );
  }
  if (!lead.data) return <Page title={t('growth.lead.title')} testId="lead-page"><Loading /></Page>;
  return <LeadView lead={lead.data} refresh={refresh} version={version} />;
}

function LeadView({ lead, refresh, version }: { lead: Lead; refresh: () => void; version: number }) {
  const t = useT();
  const can = useCan();
  const fmt = useFormat();
  const label = useLabel();
  const { stages } = useStages();
  const [editing, setEditing] = useState(false);
  const [moveError, setMoveError] = useState<string>();
  const writable = can('lead.write');
  const stage = { name: lead.stage_name, color: lead.stage_color };

  const changeStage = async (stageId: string) => {
    setMoveError(undefined);
    try {
      await api('POST', `/api/leads/${lead.id}/move`, { stage_id: stageId });
      refresh();
    } catch (err) {
      setMoveError((err as Error).message || t('error.generic'));
    }
  };

  return (
    <Page title={leadName(lead, t)} testId="lead-page"
      actions={writable ? (
        <ConfirmButton label={t('common.delete')} question={t('growth.lead.delete_q')} testId="lead-delete"
          onConfirm={async () => { await api('DELETE', `/api/leads/${lead.id}`); navigate('/growth/leads'); }} />
      ) : undefined}>
      <GrowthTabs />
      <p className="crumbs"><Link to="/growth/pipeline">{t('growth.nav.pipeline')}</Link> · <Link to="/growth/leads">{t('growth.nav.leads')}</Link></p>
      <div className="lead-header card" data-testid="lead-header">
        <div className="lead-id">
          <ScoreBadge score={lead.lead_score} testId="lead-score" />
          <div>
            <div className="lead-stage" data-testid="lead-stage" style={{ ['--stage' as string]: stage.color }}>
              <StageDot color={stage.color} />{stage.name}
            </div>
            <div className="small muted">{label('growth.status', lead.status)} · {t('growth.lead.created_on', { date: fmt.date(lead.created_at) })}</div>
            {lead.patient_id && <div className="small became-patient-head" data-testid="lead-became-patient">{t('growth.lead.converted')}</div>}
          </div>
        </div>
        {writable && stages.length > 0 && (
          <div className="inline-field">
            <label htmlFor="lead-stage-select">{t('growth.lead.move_to_stage')}</label>
            <select id="lead-stage-select" value={lead.stage_id} onChange={(e) => void changeStage(e.target.value)} data-testid="lead-stage-select">
              {stages.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </select>
          </div>
        )}
      </div>
      {moveError && <div className="notice error" role="alert">{moveError}</div>}
      <div className="lead-layout">
        <div className="lead-main">
          <Card title={t('growth.lead.details')} testId="lead-details">
            {editing ? <EditLead lead={lead} done={() => { setEditing(false); refresh(); }} cancel={() => setEditing(false)} /> : (
              <>
                <LeadFacts lead={lead} />
                {writable && <button type="button" className="btn secondary small" onClick={() => setEditing(true)} data-testid="lead-edit">{t('common.edit')}</button>}
              </>
            )}
          </Card>
          <KpiCard lead={lead} writable={writable} version={version} onChange={refresh} />
          <Timeline leadId={lead.id} writable={writable} version={version} onLogged={refresh} />
        </div>
        <aside className="lead-side">
          <ScoreCard lead={lead} />
          <TagsCard lead={lead} writable={writable} onChange={refresh} />
          <OpportunityCard lead={lead} writable={writable} onChange={refresh} />
          <LinksCard lead={lead} writable={writable} onChange={refresh} />
          <StageHistory leadId={lead.id} version={version} />
          <Journey leadId={lead.id} version={version} />
        </aside>
      </div>
    </Page>
  );
}

/** Each factor's points out of its maximum, with the reason the server gave. */
function ScoreCard({ lead }: { lead: Lead }) {
  const t = useT();
  const label = useLabel();
  const fmt = useFormat();
  const factors = lead.score_factors ?? [];
  return (
    <Card title={t('growth.score.title')} testId="score-card">
      <p className="score-total"><ScoreBadge score={lead.lead_score} /> <span>{t('growth.score.total', { score: lead.lead_score })}</span></p>
      {factors.length === 0 ? <p className="muted">{t('growth.score.none')}</p> : (
        <ul className="score-factors" data-testid="score-factors">
          {factors.map((f) => (
            <li key={f.factor} data-testid="score-factor" data-factor={f.factor}>
              <div className="factor-head">
                <span className="factor-name">{label('growth.factor', f.factor)}</span>
                <span className="factor-points" data-testid="factor-points">{t('growth.score.points_of', { points: f.points, max: f.max })}</span>
              </div>
              <div className="factor-bar" role="presentation"><span style={{ width: `${f.max > 0 ? Math.max(0, Math.min(100, (f.points / f.max) * 100)) : 0}%` }} /></div>
              <div className="small muted">{f.reason}</div>
            </li>
          ))}
        </ul>
      )}
      {lead.scored_at && <p className="hint score-card-foot">{t('growth.score.scored_at', { at: fmt.dateTime(lead.scored_at) })}</p>}
    </Card>
  );
}

function TagsCard({ lead, writable, onChange }: { lead: Lead; writable: boolean; onChange: () => void }) {
  const t = useT();
  const { tags, reload } = useTags();
  const [error, setError] = useState<string>();
  const mine = lead.tags ?? [];
  const remove = async (tagId: string) => {
    setError(undefined);
    try { await api('DELETE', `/api/leads/${lead.id}/tags/${tagId}`); onChange(); } catch (err) { setError((err as Error).message); }
  };
  const add = async (data: FormData, form: HTMLFormElement) => {
    const tagId = text(data, 'tag_id');
    const name = text(data, 'name');
    if (!tagId && !name) throw fieldError('name', t('growth.tags.pick_or_name'));
    await api('POST', `/api/leads/${lead.id}/tags`, tagId ? { tag_id: tagId } : { name });
    form.reset();
    reload();
    onChange();
  };
  return (
    <Card title={t('growth.tags')} testId="tags-card">
      {error && <div className="notice error" role="alert">{error}</div>}
      {mine.length === 0 ? <p className="muted">{t('growth.tags.none')}</p> : (
        <div className="tag-list" data-testid="lead-tags">
          {mine.map((tag) => (
            <TagChip key={tag.id} tag={tag}>
              {writable && (
                <button type="button" className="tag-remove" onClick={() => void remove(tag.id)} aria-label={t('growth.tags.remove', { tag: tag.name })} data-testid="tag-remove">×</button>
              )}
            </TagChip>
          ))}
        </div>
      )}
      {writable && (
        <Form action={add} className="inline-form tag-add" testId="tag-add">
          <SelectField label={t('growth.tags.existing')} name="tag_id" defaultValue="" testId="tag-select">
            <option value="">—</option>
            {tags.filter((tag) => !mine.some((m) => m.id === tag.id)).map((tag) => <option key={tag.id} value={tag.id}>{tag.name}</option>)}
          </SelectField>
          <TextField label={t('growth.tags.or_new')} name="name" testId="tag-name" />
          <SubmitButton variant="secondary" testId="tag-add-submit">{t('growth.tags.add')}</SubmitButton>
        </Form>
      )}
    </Card>
  );
}

function OpportunityCard({ lead, writable, onChange }: { lead: Lead; writable: boolean; onChange: () => void }) {
  const t = useT();
  const money = useMoney();
  const fmt = useFormat();
  const [editing, setEditing] = useState(false);
  const o = lead.opportunity ?? null;
  const currency = o?.currency ?? lead.currency ?? money.currency;
  const save = async (data: FormData) => {
    const value = money.toMinor(text(data, 'expected_value'), currency);
    if (!Number.isFinite(value) || value <= 0) throw fieldError('expected_value', t('growth.money_invalid'));
    await api('PUT', `/api/leads/${lead.id}/opportunity`, {
      expected_value_minor: value, procedure_code: text(data, 'procedure_code'), expected_date: text(data, 'expected_date') || null,
    });
    setEditing(false);
    onChange();
  };
  return (
    <Card title={t('growth.opportunity.title')} testId="opportunity-card">
      {editing ? (
        <Form action={save} testId="opportunity-form">
          <TextField label={t('growth.opportunity.value', { currency })} name="expected_value" inputMode="decimal" required
            defaultValue={money.toInput(o?.expected_value_minor, currency)} testId="opp-value" />
          <SelectField label={t('growth.opportunity.procedure')} name="procedure_code" defaultValue={o?.procedure_code ?? 'BTX'} testId="opp-procedure">
            {PROCEDURE_CODES.map((p) => <option key={p} value={p}>{t(`growth.procedure.${p}`)}</option>)}
          </SelectField>
          <TextField label={t('growth.opportunity.date')} name="expected_date" type="date" defaultValue={o?.expected_date ?? ''} testId="opp-date" />
          <div className="form-actions">
            <SubmitButton testId="opp-save">{t('common.save')}</SubmitButton>
            <button type="button" className="btn secondary" onClick={() => setEditing(false)}>{t('common.cancel')}</button>
          </div>
        </Form>
      ) : (
        <>
          {o ? (
            <dl className="facts" data-testid="opportunity">
              <dt>{t('growth.opportunity.value_short')}</dt><dd data-testid="opp-value-text">{money.format(o.expected_value_minor, o.currency)}</dd>
              <dt>{t('growth.opportunity.procedure')}</dt><dd>{t(`growth.procedure.${o.procedure_code}`)}</dd>
              <dt>{t('growth.opportunity.date')}</dt><dd>{o.expected_date ? fmt.date(`${o.expected_date}T12:00:00Z`) : '—'}</dd>
            </dl>
          ) : <p className="muted">{t('growth.opportunity.none')}</p>}
          {writable && <button type="button" className="btn secondary small" onClick={() => setEditing(true)} data-testid="opp-edit">{o ? t('common.edit') : t('growth.opportunity.add')}</button>}
        </>
      )}
    </Card>
  );
}

const ICON_PATHS: Record<string, ReactNode> = {
  call: <path d="M5 3h3l2 5-2 1a11 11 0 0 0 5 5l1-2 5 2v3a2 2 0 0 1-2 2A16 16 0 0 1 3 5a2 2 0 0 1 2-2z" />,
  sms_sent: <path d="M4 4h16v11H9l-5 4z" />,
  email_sent: <><rect x="3" y="5" width="18" height="14" rx="2" /><path d="M3 7l9 6 9-6" /></>,
  form_submit: <><rect x="5" y="3" width="14" height="18" rx="2" /><path d="M8 8h8M8 12h8M8 16h5" /></>,
  stage_change: <path d="M4 12h14M13 6l6 6-6 6" />,
  tag_added: <><path d="M3 3h8l10 10-8 8L3 11z" /><circle cx="7.5" cy="7.5" r="1.5" /></>,
};

export function ActivityIcon({ type }: { type: string }) {
  return (
    <span className={`act-icon act-${type}`} aria-hidden="true">
      <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
        {ICON_PATHS[type] ?? <circle cx="12" cy="12" r="4" />}
      </svg>
    </span>
  );
}

function Timeline({ leadId, writable, version, onLogged }: { leadId: string; writable: boolean; version: number; onLogged: () => void }) {
  const t = useT();
  const fmt = useFormat();
  const list = usePaged<Activity>(`/api/leads/${leadId}/activities`, { v: String(version) });
  // Newest first whatever order the page arrived in.
  const items = [...list.items].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id));
  return (
    <Card title={t('growth.timeline.title')} testId="timeline-card">
      {writable && <LogActivity leadId={leadId} onLogged={onLogged} />}
      {list.error && <ErrorAlert error={list.error} />}
      {items.length === 0 ? (list.loading ? <Loading /> : <p className="muted">{t('growth.timeline.empty')}</p>) : (
        <ol className="activity-list" data-testid="timeline">
          {items.map((a) => (
            <li key={a.id} className={`activity act-row-${a.type}`} data-testid="activity" data-type={a.type}>
              <ActivityIcon type={a.type} />
              <div className="activity-body">
                <div className="activity-title"><ActivityText a={a} /></div>
                <div className="small muted"><time dateTime={a.created_at}>{fmt.dateTime(a.created_at)}</time>{a.actor_name ? ` · ${a.actor_name}` : ''}</div>
              </div>
            </li>
          ))}
        </ol>
      )}
      <LoadMore list={list} />
    </Card>
  );
}

function ActivityText({ a }: { a: Activity }) {
  const t = useT();
  const label = useLabel();
  const p = a.payload as Record<string, string | number | null | undefined>;
  switch (a.type) {
    case 'stage_change':
      return <>{p.from_stage ? t('growth.timeline.stage_change', { from: String(p.from_stage), to: String(p.to_stage) }) : t('growth.timeline.stage_enter', { to: String(p.to_stage) })}</>;
    case 'tag_added': return <>{t('growth.timeline.tag_added', { tag: String(p.tag ?? '') })}</>;
    case 'call': {
      const mins = Math.round(Number(p.duration_seconds ?? 0) / 60);
      return <>{t(p.direction === 'inbound' ? 'growth.timeline.call_in' : 'growth.timeline.call_out', { outcome: label('growth.call_outcome', String(p.outcome ?? '')), minutes: mins })}</>;
    }
    case 'sms_sent': return <>{t('growth.timeline.sms')}{p.body_preview ? <span className="quote"> “{String(p.body_preview)}”</span> : p.template ? ` · ${String(p.template)}` : ''}</>;
    case 'email_sent': return <>{t('growth.timeline.email', { subject: String(p.subject ?? '') })}</>;
    case 'form_submit': return <>{t('growth.timeline.form', { form: String(p.form ?? '') })}</>;
    default: return <>{label('growth.activity', a.type)}</>;
  }
}

function LogActivity({ leadId, onLogged }: { leadId: string; onLogged: () => void }) {
  const t = useT();
  const label = useLabel();
  const [type, setType] = useState<'call' | 'sms_sent' | 'email_sent'>('call');
  const [logged, setLogged] = useState(false);
  const log = async (data: FormData, form: HTMLFormElement) => {
    setLogged(false);
    let payload: Record<string, unknown>;
    if (type === 'call') {
      const minutes = Number(text(data, 'minutes') || '0');
      if (!Number.isFinite(minutes) || minutes < 0) throw fieldError('minutes', t('growth.timeline.minutes_invalid'));
      payload = { direction: text(data, 'direction'), outcome: text(data, 'outcome'), duration_seconds: Math.round(minutes * 60) };
    } else if (type === 'sms_sent') {
      payload = compact({ body_preview: text(data, 'body_preview'), template: text(data, 'template') });
    } else {
      payload = compact({ subject: text(data, 'subject'), template: text(data, 'template') });
    }
    await api('POST', `/api/leads/${leadId}/activities`, { type, payload });
    form.reset();
    setLogged(true);
    onLogged();
  };
  return (
    <details className="log-activity" data-testid="log-activity">
      <summary>{t('growth.timeline.log')}</summary>
      {logged && <Notice tone="success">{t('growth.timeline.logged')}</Notice>}
      <Form action={log} testId="activity-form" key={type}>
        <div className="row">
          <SelectField label={t('growth.timeline.type')} name="type" value={type} onChange={(e) => setType(e.target.value as typeof type)} testId="activity-type">
            {(['call', 'sms_sent', 'email_sent'] as const).map((k) => <option key={k} value={k}>{label('growth.activity', k)}</option>)}
          </SelectField>
          {type === 'call' && (
            <>
              <SelectField label={t('growth.timeline.direction')} name="direction" defaultValue="outbound" testId="call-direction">
                <option value="outbound">{t('growth.call.outbound')}</option>
                <option value="inbound">{t('growth.call.inbound')}</option>
              </SelectField>
              <SelectField label={t('growth.timeline.outcome')} name="outcome" defaultValue="answered" testId="call-outcome">
                {['answered', 'no_answer', 'voicemail', 'busy', 'wrong_number'].map((o) => <option key={o} value={o}>{label('growth.call_outcome', o)}</option>)}
              </SelectField>
              <TextField label={t('growth.timeline.minutes')} name="minutes" inputMode="decimal" defaultValue="5" testId="call-minutes" />
            </>
          )}
        </div>
        {type === 'sms_sent' && (
          <TextField label={t('growth.timeline.sms_preview')} name="body_preview" maxLength={160} hint={t('growth.timeline.sms_hint')} testId="sms-preview" />
        )}
        {type === 'email_sent' && <TextField label={t('growth.timeline.subject')} name="subject" required testId="email-subject" />}
        {type !== 'call' && <TextField label={t('growth.timeline.template')} name="template" testId="activity-template" />}
        <div className="form-actions"><SubmitButton testId="activity-submit">{t('growth.timeline.save')}</SubmitButton></div>
      </Form>
    </details>
  );
}

function StageHistory({ leadId, version }: { leadId: string; version: number }) {
  const t = useT();
  const fmt = useFormat();
  const { stages } = useStages();
  const r = useApi<StageHistoryEntry[] | { items: StageHistoryEntry[] }>(`/api/leads/${leadId}/stage-history?v=${version}`);
  const name = (id: string | null, given?: string | null) => given ?? stages.find((s) => s.id === id)?.name ?? '—';
  const rows = [...itemsOf(r.data)].sort((a, b) => b.changed_at.localeCompare(a.changed_at));
  return (
    <Card title={t('growth.history.title')} testId="stage-history">
      {r.error ? <ErrorAlert error={r.error} /> : !r.data ? <Loading /> : rows.length === 0 ? <p className="muted">{t('growth.history.empty')}</p> : (
        <ol className="plain-list history-list">
          {rows.map((h) => (
            <li key={h.id} data-testid="history-entry">
              <span>
                {h.from_stage_id || h.from_stage ? <>{name(h.from_stage_id, h.from_stage?.name ?? h.from_stage_name)} → </> : null}
                <strong>{name(h.stage_id, h.stage?.name ?? h.stage_name)}</strong>
              </span>
              <time className="small muted" dateTime={h.changed_at}>{fmt.dateTime(h.changed_at)}</time>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}

function Journey({ leadId, version }: { leadId: string; version: number }) {
  const t = useT();
  const fmt = useFormat();
  const label = useLabel();
  const r = useApi<JourneyEvent[] | { items: JourneyEvent[] }>(`/api/leads/${leadId}/journey-events?v=${version}`);
  const rows = itemsOf(r.data);
  return (
    <Card title={t('growth.journey.title')} testId="journey-card">
      {r.error ? <ErrorAlert error={r.error} /> : !r.data ? <Loading /> : rows.length === 0 ? <p className="muted">{t('growth.journey.empty')}</p> : (
        <ol className="plain-list journey-list">
          {rows.map((e) => (
            <li key={e.id} data-testid="journey-event">
              <span>
                <strong>{label('growth.journey_event', e.event_type)}</strong>
                {e.source && <span className="small muted"> · {e.source}</span>}
                <JourneyData data={e.data} />
              </span>
              <time className="small muted" dateTime={e.created_at}>{fmt.dateTime(e.created_at)}</time>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A journey event's data as a few short key: value pairs (the API keeps it free of PHI). */
function JourneyData({ data }: { data: Record<string, unknown> }) {
  // Internal ids (campaign_id...) mean nothing to a reader: the campaign is shown on the lead itself.
  const entries = Object.entries(data ?? {})
    .filter(([, v]) => v !== null && typeof v !== 'object' && !(typeof v === 'string' && UUID_RE.test(v))).slice(0, 4);
  if (!entries.length) return null;
  return <span className="small muted journey-data">{entries.map(([k, v]) => `${k}: ${String(v)}`).join(' · ')}</span>;
}
