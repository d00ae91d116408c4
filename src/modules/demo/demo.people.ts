import type { Answers } from '../records/index.js';
import type { Random } from './random.js';

/**
 * Invented patients. Emails use the reserved example.com/.net/.org domains (RFC 2606), so a demo
 * reminder can never reach a real person.
 */

const TW_SURNAMES: readonly (readonly [string, string])[] = [
  ['陳', 'Chen'], ['林', 'Lin'], ['黃', 'Huang'], ['張', 'Chang'], ['李', 'Lee'], ['王', 'Wang'], ['吳', 'Wu'], ['劉', 'Liu'],
  ['蔡', 'Tsai'], ['楊', 'Yang'], ['許', 'Hsu'], ['鄭', 'Cheng'], ['謝', 'Hsieh'], ['郭', 'Kuo'], ['洪', 'Hung'], ['曾', 'Tseng'],
  ['邱', 'Chiu'], ['廖', 'Liao'], ['賴', 'Lai'], ['周', 'Chou'], ['徐', 'Hsu'], ['蘇', 'Su'], ['葉', 'Yeh'], ['莊', 'Chuang'],
  ['呂', 'Lu'], ['江', 'Chiang'], ['何', 'Ho'], ['蕭', 'Hsiao'], ['羅', 'Lo'], ['高', 'Kao'],
];

const TW_FEMALE: readonly (readonly [string, string])[] = [
  ['雅婷', 'yating'], ['怡君', 'yichun'], ['欣怡', 'hsinyi'], ['佳穎', 'chiaying'], ['宜蓁', 'yichen'], ['思妤', 'ssuyu'], ['詩涵', 'shihhan'],
  ['郁婷', 'yuting'], ['佩珊', 'peishan'], ['淑芬', 'shufen'], ['美玲', 'meiling'], ['雅惠', 'yahui'], ['靜宜', 'chingyi'], ['家瑜', 'chiayu'],
  ['婉婷', 'wanting'], ['筱涵', 'hsiaohan'], ['宛蓉', 'wanjung'], ['珮瑜', 'peiyu'], ['曉雯', 'hsiaowen'], ['芷瑜', 'chihyu'], ['品妍', 'pinyen'],
  ['語彤', 'yutung'], ['心怡', 'hsinyi'], ['惠君', 'huichun'], ['玉婷', 'yuting'], ['依庭', 'yiting'], ['子晴', 'tzuching'], ['姿穎', 'tzuying'],
];

const TW_MALE: readonly (readonly [string, string])[] = [
  ['家豪', 'chiahao'], ['志明', 'chihming'], ['冠宇', 'kuanyu'], ['承恩', 'chengen'], ['俊傑', 'chunchieh'], ['宗翰', 'tsunghan'],
  ['柏翰', 'pohan'], ['建宏', 'chienhung'], ['彥廷', 'yenting'], ['信宏', 'hsinhung'],
];

const US_FIRST_F = ['Emily', 'Olivia', 'Sophia', 'Ava', 'Isabella', 'Mia', 'Camila', 'Grace', 'Hannah', 'Chloe', 'Natalie', 'Vanessa', 'Jasmine', 'Lauren', 'Priya', 'Mei', 'Daniela', 'Alyssa'];
const US_FIRST_M = ['Daniel', 'Marcus', 'Kevin', 'Andre'];
const US_LAST = ['Garcia', 'Nguyen', 'Kim', 'Martinez', 'Johnson', 'Lopez', 'Smith', 'Patel', 'Hernandez', 'Brown', 'Rivera', 'Tran', 'Davis', 'Wilson', 'Chen', 'Reyes', 'Cohen', 'Morales'];

const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org'];

export interface DemoPerson {
  fullName: string; gender: 'female' | 'male'; dateOfBirth: string; phone: string; email: string | null;
  skinType: 'I' | 'II' | 'III' | 'IV' | 'V' | 'VI'; emergencyContact: string | null; notes: string | null;
  medicalHistory: string | null; allergyNotes: string | null; alertLevel: 'none' | 'standard' | 'critical';
  /** Contraindication keys the history declares: the generator does not give them what they must not have. */
  avoid: string[];
  /** What the history and allergies make the patient answer on an intake questionnaire (intake-flags.ts keys). */
  answers: Answers;
}

