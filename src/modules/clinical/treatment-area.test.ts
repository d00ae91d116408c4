import { describe, expect, it } from 'vitest';
import { checkAreaUnits, TreatmentArea } from './treatment-area.js';

describe('treatment area units', () => {
  it("accepts seed 000's named areas that add up to the dosage", () => {
    expect(checkAreaUnits({ left_masseter: 20, right_masseter: 20 }, 40, 'U')).toEqual({ ok: true, dosage: 40 });
  });

  it('refuses named areas that do not add up and says the sum', () => {
    const r = checkAreaUnits({ left_masseter: 20, right_masseter: 15 }, 40, 'U');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.detail).toContain('add up to 35 U');
      expect(r.errors[0]!.pointer).toBe('/treatment_area');
    }
  });

  it('adds face-map points without floating-point drift', () => {
    const pts = [0.1, 0.2, 0.3].map((units, i) => ({ x: 0.1 * i, y: 0.5, units }));
    expect(checkAreaUnits(pts, 0.6, 'cc')).toEqual({ ok: true, dosage: 0.6 });
    expect(checkAreaUnits(pts, 0.7, 'cc').ok).toBe(false);
  });

  it('takes the sum as the dosage when none is given, and ignores areas without units', () => {
    expect(checkAreaUnits([{ x: 0.2, y: 0.3, units: 4 }, { x: 0.8, y: 0.3, units: 4 }], undefined, 'U')).toEqual({ ok: true, dosage: 8 });
    expect(checkAreaUnits({ full_face: null, neck: null }, 1000, 'lines')).toEqual({ ok: true, dosage: 1000 });
  });

  it('refuses a mix of parts with and without units', () => {
    expect(checkAreaUnits({ forehead: 10, glabella: null }, 10, 'U').ok).toBe(false);
  });

  it('refuses points outside the face map', () => {
    expect(TreatmentArea.safeParse([{ x: 1.2, y: 0.5, units: 2 }]).success).toBe(false);
    expect(TreatmentArea.safeParse([{ x: 0.5, y: 0.5, units: 2, area: 'glabella' }]).success).toBe(true);
  });
});
