/**
 * Inventory: lots with their expiry (expired in red, expiring within the warning window in amber)
 * and the product list. Holders of inventory.write add and change products, receive lots, change
 * a lot's status or expiry and record stock adjustments; when the API refuses (below zero, an
 * expired lot, a transition a lot cannot make) its reason shows in the form. A lot's recall
 * (who received it) and movements open from its row (RecallPanel); the Pigments tab is the PMU
 * pigment library (PigmentsPanel).
 */
import { useState } from 'react';
import { api } from '../../lib/api.js';
import { Link } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { usePaged } from '../../lib/usePaged.js';
import { useT } from '../../i18n/i18n.js';
import { useCan, useFormat } from '../../session/session.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { CheckboxField, fieldError, Form, SelectField, SubmitButton, text, TextAreaField, TextField } from '../../ui/forms.js';
import { EmptyState, ErrorAlert, Loading } from '../../ui/feedback.js';
import { Page } from '../../ui/layout.js';
import { LoadMore } from '../admin/LoadMore.js';
import { compact, daysBetween, TabLinks, useClinicFormat, useTab } from '../clinical/shared.js';
import { num, type Lot, type Product } from '../clinical/types.js';
import { changed, FormHeading, UNIT_SUGGESTIONS, useEditing, useFlash, useMoneyInput, useOrgLocale } from '../catalog/editing.js';
import { parseQuantity } from '../../lib/amount.js';
import { PigmentsPanel } from './PigmentsPanel.js';
import { RecallPanel } from './RecallPanel.js';

const TABS = ['lots', 'products', 'pigments'] as const;
/** Lots expiring within this many days are flagged. */
export const EXPIRY_WARNING_DAYS = 60;

/** What the API accepts (products.service.ts, lots.service.ts). */
const PRODUCT_TYPES = ['Botox', 'HA', 'PRP', 'Pigment', 'Anesthetic', 'Skincare', 'Other'] as const;
const LOT_STATUSES = ['active', 'quarantined', 'recalled', 'disposed'] as const;
type LotStatus = (typeof LOT_STATUSES)[number];
/** The status changes a lot can make (the API refuses the others). */
const TRANSITIONS: Record<LotStatus, LotStatus[]> = {
  active: ['quarantined', 'recalled', 'disposed'],
  quarantined: ['active', 'recalled', 'disposed'],
  recalled: ['disposed'],
  disposed: [],
};
const MOVEMENT_KINDS = ['receive', 'use', 'adjust', 'waste', 'return'] as const;

type ProductRow = Product & { ingredients?: string[] };
type LotRow = Lot & { unit_cost_minor?: number | null; currency?: string | null };
interface Movement { movement_id: string; kind: string; quantity: number; reason: string | null; session_id: string | null; created_at: string }

export function InventoryPage() {
  const t = useT();
  const tab = useTab(TABS);
  const can = useCan();
  return (
    <Page title={t('inventory.title')} testId="inventory-page">
      <TabLinks base="/inventory" current={tab} label={t('inventory.title')} testId="inventory-tabs"
        tabs={[{ value: 'lots', label: t('inventory.lots') }, { value: 'products', label: t('inventory.products') },
          ...(can('treatment.read') ? [{ value: 'pigments' as const, label: t('inventory.pigments') }] : [])]} />
      {tab === 'lots' ? <Lots /> : tab === 'products' ? <Products /> : <PigmentsPanel />}
    </Page>
  );
}

export function expiryState(expiry: string, today: string, daysToExpiry?: number | null): { state: 'expired' | 'soon' | 'ok'; days: number } {
  // The API counts days on the organization's calendar; the browser's count is the fallback.
  const days = daysToExpiry ?? daysBetween(today, expiry);
  return { state: days < 0 ? 'expired' : days <= EXPIRY_WARNING_DAYS ? 'soon' : 'ok', days };
}