/** A condition: the chart's note, the contraindication keys it implies, the alert level, and what the patient answers on an intake. */
type Condition = readonly [string, string[], 'standard' | 'critical', Answers];

const TW_HISTORY: readonly Condition[] = [
  ['高血壓，規律服藥中 (hypertension, on amlodipine)', [], 'standard', { hypertension: true, medications: 'Amlodipine 5 mg 每日一次' }],
  ['甲狀腺機能低下，服用 Eltroxin', [], 'standard', { thyroid_disease: true, medications: 'Eltroxin 50 mcg 每日一次' }],
  ['蟹足腫體質 (keloid tendency)', ['keloid'], 'standard', { keloid: true }],
  ['第二型糖尿病，HbA1c 6.8%', [], 'standard', { diabetes: true, medications: 'Metformin 500 mg 每日兩次' }],
  ['氣喘，隨身攜帶吸入劑', [], 'standard', { asthma: true, medications: 'Symbicort 吸入劑（需要時）' }],
  ['唇部皰疹反覆發作 (recurrent herpes labialis)', ['herpes_simplex'], 'standard', { cold_sores: true }],
  ['重症肌無力 (myasthenia gravis) — 禁用肉毒桿菌素', ['neuromuscular_disorder'], 'critical', { myasthenia_gravis: true, medications: 'Mestinon (pyridostigmine) 60 mg' }],
];
const TW_ALLERGIES: readonly Condition[] = [
  ['對利多卡因過敏 (lidocaine): 曾出現蕁麻疹', ['allergy:lidocaine'], 'critical', { allergies: ['lidocaine'], allergy_reaction: '蕁麻疹 (hives)' }],
  ['盤尼西林過敏 (penicillin)', [], 'standard', { allergies: ['penicillin'] }],
  ['對乳膠過敏 (latex)', [], 'standard', { allergies: ['latex'] }],
  ['阿斯匹靈過敏 (aspirin)', [], 'standard', { allergies: ['aspirin'] }],
];
const US_HISTORY: readonly Condition[] = [
  ['Hypothyroidism, on levothyroxine', [], 'standard', { thyroid_disease: true, medications: 'Levothyroxine 75 mcg daily' }],
  ['Keloid scarring on the chest (2019)', ['keloid'], 'standard', { keloid: true }],
  ['Takes fish oil and aspirin daily (bleeding risk: pause 7 days before)', [], 'standard', { blood_thinners: true, medications: 'Fish oil 1 g, aspirin 81 mg daily' }],
  ['Cold sores about twice a year', ['herpes_simplex'], 'standard', { cold_sores: true }],
];
const US_ALLERGIES: readonly Condition[] = [
  ['Lidocaine: hives after a dental procedure', ['allergy:lidocaine'], 'critical', { allergies: ['lidocaine'], allergy_reaction: 'Hives after dental anaesthesia' }],
  ['Nickel (contact dermatitis)', [], 'standard', { allergies: ['nickel'] }],
  ['Penicillin', [], 'standard', { allergies: ['penicillin'] }],
];

const TW_NOTES = ['偏好自然效果', '怕痛，療程前先敷麻藥膏', '上班族，偏好晚上時段', '朋友介紹', 'Instagram 廣告來店', '婚禮前三個月規劃療程', '易泛紅，術後加強保濕'];
const US_NOTES = ['Prefers natural-looking brows', 'Referred by a friend', 'Found us on Instagram', 'Wedding in the spring', 'Sensitive skin, patch test done'];

const pad = (n: number, w: number) => String(n).padStart(w, '0');

function birthDate(rnd: Random, today: string, minAge: number, maxAge: number): string {
  const year = Number(today.slice(0, 4)) - rnd.int(minAge, maxAge);
  return `${year}-${pad(rnd.int(1, 12), 2)}-${pad(rnd.int(1, 28), 2)}`;
}

