/**
 * What demo patients answer on intake questionnaires and contraindication forms (seed 001 Intakes,
 * CONTRAINDICATION_FORM), what their skin analyses find (seed 001 Analyses), and the few critical
 * conditions (pregnancy, isotretinoin) that stop treatments for a while. Pure: demo.generate.ts puts
 * them on the calendar; the answers use the keys of records/intake-flags.ts, so the flags derived
 * from them are the ones the intake service would derive, and screening (records/screening.ts)
 * decides which treatments a condition stops.
 */
import { screen, type Answers } from '../records/index.js';
import type { DemoTreatment } from './demo.catalog.js';
import type { DemoPerson } from './demo.people.js';
import type { Random } from './random.js';

/** A critical condition declared on an intake from day `from` until a later intake clears it (`until`), or still in force (`null`). */
export interface Episode { flag: 'pregnancy' | 'isotretinoin_6m'; from: number; until: number | null }

/** True when screening would refuse `t` for these flags (a critical alert). */
export function contraindicated(flags: string[], t: DemoTreatment): boolean {
  return screen(flags, { code: t.code, name: t.name, category: t.category, contraindications: t.contraindications, ingredients: t.ingredients })
    .some((a) => a.severity === 'critical');
}

/** True when the episode is in force on `day` and stops `t`. */
export function stopped(ep: Episode | undefined, day: number, t: DemoTreatment): boolean {
  return !!ep && day >= ep.from && (ep.until === null || day < ep.until) && contraindicated([ep.flag], t);
}

/** How the patient lives and looks after their skin: asked once, repeated on later intakes. */
export interface Lifestyle { smoker: boolean; sunscreen: boolean; retinoid: boolean; sport: string; previous: string }

export function lifestyle(rnd: Random, zh: boolean): Lifestyle {
  return {
    smoker: rnd.chance(0.08), sunscreen: rnd.chance(0.7), retinoid: rnd.chance(0.25),
    sport: zh ? rnd.pick(['每週慢跑 2 次', '瑜伽', '幾乎不運動', '游泳', '重訓']) : rnd.pick(['Pilates twice a week', 'Running', 'Hiking on weekends', 'None']),
    previous: zh
      ? rnd.pick(['無', '無', '曾在他院施打肉毒 (2 年前)', '曾做過玻尿酸下巴', '曾做過雷射除斑', '曾紋眉（已淡化）'])
      : rnd.pick(['None', 'None', 'Microblading in 2019, faded', 'Lip filler 2 years ago', 'Brow lamination']),
  };
}

const CONCERNS_ZH: Record<string, string[]> = {
  BOT_MASSETER: ['臉型較方，想改善咬肌', '咬肌肥大、夜間磨牙'], BOT_FOREHEAD: ['抬頭紋明顯', '眉間紋，看起來像在生氣'],
  HIFU: ['下顎線鬆弛', '法令紋與雙下巴'], RF_THERMAGE: ['整體膚質鬆弛，想緊緻'], HA_FILLER: ['法令紋深', '下巴短，想修飾側臉'],
  HA_LIPS: ['唇型較薄，想豐唇'], LASER_TONING: ['膚色不均、肝斑', '毛孔粗大與暗沉'], PICO_LASER: ['曬斑、雀斑', '痘疤與色素沉澱'],
  PMU_BROWS: ['眉毛稀疏，每天畫眉麻煩'], PMU_LIPS: ['唇色暗沉、唇線不明顯'],
};
const CONCERNS_EN: Record<string, string[]> = {
  MICROBLADING: ['Sparse brows, tired of filling them in', 'Over-plucked brows from the 2000s'], POWDER_BROWS: ['Wants a soft made-up brow look'],
  LIP_BLUSH: ['Pale lips, uneven lip line'], EYELINER: ['Wants defined lashes without daily liner'],
};

