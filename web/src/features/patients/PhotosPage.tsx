/**
 * A patient's clinical photos: upload (with type, angle and capture time), and a before/after
 * comparison side by side or with a slider over one frame.
 */
import { useState } from 'react';
import { api, ApiError, asApiError, query, uploadFile } from '../../lib/api.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { Link } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { useT } from '../../i18n/i18n.js';
import { useCan, useFormat } from '../../session/session.js';
import { CheckboxField, Form, SelectField, SubmitButton, TextField } from '../../ui/forms.js';
import { EmptyState, ErrorAlert, Loading } from '../../ui/feedback.js';
import { Card, Page } from '../../ui/layout.js';
import { zonedInstant } from '../../lib/format.js';
import { itemsOf, useClinicFormat } from '../clinical/shared.js';
import type { Patient, Photo, TreatmentSession } from '../clinical/types.js';
import { photoAngle, photoType } from './PatientChart.js';

const MEDIA_TYPES = ['before', 'after', 'progress'] as const;
const ANGLES = ['front', 'left', 'right', 'left45', 'right45', 'top', 'back', 'other'] as const;

export const photoSrc = (p: Photo, thumb = false): string => (thumb ? p.thumbnail_url : null) ?? p.content_url ?? `/api/photos/${p.id}/content`;

interface Comparison { patient_id: string; before: Photo; after: Photo; days_between: number }

export function PhotosPage({ patientId }: { patientId: string }) {
  const t = useT();
  const can = useCan();
  const fmt = useFormat();
  const patient = useApi<Patient>(`/api/patients/${patientId}`);
  const photos = useApi<Photo[] | { items: Photo[] }>(`/api/patients/${patientId}/photos?limit=200`);
  const list = itemsOf(photos.data);
  const [before, setBefore] = useState('');
  const [after, setAfter] = useState('');
  const [mode, setMode] = useState<'side' | 'slider'>('side');
  const compare = useApi<Comparison>(before && after ? `/api/photos/compare${query({ before, after })}` : null);
  const label = (p: Photo) => `${t(`photo.type.${photoType(p.media_type)}`)} · ${t(`photo.angle.${photoAngle(p.angle)}`)} · ${fmt.dateTime(p.captured_at)}`;

  return (
    <Page title={t('photos.title')} testId="photos-page"
      actions={<Link to={`/patients/${patientId}`} className="btn secondary">{t('chart.back')}</Link>}>
      {patient.data && <p className="lead">{patient.data.full_name} · <span className="mono">{patient.data.code}</span></p>}
      {can('photo.write') && <UploadPhoto patientId={patientId} onDone={photos.reload} />}
      <Card title={t('photos.compare')} testId="photos-compare">
        {photos.error && <ErrorAlert error={photos.error} />}
        {photos.loading && !photos.data ? <Loading /> : list.length < 2 ? <p className="muted">{t('photos.need_two')}</p> : (
          <>
            <div className="row">
              <SelectField label={t('photos.before')} name="before" value={before} onChange={(e) => setBefore(e.target.value)} testId="compare-before">
                <option value="">—</option>
                {list.map((p) => <option key={p.id} value={p.id}>{label(p)}</option>)}
              </SelectField>
              <SelectField label={t('photos.after')} name="after" value={after} onChange={(e) => setAfter(e.target.value)} testId="compare-after">
                <option value="">—</option>
                {list.map((p) => <option key={p.id} value={p.id}>{label(p)}</option>)}
              </SelectField>
            </div>
            {before && after && (
              <div className="chip-filter" role="group" aria-label={t('photos.view')}>
                <button type="button" className={`btn small ${mode === 'side' ? 'primary' : 'secondary'}`} aria-pressed={mode === 'side'} onClick={() => setMode('side')} data-testid="compare-mode-side">{t('photos.side_by_side')}</button>
                <button type="button" className={`btn small ${mode === 'slider' ? 'primary' : 'secondary'}`} aria-pressed={mode === 'slider'} onClick={() => setMode('slider')} data-testid="compare-mode-slider">{t('photos.slider')}</button>
              </div>
            )}
            {compare.error && <ErrorAlert error={compare.error} />}
            {compare.data && (mode === 'side' ? <SideBySide c={compare.data} label={label} /> : <Slider c={compare.data} />)}
            {compare.data && (
              <p className="hint" data-testid="compare-days">{t('photos.days_between', { days: compare.data.days_between })}</p>
            )}
          </>
        )}
      </Card>
      <Card title={t('photos.all')}>
        {list.length === 0 && !photos.loading ? <EmptyState title={t('photos.empty')} /> : (
          <ul className="photo-grid" data-testid="photo-grid">
            {list.map((p) => (
              <PhotoItem key={p.id} photo={p} label={label(p)} onChanged={photos.reload} />
            ))}
          </ul>
        )}
      </Card>
    </Page>
  );
}

/**
 * One photo of the grid: its thumbnail, what it is, and (with photo.write) the marketing-use consent,
 * given or withdrawn apart from clinical use (the API records when), and removal from the chart.
 */
