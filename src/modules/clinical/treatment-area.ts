import { z } from 'zod';
import type { FieldError } from '../../platform/http/problem.js';

const AreaName = z.string().trim().min(1).max(60).regex(/^[\p{L}\p{N}_ .\-]+$/u, 'Use letters, digits, spaces, _ . or -.');
const Units = z.number().min(0).max(100_000);

/** A point of the face map: x and y as fractions of the image (0..1), units injected there, optional area name. */
export const FacePoint = z.object({
  x: z.number().min(0).max(1),
  y: z.number().min(0).max(1),
  units: Units.optional(),
  area: AreaName.optional(),
  note: z.string().max(200).optional(),
}).strict();

/**
 * Seed 000's treatment_area: named areas with their units ({"left_masseter": 20, "right_masseter": 20};
 * null marks an area treated without units, e.g. a HIFU zone) or face-map points ([{x, y, units}]).
 */
export const TreatmentArea = z.union([
  z.record(AreaName, Units.nullable()).refine((r) => Object.keys(r).length >= 1 && Object.keys(r).length <= 100, 'Name 1 to 100 areas.'),
  z.array(FacePoint).min(1).max(500),
]);
export type TreatmentArea = z.infer<typeof TreatmentArea>;

const cents = (n: number) => Math.round(n * 100);
const fmt = (n: number) => String(cents(n) / 100);

/** The units of each part, or null for a part without units. */
function partUnits(area: TreatmentArea): (number | null)[] {
  return Array.isArray(area) ? area.map((p) => p.units ?? null) : Object.values(area);
}

/**
 * Checks that, where units apply, the parts add up to the dosage. Answers the dosage to store
 * (the sum when no dosage was given) or the field errors.
 */
export function checkAreaUnits(area: TreatmentArea | null | undefined, dosage: number | null | undefined, unit: string | null | undefined):
  { ok: true; dosage: number | null } | { ok: false; errors: FieldError[]; detail: string } {
  if (!area) return { ok: true, dosage: dosage ?? null };
  const units = partUnits(area);
  const withUnits = units.filter((u): u is number => u !== null);
  if (withUnits.length === 0) return { ok: true, dosage: dosage ?? null };
  const u = unit ? ` ${unit}` : '';
  if (withUnits.length !== units.length) {
    const missing = units.flatMap((v, i) => (v === null ? [i] : []));
    const keys = Array.isArray(area) ? missing.map(String) : missing.map((i) => Object.keys(area)[i]!);
    const detail = `Either every part of treatment_area carries units or none does; ${keys.length} part(s) have none (${keys.slice(0, 5).join(', ')}).`;
    return { ok: false, detail, errors: [{ pointer: '/treatment_area', message: detail }] };
  }
  const sum = withUnits.reduce((a, b) => a + b, 0);
  if (dosage === null || dosage === undefined) return { ok: true, dosage: cents(sum) / 100 };
  if (cents(sum) !== cents(dosage)) {
    const detail = `The parts of treatment_area add up to ${fmt(sum)}${u}, but dosage_value is ${fmt(dosage)}${u}; they must be equal.`;
    return { ok: false, detail, errors: [{ pointer: '/treatment_area', message: `parts add up to ${fmt(sum)}${u}, not ${fmt(dosage)}${u}` }] };
  }
  return { ok: true, dosage };
}
