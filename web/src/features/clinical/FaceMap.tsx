/**
 * The face map: a front view of a face drawn in SVG where a click places an injection point.
 * Points are stored as {x, y} in 0..1 of the drawing (x from the viewer's left), with units and
 * the named area nearest to the click (seen from the front, the patient's right is on the left).
 */
import type { MouseEvent } from 'react';
import { useT, type Translate } from '../../i18n/i18n.js';
import type { FacePoint } from './types.js';

const W = 200;
const H = 260;

type Zone = 'forehead' | 'glabella' | 'temple' | 'brow' | 'crows_feet' | 'under_eye' | 'nose' | 'cheek' | 'lips' | 'masseter' | 'jawline' | 'chin';

/** Named areas and their centres; a click takes the nearest one. */
export const FACE_AREAS: { key: string; zone: Zone; side?: 'left' | 'right'; x: number; y: number }[] = [
  { key: 'forehead', zone: 'forehead', x: 0.5, y: 0.2 },
  { key: 'glabella', zone: 'glabella', x: 0.5, y: 0.33 },
  { key: 'right_temple', zone: 'temple', side: 'right', x: 0.15, y: 0.3 },
  { key: 'left_temple', zone: 'temple', side: 'left', x: 0.85, y: 0.3 },
  { key: 'right_brow', zone: 'brow', side: 'right', x: 0.34, y: 0.32 },
  { key: 'left_brow', zone: 'brow', side: 'left', x: 0.66, y: 0.32 },
  { key: 'right_crows_feet', zone: 'crows_feet', side: 'right', x: 0.17, y: 0.41 },
  { key: 'left_crows_feet', zone: 'crows_feet', side: 'left', x: 0.83, y: 0.41 },
  { key: 'right_under_eye', zone: 'under_eye', side: 'right', x: 0.35, y: 0.46 },
  { key: 'left_under_eye', zone: 'under_eye', side: 'left', x: 0.65, y: 0.46 },
  { key: 'nose', zone: 'nose', x: 0.5, y: 0.5 },
  { key: 'right_cheek', zone: 'cheek', side: 'right', x: 0.28, y: 0.57 },
  { key: 'left_cheek', zone: 'cheek', side: 'left', x: 0.72, y: 0.57 },
  { key: 'lips', zone: 'lips', x: 0.5, y: 0.72 },
  { key: 'right_masseter', zone: 'masseter', side: 'right', x: 0.2, y: 0.7 },
  { key: 'left_masseter', zone: 'masseter', side: 'left', x: 0.8, y: 0.7 },
  { key: 'right_jawline', zone: 'jawline', side: 'right', x: 0.3, y: 0.85 },
  { key: 'left_jawline', zone: 'jawline', side: 'left', x: 0.7, y: 0.85 },
  { key: 'chin', zone: 'chin', x: 0.5, y: 0.89 },
];

/** The named area nearest to a point of the drawing. */
export function areaAt(x: number, y: number): string {
  let best = FACE_AREAS[0]!;
  let bestD = Infinity;
  for (const a of FACE_AREAS) {
    // The drawing is taller than wide: compare distances in drawing units.
    const d = ((a.x - x) * W) ** 2 + ((a.y - y) * H) ** 2;
    if (d < bestD) { best = a; bestD = d; }
  }
  return best.key;
}

/** "Left masseter", "左側咬肌": the area's name in the UI language; unknown keys are shown as given. */
/** Whole-zone areas of device and laser treatments, named in the UI language. */
export const NAMED_AREAS = ['full_face', 'submental', 'eyes', 'neck', 'decolletage', 'hands', 'scalp', 'body'] as const;

export function areaLabel(t: Translate, key: string): string {
  const a = FACE_AREAS.find((f) => f.key === key);
  if (!a) {
    // Named areas that are not points of the map (a HIFU or RF treatment's zones).
    const named = (NAMED_AREAS as readonly string[]).includes(key) ? t(`area.${key as (typeof NAMED_AREAS)[number]}`) : key.replace(/_/g, ' ');
    return named.charAt(0).toLocaleUpperCase(document.documentElement.lang || undefined) + named.slice(1);
  }
  const zone = t(`facemap.zone.${a.zone}`);
  const label = a.side ? t('facemap.sided', { side: t(a.side === 'left' ? 'facemap.left' : 'facemap.right'), area: zone }) : zone;
  return label.charAt(0).toLocaleUpperCase(document.documentElement.lang || undefined) + label.slice(1);
}

