/**
 * The treatment area editor of the session form and of an amendment: the face map, the points
 * with their units and the running check that they add up to the dosage. The parent owns the
 * points (it sends them) and the sum (it blocks saving while they do not match).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useT } from '../../i18n/i18n.js';
import { SelectField } from '../../ui/forms.js';
import { areaLabel, FACE_AREAS, FaceMap } from './FaceMap.js';
import { useClinicFormat } from './shared.js';
import type { FacePoint } from './types.js';

/** Whether the points match the dosage, and what to tell the user when they do not. */
export function mapCheck(points: FacePoint[], dosage: number | null): { ok: boolean; total: number; problem: 'no_dosage' | 'empty_units' | 'mismatch' | null } {
  const total = Math.round(points.reduce((s, p) => s + (Number.isFinite(p.units) ? p.units : 0), 0) * 100) / 100;
  if (points.length === 0) return { ok: true, total, problem: null };
  if (dosage === null || !(dosage > 0)) return { ok: false, total, problem: 'no_dosage' };
  if (points.some((p) => !(p.units > 0))) return { ok: false, total, problem: 'empty_units' };
  if (Math.abs(total - dosage) > 1e-9) return { ok: false, total, problem: 'mismatch' };
  return { ok: true, total, problem: null };
}

export interface MapSum { ok: boolean; total: number; message: string }

/** The check of the points against the dosage, as the sentence shown under the points. */
export function useMapSum(points: FacePoint[], dosage: number | null, unit: string, required: boolean): MapSum {
  const t = useT();
  const day = useClinicFormat();
  const check = mapCheck(points, dosage);
  const missing = required && points.length === 0;
  const message = useMemo(() => {
    const u = unit ? ` ${unit}` : '';
    switch (check.problem) {
      case 'no_dosage': return t('session.map_no_dosage');
      case 'empty_units': return t('session.map_empty_units');
      case 'mismatch': {
        const diff = Math.round(((dosage ?? 0) - check.total) * 100) / 100;
        return t(diff > 0 ? 'session.map_short' : 'session.map_over', {
          total: `${day.number(check.total)}${u}`, dosage: `${day.number(dosage ?? 0)}${u}`, diff: `${day.number(Math.abs(diff))}${u}`,
        });
      }
      default: return points.length
        ? t('session.map_ok', { total: `${day.number(check.total)}${u}` })
        : t(required ? 'session.map_required' : 'session.map_optional');
    }
  }, [check.problem, check.total, dosage, unit, points.length, required, t, day]);
  return { ok: check.ok && !missing, total: check.total, message };
}

/**
 * A stored treatment_area as points: face-map points as they are; named areas ({"left_masseter": 20})
 * at the centre of the area of that name (or of the face when the name is not on the map).
 * Null when the area has parts without units (a HIFU zone): those are not edited on the map.
 */
export function pointsOf(area: unknown): FacePoint[] | null {
  if (!area) return [];
  if (Array.isArray(area)) {
    const pts = area as { x: number; y: number; units?: number; area?: string }[];
    if (pts.some((p) => typeof p.units !== 'number')) return null;
    return pts.map((p) => ({ x: p.x, y: p.y, units: p.units!, area: p.area ?? '' }));
  }
  if (typeof area !== 'object') return null;
  const entries = Object.entries(area as Record<string, number | null>);
  if (entries.some(([, u]) => typeof u !== 'number')) return null;
  return entries.map(([name, units]) => {
    const at = FACE_AREAS.find((a) => a.key === name);
    return { x: at?.x ?? 0.5, y: at?.y ?? 0.5, units: units as number, area: name };
  });
}

/** Points back in the shape the area was stored in: named areas stay named (units of one area summed). */
export function areaOf(points: FacePoint[], namedAreas: boolean): FacePoint[] | Record<string, number> {
  if (!namedAreas) return points.map((p) => ({ x: p.x, y: p.y, units: p.units, area: p.area }));
  const named: Record<string, number> = {};
  for (const p of points) named[p.area] = Math.round(((named[p.area] ?? 0) + p.units) * 100) / 100;
  return named;
}

