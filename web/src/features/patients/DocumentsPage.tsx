/**
 * /patients/{id}/documents: the patient's files filed under the 8 document types of the PMU
 * specification (ID, consent, waiver, intake, contraindication, analysis report, photo, other).
 * Lists them newest first (filtered by type), files a new one (the bytes through POST /api/files,
 * then POST /api/patients/{id}/documents), downloads or opens them (verified bytes, fetched with
 * the acting organization), changes a document's type or notes, and removes it from the chart
 * (soft: the API keeps the row and the file).
 * Reading needs file.read, filing and changing file.write; clinical photos also need photo.read /
 * photo.write, so the type "Photo" is offered only to those who may upload photos.
 */
import { useRef, useState, type DragEvent, type RefObject } from 'react';
import { api, ApiError, asApiError, fetchFile, uploadFile } from '../../lib/api.js';
import { saveUrl } from '../../lib/save.js';
import { Link } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { usePaged } from '../../lib/usePaged.js';
import { useT, type MessageKey, type Translate } from '../../i18n/i18n.js';
import { useActingOrg, useCan, useFormat } from '../../session/session.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { fieldError, Form, SelectField, SubmitButton, text, TextAreaField, useFieldMessage } from '../../ui/forms.js';
import { EmptyState, ErrorAlert, Loading, Notice } from '../../ui/feedback.js';
import { Card, Page } from '../../ui/layout.js';
import { FormHeading, useEditing, useFlash } from '../catalog/editing.js';
import { useWho } from '../clinical/shared.js';
import type { Patient } from '../clinical/types.js';
import './documents.css';

/** The API's document types (records.schema.ts DOCUMENT_TYPES), in the order they are offered. */
export const DOCUMENT_TYPES = ['ID_DOCUMENT', 'CONSENT_FORM', 'WAIVER', 'INTAKE_FORM', 'CONTRAINDICATION_FORM', 'ANALYSIS_REPORT', 'PHOTO', 'OTHER'] as const;
type DocumentType = (typeof DOCUMENT_TYPES)[number];
const NOTES_MAX = 2000;
/** What POST /api/files accepts for each kind, read from the bytes (file-types.ts); `accept` only narrows the picker. */
const ACCEPT_DOCUMENT = 'application/pdf,image/jpeg,image/png,image/webp,image/heic,image/heif,image/avif,image/tiff,.pdf,.heic,.heif';
const ACCEPT_PHOTO = 'image/jpeg,image/png,image/webp,image/heic,image/heif,image/avif,.heic,.heif';
/** Opened in a tab rather than only downloaded: what a browser shows by itself. */
const VIEWABLE = ['application/pdf', 'image/jpeg', 'image/png', 'image/webp', 'image/avif'];

/** GET /api/patients/{id}/documents, one item (documents.routes.ts DocumentDto). */
export interface PatientDocumentRow {
  id: string; patient_id: string; type: DocumentType; file_id: string; notes: string | null;
  original_name: string; content_type: string; size_bytes: number; sha256: string; content_url: string;
  created_by: string | null; created_at: string; updated_at: string;
}


const isType = (v: string): v is DocumentType => (DOCUMENT_TYPES as readonly string[]).includes(v);
export const docTypeLabel = (t: Translate, type: string): string => t(`doctype.${isType(type) ? type : 'OTHER'}` as MessageKey);

export function DocumentsPage({ patientId }: { patientId: string }) {
  const t = useT();
  const can = useCan();
  const patient = useApi<Patient>(`/api/patients/${patientId}`);
  return (
    <Page title={t('docs.title')} testId="documents-page"
      actions={<Link to={`/patients/${patientId}`} className="btn secondary" data-testid="documents-back">{t('chart.back')}</Link>}>
      {patient.data && <p className="lead">{patient.data.full_name} · <span className="mono">{patient.data.code}</span></p>}
      {patient.error && <ErrorAlert error={patient.error} />}
      {!can('file.read') ? <Notice tone="warning" testId="documents-no-access">{t('docs.no_access')}</Notice> : (
        <DocumentsBody patientId={patientId} writable={can('file.write')} mayReadPhotos={can('photo.read')} mayUsePhotos={can('photo.write')} />
      )}
    </Page>
  );
}

