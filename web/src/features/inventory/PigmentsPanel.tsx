/**
 * The PMU pigment library (seed 001): brand, colour, undertone and notes, searched by brand or
 * colour. It belongs to the treatment catalogue, so reading needs treatment.read and adding,
 * changing or retiring a pigment needs treatment.manage; deleting is soft (past procedure records
 * keep their pigment). A duplicate brand and colour is refused by the API on the colour field.
 */
import { useState } from 'react';
import { api } from '../../lib/api.js';
import { usePaged } from '../../lib/usePaged.js';
import { useT } from '../../i18n/i18n.js';
import { useCan } from '../../session/session.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { CheckboxField, Form, SelectField, SubmitButton, text, TextAreaField, TextField } from '../../ui/forms.js';
import { EmptyState, ErrorAlert, Loading, Notice } from '../../ui/feedback.js';
import { LoadMore } from '../admin/LoadMore.js';
import { changed, FormHeading, useEditing, useFlash } from '../catalog/editing.js';

/** GET /api/pigments (pigments.routes.ts PigmentDto). */
export interface Pigment {
  id: string; brand: string; color: string; undertone: string | null; notes: string | null; is_active: boolean; created_at: string; updated_at: string;
}

const UNDERTONES = ['warm', 'cool', 'neutral', 'olive'] as const;
const nameOf = (p: Pigment) => `${p.brand} ${p.color}`;

export function PigmentsPanel() {
  const t = useT();
  const can = useCan();
  if (!can('treatment.read')) return <Notice tone="warning" testId="pigments-no-access">{t('pigment.no_access')}</Notice>;
  return <Pigments />;
}