export function AreaEditor({ points, onChange, dosage, unit, sum }: {
  points: FacePoint[]; onChange: (points: FacePoint[]) => void; dosage: number | null; unit: string; sum: MapSum;
}) {
  const t = useT();
  const [selected, setSelected] = useState<number | null>(null);
  const [addArea, setAddArea] = useState(FACE_AREAS[0]!.key);
  const unitInputs = useRef<(HTMLInputElement | null)[]>([]);
  useEffect(() => { if (selected !== null) unitInputs.current[selected]?.focus(); }, [selected]);

  const addPoint = (p: { x: number; y: number; area: string }) => {
    // A new point takes what is left of the dosage, so the common case needs no typing.
    const remaining = dosage !== null ? Math.max(0, Math.round((dosage - sum.total) * 100) / 100) : 0;
    onChange([...points, { ...p, units: remaining }]);
    setSelected(points.length);
  };
  const update = (i: number, patch: Partial<FacePoint>) => onChange(points.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  const remove = (i: number) => { onChange(points.filter((_, j) => j !== i)); setSelected(null); };

  return (
    <div className="map-layout">
      <FaceMap points={points} onAdd={addPoint} onSelect={setSelected} selected={selected} unit={unit} />
      <div className="map-points">
        <div className="inline-form">
          <SelectField label={t('session.add_at')} name="_add_area" value={addArea} onChange={(e) => setAddArea(e.target.value)} testId="session-add-area">
            {FACE_AREAS.map((a) => <option key={a.key} value={a.key}>{areaLabel(t, a.key)}</option>)}
          </SelectField>
          <button type="button" className="btn secondary" data-testid="session-add-point"
            onClick={() => { const a = FACE_AREAS.find((f) => f.key === addArea)!; addPoint({ x: a.x, y: a.y, area: a.key }); }}>
            {t('session.add_point')}
          </button>
        </div>
        {points.length > 0 && (
          <table className="points-table" data-testid="points-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('session.area')}</th>
                <th scope="col">{t('session.units', { unit: unit || '—' })}</th>
                <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {points.map((p, i) => (
                <tr key={i} className={selected === i ? 'selected' : undefined} data-testid="point-row">
                  <td>{i + 1}</td>
                  <td>
                    <select aria-label={t('session.area_of', { n: i + 1 })} value={p.area} onChange={(e) => update(i, { area: e.target.value })}
                      data-testid="point-area">
                      {!FACE_AREAS.some((a) => a.key === p.area) && <option value={p.area}>{p.area}</option>}
                      {FACE_AREAS.map((a) => <option key={a.key} value={a.key}>{areaLabel(t, a.key)}</option>)}
                    </select>
                  </td>
                  <td>
                    <input ref={(el) => { unitInputs.current[i] = el; }} type="number" min="0" step="any" inputMode="decimal"
                      aria-label={t('session.units_of', { n: i + 1 })} value={Number.isFinite(p.units) ? String(p.units) : ''}
                      onChange={(e) => update(i, { units: e.target.value === '' ? NaN : Number(e.target.value) })}
                      onFocus={() => setSelected(i)} data-testid="point-units" className="units-input" />
                  </td>
                  <td className="row-actions">
                    <button type="button" className="btn small secondary" onClick={() => remove(i)} data-testid="point-remove"
                      aria-label={t('session.remove_point', { n: i + 1 })}>×</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className={`map-sum ${sum.ok ? 'ok' : 'bad'}`} role="status" aria-live="polite"
          data-testid="map-sum" data-state={sum.ok ? 'match' : 'mismatch'}>
          {sum.message}
        </p>
      </div>
    </div>
  );
}
