import type { MessageKey, Translate } from '../../i18n/i18n.js';
import { areaLabel, FACE_AREAS, NAMED_AREAS } from './FaceMap.js';

/** The PMU procedure types of seed 001, as stored (the API keeps these English values). */
export const PMU_PROCEDURES = ['Microblading', 'Powder Brows', 'Combination Brows', 'Eyeliner', 'Lip Color/Contour', 'Beauty Marks', 'Scalp Micropigmentation'] as const;

const PROCEDURE_LABELS: Record<(typeof PMU_PROCEDURES)[number], MessageKey> = {
  'Microblading': 'pmu.procedure.microblading',
  'Powder Brows': 'pmu.procedure.powder_brows',
  'Combination Brows': 'pmu.procedure.combination_brows',
  'Eyeliner': 'pmu.procedure.eyeliner',
  'Lip Color/Contour': 'pmu.procedure.lip',
  'Beauty Marks': 'pmu.procedure.beauty_marks',
  'Scalp Micropigmentation': 'pmu.procedure.scalp',
};

/** A PMU procedure type in the UI language; a type entered elsewhere shows as it was stored. */
export function pmuProcedureLabel(t: Translate, value: string): string {
  const key = PROCEDURE_LABELS[value as keyof typeof PROCEDURE_LABELS];
  return key ? t(key) : value;
}

const FIELD_LABELS: Record<string, MessageKey> = {
  procedure_type: 'pmu.procedure_type', area_treated: 'pmu.area_treated', duration_min: 'pmu.duration', voltage: 'pmu.voltage',
  needle_configuration: 'pmu.needle', depth: 'pmu.depth', pigment_brand: 'pmu.pigment_brand', pigment_color: 'pmu.pigment_color', lot_number: 'pmu.lot',
};

const FIELD_ORDER = Object.keys(FIELD_LABELS);
const AREA_KEYS = new Set<string>([...FACE_AREAS.map((a) => a.key), ...NAMED_AREAS]);

/** An area written as face-map keys ("left_brow, right_brow") in words; other text as written. */
function areaText(t: Translate, value: string): string {
  const parts = value.split(/\s*,\s*/);
  return parts.every((p) => AREA_KEYS.has(p)) ? parts.map((p) => areaLabel(t, p)).join(', ') : value;
}

/**
 * A session's PMU specifics as one line in the UI language, in the order of the form
 * ("Procedure type: Powder brows · Area treated: Left brow, Right brow · …").
 */
export function pmuSummary(t: Translate, pmu: Record<string, unknown>): string {
  const rank = (k: string) => (FIELD_ORDER.includes(k) ? FIELD_ORDER.indexOf(k) : FIELD_ORDER.length);
  return Object.entries(pmu).filter(([, v]) => v !== null && v !== undefined && v !== '').sort(([a], [b]) => rank(a) - rank(b)).map(([k, v]) => {
    const label = FIELD_LABELS[k] ? t(FIELD_LABELS[k]) : k.replace(/_/g, ' ');
    const text = k === 'procedure_type' ? pmuProcedureLabel(t, String(v)) : k === 'area_treated' ? areaText(t, String(v)) : String(v);
    return `${label}: ${text}`;
  }).join(' · ');
}
