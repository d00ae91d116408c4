import { describe, expect, it } from 'vitest';
import { screen } from '../records/index.js';
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
    expect(shape(a.intakes)).toEqual(shape(b.intakes));
    expect(shape(a.analyses)).toEqual(shape(b.analyses));
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

  it('passes every session through screening with the intakes on file at its time', () => {
    for (const plan of [clinicPlan(who('2026-11-26')), studioPlan(who('2026-11-26'))]) {
      const ds = generateDemo(plan);
      const treatment = new Map(ds.treatments.map((t) => [t.id, t as never as Parameters<typeof screen>[1]]));
      const intakesOf = new Map<unknown, typeof ds.intakes>();
      for (const i of ds.intakes) intakesOf.set(i.patient_id, [...(intakesOf.get(i.patient_id) ?? []), i]);
      const refused = ds.sessions.filter((s) => {
        // The flags in force: the latest intake of each kind completed before the session (intakes.service currentFlags).
        const latest = new Map<unknown, (typeof ds.intakes)[number]>();
        for (const i of intakesOf.get(s.patient_id) ?? []) {
          if ((i.completed_at as Date) > (s.performed_at as Date)) continue;
          const seen = latest.get(i.kind);
          if (!seen || (seen.completed_at as Date) < (i.completed_at as Date)) latest.set(i.kind, i);
        }
        const flags = latest.size ? [...new Set([...latest.values()].flatMap((i) => i.flags as string[]))].sort() : null;
        return screen(flags, treatment.get(s.treatment_id)!).some((a) => a.severity === 'critical');
      });
      expect(refused).toEqual([]);
      // Critical flags are on file, and some still are today: those patients have no session screening refuses since.
      const critical = ds.intakes.filter((i) => (i.flags as string[]).some((f) => f === 'pregnancy' || f === 'isotretinoin_6m'));
      expect(critical.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('gives most patients an intake that agrees with their chart, and laser and PMU patients skin analyses', () => {
    const ds = generateDemo(clinicPlan(who('2026-11-26')));
    const first = new Map<unknown, (typeof ds.intakes)[number]>();
    for (const i of ds.intakes) if (i.kind === 'intake' && !first.has(i.patient_id)) first.set(i.patient_id, i);
    expect(first.size).toBeGreaterThan(ds.patients.length * 0.85);
    for (const p of ds.patients) {
      const i = first.get(p.id);
      if (p.alert_level !== 'none') expect(i, String(p.code)).toBeDefined();
      if (!i) continue;
      // Answered at the first visit, after the chart was opened.
      expect((i.completed_at as Date) >= (p.created_at as Date)).toBe(true);
      expect((i.completed_at as Date).getTime() - (p.created_at as Date).getTime()).toBeLessThan(12 * 3600_000);
      const allergies = String(p.allergy_notes ?? '');
      expect((i.flags as string[]).includes('allergy:lidocaine'), String(p.code)).toBe(allergies.includes('lidocaine'));
      expect((i.flags as string[]).includes('neuromuscular_disorder')).toBe(String(p.medical_history ?? '').includes('myasthenia'));
    }
    const renewed = [...new Set(ds.intakes.filter((i) => i.kind === 'intake').map((i) => i.patient_id))]
      .filter((id) => ds.intakes.filter((i) => i.kind === 'intake' && i.patient_id === id).length > 1);
    expect(renewed.length).toBeGreaterThan(20);
    const code = new Map(ds.treatments.map((t) => [t.id, t.category]));
    const laserOrPmu = new Set(ds.sessions.filter((s) => ['Laser', 'PMU'].includes(code.get(s.treatment_id) as string)).map((s) => s.patient_id));
    const analysed = new Set(ds.analyses.map((a) => a.patient_id));
    expect([...analysed].every((id) => laserOrPmu.has(id))).toBe(true);
    expect(analysed.size).toBe(laserOrPmu.size);
    expect(ds.analyses.length).toBeGreaterThan(analysed.size * 2);
  });

  it('keeps the studio smaller and PMU only', () => {
    const ds = generateDemo(studioPlan(who('2026-11-26')));
    expect(ds.patients).toHaveLength(60);
    expect(ds.sessions.length).toBeLessThan(200);
    expect(ds.treatments.every((t) => t.category === 'PMU')).toBe(true);
  });
});
