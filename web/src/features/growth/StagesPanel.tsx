/**
 * Pipeline settings, beside the kanban for lead.write holders: add a stage, rename or recolour
 * one, change what it means to the funnel (its kind), reorder by drag and drop or with the arrow
 * buttons, delete one. The server guards the pipeline's meaning (a kind cannot change while leads
 * sit in the stage; the last new, won or lost stage stays; a stage leads ever passed through
 * stays): its refusal is shown where the change was tried. Every change reloads the board.
 */
import { useEffect, useId, useState, type DragEvent } from 'react';
import { api, asApiError } from '../../lib/api.js';
import { useT } from '../../i18n/i18n.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { ErrorAlert, Loading } from '../../ui/feedback.js';
import { Form, SelectField, SubmitButton, text, TextField } from '../../ui/forms.js';
import { useStages } from './shared.js';
import { STAGE_KINDS, type Stage } from './types.js';

const DEFAULT_COLOR = '#0e7490';

/** `ids` with the one at `from` moved to `to`. */
export function reorder<T>(ids: T[], from: number, to: number): T[] {
  const next = ids.slice();
  const [moved] = next.splice(from, 1);
  if (moved === undefined) return ids;
  next.splice(Math.max(0, Math.min(to, next.length)), 0, moved);
  return next;
}

export function StagesPanel({ onChanged, onClose }: { onChanged: () => void; onClose: () => void }) {
  const t = useT();
  const { stages, error, reload } = useStages();
  // The order shown while a reorder is on its way (the server's order once it answers).
  const [pending, setPending] = useState<string[] | null>(null);
  const [orderError, setOrderError] = useState<string>();
  const [dragId, setDragId] = useState<string | null>(null);
  const [overIndex, setOverIndex] = useState<number | null>(null);
  const [announce, setAnnounce] = useState('');

  const byId = new Map(stages.map((s) => [s.id, s]));
  const ordered = pending ? pending.map((id) => byId.get(id)).filter((s): s is Stage => !!s) : stages;

  const changed = () => { reload(); onChanged(); };

  const saveOrder = async (ids: string[], moved: Stage) => {
    setOrderError(undefined);
    setPending(ids);
    try {
      await api('PUT', '/api/pipeline-stages/order', { stage_ids: ids });
      setAnnounce(t('growth.stages.moved', { name: moved.name, position: ids.indexOf(moved.id) + 1, count: ids.length }));
      changed();
    } catch (err) {
      const e = asApiError(err);
      setOrderError(e.status === 0 ? t('error.network') : e.detail || t('error.generic'));
      setPending(null);
      reload();
    }
  };
  // The new order stays on screen until the reloaded list shows it (no flicker back).
  const serverOrder = stages.map((s) => s.id).join();
  useEffect(() => {
    setPending(null);
  }, [serverOrder]);

  const shift = (index: number, by: number) => {
    const s = ordered[index];
    if (!s) return;
    void saveOrder(reorder(ordered.map((x) => x.id), index, index + by), s);
  };

  const rowDragOver = (index: number) => (e: DragEvent<HTMLLIElement>) => {
    if (!dragId) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    const r = e.currentTarget.getBoundingClientRect();
    const at = e.clientY > r.top + r.height / 2 ? index + 1 : index;
    if (at !== overIndex) setOverIndex(at);
  };

  const drop = (e: DragEvent) => {
    e.preventDefault();
    const from = ordered.findIndex((s) => s.id === dragId);
    const at = overIndex;
    setDragId(null);
    setOverIndex(null);
    if (from < 0 || at === null) return;
    // Dropping below itself: the gap it leaves shifts the target up by one.
    const to = at > from ? at - 1 : at;
    if (to !== from) void saveOrder(reorder(ordered.map((s) => s.id), from, to), ordered[from]!);
  };

  const create = async (data: FormData, form: HTMLFormElement) => {
    await api('POST', '/api/pipeline-stages', { name: text(data, 'name'), color: text(data, 'color'), kind: text(data, 'kind') });
    form.reset();
    changed();
  };

  return (
    <section className="card stages-panel" aria-labelledby="stages-title" data-testid="stages-panel">
      <div className="stages-head">
        <h2 id="stages-title" className="card-title">{t('growth.stages.title')}</h2>
        <button type="button" className="btn small secondary" onClick={onClose} data-testid="stages-close">{t('growth.close')}</button>
      </div>
      <p className="hint">{t('growth.stages.hint')}</p>
      {error && <ErrorAlert error={error} />}
      {orderError && <div className="notice error" role="alert" data-testid="stages-order-error">{orderError}</div>}
      <p className="visually-hidden" aria-live="polite">{announce}</p>
      {!stages.length && !error ? <Loading /> : (
        <ol className={`stage-list${dragId ? ' sorting' : ''}`} data-testid="stage-list" onDragOver={(e) => dragId && e.preventDefault()} onDrop={drop}>
          {ordered.map((s, i) => (
            <li key={s.id} className={`stage-row${dragId === s.id ? ' dragging' : ''}${overIndex === i ? ' drop-before' : ''}${overIndex === i + 1 && i === ordered.length - 1 ? ' drop-after' : ''}`}
              data-testid="stage-row" data-stage={s.name} data-stage-id={s.id} style={{ ['--stage' as string]: s.color }}
              onDragOver={rowDragOver(i)}>
              <span className="drag-handle" draggable title={t('growth.stages.drag')} aria-hidden="true" data-testid="stage-drag"
                onDragStart={(e) => {
                  // The handle starts the drag (text fields in the row keep their own selection); the whole row is the picture.
                  const row = e.currentTarget.closest('li');
                  if (row) e.dataTransfer.setDragImage(row, 16, 16);
                  e.dataTransfer.setData('text/plain', s.id);
                  e.dataTransfer.effectAllowed = 'move';
                  setDragId(s.id);
                }}
                onDragEnd={() => { setDragId(null); setOverIndex(null); }}>⋮⋮</span>
              <StageForm stage={s} onSaved={changed} />
              <div className="stage-row-actions">
                <span className="small muted stage-leads" data-testid="stage-lead-count">{t('growth.stages.leads', { count: s.lead_count ?? 0 })}</span>
                <button type="button" className="btn small secondary icon-btn" disabled={i === 0 || pending !== null} onClick={() => shift(i, -1)}
                  aria-label={t('growth.stages.up', { name: s.name })} title={t('growth.stages.up', { name: s.name })} data-testid="stage-up">↑</button>
                <button type="button" className="btn small secondary icon-btn" disabled={i === ordered.length - 1 || pending !== null} onClick={() => shift(i, 1)}
                  aria-label={t('growth.stages.down', { name: s.name })} title={t('growth.stages.down', { name: s.name })} data-testid="stage-down">↓</button>
                <ConfirmButton label={t('common.delete')} question={t('growth.stages.delete_q', { name: s.name })} testId="stage-delete"
                  onConfirm={async () => { await api('DELETE', `/api/pipeline-stages/${s.id}`); changed(); }} />
              </div>
            </li>
          ))}
        </ol>
      )}
      <h3 className="stages-new-title">{t('growth.stages.new')}</h3>
      <Form action={create} className="inline-form stage-new" testId="stage-new-form">
        <TextField label={t('growth.stages.name')} name="name" required maxLength={60} testId="stage-new-name" />
        <ColorField name="color" label={t('growth.stages.color')} defaultValue={DEFAULT_COLOR} testId="stage-new-color" />
        <KindField defaultValue="open" testId="stage-new-kind" />
        <SubmitButton testId="stage-new-submit">{t('growth.stages.add')}</SubmitButton>
      </Form>
    </section>
  );
}

