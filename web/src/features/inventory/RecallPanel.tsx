/**
 * A lot's recall view, opened from its row on the inventory page: every patient who received the
 * lot with each session, its date on the organization's calendar, the amount used and who
 * performed it (GET /api/lots/:id/recall), a CSV of that list made in the browser, and the lot's
 * stock movements (GET /api/lots/:id/movements). The list names patients, so it needs
 * patient.read besides inventory.read; without it only the movements show.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Link } from '../../lib/router.js';
import { useApi } from '../../lib/useApi.js';
import { usePaged } from '../../lib/usePaged.js';
import { useT, type Translate } from '../../i18n/i18n.js';
import { useCan, useFormat } from '../../session/session.js';
import { saveBlob } from '../../lib/save.js';
import { EmptyState, ErrorAlert, Loading, Notice } from '../../ui/feedback.js';
import { LoadMore } from '../admin/LoadMore.js';
import { useClinicFormat } from '../clinical/shared.js';
import { num, type Lot } from '../clinical/types.js';
import { FormHeading, useOrgLocale } from '../catalog/editing.js';

/** GET /api/lots/:id/recall (inventory.routes.ts RecallDto). */
export interface RecallSession {
  session_id: string; usage_id: string | null; performed_at: string; performed_on: string; treatment_code: string; treatment_name: string;
  practitioner_name: string | null; amount_used: number | null; unit: string | null; source: 'usage' | 'pmu_record'; session_deleted: boolean;
}
export interface RecallPatient {
  patient_id: string; patient_code: string; full_name: string; phone: string | null; email: string | null; total_used: number; sessions: RecallSession[];
}
export interface Recall { lot: Lot; patient_count: number; total_used: number; patients: RecallPatient[] }

interface Movement {
  movement_id: string; kind: string; quantity: number; usage_id: string | null; session_id: string | null; patient_id: string | null;
  reason: string | null; created_at: string;
}
const MOVEMENT_KINDS = ['receive', 'use', 'adjust', 'waste', 'return'] as const;
const LOT_STATUSES = ['active', 'quarantined', 'recalled', 'disposed'] as const;
type SessionRef = { patientId: string; label: string };

/** Text a spreadsheet would read as a formula (= + - @, tab, CR) gets a leading apostrophe; then RFC 4180 quoting. */
function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The recall list as CSV, one line per session (headers in the UI language); a BOM so spreadsheet apps read it as UTF-8. */
export function recallCsv(recall: Recall, t: Translate): string {
  const header = ['name', 'code', 'phone', 'email', 'session_date', 'treatment', 'practitioner', 'amount', 'unit'] as const;
  const lines = [header.map((h) => csvField(t(`recall.csv.${h}`)))];
  for (const p of recall.patients) {
    for (const s of p.sessions) {
      lines.push([p.full_name, p.patient_code, p.phone, p.email, s.performed_on, `${s.treatment_name} (${s.treatment_code})`, s.practitioner_name,
        s.amount_used, s.unit].map(csvField));
    }
  }
  return `\uFEFF${lines.map((l) => l.join(',')).join('\r\n')}\r\n`;
}

const download = (name: string, body: string) => saveBlob(new Blob([body], { type: 'text/csv;charset=utf-8' }), name);

