/**
 * What the intakes page needs to name things: the questionnaire's answer keys (exactly those the
 * API derives flags from, records/intake-flags.ts), the flags as readable labels, and answer and
 * finding values as text.
 */
import type { MessageKey, Translate } from '../../i18n/i18n.js';

export type IntakeKind = 'intake' | 'contraindication';
export type AnswerValue = string | number | boolean | null | (string | number | boolean)[];
export type Answers = Record<string, AnswerValue>;

export interface Intake {
  id: string; patient_id: string; kind: IntakeKind; answers: Answers; flags: string[]; completed_at: string;
  created_by: string | null; created_at: string;
}

export interface SkinAnalysis {
  id: string; patient_id: string; analyzed_at: string; skin_type: string | null; findings: string | Answers;
  file_id: string | null; created_by: string | null; created_at: string;
}

/** Yes/no questions whose "yes" raises a flag, by section of the form (keys as the API reads them). */
export const YES_NO_SECTIONS: { section: MessageKey; keys: string[] }[] = [
  { section: 'intake.section.pregnancy', keys: ['pregnant', 'breastfeeding'] },
  { section: 'intake.section.allergies', keys: ['anticoagulants', 'isotretinoin_6m', 'photosensitizing_medication', 'chemotherapy'] },
  {
    section: 'intake.section.conditions',
    keys: ['neuromuscular_disorder', 'bleeding_disorder', 'autoimmune', 'diabetes', 'epilepsy', 'pacemaker', 'metal_implants'],
  },
  { section: 'intake.section.skin', keys: ['active_infection', 'herpes_simplex', 'keloid', 'recent_tan'] },
];

/** Asked on the PMU contraindication form only; kept with the answers, no flag. */
export const PMU_YES_NO = ['alcohol_24h', 'recent_botox_2w', 'chemical_peel_4w'];

/** Free-text answers (allergies is read by the API; the others are kept as told). */
export const TEXT_ANSWERS = ['allergies', 'medications', 'previous_pmu', 'concerns', 'previous_aesthetic_treatments', 'notes'];

const QUESTION_KEYS = new Set([...YES_NO_SECTIONS.flatMap((s) => s.keys), ...PMU_YES_NO, ...TEXT_ANSWERS, 'pregnancy_weeks']);

const KNOWN_FLAGS = new Set([
  'pregnancy', 'breastfeeding', 'anticoagulants', 'bleeding_disorder', 'keloid', 'active_infection', 'isotretinoin_6m',
  'neuromuscular_disorder', 'autoimmune', 'diabetes', 'herpes_simplex', 'pacemaker', 'metal_implants', 'chemotherapy', 'epilepsy',
  'photosensitivity', 'recent_tan', 'allergy_other',
]);
const KNOWN_ALLERGENS = new Set([
  'lidocaine', 'hyaluronic_acid', 'botulinum_toxin', 'egg_protein', 'human_albumin', 'latex', 'nickel', 'iron_oxide', 'pigment', 'penicillin',
]);
/** Flags that stop a session for every treatment they concern (records/screening.ts SEVERITY). */
const CRITICAL = new Set(['pregnancy', 'breastfeeding', 'active_infection', 'neuromuscular_disorder', 'isotretinoin_6m', 'pacemaker', 'chemotherapy', 'bleeding_disorder']);

const human = (key: string) => key.replace(/_/g, ' ');

export function flagLabel(t: Translate, flag: string): string {
  if (flag.startsWith('allergy:')) {
    const a = flag.slice('allergy:'.length);
    return t('intake.flag.allergy', { name: KNOWN_ALLERGENS.has(a) ? t(`intake.allergen.${a}` as MessageKey) : human(a) });
  }
  return KNOWN_FLAGS.has(flag) ? t(`intake.flag.${flag}` as MessageKey) : human(flag);
}

/** The badge class: red for flags that are critical for the treatments they concern and for allergies, amber otherwise. */
export const flagTone = (flag: string) => (CRITICAL.has(flag) || flag.startsWith('allergy:') ? 'failure' : 'pending');

/** Other answer keys the API reads the same way (records/intake-flags.ts), named like the question they answer. */
const SYNONYMS: Record<string, string> = {
  blood_thinners: 'anticoagulants', keloid_history: 'keloid', skin_infection: 'active_infection', isotretinoin: 'isotretinoin_6m',
  accutane: 'isotretinoin_6m', cold_sores: 'herpes_simplex', recent_sun_exposure: 'recent_tan',
};

export function answerLabel(t: Translate, key: string): string {
  const k = SYNONYMS[key] ?? key;
  return QUESTION_KEYS.has(k) ? t(`intake.q.${k}` as MessageKey) : human(key);
}

export function valueText(t: Translate, v: AnswerValue | undefined): string {
  if (v === true) return t('intake.yes');
  if (v === false) return t('intake.no');
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) return v.map(String).join(', ');
  return String(v);
}

export const FINDING_FIELDS = ['method', 'hydration_pct', 'sebum', 'sensitivity', 'pigmentation', 'assessment'] as const;

export function findingLabel(t: Translate, key: string): string {
  return (FINDING_FIELDS as readonly string[]).includes(key) ? t(`analysis.field.${key}` as MessageKey) : human(key);
}

/** The few findings worth a glance in the list: the assessment first, then the first measurements. */
export function keyFindings(t: Translate, f: string | Answers, max = 3): string {
  if (typeof f === 'string') return f.length > 140 ? `${f.slice(0, 140)}…` : f;
  const entries = Object.entries(f).filter(([, v]) => v !== null && v !== '');
  const assessment = entries.find(([k]) => k === 'assessment' || k === 'summary');
  const rest = entries.filter(([k]) => k !== 'assessment' && k !== 'summary' && k !== 'method').slice(0, max);
  const parts = rest.map(([k, v]) => `${findingLabel(t, k)}: ${valueText(t, v)}`);
  if (assessment) parts.unshift(valueText(t, assessment[1]));
  const text = parts.join(' · ');
  return text.length > 180 ? `${text.slice(0, 180)}…` : text;
}