function Pigments() {
  const t = useT();
  const can = useCan();
  const write = can('treatment.manage');
  const [filter, setFilter] = useState<{ q: string; active: string }>({ q: '', active: '' });
  const pigments = usePaged<Pigment>('/api/pigments', { q: filter.q || undefined, active: filter.active || undefined });
  const editing = useEditing();
  const flash = useFlash();
  const open = (key: string) => { flash.clear(); editing.setOpen(key); };
  const saved = (message: string) => { editing.close(); flash.show(message); pigments.reload(); };
  const remove = async (p: Pigment) => {
    await api('DELETE', `/api/pigments/${p.id}`);
    flash.show(t('pigment.deleted', { name: nameOf(p) }));
    pigments.reload();
  };
  const cols = write ? 6 : 5;
  return (
    <section data-testid="pigments-panel" aria-label={t('inventory.pigments')}>
      <p className="hint" style={{ marginBottom: 'var(--space-3)' }}>{t('pigment.intro')}</p>
      {!write && <Notice testId="pigments-read-only">{t('pigment.read_only')}</Notice>}
      {flash.view}
      <div className="toolbar">
        <Form action={async (data) => setFilter({ q: text(data, 'q'), active: text(data, 'active') })} className="filters" testId="pigments-filter">
          <TextField label={t('pigment.search')} name="q" type="search" maxLength={200} testId="pigments-q" />
          <SelectField label={t('pigment.show')} name="active" defaultValue="" testId="pigments-active">
            <option value="">{t('pigment.filter.all')}</option>
            <option value="true">{t('pigment.filter.active')}</option>
            <option value="false">{t('pigment.filter.inactive')}</option>
          </SelectField>
          <SubmitButton variant="secondary" testId="pigments-search">{t('common.search')}</SubmitButton>
        </Form>
        {write && editing.open !== 'new' && (
          <button type="button" className="btn primary" data-focus-key="new" onClick={() => open('new')} data-testid="pigment-new">{t('pigment.new')}</button>
        )}
      </div>
      {editing.open === 'new' && (
        <section className="card edit-card">
          <PigmentForm onSaved={(p) => saved(t('pigment.created', { name: nameOf(p) }))} onCancel={editing.close} />
        </section>
      )}
      {pigments.error && <ErrorAlert error={pigments.error} />}
      {pigments.items.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="pigments-table">
            <thead>
              <tr>
                <th scope="col">{t('pigment.brand')}</th>
                <th scope="col">{t('pigment.color')}</th>
                <th scope="col">{t('pigment.undertone')}</th>
                <th scope="col">{t('pigment.notes')}</th>
                <th scope="col">{t('inventory.status')}</th>
                {write && <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>}
              </tr>
            </thead>
            <tbody>
              {pigments.items.map((p) => {
                if (editing.open === `edit:${p.id}`) {
                  return (
                    <tr key={p.id} className="editing"><td colSpan={cols}>
                      <PigmentForm pigment={p} onSaved={(row) => saved(t('pigment.saved', { name: nameOf(row) }))} onCancel={editing.close} />
                    </td></tr>
                  );
                }
                return (
                  <tr key={p.id} data-testid="pigment-row" data-pigment={nameOf(p)}>
                    <td><strong>{p.brand}</strong></td>
                    <td data-testid="pigment-color">{p.color}</td>
                    <td>{p.undertone ?? '—'}</td>
                    <td className="small prewrap">{p.notes ?? '—'}</td>
                    <td>{p.is_active ? <span className="badge success">{t('pigment.active')}</span> : <span className="badge">{t('pigment.inactive')}</span>}</td>
                    {write && (
                      <td className="row-actions">
                        <button type="button" className="btn small secondary" data-focus-key={`edit:${p.id}`} onClick={() => open(`edit:${p.id}`)}
                          aria-label={t('pigment.edit_named', { name: nameOf(p) })} data-testid="pigment-edit">{t('common.edit')}</button>
                        <ConfirmButton label={t('common.delete')} question={t('pigment.delete_question', { name: nameOf(p) })} onConfirm={() => remove(p)}
                          testId="pigment-delete" />
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : pigments.loading ? <Loading /> : !pigments.error && (
        <EmptyState title={t(filter.q || filter.active ? 'pigment.no_match' : 'pigment.empty')} testId="pigments-empty" />
      )}
      <LoadMore list={pigments} />
    </section>
  );
}

/** Add a pigment, or change one (only what changed is sent). */
function PigmentForm({ pigment: p, onSaved, onCancel }: { pigment?: Pigment; onSaved: (p: Pigment) => void; onCancel: () => void }) {
  const t = useT();
  const listId = `pigment-undertones-${p?.id ?? 'new'}`;
  async function save(data: FormData) {
    const next: Record<string, unknown> = {
      brand: text(data, 'brand'), color: text(data, 'color'), undertone: text(data, 'undertone') || null, notes: text(data, 'notes') || null,
    };
    if (!p) { onSaved(await api<Pigment>('POST', '/api/pigments', next)); return; }
    next.is_active = data.get('is_active') === 'on';
    const body = changed({ brand: p.brand, color: p.color, undertone: p.undertone, notes: p.notes, is_active: p.is_active }, next);
    onSaved(Object.keys(body).length ? await api<Pigment>('PATCH', `/api/pigments/${p.id}`, body) : p);
  }
  return (
    <Form action={save} testId="pigment-form" className="form edit-form">
      <FormHeading title={p ? t('pigment.edit_named', { name: nameOf(p) }) : t('pigment.new')} />
      <div className="row">
        <TextField label={t('pigment.brand')} name="brand" required maxLength={120} defaultValue={p?.brand ?? ''} autoFocus testId="pigment-brand" />
        <TextField label={t('pigment.color')} name="color" required maxLength={120} defaultValue={p?.color ?? ''} testId="pigment-color-input" />
        <TextField label={t('pigment.undertone')} name="undertone" maxLength={60} defaultValue={p?.undertone ?? ''} list={listId}
          hint={t('pigment.undertone_hint')} testId="pigment-undertone" />
        <datalist id={listId}>{UNDERTONES.map((u) => <option key={u} value={t(`pigment.undertone.${u}`)} />)}</datalist>
      </div>
      <TextAreaField label={t('pigment.notes')} name="notes" rows={2} maxLength={2000} defaultValue={p?.notes ?? ''} testId="pigment-notes" />
      {p && <CheckboxField label={t('pigment.active')} name="is_active" defaultChecked={p.is_active} hint={t('pigment.active_hint')} testId="pigment-active" />}
      <div className="form-actions">
        <SubmitButton testId="pigment-save">{p ? t('common.save') : t('pigment.create')}</SubmitButton>
        <button type="button" className="btn secondary" onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </Form>
  );
}