/** A first, renewed or condition-changing intake questionnaire (kind `intake`). */
export function intakeAnswers(zh: boolean, p: DemoPerson, life: Lifestyle, s: {
  concern: string | null; pregnancyWeeks: number | null;
  /** taking it now; stopped under six months ago; stopped six months ago or more (the intake that clears the flag). */
  isotretinoin: 'no' | 'taking' | 'recent' | 'cleared'; renewal: boolean;
}): Answers {
  const none = zh ? '無' : 'none';
  const meds = [p.answers.medications as string | undefined];
  if (s.pregnancyWeeks !== null) meds.push(zh ? '孕婦維他命 (prenatal vitamins)' : 'Prenatal vitamins');
  if (s.isotretinoin === 'taking') meds.push(zh ? 'Isotretinoin 羅可坦 20 mg（皮膚科處方治療痘痘）' : 'Isotretinoin 20 mg (prescribed for acne)');
  const a: Answers = {
    ...p.answers,
    allergies: p.answers.allergies ?? none,
    medications: meds.filter(Boolean).join('; ') || none,
    pregnant: s.pregnancyWeeks !== null,
    breastfeeding: false,
    isotretinoin_6m: s.isotretinoin === 'taking' || s.isotretinoin === 'recent',
    blood_thinners: p.answers.blood_thinners ?? false,
    keloid: p.answers.keloid ?? false,
    cold_sores: p.answers.cold_sores ?? false,
    diabetes: p.answers.diabetes ?? false,
    active_infection: false, autoimmune: false, pacemaker: false, metal_implants: false, epilepsy: false, photosensitizing_medication: false,
    smoker: life.smoker, daily_sunscreen: life.sunscreen, retinoid_skincare: life.retinoid && s.isotretinoin === 'no' && s.pregnancyWeeks === null,
    exercise: life.sport,
    previous_aesthetic_treatments: s.renewal ? (zh ? '本院療程持續中' : 'Treatments at this studio') : life.previous,
    concerns: s.concern ?? (zh ? '諮詢療程' : 'Consultation'),
  };
  if (s.pregnancyWeeks !== null) a.pregnancy_weeks = s.pregnancyWeeks;
  if (s.isotretinoin === 'taking') a.isotretinoin_note = zh ? '目前服用中，預計療程 5 個月' : 'Currently taking; course planned for 5 months';
  if (s.isotretinoin === 'recent') a.isotretinoin_note = zh ? '口服 A 酸療程約一個月前結束' : 'Finished an isotretinoin course about a month ago';
  if (s.isotretinoin === 'cleared') a.isotretinoin_note = zh ? '已停藥滿 6 個月，皮膚科確認' : 'Stopped more than 6 months ago (dermatologist confirmed)';
  return a;
}

/** Concern on a first intake: what the patient came for. */
export function concernFor(rnd: Random, zh: boolean, treatmentCode: string | null): string | null {
  if (!treatmentCode) return null;
  const pool = (zh ? CONCERNS_ZH : CONCERNS_EN)[treatmentCode];
  return pool ? rnd.pick(pool) : null;
}

/** The contraindication form signed before a PMU procedure (kind `contraindication`). */
export function contraindicationAnswers(rnd: Random, zh: boolean, p: DemoPerson, life: Lifestyle): Answers {
  return {
    pregnant: false, breastfeeding: false, isotretinoin_6m: false,
    blood_thinners: p.answers.blood_thinners ?? false, active_infection: false, cold_sores: p.answers.cold_sores ?? false,
    keloid: p.answers.keloid ?? false, diabetes: p.answers.diabetes ?? false,
    allergies: p.answers.allergies ?? (zh ? '無' : 'none'),
    alcohol_24h: false, caffeine_today: rnd.chance(0.4), recent_botox_2w: false, chemical_peel_4w: false, recent_tan: false,
    previous_pmu: life.previous, aftercare_instructions_received: true,
  };
}

const clamp = (n: number) => Math.max(1, Math.min(99, Math.round(n)));

/** VISIA-style percentiles (higher is better than peers of the same age and skin type) that improve over a laser series. */
export interface LaserSkin { spots: number; uv: number; brown: number; red: number; pores: number; texture: number; wrinkles: number; melasma: 0 | 1 | 2 }

export function laserBaseline(rnd: Random): LaserSkin {
  return { spots: rnd.int(12, 45), uv: rnd.int(10, 40), brown: rnd.int(8, 40), red: rnd.int(25, 70), pores: rnd.int(15, 55), texture: rnd.int(20, 60),
    wrinkles: rnd.int(35, 80), melasma: rnd.weighted([[0, 45], [1, 40], [2, 15]] as const) };
}

/** The next analysis in a series: pigmentation improves most, texture and pores a little. */
export function laserProgress(rnd: Random, s: LaserSkin): LaserSkin {
  return { spots: clamp(s.spots + rnd.int(5, 12)), uv: clamp(s.uv + rnd.int(2, 8)), brown: clamp(s.brown + rnd.int(6, 14)), red: clamp(s.red + rnd.int(-3, 6)),
    pores: clamp(s.pores + rnd.int(0, 6)), texture: clamp(s.texture + rnd.int(1, 7)), wrinkles: clamp(s.wrinkles + rnd.int(-2, 2)),
    melasma: (s.melasma > 0 && rnd.chance(0.35) ? s.melasma - 1 : s.melasma) as LaserSkin['melasma'] };
}