function conditions(rnd: Random, histories: readonly Condition[], allergies: readonly Condition[]) {
  const h = rnd.chance(0.14) ? rnd.pick(histories) : null;
  const a = rnd.chance(0.1) ? rnd.pick(allergies) : null;
  const level = [h?.[2], a?.[2]].includes('critical') ? 'critical' : h || a ? 'standard' : 'none';
  return {
    medicalHistory: h?.[0] ?? null, allergyNotes: a?.[0] ?? null, alertLevel: level as DemoPerson['alertLevel'], avoid: [...(h?.[1] ?? []), ...(a?.[1] ?? [])],
    answers: { ...h?.[3], ...a?.[3] },
  };
}

/** A Taiwanese patient: 陳雅婷, 0912-345-678, yating.chen87@example.com, mostly Fitzpatrick III-IV. */
export function taiwanesePerson(rnd: Random, today: string): DemoPerson {
  const gender = rnd.chance(0.87) ? 'female' : 'male';
  const [surname, surnameRoman] = rnd.pick(TW_SURNAMES);
  const [given, givenRoman] = rnd.pick(gender === 'female' ? TW_FEMALE : TW_MALE);
  const dateOfBirth = birthDate(rnd, today, 21, 62);
  const phone = `09${rnd.int(10, 89)}-${pad(rnd.int(0, 999), 3)}-${pad(rnd.int(0, 999), 3)}`;
  const email = rnd.chance(0.85) ? `${givenRoman}.${surnameRoman.toLowerCase()}${dateOfBirth.slice(2, 4)}${rnd.int(1, 99)}@${rnd.pick(EMAIL_DOMAINS)}` : null;
  const skinType = rnd.weighted([['II', 10], ['III', 45], ['IV', 38], ['V', 7]] as const);
  const emergencyContact = rnd.chance(0.4)
    ? `${rnd.pick(TW_SURNAMES)[0]}${rnd.pick([...TW_FEMALE, ...TW_MALE])[0]} (${rnd.pick(['配偶', '母親', '姊姊', '朋友'])}) 09${rnd.int(10, 89)}-${pad(rnd.int(0, 999), 3)}-${pad(rnd.int(0, 999), 3)}`
    : null;
  return {
    fullName: `${surname}${given}`, gender, dateOfBirth, phone, email, skinType, emergencyContact,
    notes: rnd.chance(0.25) ? rnd.pick(TW_NOTES) : null, ...conditions(rnd, TW_HISTORY, TW_ALLERGIES),
  };
}

/** A Los Angeles client: Emily Nguyen, (213) 555-01xx, emily.nguyen@example.org, Fitzpatrick I-VI. */
export function angelenoPerson(rnd: Random, today: string): DemoPerson {
  const gender = rnd.chance(0.93) ? 'female' : 'male';
  const first = rnd.pick(gender === 'female' ? US_FIRST_F : US_FIRST_M);
  const last = rnd.pick(US_LAST);
  const dateOfBirth = birthDate(rnd, today, 22, 58);
  // 555-0100..0199 are the fictional numbers reserved in North America.
  const phone = `(${rnd.pick(['213', '310', '323', '424', '818'])}) 555-01${pad(rnd.int(0, 99), 2)}`;
  const email = `${first.toLowerCase()}.${last.toLowerCase()}${rnd.int(1, 99)}@${rnd.pick(EMAIL_DOMAINS)}`;
  const skinType = rnd.weighted([['I', 8], ['II', 22], ['III', 30], ['IV', 22], ['V', 12], ['VI', 6]] as const);
  return {
    fullName: `${first} ${last}`, gender, dateOfBirth, phone, email, skinType,
    emergencyContact: rnd.chance(0.5) ? `${rnd.pick(US_FIRST_M)} ${last} (partner) (${rnd.pick(['213', '310'])}) 555-01${pad(rnd.int(0, 99), 2)}` : null,
    notes: rnd.chance(0.3) ? rnd.pick(US_NOTES) : null, ...conditions(rnd, US_HISTORY, US_ALLERGIES),
  };
}