function DocumentsBody({ patientId, writable, mayReadPhotos, mayUsePhotos }: { patientId: string; writable: boolean; mayReadPhotos: boolean; mayUsePhotos: boolean }) {
  const t = useT();
  const [type, setType] = useState<DocumentType | ''>('');
  const docs = usePaged<PatientDocumentRow>(`/api/patients/${patientId}/documents`, { type: type || undefined }, 50);
  // Saved changes and removals, shown at once over the page fetched (a reload would drop the focus and the scroll).
  const [changes, setChanges] = useState<Record<string, PatientDocumentRow | null>>({});
  const listed = docs.items.map((d) => (d.id in changes ? changes[d.id]! : d)).filter((d): d is PatientDocumentRow => d !== null && (!type || d.type === type));
  const flash = useFlash();
  const editing = useEditing();
  const who = useWho({ you: t('docs.by_you'), unknown: t('docs.by_unknown') });
  const size = useSizeFormat();
  // The types a new document may be filed under, or an existing one moved to.
  const offered = DOCUMENT_TYPES.filter((x) => x !== 'PHOTO' || mayUsePhotos);

  const filed = (d: PatientDocumentRow) => {
    flash.show(t('docs.filed', { name: d.original_name, type: docTypeLabel(t, d.type) }), 'documents-filed');
    setChanges({});
    // The new document is listed even when another type was shown.
    if (type && type !== d.type) setType('');
    else docs.reload();
  };
  const saved = (d: PatientDocumentRow) => {
    editing.close();
    flash.show(t('docs.saved', { name: d.original_name }), 'documents-saved');
    setChanges((c) => ({ ...c, [d.id]: d }));
  };
  const remove = async (d: PatientDocumentRow) => {
    await api('DELETE', `/api/documents/${d.id}`);
    flash.show(t('docs.removed', { name: d.original_name }), 'documents-removed');
    setChanges((c) => ({ ...c, [d.id]: null }));
  };

  return (
    <>
      {!writable && <Notice tone="info" testId="documents-read-only">{t('docs.read_only')}</Notice>}
      {flash.view}
      {writable && <UploadDocument patientId={patientId} types={offered} onFiled={(d) => { editing.close(); filed(d); }} onStart={flash.clear} />}

      <Card title={t('docs.list_title')} testId="documents-list">
        <div className="filters">
          <SelectField label={t('docs.filter')} name="type_filter" value={type} testId="documents-filter" fieldClass="documents-filter"
            onChange={(e) => { editing.close(); setChanges({}); setType(isType(e.target.value) ? e.target.value : ''); }}>
            <option value="">{t('docs.filter_all')}</option>
            {DOCUMENT_TYPES.filter((x) => x !== 'PHOTO' || mayReadPhotos).map((x) => <option key={x} value={x}>{docTypeLabel(t, x)}</option>)}
          </SelectField>
        </div>
        {docs.error && <ErrorAlert error={docs.error} />}
        {docs.loading && !docs.items.length ? <Loading /> : !listed.length ? (
          !docs.error && <EmptyState title={t(type ? 'docs.empty_type' : 'docs.empty')} testId="documents-empty" />
        ) : (
          <div className="table-wrap">
            <table data-testid="documents-table">
              <thead>
                <tr>
                  <th scope="col">{t('docs.col.document')}</th>
                  <th scope="col">{t('docs.col.type')}</th>
                  <th scope="col" className="num">{t('docs.col.size')}</th>
                  <th scope="col">{t('docs.col.uploaded')}</th>
                  <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
                </tr>
              </thead>
              <tbody>
                {listed.map((d) => editing.open === d.id ? (
                  <tr key={d.id} className="editing" data-testid="document-editing"><td colSpan={5}>
                    <EditDocument doc={d} types={offered} onSaved={saved} onCancel={editing.close} />
                  </td></tr>
                ) : (
                  <DocumentRow key={d.id} doc={d} who={who} size={size} writable={writable}
                    onEdit={() => { flash.clear(); editing.setOpen(d.id); }} onRemove={() => remove(d)} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {docs.hasMore && <div className="load-more"><button type="button" className="btn secondary" onClick={docs.loadMore}>{t('common.load_more')}</button></div>}
      </Card>
    </>
  );
}

function DocumentRow({ doc: d, who, size, writable, onEdit, onRemove }: {
  doc: PatientDocumentRow; who: (id: string | null) => string; size: (bytes: number) => string; writable: boolean;
  onEdit: () => void; onRemove: () => Promise<void>;
}) {
  const t = useT();
  const fmt = useFormat();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  // The bytes are fetched with the acting organization (a plain link would use the default one), then handed to the browser.
  async function fetchThen(use: (url: string) => void, tab?: Window | null) {
    setBusy(true);
    setError(null);
    try {
      const url = URL.createObjectURL(await fetchFile(d.content_url));
      use(url);
      // Long enough for the browser to take the file, or the new tab to load it.
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      tab?.close();
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  }
  const save = (url: string) => saveUrl(url, d.original_name);
  const download = () => fetchThen(save);
  const open = () => {
    // Opened now, while the click still counts as the user's, and pointed at the file once it has arrived;
    // where pop-ups are blocked, the file is downloaded instead.
    const tab = window.open('', '_blank');
    if (tab) tab.opener = null;
    void fetchThen((url) => { if (tab) tab.location.href = url; else save(url); }, tab);
  };

  return (
    <tr data-testid="document-row" data-id={d.id} data-type={d.type}>
      <td className="document-name">
        <strong data-testid="document-name">{d.original_name}</strong>
        {d.notes && <div className="muted prewrap" data-testid="document-notes">{d.notes}</div>}
        {error && <p className="field-error" role="alert" data-testid="document-error">{error.status === 0 ? t('error.network') : error.detail || t('error.generic')}</p>}
      </td>
      <td className="nowrap" data-testid="document-type">{docTypeLabel(t, d.type)}</td>
      <td className="num nowrap" data-testid="document-size">{size(d.size_bytes)}</td>
      <td data-testid="document-uploaded">
        <time className="nowrap" dateTime={d.created_at}>{fmt.dateTime(d.created_at)}</time>
        <div className="muted small">{t('docs.uploaded_by', { who: who(d.created_by) })}</div>
      </td>
      <td className="row-actions"><div className="document-actions">
        {VIEWABLE.includes(d.content_type) && (
          <button type="button" className="btn small secondary" disabled={busy} onClick={open}
            aria-label={t('docs.open_named', { name: d.original_name })} data-testid="document-open">{t('docs.open')}</button>
        )}
        <button type="button" className="btn small secondary" disabled={busy} onClick={() => void download()}
          aria-label={t('docs.download_named', { name: d.original_name })} data-testid="document-download">{t('docs.download')}</button>
        {writable && (
          <>
            <button type="button" className="btn small secondary" data-focus-key={d.id} onClick={onEdit}
              aria-label={t('docs.edit_named', { name: d.original_name })} data-testid="document-edit">{t('common.edit')}</button>
            <ConfirmButton label={t('docs.remove')} question={t('docs.remove_question', { name: d.original_name })} onConfirm={onRemove} testId="document-remove" />
          </>
        )}
      </div></td>
    </tr>
  );
}

/** Uploads the bytes (POST /api/files, multipart), then files them under the patient with a type. */
function UploadDocument({ patientId, types, onFiled, onStart }: {
  patientId: string; types: readonly DocumentType[]; onFiled: (d: PatientDocumentRow) => void; onStart: () => void;
}) {
  const t = useT();
  const [type, setType] = useState<DocumentType | ''>('');
  const fileRef = useRef<HTMLInputElement>(null);
  const [chosen, setChosen] = useState<File | null>(null);

  async function upload(data: FormData, form: HTMLFormElement) {
    onStart();
    const file = data.get('file');
    const docType = text(data, 'type');
    const notes = text(data, 'notes');
    // Checked here first, so that no file is stored that cannot be filed.
    if (!(file instanceof File) || file.size === 0) throw fieldError('file', t('docs.choose_file'));
    if (!isType(docType)) throw fieldError('type', t('docs.choose_type'));
    if (notes.length > NOTES_MAX) throw fieldError('notes', t('docs.notes_too_long'));

    // Clinical photos are stored as photos: only roles that may see clinical photos can read them.
    const stored = await uploadFile(file, { kind: docType === 'PHOTO' ? 'photo' : 'document', entityType: 'patient', entityId: patientId });
    let doc: PatientDocumentRow;
    try {
      doc = await api<PatientDocumentRow>('POST', `/api/patients/${patientId}/documents`, { type: docType, file_id: stored.id, notes: notes || null });
    } catch (err) {
      const e = asApiError(err);
      throw new ApiError(e.status, e.code, e.detail, e.fieldErrors.map((f) => (f.pointer === '/file_id' ? { ...f, pointer: '/file' } : f)));
    }
    form.reset();
    setType('');
    setChosen(null);
    onFiled(doc);
  }

  return (
    <Card title={t('docs.upload_title')} testId="documents-upload-card">
      <Form action={upload} className="form documents-upload" testId="documents-upload">
        <div className="row">
          <SelectField label={t('docs.field.type')} name="type" value={type} testId="documents-type" fieldClass="documents-type"
            hint={type ? t(`docs.type_hint.${type}`) : undefined}
            onChange={(e) => setType(isType(e.target.value) ? e.target.value : '')}>
            <option value="">{t('docs.field.type_pick')}</option>
            {types.map((x) => <option key={x} value={x}>{docTypeLabel(t, x)}</option>)}
          </SelectField>
          <FileField inputRef={fileRef} photo={type === 'PHOTO'} chosen={chosen} onChosen={setChosen} />
        </div>
        <TextAreaField label={t('docs.field.notes')} name="notes" hint={t('docs.field.notes_hint')} maxLength={NOTES_MAX} rows={2} testId="documents-notes" />
        <div className="form-actions">
          <SubmitButton testId="documents-submit">{t('docs.submit')}</SubmitButton>
        </div>
      </Form>
    </Card>
  );
}

/** A real file input (keyboard and screen reader as usual) that also takes a file dropped on it. */
function FileField({ inputRef, photo, chosen, onChosen }: {
  inputRef: RefObject<HTMLInputElement | null>; photo: boolean; chosen: File | null; onChosen: (f: File | null) => void;
}) {
  const t = useT();
  const size = useSizeFormat();
  const message = useFieldMessage({ name: 'file' });
  const [over, setOver] = useState(false);
  const id = 'documents-file';
  const describedBy = [`${id}-hint`, message ? `${id}-error` : ''].filter(Boolean).join(' ');

  function drop(e: DragEvent<HTMLDivElement>) {
    e.preventDefault();
    setOver(false);
    const input = inputRef.current;
    if (!input || !e.dataTransfer.files.length) return;
    const one = new DataTransfer();
    one.items.add(e.dataTransfer.files[0]!);
    input.files = one.files;
    onChosen(one.files[0] ?? null);
  }

  return (
    <div className={['field', 'documents-file', message ? 'has-error' : ''].filter(Boolean).join(' ')}>
      <label htmlFor={id}>{t('docs.field.file')}</label>
      <div className={`dropzone${over ? ' over' : ''}`} data-testid="documents-dropzone"
        onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)} onDrop={drop}>
        <input id={id} ref={inputRef} type="file" name="file" accept={photo ? ACCEPT_PHOTO : ACCEPT_DOCUMENT}
          aria-invalid={message ? true : undefined} aria-describedby={describedBy} data-testid="documents-file"
          onChange={(e) => onChosen(e.target.files?.[0] ?? null)} />
        <span className="muted small" aria-hidden="true">{t('docs.drop_here')}</span>
      </div>
      {chosen && <p className="small" data-testid="documents-chosen">{t('docs.selected', { name: chosen.name, size: size(chosen.size) })}</p>}
      <p id={`${id}-hint`} className="hint">{t(photo ? 'docs.field.file_hint_photo' : 'docs.field.file_hint')}</p>
      {message && <p id={`${id}-error`} className="field-error" data-testid="field-error">{message}</p>}
    </div>
  );
}

/** PATCH /api/documents/{id}: the type and the notes (the file itself is not replaced). */
function EditDocument({ doc, types, onSaved, onCancel }: {
  doc: PatientDocumentRow; types: readonly DocumentType[]; onSaved: (d: PatientDocumentRow) => void; onCancel: () => void;
}) {
  const t = useT();
  const [type, setType] = useState<DocumentType>(doc.type);
  // A photo stays offered as its own type even to someone who could not file a new one.
  const choices = types.includes(doc.type) ? types : [...types, doc.type];
  const titleId = `document-edit-${doc.id}`;

  async function save(data: FormData) {
    const notes = text(data, 'notes');
    if (notes.length > NOTES_MAX) throw fieldError('notes', t('docs.notes_too_long'));
    const patch: { type?: DocumentType; notes?: string | null } = {};
    if (type !== doc.type) patch.type = type;
    if ((notes || null) !== (doc.notes || null)) patch.notes = notes || null;
    onSaved(Object.keys(patch).length ? await api<PatientDocumentRow>('PATCH', `/api/documents/${doc.id}`, patch) : doc);
  }

  return (
    <section aria-labelledby={titleId}>
      <FormHeading title={t('docs.edit_title', { name: doc.original_name })} id={titleId} />
      <Form action={save} className="form edit-form" testId="document-edit-form">
        <div className="row">
          <SelectField label={t('docs.field.type')} name="type" value={type} testId="document-edit-type" autoFocus
            hint={t(`docs.type_hint.${type}`)} onChange={(e) => isType(e.target.value) && setType(e.target.value)}>
            {choices.map((x) => <option key={x} value={x}>{docTypeLabel(t, x)}</option>)}
          </SelectField>
          <TextAreaField label={t('docs.field.notes')} name="notes" defaultValue={doc.notes ?? ''} maxLength={NOTES_MAX} rows={2} testId="document-edit-notes" />
        </div>
        <div className="form-actions">
          <SubmitButton testId="document-edit-save">{t('common.save')}</SubmitButton>
          <button type="button" className="btn secondary" onClick={onCancel} data-testid="document-edit-cancel">{t('common.cancel')}</button>
        </div>
      </Form>
    </section>
  );
}

/** A file size in the organization's locale: 512 byte, 240 kB, 1.4 MB. */
function useSizeFormat(): (bytes: number) => string {
  const locale = useActingOrg()?.locale ?? navigator.language;
  return (bytes) => {
    const [unit, value] = bytes < 1024 ? ['byte', bytes] as const
      : bytes < 1024 * 1024 ? ['kilobyte', bytes / 1024] as const : ['megabyte', bytes / (1024 * 1024)] as const;
    return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: unit === 'megabyte' ? 1 : 0 }).format(value);
  };
}
