/**
 * A lead's details: what is known (contact, attribution, owner, location, deal, social profiles,
 * summary, consent to be contacted) and the form that changes them. Only the fields that changed
 * are sent, so saving leaves the recorded consent time alone; the server's message for a field
 * shows under that field.
 */
import { Fragment, useState } from 'react';
import { api, asApiError } from '../../lib/api.js';
import { useT } from '../../i18n/i18n.js';
import { useCan, useFormat } from '../../session/session.js';
import { CheckboxField, fieldError, Form, SelectField, SubmitButton, text, TextAreaField, TextField } from '../../ui/forms.js';
import { isPhiRefusal, useCampaignOptions, useLabel, useMembers, useMoney } from './shared.js';
import { AGE_GROUPS, CAMPAIGN_PLATFORMS, LEAD_SOURCES, SOCIAL_FIELDS, type Lead, type Member } from './types.js';

type Social = (typeof SOCIAL_FIELDS)[number];

/** Time zones the browser knows, for the field's suggestions (any IANA name is accepted). */
const TIME_ZONES: string[] = (() => {
  try { return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone'); } catch { return []; }
})();

const memberName = (members: Member[], userId: string | null | undefined) => {
  if (!userId) return null;
  const m = members.find((x) => x.user_id === userId);
  return m ? m.full_name || m.email : null;
};

/** A profile as a link where it is one (LinkedIn URLs, Facebook profile URLs), else as text. */
function SocialValue({ field, value }: { field: Social; value: string }) {
  const url = /^https:\/\//i.test(value) ? value : null;
  return url ? <a href={url} target="_blank" rel="noopener noreferrer nofollow">{value}</a> : <span>{field === 'facebook_profile' ? value : value.startsWith('@') ? value : `@${value}`}</span>;
}

export function LeadFacts({ lead }: { lead: Lead }) {
  const t = useT();
  const can = useCan();
  const fmt = useFormat();
  const money = useMoney();
  const label = useLabel();
  const { members, loaded } = useMembers(can('member.read'));
  const owner = memberName(members, lead.assigned_user_id);
  // Without the member list (still loading, or no member.read) an owner is named only once known.
  const ownerText = owner ?? (!lead.assigned_user_id ? t('growth.lead.unassigned')
    : !can('member.read') ? t('growth.lead.assigned_member') : loaded ? t('growth.lead.someone') : '…');
  const socials = SOCIAL_FIELDS.filter((f) => lead[f]);
  return (
    <dl className="facts lead-facts" data-testid="lead-facts">
      <dt>{t('growth.lead.email')}</dt><dd data-testid="fact-email">{lead.email ?? '—'}</dd>
      <dt>{t('growth.lead.phone')}</dt><dd className="mono">{lead.phone ?? '—'}</dd>
      <dt>{t('growth.source')}</dt><dd>{label('growth.source', lead.source)}{lead.ad_platform && lead.ad_platform !== lead.source ? ` · ${label('growth.platform', lead.ad_platform)}` : ''}</dd>
      <dt>{t('growth.campaign')}</dt><dd>{lead.campaign_name ?? '—'}</dd>
      <dt>{t('growth.lead.assigned')}</dt><dd data-testid="fact-assigned">{ownerText}</dd>
      {lead.deal_value_minor != null && <><dt>{t('growth.deal_value')}</dt><dd>{money.format(lead.deal_value_minor, lead.currency)}</dd></>}
      {(lead.city || lead.country) && <><dt>{t('growth.lead.location')}</dt><dd data-testid="fact-location">{[lead.city, lead.country].filter(Boolean).join(', ')}</dd></>}
      {lead.age_group && <><dt>{t('growth.lead.age_group')}</dt><dd>{lead.age_group}</dd></>}
      {lead.timezone && <><dt>{t('growth.lead.timezone')}</dt><dd>{lead.timezone}</dd></>}
      {socials.map((f) => <Fragment key={f}><dt>{t(`growth.social.${f}`)}</dt><dd className="wrap-anywhere"><SocialValue field={f} value={lead[f]!} /></dd></Fragment>)}
      <dt>{t('growth.lead.consent')}</dt>
      <dd data-testid="fact-consent">
        {lead.contact_consent_at
          ? t('growth.lead.consent_yes', { date: fmt.dateTime(lead.contact_consent_at) }) + (lead.contact_consent_source ? ` · ${lead.contact_consent_source}` : '')
          : t('growth.lead.consent_no')}
      </dd>
      {lead.last_interaction_at && <><dt>{t('growth.lead.last_interaction')}</dt><dd>{fmt.dateTime(lead.last_interaction_at)}</dd></>}
      {lead.summary && <><dt>{t('growth.lead.summary')}</dt><dd className="lead-summary">{lead.summary}</dd></>}
    </dl>
  );
}

export function EditLead({ lead, done, cancel }: { lead: Lead; done: () => void; cancel: () => void }) {
  const t = useT();
  const can = useCan();
  const label = useLabel();
  const money = useMoney();
  const { campaigns } = useCampaignOptions(can('campaign.read'));
  // The pick-lists remount once their options arrive, so their saved value is selected, not the first option.
  const { members } = useMembers(can('member.read'));
  const [phi, setPhi] = useState(false);
  const [consent, setConsent] = useState(lead.contact_consent_at != null);
  const currency = lead.currency ?? money.currency;

  const save = async (data: FormData) => {
    setPhi(false);
    const value = (k: string): string | null => text(data, k) || null;
    const next: Record<string, unknown> = {
      first_name: value('first_name'), email: value('email'), phone: value('phone'), source: text(data, 'source'),
      campaign_id: value('campaign_id'), ad_platform: value('ad_platform'), country: value('country')?.toUpperCase() ?? null,
      city: value('city'), age_group: value('age_group'), timezone: value('timezone'), summary: value('summary'),
    };
    if (data.has('assigned_user_id')) next.assigned_user_id = value('assigned_user_id');
    for (const f of SOCIAL_FIELDS) next[f] = value(f);
    const cur = (text(data, 'currency') || currency).toUpperCase();
    const dealText = text(data, 'deal_value_minor');
    let deal: number | null = null;
    if (dealText) {
      deal = money.toMinor(dealText, /^[A-Z]{3}$/.test(cur) ? cur : currency);
      if (!Number.isFinite(deal)) throw fieldError('deal_value_minor', t('growth.money_invalid'));
    }
    next.deal_value_minor = deal;
    next.currency = cur;
    const given = data.get('contact_consent') === 'on';
    next.contact_consent = given;
    if (given) next.contact_consent_source = value('contact_consent_source');

    // Only what changed: an unchanged consent keeps the time it was given.
    const was: Record<string, unknown> = { ...lead, contact_consent: lead.contact_consent_at != null };
    const body = Object.fromEntries(Object.entries(next).filter(([k, v]) => (was[k] ?? null) !== v));
    if (Object.keys(body).length === 0) { done(); return; }
    try {
      await api('PATCH', `/api/leads/${lead.id}`, body);
      done();
    } catch (err) {
      setPhi(isPhiRefusal(asApiError(err)));
      throw err;
    }
  };

  return (
    <Form action={save} testId="lead-edit-form" className="form lead-edit-form">
      {phi && <div className="notice warning" role="alert">{t('growth.phi_refused')}</div>}
      <fieldset className="form-section">
        <legend>{t('growth.lead.section_contact')}</legend>
        <div className="row">
          <TextField label={t('growth.lead.first_name')} name="first_name" defaultValue={lead.first_name ?? ''} maxLength={100} testId="edit-first-name" hint={t('growth.lead.first_name_hint')} />
          <TextField label={t('growth.lead.email')} name="email" type="email" defaultValue={lead.email ?? ''} testId="edit-email" />
          <TextField label={t('growth.lead.phone')} name="phone" type="tel" defaultValue={lead.phone ?? ''} testId="edit-phone" hint={t('growth.lead.phone_hint')} />
        </div>
        <CheckboxField label={t('growth.lead.consent_label')} name="contact_consent" checked={consent} onChange={(e) => setConsent(e.target.checked)} testId="edit-consent"
          hint={t('growth.lead.consent_hint')} />
        {consent && (
          <TextField label={t('growth.lead.consent_source')} name="contact_consent_source" defaultValue={lead.contact_consent_source ?? ''} maxLength={200}
            placeholder={t('growth.lead.consent_source_ph')} testId="edit-consent-source" />
        )}
      </fieldset>
      <fieldset className="form-section">
        <legend>{t('growth.lead.section_attribution')}</legend>
        <div className="row">
          <SelectField label={t('growth.source')} name="source" defaultValue={lead.source} testId="edit-source">
            {[...new Set([lead.source, ...LEAD_SOURCES])].map((s) => <option key={s} value={s}>{label('growth.source', s)}</option>)}
          </SelectField>
          <SelectField key={`c${campaigns.length}`} label={t('growth.campaign')} name="campaign_id" defaultValue={lead.campaign_id ?? ''} testId="edit-campaign">
            <option value="">{t('growth.no_campaign')}</option>
            {lead.campaign_id && !campaigns.some((c) => c.id === lead.campaign_id) && <option value={lead.campaign_id}>{lead.campaign_name ?? '—'}</option>}
            {campaigns.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </SelectField>
          <SelectField label={t('growth.lead.ad_platform')} name="ad_platform" defaultValue={lead.ad_platform ?? ''} testId="edit-ad-platform">
            <option value="">{t('growth.lead.ad_platform_none')}</option>
            {[...new Set([...(lead.ad_platform ? [lead.ad_platform] : []), ...CAMPAIGN_PLATFORMS])].map((p) => <option key={p} value={p}>{label('growth.platform', p)}</option>)}
          </SelectField>
        </div>
        <div className="row">
          {can('member.read') && (
            <SelectField key={`m${members.length}`} label={t('growth.lead.assigned')} name="assigned_user_id" defaultValue={lead.assigned_user_id ?? ''} testId="edit-assigned">
              <option value="">{t('growth.lead.unassigned')}</option>
              {lead.assigned_user_id && !members.some((m) => m.user_id === lead.assigned_user_id) && <option value={lead.assigned_user_id}>{t('growth.lead.someone')}</option>}
              {members.map((m) => <option key={m.user_id} value={m.user_id}>{m.full_name || m.email}</option>)}
            </SelectField>
          )}
          <TextField label={t('growth.deal_value_in', { currency })} name="deal_value_minor" inputMode="decimal" defaultValue={money.toInput(lead.deal_value_minor, currency)} testId="edit-deal-value" />
          <TextField label={t('growth.lead.currency')} name="currency" defaultValue={currency} maxLength={3} autoCapitalize="characters" testId="edit-currency"
            hint={t('growth.lead.currency_hint')} />
        </div>
      </fieldset>
      <fieldset className="form-section">
        <legend>{t('growth.lead.section_where')}</legend>
        <div className="row">
          <TextField label={t('growth.lead.country')} name="country" defaultValue={lead.country ?? ''} maxLength={2} autoCapitalize="characters" testId="edit-country"
            hint={t('growth.lead.country_hint')} />
          <TextField label={t('growth.lead.city')} name="city" defaultValue={lead.city ?? ''} maxLength={100} testId="edit-city" />
          <SelectField label={t('growth.lead.age_group')} name="age_group" defaultValue={lead.age_group ?? ''} testId="edit-age-group">
            <option value="">—</option>
            {AGE_GROUPS.map((a) => <option key={a} value={a}>{a}</option>)}
          </SelectField>
          <TextField label={t('growth.lead.timezone')} name="timezone" defaultValue={lead.timezone ?? ''} list="lead-timezones" placeholder="Asia/Taipei" testId="edit-timezone" />
          <datalist id="lead-timezones">{TIME_ZONES.map((z) => <option key={z} value={z} />)}</datalist>
        </div>
      </fieldset>
      <fieldset className="form-section">
        <legend>{t('growth.lead.section_social')}</legend>
        <div className="row">
          {SOCIAL_FIELDS.map((f) => (
            <TextField key={f} label={t(`growth.social.${f}`)} name={f} defaultValue={lead[f] ?? ''} autoComplete="off" testId={`edit-${f}`}
              placeholder={f === 'linkedin_url' ? 'https://www.linkedin.com/in/…' : f === 'facebook_profile' ? 'facebook.com/…' : '@…'} />
          ))}
        </div>
      </fieldset>
      <TextAreaField label={t('growth.lead.summary')} name="summary" defaultValue={lead.summary ?? ''} maxLength={2000} rows={3} hint={t('growth.lead.summary_hint')} testId="edit-summary" />
      <div className="form-actions">
        <SubmitButton testId="lead-save">{t('common.save')}</SubmitButton>
        <button type="button" className="btn secondary" onClick={cancel} data-testid="lead-edit-cancel">{t('common.cancel')}</button>
      </div>
    </Form>
  );
}