export function RecallPanel({ lot, onClose }: { lot: Lot; onClose: () => void }) {
  const t = useT();
  const can = useCan();
  const day = useClinicFormat();
  const mayRecall = can('patient.read');
  const recall = useApi<Recall>(mayRecall ? `/api/lots/${lot.id}/recall` : null);
  const heading = useRef<HTMLDivElement>(null);
  useEffect(() => { heading.current?.focus(); }, []);
  // A session named by a movement links to it when the recall list says whose it is.
  const sessions = useMemo(() => new Map((recall.data?.patients ?? []).flatMap((p) => p.sessions.map((s) => [s.session_id, {
    patientId: p.patient_id, label: `${p.full_name} · ${day.day(s.performed_on)}`,
  }] as const))), [recall.data, day]);
  const onKeyDown = (e: KeyboardEvent) => { if (e.key === 'Escape') { e.stopPropagation(); onClose(); } };
  const unit = lot.unit ?? '';
  const titleId = `recall-${lot.id}`;
  return (
    <section className="recall-panel" aria-labelledby={titleId} onKeyDown={onKeyDown} data-testid="recall-panel" data-lot={lot.lot_number}>
      <div className="toolbar" style={{ justifyContent: 'space-between', alignItems: 'flex-start' }}>
        <div ref={heading} tabIndex={-1}>
          <FormHeading id={titleId} title={t('recall.title', { lot: lot.lot_number, product: lot.product_name ?? lot.drug_id ?? '' })} />
          <p className="hint">
            {t('recall.facts', { date: day.day(lot.expiry_date), received: day.number(num(lot.quantity_received)), qty: day.number(num(lot.quantity_on_hand)), unit })}
            {lot.status !== 'active' && <> · {t(`lot.status.${LOT_STATUSES.find((x) => x === lot.status) ?? 'active'}`)}</>}
          </p>
        </div>
        <button type="button" className="btn secondary small" onClick={onClose} data-testid="recall-close">{t('recall.close')}</button>
      </div>

      <h4 style={{ margin: '0 0 var(--space-1)' }}>{t('recall.heading')}</h4>
      <p className="hint" style={{ marginBottom: 'var(--space-3)' }}>{t('recall.intro')}</p>
      {!mayRecall ? <Notice tone="warning" testId="recall-no-access">{t('recall.no_access')}</Notice>
        : recall.error ? <ErrorAlert error={recall.error} />
        : !recall.data ? <Loading />
        : <RecallList recall={recall.data} unit={unit} />}

      <Movements lotId={lot.id} sessions={sessions} />
    </section>
  );
}

