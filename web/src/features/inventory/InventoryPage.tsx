/**
 * Inventory: lots with their expiry (expired in red, expiring within the warning window in amber)
 * and the product list.
 */
import { useState } from 'react';
import { usePaged } from '../../lib/usePaged.js';
import { useT } from '../../i18n/i18n.js';
import { Form, SelectField, SubmitButton, text, TextField } from '../../ui/forms.js';
import { EmptyState, ErrorAlert, Loading } from '../../ui/feedback.js';
import { Page } from '../../ui/layout.js';
import { LoadMore } from '../admin/LoadMore.js';
import { daysBetween, TabLinks, useClinicFormat, useTab } from '../clinical/shared.js';
import { num, type Lot, type Product } from '../clinical/types.js';

const TABS = ['lots', 'products'] as const;
/** Lots expiring within this many days are flagged. */
export const EXPIRY_WARNING_DAYS = 60;

export function InventoryPage() {
  const t = useT();
  const tab = useTab(TABS);
  return (
    <Page title={t('inventory.title')} testId="inventory-page">
      <TabLinks base="/inventory" current={tab} label={t('inventory.title')} testId="inventory-tabs"
        tabs={[{ value: 'lots', label: t('inventory.lots') }, { value: 'products', label: t('inventory.products') }]} />
      {tab === 'lots' ? <Lots /> : <Products />}
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
  const day = useClinicFormat();
  const [within, setWithin] = useState<string>(String(EXPIRY_WARNING_DAYS));
  const lots = usePaged<Lot>('/api/lots', { expiring_within_days: within || undefined });
  const today = day.today();
  return (
    <>
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
              </tr>
            </thead>
            <tbody>
              {lots.items.map((l) => {
                const e = expiryState(l.expiry_date, today, l.days_to_expiry);
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
                    <td className="num">{day.number(num(l.quantity_on_hand))}{l.unit ? ` ${l.unit}` : ''}</td>
                    <td>
                      {e.state === 'expired' && <span className="badge failure">{t('inventory.expired')}</span>}
                      {e.state === 'soon' && <span className="badge pending">{t('inventory.expiring_soon')}</span>}
                      {l.status !== 'active' && <span className="badge">{t(`lot.status.${lotStatus(l.status)}`)}</span>}
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

const lotStatus = (s: string) => (['active', 'quarantined', 'recalled', 'disposed'] as const).find((x) => x === s) ?? 'active';

function Products() {
  const t = useT();
  const day = useClinicFormat();
  const [q, setQ] = useState('');
  const products = usePaged<Product>('/api/products', { q: q || undefined });
  return (
    <>
      <Form action={async (data) => setQ(text(data, 'q'))} className="filters">
        <TextField label={t('inventory.search_products')} name="q" type="search" testId="products-q" />
        <SubmitButton variant="secondary">{t('common.search')}</SubmitButton>
      </Form>
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
              </tr>
            </thead>
            <tbody>
              {products.items.map((p) => {
                const low = p.low_stock ?? (p.reorder_level !== null && p.reorder_level !== undefined && p.quantity_on_hand !== undefined && num(p.quantity_on_hand) <= num(p.reorder_level));
                return (
                  <tr key={p.id} data-testid="product-row" data-code={p.code}>
                    <td><strong>{p.name}</strong>{p.is_active === false && <span className="badge">{t('patients.inactive')}</span>}</td>
                    <td className="mono">{p.code}</td>
                    <td>{p.product_type}</td>
                    <td>{p.supplier ?? '—'}</td>
                    <td className="num">
                      {p.quantity_on_hand !== undefined && p.quantity_on_hand !== null ? `${day.number(num(p.quantity_on_hand))} ${p.unit}` : p.unit}
                      {low && <div><span className="badge pending">{t('inventory.reorder')}</span></div>}
                    </td>
                    <td className="nowrap">{p.next_expiry_date ? <ExpiryText date={p.next_expiry_date} /> : '—'}</td>
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

function ExpiryText({ date }: { date: string }) {
  const day = useClinicFormat();
  const e = expiryState(date, day.today());
  return <span className={e.state === 'ok' ? undefined : `expiry-${e.state}`}>{day.day(date)}</span>;
}
