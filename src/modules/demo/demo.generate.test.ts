import { describe, expect, it } from 'vitest';
import { addDays } from './calendar.js';
import { generateDemo } from './demo.generate.js';
import { clinicPlan, studioPlan } from './demo.plans.js';

const who = (today: string) => ({ orgId: '0190a000-0000-7000-8000-000000000001', today, ownerId: '0190a000-0000-7000-8000-000000000002', userIdsByEmail: new Map<string, string>() });
/** Content without the generated ids. */
const shape = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k, v]) => !/(^|_)id$/.test(k) && !(v instanceof Date))));

describe('generateDemo', () => {
  it('is deterministic: the same day gives the same clinic', () => {
    const a = generateDemo(clinicPlan(who('2026-11-26')));
    const b = generateDemo(clinicPlan(who('2026-11-26')));
    expect(shape(a.patients)).toEqual(shape(b.patients));
    expect(shape(a.sessions)).toEqual(shape(b.sessions));
    expect(shape(a.followups)).toEqual(shape(b.followups));
  });

  it('moves with the day of the first start', () => {
    for (const today of ['2026-01-01', '2026-07-15', '2027-03-01']) {
      const ds = generateDemo(clinicPlan(who(today)));
      const sessionDays = ds.sessions.map((s) => (s.performed_at as Date).toISOString().slice(0, 10));
      expect(sessionDays.every((d) => d >= addDays(today, -367) && d <= today)).toBe(true);
      const lots = ds.lots.filter((l) => Number(l.quantity_on_hand) > 0 && String(l.expiry_date) < today);
      expect(lots.map((l) => l.lot_number)).toEqual(['C6458C2']);
      expect(ds.followups.some((f) => f.status === 'planned' && String(f.scheduled_date) > today)).toBe(true);
      expect(ds.followups.some((f) => f.status === 'done' && String(f.scheduled_date) < today)).toBe(true);
    }
  });

  it('never gives a patient a treatment their history rules out', () => {
    const ds = generateDemo(clinicPlan(who('2026-11-26')));
    const lidocaine = new Set(ds.patients.filter((p) => String(p.allergy_notes ?? '').includes('lidocaine')).map((p) => p.id));
    const withLidocaine = new Set(ds.treatments.filter((t) => (t.ingredients as string[]).includes('lidocaine')).map((t) => t.id));
    expect(lidocaine.size).toBeGreaterThan(0);
    expect(ds.sessions.filter((s) => lidocaine.has(s.patient_id) && withLidocaine.has(s.treatment_id))).toEqual([]);
  });

  it('keeps the studio smaller and PMU only', () => {
    const ds = generateDemo(studioPlan(who('2026-11-26')));
    expect(ds.patients).toHaveLength(60);
    expect(ds.sessions.length).toBeLessThan(200);
    expect(ds.treatments.every((t) => t.category === 'PMU')).toBe(true);
  });
});