/** One stage's name, colour and kind; saved together (only what changed is sent). */
function StageForm({ stage, onSaved }: { stage: Stage; onSaved: () => void }) {
  const t = useT();
  const [saved, setSaved] = useState(false);
  const save = async (data: FormData) => {
    setSaved(false);
    const patch: Record<string, string> = {};
    const name = text(data, 'name');
    const color = text(data, 'color');
    const kind = text(data, 'kind');
    if (name !== stage.name) patch.name = name;
    if (color.toLowerCase() !== stage.color.toLowerCase()) patch.color = color;
    if (kind !== stage.kind) patch.kind = kind;
    if (!Object.keys(patch).length) return;
    await api('PATCH', `/api/pipeline-stages/${stage.id}`, patch);
    setSaved(true);
    onSaved();
  };
  return (
    <Form action={save} className="stage-form" testId="stage-form" key={`${stage.name}|${stage.color}|${stage.kind}`}>
      <div className="stage-fields">
        <ColorField name="color" label={t('growth.stages.color_of', { name: stage.name })} defaultValue={stage.color} hideLabel testId="stage-color" />
        <TextField label={t('growth.stages.name')} name="name" defaultValue={stage.name} required maxLength={60} testId="stage-name" />
        <KindField defaultValue={stage.kind} testId="stage-kind" />
        <SubmitButton variant="secondary" testId="stage-save">{saved ? t('growth.stages.saved') : t('growth.stages.save')}</SubmitButton>
      </div>
    </Form>
  );
}

function KindField({ defaultValue, testId }: { defaultValue: Stage['kind']; testId: string }) {
  const t = useT();
  return (
    <SelectField label={t('growth.stages.kind')} name="kind" defaultValue={defaultValue} testId={testId}>
      {STAGE_KINDS.map((k) => <option key={k} value={k}>{t(`growth.stage_kind.${k}`)}</option>)}
    </SelectField>
  );
}

/** A colour picker that still reads as a labelled form field (its value is #rrggbb, as the API wants). */
function ColorField({ name, label, defaultValue, hideLabel, testId }: { name: string; label: string; defaultValue: string; hideLabel?: boolean; testId: string }) {
  const id = useId();
  return (
    <div className={`field color-field${hideLabel ? ' label-hidden' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} type="color" name={name} defaultValue={defaultValue} data-testid={testId} title={label} />
    </div>
  );
}
