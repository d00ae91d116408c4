/**
 * Builds a believable year of an organization's work as plain rows (pure and deterministic: the
 * same seed and day give the same clinic), intakes and skin analyses included (demo.intakes.ts).
 * Dates are offsets from `today`, the day of the first start in the organization's time zone, so
 * lots are in date and follow-ups lie ahead as well as behind whenever the demo is created.
 * Inserting the rows is demo.insert.ts's job.
 */
import { newId } from '../../platform/crypto.js';
import { deriveFlags } from '../records/index.js';
import { minorDigits } from '../catalog/index.js';
import { addDays, instantAt, weekday } from './calendar.js';
import type { DemoCatalog, DemoLot, DemoProduct, DemoTreatment, FollowupType } from './demo.catalog.js';
import {
  concernFor, contraindicated, contraindicationAnswers, intakeAnswers, laserBaseline, laserFindings, laserProgress, lifestyle, pmuFindings, pmuHealing, pmuSkin, stopped,
  type Episode, type LaserSkin, type PmuSkin,
} from './demo.intakes.js';
import type { DemoPerson } from './demo.people.js';
import { Random } from './random.js';

/** How patients take up a treatment: share of patients, first day, interval between sessions, count. */
export interface Program {
  treatment: string;
  share: number;
  interval: [number, number];
  count: [number, number];
  /** PMU: a touch-up session about six weeks after the first. */
  touchUp?: boolean;
}

export interface OrgPlan {
  orgId: string; timezone: string; currency: string; locale: 'zh-TW' | 'en';
  /** The organization's calendar date on the day of the first start. */
  today: string;
  seed: number;
  patients: number;
  person: (rnd: Random, today: string) => DemoPerson;
  catalog: DemoCatalog;
  programs: Program[];
  /** The day the clinic closes each week (0 = Sunday, 1 = Monday). */
  closedOn: number;
  /** Users: the owner records by default; practitioners linked to a user record their own sessions. */
  ownerId: string;
  userIdsByEmail: Map<string, string>;
  /** Digital consents: templates published this many days ago; sessions before were consented on paper. */
  consentsFrom: number;
  /** Treatments whose consent template was revised (version 2) this many days ago. */
  revisedConsents: Record<string, number>;
  /** Sessions documented with before/after photos. */
  photoSessions: number;
  /** Sessions recorded without the consent they need (open, resolved). */
  exceptions: { open: number; resolved: number };
  /** Share of patients who filled in the intake questionnaire (always those with a medical alert). */
  intakeShare: number;
  /**
   * Patients who declared a critical condition on a later intake: pregnant (still), isotretinoin
   * recently stopped (cleared six months on, treatments resumed) and isotretinoin being taken now.
   */
  episodes: { pregnancy: number; isotretinoinResumed: number; isotretinoinCurrent: number };
}

type Row = Record<string, unknown>;

export interface FileSpec {
  id: string; kind: 'photo' | 'signature' | 'document';
  /** What to render: a photo variant (skin type, before/after, thumbnail), a signature or a consent document. */
  render: { type: 'photo'; skinType: string; mediaType: 'before' | 'after'; thumbnail: boolean; label: string }
    | { type: 'signature'; name: string }
    | { type: 'consent'; consentId: string; templateId: string; signatureFileId: string; title: string; body: string; version: number;
        treatment: { code: string; name: string }; patient: { code: string; fullName: string }; signedName: string; signedAt: Date; ip: string };
  originalName: string; entityType: string | null; entityId: string | null; createdBy: string; createdAt: Date;
}