function PhotoItem({ photo: p, label, onChanged }: { photo: Photo; label: string; onChanged: () => void }) {
  const t = useT();
  const can = useCan();
  const fmt = useFormat();
  const [error, setError] = useState<string | null>(null);
  // Shown at once; put back if the API refuses.
  const [consent, setConsentShown] = useState(!!p.marketing_consent);
  const setConsent = (value: boolean) => {
    setConsentShown(value);
    setError(null);
    return api('PATCH', `/api/photos/${p.id}`, { marketing_consent: value }).then(onChanged, (err: unknown) => {
      setConsentShown(!value);
      setError(asApiError(err).detail || t('error.generic'));
    });
  };
  return (
    <li data-testid="photo-item" data-id={p.id} data-marketing={String(consent)}>
      <img src={photoSrc(p, true)} alt={label} loading="lazy" />
      <span className="small">{label}</span>
      {consent
        ? <span className="badge success" title={p.marketing_consent_at ? fmt.dateTime(p.marketing_consent_at) : undefined}>{t('photos.marketing_ok')}</span>
        : <span className="badge">{t('photos.clinical_only')}</span>}
      {can('photo.write') && (
        <span className="photo-actions">
          <label className="checkbox small">
            <input type="checkbox" checked={consent} onChange={(e) => void setConsent(e.target.checked)} data-testid="photo-marketing-toggle" />
            <span>{t('photos.marketing_consent')}</span>
          </label>
          <ConfirmButton label={t('photos.remove')} question={t('photos.remove_question')} testId="photo-remove"
            onConfirm={() => api('DELETE', `/api/photos/${p.id}`).then(onChanged)} />
        </span>
      )}
      {error && <p className="field-error" role="alert">{error}</p>}
    </li>
  );
}

function SideBySide({ c, label }: { c: Comparison; label: (p: Photo) => string }) {
  const t = useT();
  return (
    <div className="compare-side" data-testid="compare-side">
      {([['before', c.before], ['after', c.after]] as const).map(([k, p]) => (
        <figure key={k}>
          <img src={photoSrc(p)} alt={label(p)} />
          <figcaption><strong>{t(k === 'before' ? 'photos.before' : 'photos.after')}</strong> · {label(p)}</figcaption>
        </figure>
      ))}
    </div>
  );
}

/** One frame: the after photo over the before one, revealed up to the slider's position. */
function Slider({ c }: { c: Comparison }) {
  const t = useT();
  const [pos, setPos] = useState(50);
  return (
    <div className="compare-slider" data-testid="compare-slider">
      <div className="frame">
        <img src={photoSrc(c.before)} alt={t('photos.before')} />
        <img src={photoSrc(c.after)} alt={t('photos.after')} className="over" style={{ clipPath: `inset(0 0 0 ${pos}%)` }} />
        <span className="divider-line" style={{ left: `${pos}%` }} aria-hidden="true" />
      </div>
      <label className="slider-label">
        <span>{t('photos.before')}</span>
        <input type="range" min={0} max={100} value={pos} onChange={(e) => setPos(Number(e.target.value))} aria-label={t('photos.slider')} />
        <span>{t('photos.after')}</span>
      </label>
    </div>
  );
}

function UploadPhoto({ patientId, onDone }: { patientId: string; onDone: () => void }) {
  const t = useT();
  const can = useCan();
  const fmt = useFormat();
  const { timezone } = useClinicFormat();
  // Before/after photos belong to a session: the patient's sessions, newest first.
  const sessions = useApi<{ items: TreatmentSession[] }>(can('session.read') ? `/api/treatment-sessions?patient_id=${patientId}&limit=50` : null);
  async function upload(data: FormData, form: HTMLFormElement) {
    const file = data.get('file');
    if (!(file instanceof File) || file.size === 0) throw new ApiError(422, 'invalid_input', t('photos.choose_file'), [{ pointer: '/file', message: t('photos.choose_file') }]);
    const captured = String(data.get('captured_at') ?? '');
    // The time typed is a wall-clock time in the organization's time zone.
    const capturedAt = captured ? zonedInstant(captured, timezone) : undefined;
    // First the bytes (POST /api/files, multipart), then the photo record that files them under the patient.
    const stored = await uploadFile(file, { kind: 'photo', entityType: 'patient', entityId: patientId });
    await api('POST', `/api/patients/${patientId}/photos`, {
      file_id: stored.id, media_type: String(data.get('media_type')), angle: String(data.get('angle')), ...(capturedAt ? { captured_at: capturedAt } : {}),
      ...(data.get('session_id') ? { session_id: String(data.get('session_id')) } : {}), marketing_consent: data.get('marketing_consent') === 'on',
    });
    form.reset();
    onDone();
  }
  return (
    <Card title={t('photos.upload')}>
      <Form action={upload} className="filters" testId="photo-upload">
        <div className="field">
          <label htmlFor="photo-file">{t('photos.file')}</label>
          <input id="photo-file" type="file" name="file" accept="image/jpeg,image/png,image/webp,image/heic,image/avif" data-testid="photo-file" />
        </div>
        <SelectField label={t('photos.type')} name="media_type" defaultValue="before" testId="photo-type">
          {MEDIA_TYPES.map((m) => <option key={m} value={m}>{t(`photo.type.${m}`)}</option>)}
        </SelectField>
        <SelectField label={t('photos.angle')} name="angle" defaultValue="front" testId="photo-angle">
          {ANGLES.map((a) => <option key={a} value={a}>{t(`photo.angle.${a}`)}</option>)}
        </SelectField>
        <TextField label={t('photos.captured_at')} name="captured_at" type="datetime-local" testId="photo-captured" />
        {can('session.read') && (
          <SelectField label={t('photos.session')} name="session_id" defaultValue="" testId="photo-session">
            <option value="">{t('photos.no_session')}</option>
            {itemsOf(sessions.data).map((x) => (
              <option key={x.id} value={x.id}>{t('photos.session_option', { no: x.session_no, name: x.treatment_name ?? x.treatment_code ?? '', when: fmt.date(x.performed_at) })}</option>
            ))}
          </SelectField>
        )}
        <CheckboxField label={t('photos.marketing_consent')} name="marketing_consent" hint={t('photos.marketing_hint')} testId="photo-marketing" />
        <SubmitButton variant="secondary" testId="photo-submit">{t('photos.upload_submit')}</SubmitButton>
      </Form>
    </Card>
  );
}
