/**
 * Leads: a searchable, filterable list (load more) and the "New lead" form. Growth data holds a
 * first name and contact details only; when the API refuses a field under the PHI policy the form
 * says so plainly beside the field it names.
 */
import { useState } from 'react';
import { api, asApiError, query, type ApiError } from '../../lib/api.js';
import { Link, navigate, useLocation } from '../../lib/router.js';
import { usePaged } from '../../lib/usePaged.js';
import { useT } from '../../i18n/i18n.js';
import { useCan, useFormat } from '../../session/session.js';
import { EmptyState, ErrorAlert, Loading } from '../../ui/feedback.js';
import { CheckboxGroup, Form, SelectField, SubmitButton, text, TextField } from '../../ui/forms.js';
import { Card, Page } from '../../ui/layout.js';
import { LoadMore } from '../admin/LoadMore.js';
import { compact } from '../clinical/shared.js';
import {
  ExportButton, GrowthTabs, isPhiRefusal, leadName, ScoreBadge, StageDot, TagChip, useCampaignOptions, useLabel, useMoney, useStages, useTags,
} from './shared.js';
import { LEAD_SOURCES, type Lead } from './types.js';

const FILTERS = ['q', 'stage_id', 'campaign_id', 'source', 'tag'] as const;

export function LeadsPage() {
  const t = useT();
  const can = useCan();
  const fmt = useFormat();
  const money = useMoney();
  const label = useLabel();
  const { params } = useLocation();
  const creating = params.get('new') === '1' && can('lead.write');
  const filters = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? undefined])) as Record<(typeof FILTERS)[number], string | undefined>;
  const leads = usePaged<Lead>('/api/leads', filters);
  const { stages } = useStages();
  const { campaigns } = useCampaignOptions(can('campaign.read'));
  const { tags } = useTags();
  const stageOf = (id: string) => stages.find((s) => s.id === id);

  const apply = async (data: FormData) => {
    navigate(`/growth/leads${query(Object.fromEntries(FILTERS.map((k) => [k, text(data, k)])))}`);
  };

  return (
    <Page title={t('growth.leads.title')} testId="leads-page"
      actions={can('lead.write') && !creating ? <Link className="btn primary" to="/growth/leads?new=1" data-testid="lead-new">{t('growth.leads.new')}</Link> : undefined}>
      <GrowthTabs />
      {creating && <NewLeadForm />}
      <Form action={apply} className="filters" testId="leads-filters" key={`${params.toString()}|${stages.length}|${campaigns.length}|${tags.length}`}>
        <TextField label={t('common.search')} name="q" type="search" placeholder={t('growth.leads.search')} defaultValue={filters.q} testId="leads-q" />
        <SelectField label={t('growth.stage')} name="stage_id" defaultValue={filters.stage_id ?? ''} testId="leads-stage">
          <option value="">{t('common.any')}</option>
          {stages.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </SelectField>
        <SelectField label={t('growth.campaign')} name="campaign_id" defaultValue={filters.campaign_id ?? ''} testId="leads-campaign">
          <option value="">{t('common.any')}</option>
          {campaigns.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </SelectField>
        <SelectField label={t('growth.source')} name="source" defaultValue={filters.source ?? ''} testId="leads-source">
          <option value="">{t('common.any')}</option>
          {LEAD_SOURCES.map((s) => <option key={s} value={s}>{label('growth.source', s)}</option>)}
        </SelectField>
        <SelectField label={t('growth.tag')} name="tag" defaultValue={filters.tag ?? ''} testId="leads-tag">
          <option value="">{t('common.any')}</option>
          {tags.map((tag) => <option key={tag.id} value={tag.id}>{tag.name}</option>)}
        </SelectField>
        <SubmitButton variant="secondary" testId="leads-apply">{t('common.apply')}</SubmitButton>
      </Form>
      <div className="list-toolbar">
        <ExportButton path={`/api/growth/exports/leads.csv${query(filters)}`} fallbackName="leads.csv" testId="leads-export" />
        <span className="hint">{t('growth.export.leads_hint')}</span>
      </div>
      {leads.error && <ErrorAlert error={leads.error} />}
      {leads.items.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="leads-table" className="leads-table">
            <thead>
              <tr>
                <th scope="col">{t('growth.lead.first_name')}</th>
                <th scope="col">{t('growth.stage')}</th>
                <th scope="col" className="num">{t('growth.score')}</th>
                <th scope="col">{t('growth.source')}</th>
                <th scope="col">{t('growth.lead.contact')}</th>
                <th scope="col">{t('growth.tags')}</th>
                <th scope="col" className="num">{t('growth.deal_value')}</th>
                <th scope="col">{t('growth.created')}</th>
              </tr>
            </thead>
            <tbody>
              {leads.items.map((l) => {
                const stage = stageOf(l.stage_id) ?? (l.stage_name ? { name: l.stage_name, color: l.stage_color ?? '#64748b' } : undefined);
                return (
                  <tr key={l.id} data-testid="lead-row" data-lead={l.first_name ?? ''}>
                    <td><Link to={`/growth/leads/${l.id}`}><strong>{leadName(l, t)}</strong></Link></td>
                    <td className="nowrap">{stage ? <><StageDot color={stage.color} />{stage.name}</> : '—'}</td>
                    <td className="num"><ScoreBadge score={l.lead_score} /></td>
                    <td>
                      {label('growth.source', l.source)}
                      {l.campaign_name && <div className="small muted">{l.campaign_name}</div>}
                    </td>
                    <td className="small">{l.email && <div>{l.email}</div>}{l.phone && <div className="mono">{l.phone}</div>}</td>
                    <td><div className="tag-list">{(l.tags ?? []).map((tag) => <TagChip key={tag.id} tag={tag} />)}</div></td>
                    <td className="num nowrap">{l.deal_value_minor != null ? money.format(l.deal_value_minor, l.currency) : '—'}</td>
                    <td className="nowrap small">{fmt.date(l.created_at)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : leads.loading ? <Loading /> : !leads.error && (
        <EmptyState title={Object.values(filters).some(Boolean) ? t('growth.leads.no_match') : t('growth.leads.empty')} testId="leads-empty" />
      )}
      <LoadMore list={leads} testId="leads-more" />
    </Page>
  );
}

function NewLeadForm() {
  const t = useT();
  const can = useCan();
  const label = useLabel();
  const { campaigns } = useCampaignOptions(can('campaign.read'));
  const { tags } = useTags();
  const [phi, setPhi] = useState<ApiError>();

  const create = async (data: FormData) => {
    setPhi(undefined);
    const body = compact({
      first_name: text(data, 'first_name'), email: text(data, 'email'), phone: text(data, 'phone'), source: text(data, 'source'),
      campaign_id: text(data, 'campaign_id'),
    });
    const tagIds = data.getAll('tag_ids').map(String);
    const newTags = text(data, 'new_tags').split(',').map((s) => s.trim()).filter(Boolean);
    try {
      const lead = await api<Lead>('POST', '/api/leads', body);
      // Tags are linked once the lead exists (an unknown name creates the tag).
      for (const id of tagIds) await api('POST', `/api/leads/${lead.id}/tags`, { tag_id: id });
      for (const name of newTags) await api('POST', `/api/leads/${lead.id}/tags`, { name });
      navigate(`/growth/leads/${lead.id}`);
    } catch (err) {
      const e = asApiError(err);
      if (isPhiRefusal(e)) setPhi(e);
      throw e;
    }
  };

  return (
    <Card title={t('growth.leads.new')} testId="lead-form-card">
      <p className="hint">{t('growth.leads.phi_hint')}</p>
      {phi && <div className="notice warning" role="alert" data-testid="phi-refusal">{t('growth.phi_refused')}</div>}
      <Form action={create} testId="lead-form">
        <div className="row">
          <TextField label={t('growth.lead.first_name')} name="first_name" autoComplete="off" testId="lead-first-name" hint={t('growth.lead.first_name_hint')} />
          <TextField label={t('growth.lead.email')} name="email" type="email" autoComplete="off" testId="lead-email" />
          <TextField label={t('growth.lead.phone')} name="phone" type="tel" autoComplete="off" testId="lead-phone" hint={t('growth.lead.phone_hint')} />
        </div>
        <div className="row">
          <SelectField label={t('growth.source')} name="source" required defaultValue="" testId="lead-source">
            <option value="" disabled>{t('growth.choose')}</option>
            {LEAD_SOURCES.map((s) => <option key={s} value={s}>{label('growth.source', s)}</option>)}
          </SelectField>
          <SelectField label={t('growth.campaign')} name="campaign_id" defaultValue="" testId="lead-campaign">
            <option value="">{t('growth.no_campaign')}</option>
            {campaigns.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </SelectField>
        </div>
        {tags.length > 0 && (
          <CheckboxGroup legend={t('growth.tags')} name="tag_ids" checked={[]} testId="lead-tags"
            options={tags.map((tag) => ({ value: tag.id, label: tag.name }))} />
        )}
        <TextField label={t('growth.leads.new_tags')} name="new_tags" testId="lead-new-tags" hint={t('growth.leads.new_tags_hint')} />
        <div className="form-actions">
          <SubmitButton testId="lead-submit">{t('growth.leads.create')}</SubmitButton>
          <Link to="/growth/leads" className="btn secondary">{t('common.cancel')}</Link>
        </div>
      </Form>
    </Card>
  );
}