export interface DemoDataset {
  practitioners: Row[]; devices: Row[]; treatments: Row[]; pigments: Row[]; products: Row[]; lots: Row[]; stockMovements: Row[];
  /** Plain-text PHI in `medical_history` / `allergy_notes`: demo.insert.ts encrypts them. */
  patients: Row[]; sequences: Row[]; visits: Row[]; sessions: Row[]; drugUsages: Row[]; followups: Row[];
  /** Plain `answers` (demo.insert.ts encrypts them as the intake service does) and the flags derived from them. */
  intakes: Row[];
  /** Plain `findings`: demo.insert.ts encrypts them as the analysis service does. */
  analyses: Row[];
  consentTemplates: Row[]; consents: Row[]; documents: Row[]; photos: Row[]; complianceExceptions: Row[]; files: FileSpec[];
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Minor units per major unit of a currency (TWD and USD: 100), as the catalogue defines it. */
export function minorFactor(currency: string): number {
  return 10 ** minorDigits(currency);
}

const NOTES_ZH: Record<string, string[]> = {
  Injection: ['注射順利，無出血 (normal injection, no bleeding)', '注射順利，術後冰敷 10 分鐘', '分點注射，術後衛教完成', '回診加強施打，效果對稱'],
  Device: ['全臉施打，能量耐受良好', '依治療計畫完成，術後冰敷', '下顎線加強，病人疼痛可忍受'],
  Laser: ['全臉淨膚，無明顯不適', '斑點處加強，術後擦修復霜', '建議防曬並 4 週後回診'],
  PMU: ['眉型設計確認後施作，上色均勻', '唇色與病人確認後施作，術後擦凡士林', '補色完成，形狀對稱'],
};
const NOTES_EN: Record<string, string[]> = {
  PMU: ['Shape mapped and approved; even retention expected', 'Client tolerated procedure well', 'Touch-up completed, symmetry corrected', 'Numbing 20 min before; minimal bleeding'],
};
const REACTIONS_ZH: Record<string, string[]> = {
  Injection: ['針孔輕微紅腫', '左側少量瘀青', '無'], Device: ['輕微泛紅', '無'], Laser: ['泛紅約 30 分鐘消退', '無'], PMU: ['輕微腫脹', '無'],
};
const REACTIONS_EN = ['Mild swelling', 'Light redness', 'None'];
const OUTCOMES_ZH = ['恢復良好，無不適', '輕微瘀青已消退', '效果滿意，兩側對稱', '電話關懷：無異常', '建議持續防曬保濕'];
const OUTCOMES_EN = ['Healed well', 'Retention good, no patchiness', 'Called: no concerns', 'Slight fading on the left tail, noted for touch-up'];

const CONSENT_TEXT: Record<'zh-TW' | 'en', (t: DemoTreatment, v: number) => { title: string; body: string }> = {
  'zh-TW': (t, v) => ({
    title: `${t.name} 治療同意書`,
    body: `本人已由醫師說明「${t.name}」（${t.nameEn}）之治療目的、方式、預期效果與可能風險，包括紅腫、瘀青、疼痛、不對稱與過敏反應，`
      + `並已告知目前懷孕或哺乳、用藥與過敏史。本人了解療效因人而異，且可能需要後續回診或補打。`
      + (v >= 2 ? '\n（第 2 版新增）術後 4 小時內請勿平躺或按摩施打部位，一週內避免三溫暖與劇烈運動。' : ''),
  }),
  en: (t, v) => ({
    title: `${t.nameEn} consent`,
    body: `I have been told the purpose, method, expected results and risks of ${t.nameEn}, including swelling, redness, uneven healing, `
      + 'colour change, infection and allergic reaction, and I have disclosed pregnancy, medication and allergies. Results vary and a touch-up may be needed.'
      + (v >= 2 ? '\n(Version 2) Aftercare: no sauna, swimming or makeup on the area for 10 days.' : ''),
  }),
};

interface PlannedSession { patient: number; day: number; treatment: DemoTreatment }

/** The lot a usage on `day` draws from: the most recently opened lot that has arrived and is in date. */
function lotFor(product: DemoProduct, day: number): DemoLot | undefined {
  let best: DemoLot | undefined;
  for (const lot of product.lots) {
    const from = Math.max(lot.inUseFrom, -lot.receivedDaysAgo);
    if (from <= day && day < lot.expiresInDays && (!best || lot.inUseFrom > best.inUseFrom)) best = lot;
  }
  return best;
}

export function generateDemo(plan: OrgPlan): DemoDataset {
  const rnd = new Random(plan.seed);
  const { today, timezone, currency, orgId } = plan;
  const factor = minorFactor(currency);
  const zh = plan.locale === 'zh-TW';
  const at = (day: number, hour: number, minute: number) => instantAt(addDays(today, day), hour, minute, timezone);
  const dateOf = (day: number) => addDays(today, day);
  const openDay = (day: number) => (weekday(dateOf(day)) === plan.closedOn ? day + 1 : day);
  const creatorFor = (email?: string) => (email && plan.userIdsByEmail.get(email)) || plan.ownerId;

  const ds: DemoDataset = {
    practitioners: [], devices: [], treatments: [], pigments: [], products: [], lots: [], stockMovements: [], patients: [], sequences: [],
    visits: [], sessions: [], drugUsages: [], followups: [], intakes: [], analyses: [], consentTemplates: [], consents: [], documents: [], photos: [], complianceExceptions: [], files: [],
  };
  const setupAt = at(-400, 9, 0);

  // Catalogue.
  const practitionerIds = new Map<string, string>();
  for (const p of plan.catalog.practitioners) {
    const id = newId();
    practitionerIds.set(p.code, id);
    ds.practitioners.push({ id, org_id: orgId, code: p.code, user_id: p.userEmail ? plan.userIdsByEmail.get(p.userEmail) ?? null : null,
      full_name: p.fullName, license_no: p.licenseNo, specialty: p.specialty, kind: p.kind, status: p.status,
      created_at: setupAt, updated_at: p.leftDaysAgo ? at(-p.leftDaysAgo, 18, 0) : setupAt });
  }
  const deviceIds = new Map<string, string>();
  for (const d of plan.catalog.devices) {
    const id = newId();
    deviceIds.set(d.code, id);
    ds.devices.push({ id, org_id: orgId, code: d.code, device_name: d.name, device_type: d.type, manufacturer: d.manufacturer, model: d.model,
      serial_no: d.serialNo, maintenance_cycle_days: d.cycleDays, last_maintenance_on: dateOf(-d.lastMaintenanceDaysAgo),
      default_settings: d.defaultSettings, status: 'active', created_at: setupAt, updated_at: at(-d.lastMaintenanceDaysAgo, 18, 0) });
  }
  const treatmentIds = new Map<string, string>();
  for (const t of plan.catalog.treatments) {
    const id = newId();
    treatmentIds.set(t.code, id);
    ds.treatments.push({ id, org_id: orgId, code: t.code, name: t.name, name_en: t.nameEn, category: t.category, default_unit: t.unit,
      base_price_minor: Math.round(t.price * factor), currency, description: t.description, is_active: true, consent_required: t.consentRequired,
      followup_rules: t.rules, contraindications: t.contraindications, ingredients: t.ingredients, procedure_type: t.procedureType ?? null,
      created_at: setupAt, updated_at: setupAt });
  }
  const productIds = new Map<string, string>();
  const lotIds = new Map<DemoLot, string>();
  for (const p of plan.catalog.products) {
    const id = newId();
    productIds.set(p.code, id);
    let pigmentId: string | null = null;
    if (p.pigment) {
      pigmentId = newId();
      ds.pigments.push({ id: pigmentId, org_id: orgId, brand: p.pigment.brand, color: p.pigment.color, undertone: p.pigment.undertone, notes: null,
        is_active: true, created_at: setupAt, updated_at: setupAt });
    }
    ds.products.push({ id, org_id: orgId, code: p.code, name: p.name, product_type: p.type, unit: p.unit, supplier: p.supplier, pigment_id: pigmentId,
      ingredients: p.ingredients, reorder_level: p.reorderLevel, is_active: true, created_at: setupAt, updated_at: setupAt });
    for (const lot of p.lots) lotIds.set(lot, newId());
  }

  // Consent templates: digital consent started `consentsFrom` days ago; some were revised since.
  const currentTemplate = new Map<string, { id: string; version: number; from: number; text: { title: string; body: string } }[]>();
  for (const t of plan.catalog.treatments.filter((x) => x.consentRequired)) {
    const versions: { id: string; version: number; from: number; text: { title: string; body: string } }[] = [];
    const revised = plan.revisedConsents[t.code];
    const starts = revised !== undefined ? [-plan.consentsFrom, -revised] : [-plan.consentsFrom];
    starts.forEach((from, i) => {
      const v = { id: newId(), version: i + 1, from, text: CONSENT_TEXT[plan.locale](t, i + 1) };
      versions.push(v);
      ds.consentTemplates.push({ id: v.id, org_id: orgId, treatment_id: treatmentIds.get(t.code), title: v.text.title, version: v.version, body: v.text.body,
        is_current: i === starts.length - 1, created_by: plan.ownerId, created_at: at(from - 1, 18, 30) });
    });
    currentTemplate.set(t.code, versions);
  }

  // Patients and the sessions they come for.
  const people: { person: DemoPerson; firstDay: number; consult: boolean }[] = [];
  const planned: PlannedSession[] = [];
  const seenPhones = new Set<string>();
  const seenEmails = new Set<string>();
  const byCode = new Map(plan.catalog.treatments.map((t) => [t.code, t]));
  for (let i = 0; i < plan.patients; i++) {
    let person = plan.person(rnd, today);
    while (seenPhones.has(person.phone) || (person.email && seenEmails.has(person.email))) person = plan.person(rnd, today);
    seenPhones.add(person.phone);
    if (person.email) seenEmails.add(person.email);
    const adherence = rnd.weighted([['loyal', 60], ['late', 25], ['lapsed', 15]] as const);
    const consultOnly = rnd.chance(0.05);
    let chosen = consultOnly ? [] : plan.programs.filter((p) => rnd.chance(p.share));
    if (!consultOnly && !chosen.length) chosen = [rnd.pick(plan.programs)];
    const mine: PlannedSession[] = [];
    for (const prog of chosen) {
      const t = byCode.get(prog.treatment)!;
      // Screened out: what the history rules out, and what screening would refuse on the patient's intake answers.
      if (t.contraindications.some((c) => person.avoid.includes(c)) || contraindicated(deriveFlags(person.answers), t)) continue;
      const count = rnd.int(prog.count[0], prog.count[1]);
      // Series that began before the demo year are already under way on its first day.
      let day = rnd.int(-364 - prog.interval[1], -3);
      for (let n = 0; n < count && day <= -1; n++) {
        if (day >= -364) mine.push({ patient: i, day: openDay(day), treatment: t });
        if (adherence === 'lapsed' && n >= 1 && rnd.chance(0.5)) break;
        if (prog.touchUp && n === 0) { day += rnd.int(38, 52); continue; }
        if (day < -364) { day += rnd.int(prog.interval[0], prog.interval[1]); continue; }
        day += rnd.int(prog.interval[0], prog.interval[1]) + (adherence === 'late' ? rnd.int(15, 60) : 0);
      }
    }
    const firstDay = mine.length ? Math.min(...mine.map((s) => s.day)) : rnd.int(-300, -2);
    const consult = !mine.length || rnd.chance(0.4);
    people.push({ person, firstDay: consult ? firstDay - rnd.int(3, 21) : firstDay, consult });
    planned.push(...mine);
  }

  // A few patients declared a critical condition on a later intake (pregnancy, isotretinoin): from
  // that day they had no session screening would refuse, and recalls for those treatments were cancelled.
  const episodes = chooseEpisodes(plan, rnd, people, planned);
  const kept = planned.filter((s) => !stopped(episodes.get(s.patient), s.day, s.treatment));
  planned.length = 0;
  planned.push(...kept);

  // Codes count up in order of registration, per year (PAT-2026-000123), as the patient service does.
  const order = people.map((_, i) => i).sort((a, b) => people[a]!.firstDay - people[b]!.firstDay || a - b);
  const patientIds: string[] = people.map(() => newId());
  const patientCodes: string[] = new Array(people.length);
  const perYear = new Map<number, number>();
  for (const i of order) {
    const year = Number(dateOf(people[i]!.firstDay).slice(0, 4));
    const n = (perYear.get(year) ?? 0) + 1;
    perYear.set(year, n);
    patientCodes[i] = `PAT-${year}-${pad(n, 6)}`;
  }
  for (const [year, value] of perYear) ds.sequences.push({ org_id: orgId, name: 'patient', year, value });
  people.forEach(({ person, firstDay }, i) => {
    const created = at(firstDay, 10, 0);
    ds.patients.push({ id: patientIds[i], org_id: orgId, code: patientCodes[i], full_name: person.fullName, gender: person.gender,
      date_of_birth: person.dateOfBirth, phone: person.phone, email: person.email, skin_type: person.skinType,
      medical_history: person.medicalHistory, allergy_notes: person.allergyNotes, emergency_contact: person.emergencyContact, notes: person.notes,
      is_active: true, alert_level: person.alertLevel, created_by: plan.ownerId, created_at: created, updated_at: created });
  });

  // Visits: a patient's sessions on one day share a visit; some patients came for a consultation first.
  planned.sort((a, b) => a.day - b.day || a.patient - b.patient);
  const visitOf = new Map<string, { id: string; minute: number; practitioner: string | null }>();
  const addVisit = (patient: number, day: number, type: 'consultation' | 'treatment' | 'follow_up', practitioner: string | null, notes: string | null) => {
    const id = newId();
    const minute = rnd.int(21, 39) * 30; // 10:30 .. 19:30
    ds.visits.push({ id, org_id: orgId, patient_id: patientIds[patient], visit_date: dateOf(day), visit_type: type, practitioner_id: practitioner, notes,
      created_by: plan.ownerId, created_at: at(day, Math.floor(minute / 60), minute % 60), updated_at: at(day, Math.floor(minute / 60), minute % 60) });
    return { id, minute, practitioner };
  };
  people.forEach(({ consult, firstDay }, i) => {
    if (consult) addVisit(i, firstDay, 'consultation', practitionerIds.get(plan.catalog.practitioners[0]!.code)!,
      zh ? rnd.pick(['初診諮詢：討論臉型與療程規劃', '諮詢肉毒與音波差異，提供報價', '膚況諮詢，建議淨膚療程']) : rnd.pick(['Consultation: brow mapping and colour match', 'Consultation and patch test']));
  });

  // Sessions, in time order, so session numbers count per patient and treatment.
  const sessionNo = new Map<string, number>();
  const lotUse = new Map<DemoLot, number>();
  const history = new Map<string, number[]>(); // patient|treatment -> days
  for (const s of planned) {
    const key = `${s.patient}|${s.treatment.code}`;
    history.set(key, [...(history.get(key) ?? []), s.day]);
  }
  interface Made { id: string; patient: number; day: number; treatment: DemoTreatment; performedAt: Date; creator: string }
  const made: Made[] = [];
  for (const s of planned) {
    const t = s.treatment;
    const active = t.practitioners.filter((code) => {
      const p = plan.catalog.practitioners.find((x) => x.code === code)!;
      return p.status === 'active' || (p.leftDaysAgo !== undefined && s.day < -p.leftDaysAgo);
    });
    const prCode = rnd.pick(active.length ? active : t.practitioners);
    const pr = plan.catalog.practitioners.find((x) => x.code === prCode)!;
    const vkey = `${s.patient}|${s.day}`;
    let visit = visitOf.get(vkey);
    if (!visit) {
      visit = addVisit(s.patient, s.day, 'treatment', practitionerIds.get(prCode)!, null);
      visitOf.set(vkey, visit);
    }
    const minute = visit.minute;
    visit.minute += 45;
    const performedAt = at(s.day, Math.floor(minute / 60), minute % 60);
    const nkey = `${s.patient}|${t.code}`;
    const no = (sessionNo.get(nkey) ?? 0) + 1;
    sessionNo.set(nkey, no);

    let dosage: number | null; let area: Record<string, number | null>; let settings: Record<string, unknown> | null = null; let pmu: Record<string, unknown> | null = null;
    let priceMajor = t.price;
    switch (t.code) {
      case 'BOT_MASSETER': { dosage = rnd.pick([30, 40, 40, 40, 50]); area = { left_masseter: dosage / 2, right_masseter: dosage / 2 }; break; }
      case 'BOT_FOREHEAD': { const f = rnd.int(5, 8) * 2; const g = rnd.int(6, 10) * 2; dosage = f + g; area = { forehead: f, glabella: g }; break; }
      case 'HIFU': { const face = rnd.int(5, 8) * 100; const neck = rnd.pick([0, 100, 200]); dosage = face + neck; area = neck ? { full_face: face, submental: neck } : { full_face: face }; settings = { transducer: '4.5 mm / 3.0 mm', energy_j: rnd.pick([0.8, 0.9, 1.0]) }; break; }
      case 'RF_THERMAGE': { dosage = rnd.pick([600, 900, 900]); area = dosage === 600 ? { full_face: 600 } : { full_face: 750, eyes: 150 }; settings = { tip: 'Total Tip 4.0', level: rnd.pick([2.5, 3.0, 3.5]) }; priceMajor = dosage === 600 ? 60000 : 78000; break; }
      case 'HA_FILLER': { const choice = rnd.pick(['nasolabial', 'chin', 'cheeks']); dosage = choice === 'chin' ? 1 : 2; area = choice === 'nasolabial' ? { nasolabial_left: 1, nasolabial_right: 1 } : choice === 'chin' ? { chin: 1 } : { cheek_left: 1, cheek_right: 1 }; priceMajor = t.price * dosage; break; }
      case 'HA_LIPS': { dosage = 1; area = { upper_lip: 0.4, lower_lip: 0.6 }; break; }
      case 'LASER_TONING': case 'PICO_LASER': { dosage = 1; area = { full_face: null }; settings = { fluence_j_cm2: rnd.pick([1.6, 1.8, 2.0]), passes: rnd.int(2, 4) }; break; }
      default: { dosage = 1; area = t.procedureType === 'Lip Color/Contour' ? { lips: null } : t.procedureType === 'Eyeliner' ? { upper_lash_line: null } : { left_brow: null, right_brow: null }; if (no > 1) priceMajor = Math.round(t.price * 0.25); }
    }
    if (t.category !== 'PMU' && no > 2 && rnd.chance(0.3)) priceMajor = Math.round(priceMajor * 0.9); // returning-patient discount

    const id = newId();
    const creator = creatorFor(pr.userEmail);
    // Drug or pigment usage from the lot in use that day.
    const product = t.product ? plan.catalog.products.find((p) => p.code === t.product) : undefined;
    let usedLot: DemoLot | undefined;
    if (product) {
      usedLot = lotFor(product, s.day);
      const amount = t.category === 'PMU' ? rnd.int(3, 6) / 10 : dosage!;
      if (usedLot) {
        lotUse.set(usedLot, (lotUse.get(usedLot) ?? 0) + amount);
        const usageId = newId();
        ds.drugUsages.push({ id: usageId, org_id: orgId, session_id: id, product_id: productIds.get(product.code), lot_id: lotIds.get(usedLot), amount_used: amount,
          unit: product.unit, created_by: creator, created_at: performedAt });
        ds.stockMovements.push({ id: newId(), org_id: orgId, lot_id: lotIds.get(usedLot), kind: 'use', quantity: -amount, usage_id: usageId, reason: null,
          created_by: creator, created_at: performedAt });
      }
    }
    if (t.category === 'PMU') {
      pmu = { procedure_type: t.procedureType, area_treated: Object.keys(area).join(', '), duration_min: no === 1 ? rnd.int(100, 150) : rnd.int(50, 80),
        voltage: rnd.pick([7.5, 8, 8.5]), needle_configuration: t.procedureType === 'Microblading' ? '18U blade, 0.18 mm' : '1RL 0.30 mm',
        depth: '0.2-0.3 mm', pigment_brand: product?.pigment?.brand ?? null, pigment_color: product?.pigment?.color ?? null, lot_number: usedLot?.lotNumber ?? null };
    }
    const reactions = zh ? REACTIONS_ZH[t.category]! : REACTIONS_EN;
    const notes = zh ? NOTES_ZH[t.category]! : NOTES_EN.PMU!;
    ds.sessions.push({ id, org_id: orgId, visit_id: visit.id, patient_id: patientIds[s.patient], treatment_id: treatmentIds.get(t.code),
      practitioner_id: practitionerIds.get(prCode), device_id: t.device ? deviceIds.get(t.device) : null, session_no: no, dosage_value: dosage, dosage_unit: t.unit,
      treatment_area: area, device_settings: settings, pmu, performed_at: performedAt, immediate_reaction: rnd.chance(0.35) ? rnd.pick(reactions) : null,
      clinical_notes: rnd.pick(notes), price_minor: Math.round(priceMajor * factor), currency, status: 'signed', version: 1,
      signed_at: new Date(performedAt.getTime() + 25 * 60_000), signed_by: creator, consent_exception: null, created_by: creator,
      created_at: performedAt, updated_at: new Date(performedAt.getTime() + 25 * 60_000) });
    made.push({ id, patient: s.patient, day: s.day, treatment: t, performedAt, creator });
  }

  // Lots: received = what was used + what is left, in whole packs; on hand = received - used.
  for (const p of plan.catalog.products) {
    for (const lot of p.lots) {
      const used = Math.round((lotUse.get(lot) ?? 0) * 100) / 100;
      const received = lot.quantity ?? Math.max(p.packSize, Math.ceil((used + lot.leftover) / p.packSize) * p.packSize);
      const id = lotIds.get(lot)!;
      const receivedAt = at(-lot.receivedDaysAgo, 11, 0);
      ds.lots.push({ id, org_id: orgId, product_id: productIds.get(p.code), lot_number: lot.lotNumber, expiry_date: dateOf(lot.expiresInDays),
        quantity_received: received, quantity_on_hand: Math.round((received - used) * 100) / 100, received_at: receivedAt, supplier: p.supplier,
        unit_cost_minor: Math.round(lot.unitCost * factor), currency, status: 'active', created_at: receivedAt, updated_at: receivedAt });
      ds.stockMovements.push({ id: newId(), org_id: orgId, lot_id: id, kind: 'receive', quantity: received, usage_id: null, reason: `Delivery ${lot.lotNumber}`,
        created_by: plan.ownerId, created_at: receivedAt });
    }
  }

  // Follow-ups from each treatment's rules: behind us done or missed (a few still open), ahead planned.
  const followupVisitDays = new Set(ds.visits.map((v) => `${v.patient_id}|${v.visit_date}`));
  for (const m of made) {
    const later = (history.get(`${m.patient}|${m.treatment.code}`) ?? []).filter((d) => d > m.day);
    for (const rule of m.treatment.rules) {
      const sched = m.day + rule.after_days;
      let status: 'planned' | 'done' | 'missed' | 'cancelled' = 'planned';
      let actual: number | null = null;
      let outcome: string | null = null;
      const episode = episodes.get(m.patient);
      if ((rule.type === 'maintenance' || rule.type === 'touch_up') && stopped(episode, sched, m.treatment)) {
        status = 'cancelled';
        outcome = episode!.flag === 'pregnancy'
          ? (zh ? '病人懷孕，療程暫停（產後再評估）' : 'Client is pregnant: postponed until after pregnancy')
          : (zh ? '服用口服 A 酸，療程暫停至停藥滿 6 個月' : 'On isotretinoin: postponed until six months after the last dose');
      } else if (rule.type === 'medical' || rule.type === 'reminder') {
        if (sched < 0) {
          if (sched >= -7 && rnd.chance(0.4)) status = 'planned';
          else if (rnd.chance(0.88)) { status = 'done'; actual = Math.min(-1, sched + rnd.int(0, 3)); outcome = rnd.pick(zh ? OUTCOMES_ZH : OUTCOMES_EN); }
          else status = 'missed';
        }
      } else {
        const next = later[0];
        if (next !== undefined && next <= sched + 60) { status = 'done'; actual = next; outcome = zh ? '已回診接受下一次療程' : 'Came back for the next session'; }
        else if (sched < 0) status = next !== undefined || sched < -45 ? 'missed' : 'planned';
      }
      const fid = newId();
      ds.followups.push({ id: fid, org_id: orgId, patient_id: patientIds[m.patient], session_id: m.id, treatment_id: treatmentIds.get(m.treatment.code),
        followup_type: rule.type, scheduled_date: dateOf(sched), actual_date: actual === null ? null : dateOf(actual), outcome_notes: outcome,
        next_recommend_date: null, notify_flag: rule.notify, status, source: 'rule', created_by: m.creator, created_at: m.performedAt,
        updated_at: status === 'cancelled' ? at(episode!.from, 19, 0) : actual === null ? (status === 'missed' ? at(sched + 1, 9, 0) : m.performedAt) : at(actual, 19, 0) });
      // A medical check that happened is a follow-up visit on the chart.
      if (status === 'done' && rule.type === 'medical' && actual !== null && !followupVisitDays.has(`${patientIds[m.patient]}|${dateOf(actual)}`)) {
        followupVisitDays.add(`${patientIds[m.patient]}|${dateOf(actual)}`);
        addVisit(m.patient, actual, 'follow_up', null, outcome);
      }
    }
  }
  // A few recommendations and reminders planned by hand.
  const recent = made.filter((m) => m.day >= -60);
  for (let k = 0; k < Math.min(12, recent.length); k++) {
    const m = recent[rnd.int(0, recent.length - 1)]!;
    const recommend = k % 2 === 0;
    const day = recommend ? rnd.int(30, 150) : rnd.int(2, 28);
    if (stopped(episodes.get(m.patient), day, m.treatment)) continue;
    ds.followups.push({ id: newId(), org_id: orgId, patient_id: patientIds[m.patient], session_id: m.id, treatment_id: treatmentIds.get(m.treatment.code),
      followup_type: recommend ? 'maintenance' : 'reminder', scheduled_date: dateOf(day), actual_date: null,
      outcome_notes: null, next_recommend_date: recommend ? dateOf(day) : null, notify_flag: true, status: 'planned', source: recommend ? 'recommend' : 'manual',
      created_by: m.creator, created_at: new Date(m.performedAt.getTime() + 40 * 60_000), updated_at: new Date(m.performedAt.getTime() + 40 * 60_000) });
  }

  // Consents: every session since digital consent started was covered, except a few flagged ones.
  const needConsent = made.filter((m) => m.treatment.consentRequired && m.day >= -plan.consentsFrom);
  const flagged = new Set<Made>();
  const flaggable = needConsent.filter((m) => m.day >= -40);
  for (let k = 0; k < plan.exceptions.open + plan.exceptions.resolved && flaggable.length; k++) flagged.add(flaggable.splice(rnd.int(0, flaggable.length - 1), 1)[0]!);
  const signed = new Set<string>(); // patient|template
  const signatureOf = new Map<number, string>();
  let resolvedLeft = plan.exceptions.resolved;
  for (const m of needConsent) {
    const versions = currentTemplate.get(m.treatment.code)!;
    const tpl = [...versions].reverse().find((v) => v.from <= m.day)!;
    const key = `${m.patient}|${tpl.id}`;
    if (signed.has(key)) continue;
    const session = ds.sessions.find((s) => s.id === m.id)!;
    const person = people[m.patient]!.person;
    let signedAt = new Date(m.performedAt.getTime() - 20 * 60_000);
    if (flagged.has(m)) {
      session.consent_exception = 'missing_consent';
      const resolved = resolvedLeft-- > 0;
      const exception = { id: newId(), org_id: orgId, patient_id: patientIds[m.patient], session_id: m.id, kind: 'missing_consent',
        details: { treatment_id: treatmentIds.get(m.treatment.code), treatment_code: m.treatment.code, template_id: tpl.id, template_version: tpl.version },
        resolved_at: null as Date | null, resolved_by: null as string | null, resolution: null as string | null, created_at: m.performedAt };
      ds.complianceExceptions.push(exception);
      if (!resolved) continue;
      // Resolved: the patient signed the next day.
      signedAt = at(m.day + 1, 11, 15);
      exception.resolved_at = new Date(signedAt.getTime() + 5 * 60_000);
      exception.resolved_by = plan.ownerId;
      exception.resolution = zh ? '病人隔日回診補簽同意書' : 'Client signed the consent the next day';
    }
    signed.add(key);
    let signatureFileId = signatureOf.get(m.patient);
    const sigFileId = newId();
    signatureFileId = sigFileId;
    signatureOf.set(m.patient, sigFileId);
    const consentId = newId();
    const docFileId = newId();
    ds.files.push({ id: sigFileId, kind: 'signature', render: { type: 'signature', name: person.fullName }, originalName: 'signature.png',
      entityType: 'consent', entityId: consentId, createdBy: m.creator, createdAt: signedAt });
    ds.files.push({ id: docFileId, kind: 'document', originalName: `consent-${patientCodes[m.patient]}-${m.treatment.code}-v${tpl.version}.png`,
      render: { type: 'consent', consentId, templateId: tpl.id, signatureFileId, title: tpl.text.title, body: tpl.text.body, version: tpl.version,
        treatment: { code: m.treatment.code, name: m.treatment.name }, patient: { code: patientCodes[m.patient]!, fullName: person.fullName },
        signedName: person.fullName, signedAt, ip: `203.0.113.${rnd.int(2, 250)}` },
      entityType: 'consent', entityId: consentId, createdBy: m.creator, createdAt: signedAt });
    ds.consents.push({ id: consentId, org_id: orgId, patient_id: patientIds[m.patient], template_id: tpl.id, treatment_id: treatmentIds.get(m.treatment.code),
      template_version: tpl.version, signed_name: person.fullName, signature_file_id: sigFileId, document_file_id: docFileId, document_sha256: null,
      signed_at: signedAt, signed_ip: (ds.files.at(-1)!.render as { ip: string }).ip, created_by: m.creator, created_at: signedAt });
    ds.documents.push({ id: newId(), org_id: orgId, patient_id: patientIds[m.patient], type: 'CONSENT_FORM', file_id: docFileId,
      notes: `${tpl.text.title} v${tpl.version}`, created_by: m.creator, created_at: signedAt, updated_at: signedAt });
  }

  // Before/after photos for recent sessions of visible treatments.
  const photogenic = made.filter((m) => m.day >= -120 && ['Injection', 'Device', 'PMU', 'Laser'].includes(m.treatment.category));
  const chosenPhotos = new Set<Made>();
  while (chosenPhotos.size < Math.min(plan.photoSessions, photogenic.length)) chosenPhotos.add(photogenic[rnd.int(0, photogenic.length - 1)]!);
  for (const m of [...chosenPhotos].sort((a, b) => a.performedAt.getTime() - b.performedAt.getTime())) {
    const person = people[m.patient]!.person;
    const marketing = rnd.chance(0.3);
    for (const mediaType of ['before', 'after'] as const) {
      const capturedAt = new Date(m.performedAt.getTime() + (mediaType === 'before' ? -10 : 35) * 60_000);
      const photoId = newId();
      const fileId = newId();
      const thumbId = newId();
      const label = `${m.treatment.nameEn} · ${mediaType}`;
      ds.files.push({ id: fileId, kind: 'photo', render: { type: 'photo', skinType: person.skinType, mediaType, thumbnail: false, label }, originalName: `${mediaType}.jpg`,
        entityType: 'photo', entityId: photoId, createdBy: m.creator, createdAt: capturedAt });
      ds.files.push({ id: thumbId, kind: 'photo', render: { type: 'photo', skinType: person.skinType, mediaType, thumbnail: true, label }, originalName: `${mediaType}-thumb.jpg`,
        entityType: 'photo', entityId: photoId, createdBy: m.creator, createdAt: capturedAt });
      ds.photos.push({ id: photoId, org_id: orgId, patient_id: patientIds[m.patient], session_id: m.id, file_id: fileId, thumbnail_file_id: thumbId,
        media_type: mediaType, angle: 'front', captured_at: capturedAt, marketing_consent: marketing, marketing_consent_at: marketing ? capturedAt : null,
        notes: null, created_by: m.creator, created_at: capturedAt });
    }
  }

  generateIntakes({ plan, rnd, ds, people, patientIds, made, episodes, addVisit, at, dateOf,
    consultBy: practitionerIds.get(plan.catalog.practitioners[0]!.code)! });
  return ds;
}

/**
 * Picks the patients of `plan.episodes`: never one of the first ten charts (seed 000's examples are
 * often tried on the first chart), never one with a critical history, always on a day they had a
 * session booked that the condition stops (and, for a resumed series, the first such session six
 * months on is when the flag is cleared).
 */
function chooseEpisodes(plan: OrgPlan, rnd: Random, people: { person: DemoPerson; firstDay: number }[], planned: PlannedSession[]): Map<number, Episode> {
  const episodes = new Map<number, Episode>();
  const byPatient = new Map<number, PlannedSession[]>();
  for (const s of planned) byPatient.set(s.patient, [...(byPatient.get(s.patient) ?? []), s]);
  for (const list of byPatient.values()) list.sort((a, b) => a.day - b.day);
  const early = new Set(people.map((_, i) => i).sort((a, b) => people[a]!.firstDay - people[b]!.firstDay || a - b).slice(0, 10));
  const age = (p: DemoPerson) => Number(plan.today.slice(0, 4)) - Number(p.dateOfBirth.slice(0, 4));
  const choose = (n: number, fits: (p: DemoPerson, sessions: PlannedSession[]) => Episode | null) => {
    const pool = [...byPatient.keys()].sort((a, b) => a - b).filter((i) => !early.has(i) && !episodes.has(i) && people[i]!.person.alertLevel !== 'critical');
    while (n > 0 && pool.length) {
      const i = pool.splice(rnd.int(0, pool.length - 1), 1)[0]!;
      const ep = fits(people[i]!.person, byPatient.get(i)!);
      if (ep) { episodes.set(i, ep); n--; }
    }
  };
  // Sessions after the first that the flag would stop, within [from, to] days.
  const stoppable = (sessions: PlannedSession[], flag: string, from: number, to: number) =>
    sessions.filter((s) => s.day > sessions[0]!.day && s.day >= from && s.day <= to && contraindicated([flag], s.treatment));
  choose(plan.episodes.pregnancy, (p, sessions) => {
    const days = p.gender === 'female' && age(p) >= 24 && age(p) <= 40 ? stoppable(sessions, 'pregnancy', -230, -25) : [];
    return days.length ? { flag: 'pregnancy', from: rnd.pick(days).day, until: null } : null;
  });
  choose(plan.episodes.isotretinoinResumed, (p, sessions) => {
    if (age(p) > 40) return null;
    const pairs = stoppable(sessions, 'isotretinoin_6m', -330, -170).flatMap((s) => {
      const back = sessions.find((x) => x.day >= s.day + 150 && x.day <= -1 && contraindicated(['isotretinoin_6m'], x.treatment));
      return back ? [{ from: s.day, until: back.day }] : [];
    });
    return pairs.length ? { flag: 'isotretinoin_6m', ...rnd.pick(pairs) } : null;
  });
  choose(plan.episodes.isotretinoinCurrent, (p, sessions) => {
    const days = age(p) <= 40 ? stoppable(sessions, 'isotretinoin_6m', -120, -20) : [];
    return days.length ? { flag: 'isotretinoin_6m', from: rnd.pick(days).day, until: null } : null;
  });
  return episodes;
}

interface MadeSession { id: string; patient: number; day: number; treatment: DemoTreatment; performedAt: Date; creator: string }

/**
 * Intakes: most patients answered the questionnaire at their first visit, some renewed it about half
 * a year on, and the episode patients declared their condition (and its end) on a later one, at a
 * visit that day. Every PMU procedure was preceded by the contraindication form. Skin analyses: a
 * VISIA baseline before a laser series and one about every three months of it; before a first PMU
 * procedure, and a healing review at its touch-up.
 */
function generateIntakes(c: {
  plan: OrgPlan; rnd: Random; ds: DemoDataset; people: { person: DemoPerson; firstDay: number }[]; patientIds: string[]; made: MadeSession[];
  episodes: Map<number, Episode>; consultBy: string;
  addVisit: (patient: number, day: number, type: 'consultation', practitioner: string | null, notes: string | null) => { id: string; minute: number };
  at: (day: number, hour: number, minute: number) => Date; dateOf: (day: number) => string;
}): void {
  const { plan, rnd, ds, people, patientIds, episodes, at, dateOf } = c;
  const zh = plan.locale === 'zh-TW';
  const firstVisit = new Map<string, Row>(); // patient id|date -> the day's first visit
  for (const v of ds.visits) {
    const key = `${v.patient_id}|${v.visit_date}`;
    const seen = firstVisit.get(key);
    if (!seen || (v.created_at as Date) < (seen.created_at as Date)) firstVisit.set(key, v);
  }
  const madeBy = new Map<number, MadeSession[]>();
  for (const m of c.made) madeBy.set(m.patient, [...(madeBy.get(m.patient) ?? []), m]);
  const minutes = (d: Date, n: number) => new Date(d.getTime() + n * 60_000);
  const pigmentOf = (t: DemoTreatment) => {
    const pg = plan.catalog.products.find((p) => p.code === t.product)?.pigment;
    return pg ? `${pg.brand} ${pg.color}` : null;
  };

  people.forEach(({ person, firstDay }, i) => {
    const patientId = patientIds[i]!;
    const mine = madeBy.get(i) ?? [];
    const ep = episodes.get(i);
    const life = lifestyle(rnd, zh);
    if (ep || person.alertLevel !== 'none' || rnd.chance(plan.intakeShare)) {
      const events: { day: number; kind: 'first' | 'renewal' | 'flag' | 'clear' }[] = [{ day: firstDay, kind: 'first' }];
      if (ep) {
        events.push({ day: ep.from, kind: 'flag' });
        if (ep.until !== null) events.push({ day: ep.until, kind: 'clear' });
      }
      if (rnd.chance(0.45)) {
        const renewal = mine.find((m) => m.day >= firstDay + 180 && events.every((e) => Math.abs(e.day - m.day) > 30));
        if (renewal) events.push({ day: renewal.day, kind: 'renewal' });
      }
      events.sort((a, b) => a.day - b.day);
      const concern = concernFor(rnd, zh, mine[0]?.treatment.code ?? null);
      const weeks = rnd.int(6, 12);
      for (const e of events) {
        const pregnant = ep?.flag === 'pregnancy' && e.day >= ep.from;
        const iso = ep?.flag !== 'isotretinoin_6m' || e.day < ep.from ? 'no' as const
          : ep.until !== null && e.day >= ep.until ? (e.kind === 'clear' ? 'cleared' as const : 'no' as const)
            : ep.until === null ? 'taking' as const : 'recent' as const;
        let visit = firstVisit.get(`${patientId}|${dateOf(e.day)}`);
        if (e.kind === 'flag' || e.kind === 'clear') {
          const note = pregnant
            ? (zh ? `告知懷孕（約 ${weeks} 週），暫停所有療程，產後再評估` : `Client is pregnant (about ${weeks} weeks): procedures postponed until after pregnancy and breastfeeding`)
            : iso === 'cleared' ? (zh ? '停用口服 A 酸已滿 6 個月，恢復療程' : 'Isotretinoin stopped over six months ago: cleared for procedures again')
              : iso === 'taking' ? (zh ? '皮膚科處方口服 A 酸治療中，雷射與紋繡暫停至停藥滿 6 個月' : 'On isotretinoin: procedures postponed until six months after the last dose')
                : (zh ? '一個月前停用口服 A 酸，雷射與紋繡暫停至停藥滿 6 個月' : 'Stopped isotretinoin a month ago: procedures postponed for six months');
          if (!visit) {
            c.addVisit(i, e.day, 'consultation', c.consultBy, note);
            visit = ds.visits.at(-1)!; // addVisit appends it
          } else if (!visit.notes) visit.notes = note;
        }
        if (!visit) throw new Error(`demo: no visit on ${dateOf(e.day)} for an intake`);
        const answers = intakeAnswers(zh, person, life, {
          concern: e.kind === 'first' ? concern : null, pregnancyWeeks: pregnant ? weeks + Math.floor((e.day - ep!.from) / 7) : null, isotretinoin: iso, renewal: e.kind !== 'first',
        });
        const completedAt = minutes(visit.created_at as Date, -10);
        ds.intakes.push({ id: newId(), org_id: plan.orgId, patient_id: patientId, kind: 'intake', answers, flags: deriveFlags(answers),
          completed_at: completedAt, created_by: plan.ownerId, created_at: completedAt });
      }
    }

    let laser: LaserSkin | null = null;
    let laserCount = 0;
    let lastLaser = -Infinity;
    let pmu: PmuSkin | null = null;
    const lastPmu = new Map<string, number>();
    for (const m of mine) {
      const t = m.treatment;
      if (t.category === 'Laser' && laserCount < 4 && m.day >= lastLaser + 80) {
        laser = laser ? laserProgress(rnd, laser) : laserBaseline(rnd);
        laserCount++;
        lastLaser = m.day;
        const analyzedAt = minutes(m.performedAt, -8);
        ds.analyses.push({ id: newId(), org_id: plan.orgId, patient_id: patientId, analyzed_at: analyzedAt, skin_type: person.skinType,
          findings: laserFindings(rnd, zh, laser, laserCount), file_id: null, created_by: m.creator, created_at: analyzedAt });
      }
      if (t.category !== 'PMU') continue;
      const prev = lastPmu.get(t.code);
      lastPmu.set(t.code, m.day);
      const analyzedAt = minutes(m.performedAt, -8);
      if (prev === undefined || m.day - prev > 90) {
        pmu ??= pmuSkin(rnd, t.procedureType);
        ds.analyses.push({ id: newId(), org_id: plan.orgId, patient_id: patientId, analyzed_at: analyzedAt, skin_type: person.skinType,
          findings: pmuFindings(rnd, zh, pmu, t, pigmentOf(t)), file_id: null, created_by: m.creator, created_at: analyzedAt });
      } else if (m.day - prev <= 60) {
        ds.analyses.push({ id: newId(), org_id: plan.orgId, patient_id: patientId, analyzed_at: analyzedAt, skin_type: person.skinType,
          findings: pmuHealing(rnd, zh, t), file_id: null, created_by: m.creator, created_at: analyzedAt });
      }
      // The contraindication form, signed before every PMU procedure.
      const answers = contraindicationAnswers(rnd, zh, person, life);
      const completedAt = minutes(m.performedAt, -5);
      ds.intakes.push({ id: newId(), org_id: plan.orgId, patient_id: patientId, kind: 'contraindication', answers, flags: deriveFlags(answers),
        completed_at: completedAt, created_by: m.creator, created_at: completedAt });
    }
  });
}
