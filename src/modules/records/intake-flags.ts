/**
 * From intake answers to contraindication flags (pure). Flags are keys, never free text, so they
 * can be stored in clear next to the encrypted answers and matched against the treatment catalogue.
 *
 * Yes/no questions (answer true, "yes", "y", "true", "是" or 1 sets the flag):
 *
 * | answer key(s)                                   | flag                    |
 * |-------------------------------------------------|-------------------------|
 * | pregnant                                        | pregnancy               |
 * | breastfeeding                                   | breastfeeding           |
 * | anticoagulants, blood_thinners                  | anticoagulants          |
 * | bleeding_disorder                               | bleeding_disorder       |
 * | keloid, keloid_history                          | keloid                  |
 * | active_infection, skin_infection                | active_infection        |
 * | isotretinoin_6m, isotretinoin, accutane         | isotretinoin_6m         |
 * | neuromuscular_disorder, myasthenia_gravis       | neuromuscular_disorder  |
 * | autoimmune                                      | autoimmune              |
 * | diabetes                                        | diabetes                |
 * | herpes_simplex, cold_sores                      | herpes_simplex          |
 * | pacemaker                                       | pacemaker               |
 * | metal_implants                                  | metal_implants          |
 * | chemotherapy                                    | chemotherapy            |
 * | epilepsy                                        | epilepsy                |
 * | photosensitizing_medication                     | photosensitivity        |
 * | recent_tan, recent_sun_exposure                 | recent_tan              |
 *
 * Allergies: `allergies` as a list or a comma/semicolon/、-separated text. Each becomes
 * `allergy:<ingredient>` (lower case, spaces to _, common synonyms mapped: lignocaine -> lidocaine,
 * 玻尿酸 / HA -> hyaluronic_acid, botox / 肉毒 -> botulinum_toxin ...). "none", "no", "無" are ignored; an
 * allergy outside the vocabulary sets `allergy_other` so screening still warns.
 */
export type AnswerValue = string | number | boolean | null | (string | number | boolean)[];
export type Answers = Record<string, AnswerValue>;

export const YES_NO_FLAGS: Record<string, string> = {
  pregnant: 'pregnancy', breastfeeding: 'breastfeeding',
  anticoagulants: 'anticoagulants', blood_thinners: 'anticoagulants', bleeding_disorder: 'bleeding_disorder',
  keloid: 'keloid', keloid_history: 'keloid',
  active_infection: 'active_infection', skin_infection: 'active_infection',
  isotretinoin_6m: 'isotretinoin_6m', isotretinoin: 'isotretinoin_6m', accutane: 'isotretinoin_6m',
  neuromuscular_disorder: 'neuromuscular_disorder', myasthenia_gravis: 'neuromuscular_disorder',
  autoimmune: 'autoimmune', diabetes: 'diabetes', herpes_simplex: 'herpes_simplex', cold_sores: 'herpes_simplex',
  pacemaker: 'pacemaker', metal_implants: 'metal_implants', chemotherapy: 'chemotherapy', epilepsy: 'epilepsy',
  photosensitizing_medication: 'photosensitivity', recent_tan: 'recent_tan', recent_sun_exposure: 'recent_tan',
};

const ALLERGY_SYNONYMS: Record<string, string> = {
  lignocaine: 'lidocaine', xylocaine: 'lidocaine', 利多卡因: 'lidocaine', lidocaine_hcl: 'lidocaine',
  ha: 'hyaluronic_acid', hyaluronic: 'hyaluronic_acid', hyaluronan: 'hyaluronic_acid', 玻尿酸: 'hyaluronic_acid', 透明質酸: 'hyaluronic_acid',
  botox: 'botulinum_toxin', botulinum: 'botulinum_toxin', onabotulinumtoxina: 'botulinum_toxin', 肉毒: 'botulinum_toxin', 肉毒桿菌: 'botulinum_toxin',
  egg: 'egg_protein', albumin: 'human_albumin', 白蛋白: 'human_albumin', latex: 'latex', 乳膠: 'latex',
  nickel: 'nickel', 鎳: 'nickel', iron_oxide: 'iron_oxide', 氧化鐵: 'iron_oxide', pigment: 'pigment', 色料: 'pigment',
  penicillin: 'penicillin', 盤尼西林: 'penicillin', 青黴素: 'penicillin',
};
const NONE = new Set(['none', 'no', 'nil', 'n/a', 'na', 'nka', 'nkda', '無', '没有', '沒有', 'なし', '-']);

export function isYes(v: AnswerValue | undefined): boolean {
  if (v === true || v === 1) return true;
  if (typeof v === 'string') return ['yes', 'y', 'true', '1', '是', '有'].includes(v.trim().toLowerCase());
  return false;
}

/** One reported allergy as a vocabulary key, `null` for "none", `'other'` when it cannot be named. */
export function allergyKey(raw: string): string | null {
  const text = raw.trim().toLowerCase();
  if (!text || NONE.has(text)) return null;
  if (ALLERGY_SYNONYMS[text]) return ALLERGY_SYNONYMS[text];
  const key = text.replace(/[\s-]+/g, '_').replace(/[^a-z0-9_]/g, '').replace(/^_+|_+$/g, '').slice(0, 40);
  if (!key) return 'other';
  return ALLERGY_SYNONYMS[key] ?? key;
}

function allergyList(v: AnswerValue | undefined): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return v.split(/[,;、，；\n]/);
  return [];
}

/** The sorted, distinct flags an intake's answers declare. */
export function deriveFlags(answers: Answers): string[] {
  const flags = new Set<string>();
  for (const [key, flag] of Object.entries(YES_NO_FLAGS)) if (isYes(answers[key])) flags.add(flag);
  for (const raw of allergyList(answers.allergies)) {
    const k = allergyKey(raw);
    if (k === 'other') flags.add('allergy_other');
    else if (k) flags.add(`allergy:${k}`);
  }
  return [...flags].sort();
}