function Lots() {
  const t = useT();
  const can = useCan();
  const write = can('inventory.write');
  const day = useClinicFormat();
  const [within, setWithin] = useState<string>(String(EXPIRY_WARNING_DAYS));
  const lots = usePaged<LotRow>('/api/lots', { expiring_within_days: within || undefined });
  const editing = useEditing();
  const [mode, setMode] = useState<'edit' | 'adjust' | 'recall'>('edit');
  const flash = useFlash();
  const today = day.today();
  const open = (m: 'edit' | 'adjust' | 'recall', id: string) => { flash.clear(); setMode(m); editing.setOpen(`${m}:${id}`); };
  const done = (message: string) => { editing.close(); flash.show(message); lots.reload(); };
  return (
    <>
      {flash.view}
      <Form action={async (data) => setWithin(text(data, 'within'))} className="filters" testId="lots-filter">
        <SelectField label={t('inventory.show')} name="within" defaultValue={within} testId="lots-within">
          {['30', '60', '90', '180'].map((d) => <option key={d} value={d}>{t('inventory.expiring_within', { days: d })}</option>)}
          <option value="">{t('inventory.all_lots')}</option>
        </SelectField>
        <SubmitButton variant="secondary" testId="lots-apply">{t('common.apply')}</SubmitButton>
      </Form>
      <p className="hint legend">
        <span className="swatch expired" aria-hidden="true" /> {t('inventory.legend_expired')}
        <span className="swatch soon" aria-hidden="true" /> {t('inventory.legend_soon', { days: EXPIRY_WARNING_DAYS })}
        {write && <span className="muted"> · {t('lot.form.receive_where')}</span>}
      </p>
      {lots.error && <ErrorAlert error={lots.error} />}
      {lots.items.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="lots-table">
            <thead>
              <tr>
                <th scope="col">{t('inventory.product')}</th>
                <th scope="col">{t('inventory.lot_number')}</th>
                <th scope="col">{t('inventory.expiry')}</th>
                <th scope="col" className="num">{t('inventory.on_hand')}</th>
                <th scope="col">{t('inventory.status')}</th>
                <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {lots.items.map((l) => {
                const e = expiryState(l.expiry_date, today, l.days_to_expiry);
                if (editing.open === `${mode}:${l.id}`) {
                  return (
                    <tr key={l.id} className="editing"><td colSpan={6}>
                      {mode === 'recall' ? <RecallPanel lot={l} onClose={editing.close} /> : mode === 'edit'
                        ? <LotEditForm lot={l} onSaved={(row) => done(t('lot.form.saved', { lot: row.lot_number }))} onCancel={editing.close} />
                        : <AdjustForm lot={l} onSaved={(row) => done(t('lot.form.adjusted', { lot: row.lot_number, qty: day.number(num(row.quantity_on_hand)), unit: row.unit ?? '' }))}
                          onCancel={editing.close} />}
                    </td></tr>
                  );
                }
                return (
                  <tr key={l.id} className={`lot-${e.state}`} data-testid="lot-row" data-lot={l.lot_number} data-expiry={e.state}>
                    <td>{l.product_name ?? l.drug_id ?? l.product_id}{l.drug_id && l.product_name && <div className="muted small mono">{l.drug_id}</div>}</td>
                    <td className="mono">{l.lot_number}</td>
                    <td className="nowrap">
                      {day.day(l.expiry_date)}
                      <div className={`small expiry-${e.state}`}>
                        {e.state === 'expired' ? t('inventory.expired_ago', { days: -e.days }) : e.days === 0 ? t('inventory.expires_today') : t('inventory.expires_in', { days: e.days })}
                      </div>
                    </td>
                    <td className="num" data-testid="lot-on-hand">{day.number(num(l.quantity_on_hand))}{l.unit ? ` ${l.unit}` : ''}</td>
                    <td>
                      {e.state === 'expired' && <span className="badge failure">{t('inventory.expired')}</span>}
                      {e.state === 'soon' && <span className="badge pending">{t('inventory.expiring_soon')}</span>}
                      {l.status !== 'active' && <span className="badge" data-testid="lot-status">{t(`lot.status.${lotStatus(l.status)}`)}</span>}
                    </td>
                    <td className="row-actions">
                      <button type="button" className="btn small secondary" data-focus-key={`recall:${l.id}`} onClick={() => open('recall', l.id)}
                        aria-label={t('recall.open_named', { lot: l.lot_number })} data-testid="lot-recall">{t('recall.open')}</button>
                      {write && <>
                        <button type="button" className="btn small secondary" data-focus-key={`adjust:${l.id}`} onClick={() => open('adjust', l.id)}
                          aria-label={t('lot.form.adjust_named', { lot: l.lot_number })} data-testid="lot-adjust">{t('lot.form.adjust')}</button>
                        <button type="button" className="btn small secondary" data-focus-key={`edit:${l.id}`} onClick={() => open('edit', l.id)}
                          aria-label={t('lot.form.edit_named', { lot: l.lot_number })} data-testid="lot-edit">{t('common.edit')}</button>
                      </>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : lots.loading ? <Loading /> : !lots.error && <EmptyState title={t(within ? 'inventory.no_expiring' : 'inventory.no_lots', { days: within })} testId="lots-empty" />}
      <LoadMore list={lots} />
    </>
  );
}

const lotStatus = (s: string): LotStatus => LOT_STATUSES.find((x) => x === s) ?? 'active';

/** Status (with the reason the API asks for), expiry and supplier of a lot; only what changed is sent. */
function LotEditForm({ lot, onSaved, onCancel }: { lot: LotRow; onSaved: (l: Lot) => void; onCancel: () => void }) {
  const t = useT();
  const current = lotStatus(lot.status);
  const [status, setStatus] = useState<LotStatus>(current);
  async function save(data: FormData) {
    const body = changed({ status: current, expiry_date: lot.expiry_date, supplier: lot.supplier ?? null }, {
      status: text(data, 'status'), expiry_date: text(data, 'expiry_date'), supplier: text(data, 'supplier') || null,
    });
    const reason = text(data, 'reason');
    if (reason) body.reason = reason;
    onSaved(Object.keys(body).length ? await api<Lot>('PATCH', `/api/lots/${lot.id}`, body) : lot);
  }
  return (
    <Form action={save} testId="lot-edit-form" className="form edit-form">
      <FormHeading title={t('lot.form.edit_title', { lot: lot.lot_number, product: lot.product_name ?? '' })} />
      <div className="row">
        <SelectField label={t('inventory.status')} name="status" value={status} onChange={(e) => setStatus(lotStatus(e.target.value))} autoFocus testId="lot-status-input"
          hint={current === 'disposed' ? t('lot.form.disposed_final') : undefined}>
          {[current, ...TRANSITIONS[current]].map((s) => <option key={s} value={s}>{t(`lot.status.${s}`)}</option>)}
        </SelectField>
        <TextField label={t('inventory.expiry')} name="expiry_date" type="date" required defaultValue={lot.expiry_date} testId="lot-expiry-input" />
        <TextField label={t('inventory.supplier')} name="supplier" defaultValue={lot.supplier ?? ''} maxLength={200} testId="lot-supplier-input" />
      </div>
      {status === 'disposed' && current !== 'disposed' && <p className="notice warning" role="status">{t('lot.form.dispose_warning')}</p>}
      <TextAreaField label={t('lot.form.reason')} name="reason" rows={2} maxLength={1000} required={status !== current}
        hint={t('lot.form.reason_hint')} testId="lot-reason" />
      <div className="form-actions">
        <SubmitButton testId="lot-save">{t('common.save')}</SubmitButton>
        <button type="button" className="btn secondary" onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </Form>
  );
}

/** A count correction (signed) or waste (positive) with its reason; the lot's recent movements below. */
function AdjustForm({ lot, onSaved, onCancel }: { lot: LotRow; onSaved: (l: Lot) => void; onCancel: () => void }) {
  const t = useT();
  const locale = useOrgLocale();
  const day = useClinicFormat();
  const fmt = useFormat();
  const [kind, setKind] = useState<'adjust' | 'waste'>('adjust');
  const movements = useApi<{ items: Movement[] }>(`/api/lots/${lot.id}/movements?limit=10`);
  async function save(data: FormData) {
    const quantity = parseQuantity(text(data, 'quantity'), locale, { signed: true });
    if (!Number.isFinite(quantity) || quantity === 0) throw fieldError('quantity', t('lot.form.quantity_invalid'));
    const out = await api<{ movement_id: string; lot: Lot }>('POST', `/api/lots/${lot.id}/movements`, { kind, quantity, reason: text(data, 'reason') });
    onSaved(out.lot);
  }
  return (
    <Form action={save} testId="lot-adjust-form" className="form edit-form">
      <FormHeading title={t('lot.form.adjust_title', { lot: lot.lot_number, qty: day.number(num(lot.quantity_on_hand)), unit: lot.unit ?? '' })} />
      <div className="row">
        <SelectField label={t('lot.form.kind')} name="kind" value={kind} onChange={(e) => setKind(e.target.value === 'waste' ? 'waste' : 'adjust')} autoFocus testId="adjust-kind">
          <option value="adjust">{t('lot.movement.adjust')}</option>
          <option value="waste">{t('lot.movement.waste')}</option>
        </SelectField>
        <TextField label={t('lot.form.quantity_in', { unit: lot.unit ?? '' })} name="quantity" type="number" step="0.01" required inputMode="decimal"
          min={kind === 'waste' ? 0.01 : undefined} hint={t(kind === 'waste' ? 'lot.form.waste_hint' : 'lot.form.adjust_hint')} testId="adjust-quantity" />
      </div>
      <TextAreaField label={t('lot.form.reason')} name="reason" rows={2} required minLength={3} maxLength={1000} hint={t('lot.form.adjust_reason_hint')} testId="adjust-reason" />
      <div className="form-actions">
        <SubmitButton testId="adjust-save">{t('lot.form.record')}</SubmitButton>
        <button type="button" className="btn secondary" onClick={onCancel}>{t('common.cancel')}</button>
      </div>
      <section className="movements" aria-labelledby={`mv-${lot.id}`}>
        <h4 id={`mv-${lot.id}`}>{t('lot.form.history')}</h4>
        {movements.error ? <ErrorAlert error={movements.error} /> : !movements.data ? <Loading /> : !movements.data.items.length ? <p className="hint">—</p> : (
          <table data-testid="lot-movements">
            <thead>
              <tr>
                <th scope="col">{t('lot.form.when')}</th>
                <th scope="col">{t('lot.form.kind')}</th>
                <th scope="col" className="num">{t('lot.form.quantity')}</th>
                <th scope="col">{t('lot.form.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {movements.data.items.map((m) => (
                <tr key={m.movement_id}>
                  <td className="nowrap small">{fmt.dateTime(m.created_at)}</td>
                  <td>{t(`lot.movement.${MOVEMENT_KINDS.find((k) => k === m.kind) ?? 'adjust'}`)}</td>
                  <td className={`num ${m.quantity < 0 ? 'qty-neg' : 'qty-pos'}`}>{m.quantity > 0 ? '+' : ''}{day.number(m.quantity)}</td>
                  <td className="small">{m.reason ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Form>
  );
}

function Products() {
  const t = useT();
  const can = useCan();
  const write = can('inventory.write');
  const day = useClinicFormat();
  const [q, setQ] = useState('');
  const products = usePaged<ProductRow>('/api/products', { q: q || undefined });
  const editing = useEditing();
  const [received, setReceived] = useState<Lot | null>(null);
  const flash = useFlash();
  const open = (key: string) => { flash.clear(); setReceived(null); editing.setOpen(key); };
  const saved = (message: string) => { editing.close(); flash.show(message); products.reload(); };
  const remove = async (p: Product) => {
    await api('DELETE', `/api/products/${p.id}`);
    setReceived(null);
    flash.show(t('product.form.deleted', { name: p.name }));
    products.reload();
  };
  return (
    <>
      {flash.view}
      {received && (
        <div className="notice success" role="status" data-testid="lot-received">
          {t('lot.form.received', { lot: received.lot_number, product: received.product_name ?? '', date: day.day(received.expiry_date) })}{' '}
          <Link to="/inventory?tab=lots" data-testid="lot-received-link">{t('lot.form.see_lots')}</Link>
        </div>
      )}
      <div className="toolbar">
        <Form action={async (data) => setQ(text(data, 'q'))} className="filters">
          <TextField label={t('inventory.search_products')} name="q" type="search" testId="products-q" />
          <SubmitButton variant="secondary">{t('common.search')}</SubmitButton>
        </Form>
        {write && editing.open !== 'new' && (
          <button type="button" className="btn primary" data-focus-key="new" onClick={() => open('new')} data-testid="product-new">{t('product.form.new')}</button>
        )}
      </div>
      {editing.open === 'new' && (
        <section className="card edit-card">
          <ProductForm onSaved={(p) => saved(t('product.form.created', { name: p.name }))} onCancel={editing.close} />
        </section>
      )}
      {products.error && <ErrorAlert error={products.error} />}
      {products.items.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="products-table">
            <thead>
              <tr>
                <th scope="col">{t('inventory.product')}</th>
                <th scope="col">{t('inventory.code')}</th>
                <th scope="col">{t('inventory.type')}</th>
                <th scope="col">{t('inventory.supplier')}</th>
                <th scope="col" className="num">{t('inventory.on_hand')}</th>
                <th scope="col">{t('inventory.next_expiry')}</th>
                {write && <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>}
              </tr>
            </thead>
            <tbody>
              {products.items.map((p) => {
                if (editing.open === `edit:${p.id}` || editing.open === `receive:${p.id}`) {
                  return (
                    <tr key={p.id} className="editing"><td colSpan={7}>
                      {editing.open === `edit:${p.id}`
                        ? <ProductForm product={p} onSaved={(row) => saved(t('product.form.saved', { name: row.name }))} onCancel={editing.close} />
                        : <ReceiveLotForm product={p} onSaved={(lot) => { editing.close(); setReceived(lot); products.reload(); }} onCancel={editing.close} />}
                    </td></tr>
                  );
                }
                const low = p.low_stock ?? (p.reorder_level !== null && p.reorder_level !== undefined && p.quantity_on_hand !== undefined && num(p.quantity_on_hand) <= num(p.reorder_level));
                return (
                  <tr key={p.id} data-testid="product-row" data-code={p.code}>
                    <td><strong>{p.name}</strong>{p.is_active === false && <span className="badge">{t('patients.inactive')}</span>}</td>
                    <td className="mono">{p.code}</td>
                    <td>{t(`product.type.${PRODUCT_TYPES.find((x) => x === p.product_type) ?? 'Other'}`)}</td>
                    <td>{p.supplier ?? '—'}</td>
                    <td className="num">
                      {p.quantity_on_hand !== undefined && p.quantity_on_hand !== null ? `${day.number(num(p.quantity_on_hand))} ${p.unit}` : p.unit}
                      {low && <div><span className="badge pending">{t('inventory.reorder')}</span></div>}
                    </td>
                    <td className="nowrap">{p.next_expiry_date ? <ExpiryText date={p.next_expiry_date} /> : '—'}</td>
                    {write && (
                      <td className="row-actions">
                        <button type="button" className="btn small secondary" data-focus-key={`receive:${p.id}`} onClick={() => open(`receive:${p.id}`)}
                          aria-label={t('lot.form.receive_named', { name: p.name })} data-testid="product-receive">{t('lot.form.receive')}</button>
                        <button type="button" className="btn small secondary" data-focus-key={`edit:${p.id}`} onClick={() => open(`edit:${p.id}`)}
                          aria-label={t('product.form.edit_named', { name: p.name })} data-testid="product-edit">{t('common.edit')}</button>
                        <ConfirmButton label={t('common.delete')} question={t('product.form.delete_question', { name: p.name })} onConfirm={() => remove(p)}
                          testId="product-delete" />
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : products.loading ? <Loading /> : !products.error && <EmptyState title={t('inventory.no_products')} />}
      <LoadMore list={products} />
    </>
  );
}

/** Create or change a product; the API keeps the unit while lots are counted in it, and says so. */
function ProductForm({ product: p, onSaved, onCancel }: { product?: ProductRow; onSaved: (p: Product) => void; onCancel: () => void }) {
  const t = useT();
  const locale = useOrgLocale();
  async function save(data: FormData) {
    const reorderText = text(data, 'reorder_level');
    const reorder = reorderText === '' ? null : parseQuantity(reorderText, locale);
    if (reorder !== null && (!Number.isFinite(reorder) || reorder < 0)) throw fieldError('reorder_level', t('product.form.reorder_invalid'));
    const ingredients = text(data, 'ingredients').split(/[,\n、，]/).map((s) => s.trim()).filter(Boolean);
    const next: Record<string, unknown> = {
      code: text(data, 'code'), name: text(data, 'name'), product_type: text(data, 'product_type'), unit: text(data, 'unit'),
      supplier: text(data, 'supplier') || null, reorder_level: reorder, ingredients,
    };
    if (!p) { onSaved(await api<Product>('POST', '/api/products', compact(next))); return; }
    next.is_active = data.get('is_active') === 'on';
    const body = changed({
      code: p.code, name: p.name, product_type: p.product_type, unit: p.unit, supplier: p.supplier ?? null,
      reorder_level: p.reorder_level === null || p.reorder_level === undefined ? null : num(p.reorder_level), ingredients: p.ingredients ?? [], is_active: p.is_active !== false,
    }, next);
    onSaved(Object.keys(body).length ? await api<Product>('PATCH', `/api/products/${p.id}`, body) : p);
  }
  return (
    <Form action={save} testId="product-form" className="form edit-form">
      <FormHeading title={p ? t('product.form.edit_named', { name: p.name }) : t('product.form.new')} />
      <div className="row">
        <TextField label={t('inventory.code')} name="code" required defaultValue={p?.code ?? ''} maxLength={60} autoComplete="off" className="mono" autoFocus
          hint={t('product.form.code_hint')} testId="product-code" />
        <TextField label={t('product.form.name')} name="name" required defaultValue={p?.name ?? ''} maxLength={200} testId="product-name" />
        <SelectField label={t('inventory.type')} name="product_type" defaultValue={p?.product_type ?? 'Botox'} testId="product-type">
          {PRODUCT_TYPES.map((x) => <option key={x} value={x}>{t(`product.type.${x}`)}</option>)}
        </SelectField>
      </div>
      <div className="row">
        <TextField label={t('product.form.unit')} name="unit" required defaultValue={p?.unit ?? ''} maxLength={20} list="product-units"
          hint={t('product.form.unit_hint')} testId="product-unit" />
        <datalist id="product-units">{UNIT_SUGGESTIONS.map((u) => <option key={u} value={u} />)}</datalist>
        <TextField label={t('inventory.supplier')} name="supplier" defaultValue={p?.supplier ?? ''} maxLength={200} testId="product-supplier" />
        <TextField label={t('product.form.reorder_level')} name="reorder_level" type="number" min={0} step="0.01" inputMode="decimal"
          defaultValue={p?.reorder_level ?? ''} hint={t('product.form.reorder_hint')} testId="product-reorder" />
      </div>
      <TextField label={t('product.form.ingredients')} name="ingredients" defaultValue={(p?.ingredients ?? []).join(', ')} hint={t('product.form.ingredients_hint')}
        testId="product-ingredients" />
      {p && <CheckboxField label={t('product.form.active')} name="is_active" defaultChecked={p.is_active !== false} hint={t('product.form.active_hint')} testId="product-active" />}
      <div className="form-actions">
        <SubmitButton testId="product-save">{p ? t('common.save') : t('product.form.create')}</SubmitButton>
        <button type="button" className="btn secondary" onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </Form>
  );
}

/** Receiving a lot: its number, expiry and quantity (and what it cost, in the organization's currency). */
function ReceiveLotForm({ product, onSaved, onCancel }: { product: ProductRow; onSaved: (l: Lot) => void; onCancel: () => void }) {
  const t = useT();
  const locale = useOrgLocale();
  const money = useMoneyInput();
  async function save(data: FormData) {
    const quantity = parseQuantity(text(data, 'quantity'), locale);
    if (!Number.isFinite(quantity) || quantity <= 0) throw fieldError('quantity', t('lot.form.receive_quantity_invalid'));
    const costText = text(data, 'unit_cost_minor');
    const cost = costText ? money.toMinor(costText) : null;
    if (cost !== null && !Number.isFinite(cost)) throw fieldError('unit_cost_minor', t('catalog.form.price_invalid', { currency: money.currency }));
    const lot = await api<Lot>('POST', `/api/products/${product.id}/lots`, compact({
      lot_number: text(data, 'lot_number'), expiry_date: text(data, 'expiry_date'), quantity, supplier: text(data, 'supplier'),
      unit_cost_minor: cost, currency: cost !== null ? money.currency : undefined,
    }));
    onSaved(lot);
  }
  return (
    <Form action={save} testId="lot-receive-form" className="form edit-form">
      <FormHeading title={t('lot.form.receive_named', { name: product.name })} />
      <div className="row">
        <TextField label={t('lot.form.lot_number')} name="lot_number" required maxLength={100} autoComplete="off" className="mono" autoFocus testId="receive-lot-number" />
        <TextField label={t('inventory.expiry')} name="expiry_date" type="date" required testId="receive-expiry"
          hint={t('lot.form.expiry_hint')} />
        <TextField label={t('lot.form.quantity_in', { unit: product.unit })} name="quantity" type="number" min={0.01} step="0.01" required inputMode="decimal"
          testId="receive-quantity" />
      </div>
      <div className="row">
        <TextField label={t('inventory.supplier')} name="supplier" defaultValue={product.supplier ?? ''} maxLength={200} testId="receive-supplier" />
        <TextField label={t('lot.form.unit_cost_in', { currency: money.currency, unit: product.unit })} name="unit_cost_minor" inputMode="decimal"
          hint={t('lot.form.unit_cost_hint')} testId="receive-cost" />
      </div>
      <div className="form-actions">
        <SubmitButton testId="receive-save">{t('lot.form.receive')}</SubmitButton>
        <button type="button" className="btn secondary" onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </Form>
  );
}

function ExpiryText({ date }: { date: string }) {
  const day = useClinicFormat();
  const e = expiryState(date, day.today());
  return <span className={e.state === 'ok' ? undefined : `expiry-${e.state}`}>{day.day(date)}</span>;
}