function RecallList({ recall, unit }: { recall: Recall; unit: string }) {
  const t = useT();
  const can = useCan();
  const day = useClinicFormat();
  const locale = useOrgLocale();
  const [csvError, setCsvError] = useState<string | null>(null);
  const time = useMemo(() => new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone: day.timezone }), [locale, day.timezone]);
  const sessionCount = recall.patients.reduce((n, p) => n + p.sessions.length, 0);
  const linkSessions = can('session.read');
  const save = () => {
    try {
      const safeLot = recall.lot.lot_number.replace(/[^A-Za-z0-9_.-]+/g, '_');
      download(`recall-${safeLot}-${day.today()}.csv`, recallCsv(recall, t));
      setCsvError(null);
    } catch {
      setCsvError(t('error.generic'));
    }
  };
  const amount = (s: RecallSession) => (s.amount_used === null ? <span className="muted">{t('recall.amount_unknown')}</span> : `${day.number(s.amount_used)} ${s.unit ?? unit}`);
  return (
    <>
      <div className="stat-row" data-testid="recall-counts">
        <div className="stat"><span className="stat-value" data-testid="recall-patient-count">{day.number(recall.patient_count)}</span><span className="stat-label">{t('recall.patients')}</span></div>
        <div className="stat"><span className="stat-value" data-testid="recall-session-count">{day.number(sessionCount)}</span><span className="stat-label">{t('recall.sessions')}</span></div>
        <div className="stat"><span className="stat-value" data-testid="recall-total-used">{day.number(recall.total_used)} {unit}</span><span className="stat-label">{t('recall.total_used')}</span></div>
      </div>
      {recall.patients.length === 0 ? <EmptyState title={t('recall.empty')} testId="recall-empty" /> : (
        <>
          <div className="toolbar" style={{ justifyContent: 'flex-start' }}>
            <button type="button" className="btn secondary" onClick={save} aria-label={t('recall.download_named', { lot: recall.lot.lot_number })}
              aria-describedby="recall-csv-hint" data-testid="recall-csv">{t('recall.download')}</button>
            <span id="recall-csv-hint" className="hint">{t('recall.csv_hint')}</span>
            {csvError && <span className="field-error" role="alert">{csvError}</span>}
          </div>
          <div className="table-wrap">
            <table data-testid="recall-table">
              <thead>
                <tr>
                  <th scope="col">{t('recall.col.patient')}</th>
                  <th scope="col">{t('recall.col.session')}</th>
                  <th scope="col">{t('recall.col.performed')}</th>
                  <th scope="col" className="num">{t('recall.col.amount')}</th>
                  <th scope="col">{t('recall.col.practitioner')}</th>
                </tr>
              </thead>
              {recall.patients.map((p) => (
                <tbody key={p.patient_id} data-testid="recall-patient" data-patient={p.patient_id}>
                  {p.sessions.map((s, i) => (
                    <tr key={`${s.session_id}:${s.usage_id ?? s.source}`} data-testid="recall-session" data-session={s.session_id}>
                      {i === 0 && (
                        <th scope="rowgroup" rowSpan={p.sessions.length} style={{ verticalAlign: 'top', textAlign: 'left', fontWeight: 'normal' }}>
                          <Link to={`/patients/${p.patient_id}`} data-testid="recall-patient-link"><strong>{p.full_name}</strong></Link>
                          <div className="muted small mono">{p.patient_code}</div>
                          {p.phone && <div className="small" data-testid="recall-phone">{t('recall.col.phone')}: <a href={`tel:${p.phone.replace(/[^\d+]/g, '')}`}>{p.phone}</a></div>}
                        </th>
                      )}
                      <td>
                        {linkSessions
                          ? <Link to={`/patients/${p.patient_id}/sessions/${s.session_id}`} data-testid="recall-session-link">{s.treatment_name}</Link>
                          : s.treatment_name}
                        <div className="muted small mono">{s.treatment_code}</div>
                        {s.session_deleted && <span className="badge failure">{t('recall.session_deleted')}</span>}
                        {s.source === 'pmu_record' && <div className="hint">{t('recall.from_pmu_record')}</div>}
                      </td>
                      <td className="nowrap" data-testid="recall-performed">
                        {day.day(s.performed_on)}
                        <div className="muted small">{time.format(new Date(s.performed_at))}</div>
                      </td>
                      <td className="num" data-testid="recall-amount">{amount(s)}</td>
                      <td>{s.practitioner_name ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              ))}
            </table>
          </div>
        </>
      )}
    </>
  );
}

function Movements({ lotId, sessions }: { lotId: string; sessions: Map<string, SessionRef> }) {
  const t = useT();
  const can = useCan();
  const day = useClinicFormat();
  const fmt = useFormat();
  const movements = usePaged<Movement>(`/api/lots/${lotId}/movements`, {}, 20);
  const linkSessions = can('session.read');
  return (
    <section className="movements" aria-labelledby={`mv-all-${lotId}`}>
      <h4 id={`mv-all-${lotId}`}>{t('recall.movements')}</h4>
      {movements.error && <ErrorAlert error={movements.error} />}
      {movements.items.length > 0 ? (
        <table data-testid="recall-movements">
          <thead>
            <tr>
              <th scope="col">{t('lot.form.when')}</th>
              <th scope="col">{t('lot.form.kind')}</th>
              <th scope="col" className="num">{t('lot.form.quantity')}</th>
              <th scope="col">{t('recall.col.by_session')}</th>
              <th scope="col">{t('lot.form.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {movements.items.map((m) => {
              const session = m.session_id ? sessions.get(m.session_id) : undefined;
              return (
                <tr key={m.movement_id} data-testid="recall-movement" data-kind={m.kind}>
                  <td className="nowrap small">{fmt.dateTime(m.created_at)}</td>
                  <td>{t(`lot.movement.${MOVEMENT_KINDS.find((k) => k === m.kind) ?? 'adjust'}`)}</td>
                  <td className={`num ${m.quantity < 0 ? 'qty-neg' : 'qty-pos'}`}>{m.quantity > 0 ? '+' : ''}{day.number(m.quantity)}</td>
                  <td className="small">
                    {session && linkSessions
                      ? <Link to={`/patients/${session.patientId}/sessions/${m.session_id}`} data-testid="movement-session-link">{session.label}</Link>
                      : session?.label ?? (m.session_id && m.patient_id && linkSessions
                        // Without patient.read the patient is not named, but the session opens for who may read sessions.
                        ? <Link to={`/patients/${m.patient_id}/sessions/${m.session_id}`} data-testid="movement-session-link">{t('recall.open_session')}</Link>
                        : '—')}
                  </td>
                  <td className="small">{m.reason ?? '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : movements.loading ? <Loading /> : !movements.error && <p className="hint" data-testid="recall-movements-empty">{t('recall.movements_empty')}</p>}
      <LoadMore list={movements} />
    </section>
  );
}
