/**
 * Screening before a session (pure): the flags of the patient's latest intakes against a
 * treatment's contraindications and ingredients.
 *
 * A flag raises an alert when
 * - the treatment lists it in `contraindications` (the clinic's own catalogue), or
 * - an ingredient or the category of the treatment implies it (IMPLIED_BY_INGREDIENT /
 *   IMPLIED_BY_CATEGORY below: a catalogue entry with only `ingredients: [botulinum_toxin]` still
 *   screens pregnancy), or
 * - it is `allergy:<x>` and x is one of the treatment's ingredients (always critical).
 * Severity: SEVERITY below (critical stops the session until a practitioner overrides it; warning
 * is shown). With no intake on file the answer is one warning, `no_intake`.
 */
export type Severity = 'critical' | 'warning';
export interface Alert { key: string; severity: Severity; message: string }

export const IMPLIED_BY_INGREDIENT: Record<string, string[]> = {
  botulinum_toxin: ['pregnancy', 'breastfeeding', 'neuromuscular_disorder', 'active_infection'],
  hyaluronic_acid: ['pregnancy', 'breastfeeding', 'active_infection', 'anticoagulants', 'autoimmune'],
  calcium_hydroxylapatite: ['pregnancy', 'breastfeeding', 'active_infection', 'anticoagulants', 'autoimmune'],
  poly_l_lactic_acid: ['pregnancy', 'breastfeeding', 'active_infection', 'keloid', 'autoimmune'],
  pigment: ['pregnancy', 'breastfeeding', 'keloid', 'isotretinoin_6m', 'anticoagulants', 'active_infection', 'herpes_simplex', 'diabetes'],
  prp: ['anticoagulants', 'bleeding_disorder', 'active_infection', 'chemotherapy'],
};

export const IMPLIED_BY_CATEGORY: Record<string, string[]> = {
  Device: ['pregnancy', 'pacemaker', 'metal_implants', 'active_infection'],
  Laser: ['pregnancy', 'isotretinoin_6m', 'photosensitivity', 'recent_tan', 'epilepsy', 'active_infection'],
  PMU: ['pregnancy', 'breastfeeding', 'keloid', 'isotretinoin_6m', 'anticoagulants', 'active_infection', 'herpes_simplex'],
};

export const SEVERITY: Record<string, Severity> = {
  pregnancy: 'critical', breastfeeding: 'critical', active_infection: 'critical', neuromuscular_disorder: 'critical',
  isotretinoin_6m: 'critical', pacemaker: 'critical', chemotherapy: 'critical', bleeding_disorder: 'critical',
  anticoagulants: 'warning', keloid: 'warning', autoimmune: 'warning', diabetes: 'warning', herpes_simplex: 'warning',
  metal_implants: 'warning', epilepsy: 'warning', photosensitivity: 'warning', recent_tan: 'warning', allergy_other: 'warning',
};

const LABELS: Record<string, string> = {
  pregnancy: 'Pregnancy', breastfeeding: 'Breastfeeding', active_infection: 'Active infection at or near the site',
  neuromuscular_disorder: 'Neuromuscular disorder', isotretinoin_6m: 'Isotretinoin in the last 6 months', pacemaker: 'Pacemaker',
  chemotherapy: 'Chemotherapy', bleeding_disorder: 'Bleeding disorder', anticoagulants: 'Anticoagulants (bleeding and bruising risk)',
  keloid: 'History of keloid scarring', autoimmune: 'Autoimmune disease', diabetes: 'Diabetes (slower healing)',
  herpes_simplex: 'Cold sores (herpes simplex)', metal_implants: 'Metal implants', epilepsy: 'Epilepsy', photosensitivity: 'Photosensitizing medication',
  recent_tan: 'Recent tan or sun exposure', allergy_other: 'An allergy outside the ingredient vocabulary',
};

const human = (key: string) => key.replace(/_/g, ' ');

export interface ScreenedTreatment { code: string; name: string; category: string; contraindications: string[]; ingredients: string[] }

export function screen(flags: string[] | null, t: ScreenedTreatment): Alert[] {
  if (flags === null) {
    return [{ key: 'no_intake', severity: 'warning', message: `No intake or contraindication form on file: ask the screening questions before ${t.name} (${t.code}).` }];
  }
  const ingredients = new Set(t.ingredients.map((i) => i.toLowerCase()));
  const relevant = new Set(t.contraindications.map((c) => c.toLowerCase()));
  for (const i of ingredients) for (const c of IMPLIED_BY_INGREDIENT[i] ?? []) relevant.add(c);
  for (const c of IMPLIED_BY_CATEGORY[t.category] ?? []) relevant.add(c);
  const alerts: Alert[] = [];
  for (const flag of flags) {
    if (flag.startsWith('allergy:')) {
      const ingredient = flag.slice('allergy:'.length);
      if (ingredients.has(ingredient) || relevant.has(flag)) {
        alerts.push({ key: flag, severity: 'critical', message: `Allergy to ${human(ingredient)}, an ingredient of ${t.name} (${t.code}).` });
      }
      continue;
    }
    if (!relevant.has(flag) && !(flag === 'allergy_other' && ingredients.size > 0)) continue;
    const severity = SEVERITY[flag] ?? 'warning';
    const label = LABELS[flag] ?? human(flag);
    alerts.push({
      key: flag, severity,
      message: flag === 'allergy_other'
        ? `${label} is reported: check it against the ingredients of ${t.name} (${[...ingredients].map(human).join(', ')}).`
        : `${label}: ${severity === 'critical' ? 'contraindicated for' : 'caution with'} ${t.name} (${t.code}).`,
    });
  }
  return alerts.sort((a, b) => (a.severity === b.severity ? a.key.localeCompare(b.key) : a.severity === 'critical' ? -1 : 1));
}