export function FaceMap({ points, onAdd, onSelect, selected, unit, compact = false, testId = 'face-map' }: {
  points: FacePoint[];
  /** Omitted: the map only shows the points. */
  onAdd?: (p: { x: number; y: number; area: string }) => void;
  onSelect?: (index: number) => void;
  selected?: number | null;
  unit?: string;
  compact?: boolean;
  testId?: string;
}) {
  const t = useT();
  function click(e: MouseEvent<SVGSVGElement>) {
    if (!onAdd) return;
    const svg = e.currentTarget;
    const ctm = svg.getScreenCTM();
    if (!ctm) return;
    const pt = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
    const x = Math.min(1, Math.max(0, pt.x / W));
    const y = Math.min(1, Math.max(0, pt.y / H));
    onAdd({ x: round(x), y: round(y), area: areaAt(x, y) });
  }
  const total = points.reduce((s, p) => s + (Number.isFinite(p.units) ? p.units : 0), 0);
  const summary = t('facemap.summary', { count: points.length, total: `${round(total)} ${unit ?? ''}`.trim() });
  return (
    <figure className={`face-map${compact ? ' compact' : ''}${onAdd ? ' interactive' : ''}`} data-testid={testId}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={onAdd ? `${t('facemap.label')}. ${summary}` : summary} onClick={click}
        data-testid={`${testId}-svg`}>
        <title>{onAdd ? t('facemap.label') : summary}</title>
        <g className="face-outline" aria-hidden="true">
          <path d="M100 14 C150 14 176 52 176 106 C176 150 166 186 146 212 C132 232 116 246 100 246 C84 246 68 232 54 212 C34 186 24 150 24 106 C24 52 50 14 100 14 Z" className="skin" />
          <path d="M25 100 C12 98 10 128 23 140" />
          <path d="M175 100 C188 98 190 128 177 140" />
          <path d="M38 70 C62 40 138 40 162 70" className="faint" />
          <path d="M52 90 C62 82 78 82 88 88" />
          <path d="M112 88 C122 82 138 82 148 90" />
          <ellipse cx="70" cy="104" rx="13" ry="6" />
          <ellipse cx="130" cy="104" rx="13" ry="6" />
          <circle cx="70" cy="104" r="3" className="pupil" />
          <circle cx="130" cy="104" r="3" className="pupil" />
          <path d="M98 106 C96 124 90 140 91 149 C95 155 105 155 109 149" />
          <path d="M78 186 C90 177 110 177 122 186 C110 197 90 197 78 186 Z" className="lip" />
          <path d="M78 186 C92 189 108 189 122 186" />
          <line x1="100" y1="18" x2="100" y2="244" className="midline" />
          <text x="8" y="254" className="side-mark">{t('facemap.r')}</text>
          <text x="192" y="254" className="side-mark" textAnchor="end">{t('facemap.l')}</text>
        </g>
        {points.map((p, i) => (
          <g key={i} className={`point${selected === i ? ' selected' : ''}`} transform={`translate(${p.x * W} ${p.y * H})`}
            onClick={(e) => { e.stopPropagation(); onSelect?.(i); }} data-testid="face-point">
            <circle r={compact ? 11 : 7} />
            <text y={compact ? 4.5 : 3} textAnchor="middle">{i + 1}</text>
            {!compact && Number.isFinite(p.units) && p.units > 0 && <text className="units" x={10} y={-8}>{round(p.units)}</text>}
          </g>
        ))}
      </svg>
      {!compact && <figcaption className="hint">{onAdd ? t('facemap.hint') : summary}</figcaption>}
    </figure>
  );
}

const round = (n: number) => Math.round(n * 1000) / 1000;