export function laserFindings(rnd: Random, zh: boolean, s: LaserSkin, n: number): Answers {
  const melasma = zh ? ['無', '輕度', '中度'][s.melasma]! : ['none', 'mild', 'moderate'][s.melasma]!;
  const assessment = zh
    ? (n === 1
      ? rnd.pick([`兩頰${s.melasma ? '肝斑' : '曬斑'}，建議淨膚雷射 8-10 次並加強防曬`, '顴骨曬斑與膚色不均，建議皮秒雷射 3-5 次', '毛孔粗大、膚色暗沉，建議淨膚雷射搭配保濕'])
      : rnd.pick(['斑點較上次淡化，膚色較均勻', '色素明顯改善，持續療程', '膚況穩定，維持原能量設定']))
    : (n === 1 ? 'Baseline before the laser series' : 'Pigmentation lighter than at the previous analysis');
  return {
    method: 'VISIA Gen 7', spots_percentile: s.spots, uv_spots_percentile: s.uv, brown_spots_percentile: s.brown, red_areas_percentile: s.red,
    pores_percentile: s.pores, texture_percentile: s.texture, wrinkles_percentile: s.wrinkles, melasma,
    hydration_pct: rnd.int(32, 58), sebum: zh ? rnd.pick(['T 字部位偏油', '混合性', '偏乾']) : rnd.pick(['oily T-zone', 'combination', 'dry']),
    sensitivity: zh ? rnd.pick(['低', '低', '中']) : rnd.pick(['low', 'low', 'moderate']), assessment,
  };
}

/** A PMU client's skin before the first procedure: oily skin holds hair strokes poorly, so it is steered to powder work. */
export interface PmuSkin { texture: 'oily' | 'combination' | 'normal' | 'dry'; undertone: 'warm' | 'cool' | 'neutral'; sensitivity: 'low' | 'moderate' | 'high' }

export function pmuSkin(rnd: Random, procedureType: string | undefined): PmuSkin {
  const texture = procedureType === 'Microblading'
    ? rnd.weighted([['normal', 45], ['dry', 30], ['combination', 25]] as const)
    : rnd.weighted([['oily', 30], ['combination', 35], ['normal', 25], ['dry', 10]] as const);
  return { texture, undertone: rnd.pick(['warm', 'cool', 'neutral'] as const), sensitivity: rnd.weighted([['low', 60], ['moderate', 30], ['high', 10]] as const) };
}

const ZH_TEXTURE = { oily: '油性', combination: '混合性', normal: '中性', dry: '乾性' } as const;
const ZH_UNDERTONE = { warm: '暖調', cool: '冷調', neutral: '中性調' } as const;

export function pmuFindings(rnd: Random, zh: boolean, s: PmuSkin, t: DemoTreatment, pigment: string | null): Answers {
  const brows = t.procedureType === 'Microblading' || t.procedureType === 'Powder Brows';
  const lips = t.procedureType === 'Lip Color/Contour';
  const technique = brows ? (s.texture === 'oily' || s.texture === 'combination' ? 'Powder brows' : 'Microblading') : t.procedureType ?? t.nameEn;
  const f: Answers = {
    stage: 'pre_procedure', area: brows ? 'brows' : lips ? 'lips' : 'lash line',
    skin_texture: zh ? ZH_TEXTURE[s.texture] : s.texture, pore_size: s.texture === 'oily' ? 'large' : s.texture === 'dry' ? 'fine' : 'medium',
    undertone: zh ? ZH_UNDERTONE[s.undertone] : s.undertone, sensitivity: s.sensitivity,
    existing_pmu: rnd.chance(0.2) ? (zh ? '舊紋眉淡化偏藍灰' : 'Old brow tattoo faded to blue-grey') : 'none',
    recommended_technique: technique, pigment_plan: pigment,
  };
  if (brows) f.brow_hair_density = rnd.pick(['sparse', 'medium', 'medium', 'dense']);
  if (lips) f.lip_condition = zh ? rnd.pick(['唇色暗沉、唇線不明顯', '唇紋明顯、偏乾']) : rnd.pick(['Uneven colour, faint vermilion border', 'Dry, visible lip lines']);
  return f;
}

/** The healing review at the six-week touch-up. */
export function pmuHealing(rnd: Random, zh: boolean, t: DemoTreatment): Answers {
  const retention = rnd.int(60, 92);
  return {
    stage: 'healed_review', area: t.procedureType === 'Lip Color/Contour' ? 'lips' : t.procedureType === 'Eyeliner' ? 'lash line' : 'brows',
    healing: zh ? rnd.pick(['癒合良好', '輕微結痂已脫落']) : rnd.pick(['Healed well', 'Minor flaking resolved']),
    retention_pct: retention,
    patchy_areas: retention < 75 ? (zh ? rnd.pick(['左眉尾', '內側眉頭', '下唇中央']) : rnd.pick(['left tail', 'inner corners', 'centre of lower lip'])) : 'none',
    colour_shift: rnd.chance(0.15) ? 'slightly warm' : 'none',
    touch_up_plan: retention < 75 ? (zh ? '補色加強不均處' : 'Re-work the patchy areas') : (zh ? '輕補色、微調形狀' : 'Light refresh and shape tweak'),
  };
}
