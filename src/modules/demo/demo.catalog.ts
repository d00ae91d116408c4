/**
 * What the demo organizations offer and stock: practitioners, devices, treatments, products, pigments.
 * Day offsets are relative to the day of the first start (0 = today in the organization's time zone).
 */

export type Category = 'Injection' | 'Device' | 'Laser' | 'PMU';
export type FollowupType = 'medical' | 'maintenance' | 'reminder' | 'touch_up';

export interface DemoPractitioner {
  code: string; fullName: string; licenseNo: string | null; specialty: string; kind: 'doctor' | 'nurse' | 'pmu_artist';
  status: 'active' | 'inactive';
  /** Email of a demo staff user this practitioner is (links the chart's doctor to a sign-in). */
  userEmail?: string;
  /** Inactive practitioners stopped working this many days ago. */
  leftDaysAgo?: number;
}

export interface DemoDevice {
  code: string; name: string; type: 'HIFU' | 'RF' | 'Laser' | 'PMU_Machine'; manufacturer: string; model: string; serialNo: string;
  cycleDays: number; lastMaintenanceDaysAgo: number; defaultSettings: Record<string, unknown>;
}

export interface DemoTreatment {
  code: string; name: string; nameEn: string; category: Category; unit: 'U' | 'lines' | 'cc' | 'session' | 'shots';
  /** Major units of the organization's currency. */
  price: number; consentRequired: boolean; rules: { type: FollowupType; after_days: number; notify: boolean }[];
  description: string; ingredients: string[]; contraindications: string[]; procedureType?: string;
  /** Catalogue codes: which practitioners perform it, which device, which product it draws from. */
  practitioners: string[]; device?: string; product?: string;
}

export interface DemoLot {
  lotNumber: string;
  /** Usage switches to this lot on this day (the previous lot is set aside). Later than today: still sealed. */
  inUseFrom: number;
  receivedDaysAgo: number;
  /** Days from today: negative = expired. */
  expiresInDays: number;
  /** What is left when usage moves on (rounded up to whole packs). */
  leftover: number;
  /** Fixed quantity for a lot that is not yet in use. */
  quantity?: number;
  unitCost: number;
}

export interface DemoProduct {
  code: string; name: string; type: 'Botox' | 'HA' | 'Pigment' | 'Anesthetic'; unit: string; supplier: string; ingredients: string[];
  reorderLevel: number; packSize: number; pigment?: { brand: string; color: string; undertone: string }; lots: DemoLot[];
}

export interface DemoCatalog {
  practitioners: DemoPractitioner[]; devices: DemoDevice[]; treatments: DemoTreatment[]; products: DemoProduct[];
}

export const CLINIC_CATALOG: DemoCatalog = {
  practitioners: [
    { code: 'doc_01', fullName: '林美華 Dr. Lin Mei-Hua', licenseNo: '醫字第041235號', specialty: 'Dermatology', kind: 'doctor', status: 'active', userEmail: 'dr.lin@demo.visage.local' },
    { code: 'doc_02', fullName: '張志豪 Dr. Chang Chih-Hao', licenseNo: '醫字第052876號', specialty: 'Plastic surgery', kind: 'doctor', status: 'active' },
    { code: 'doc_03', fullName: '王建宏 Dr. Wang Chien-Hung', licenseNo: '醫字第038814號', specialty: 'Aesthetic medicine', kind: 'doctor', status: 'inactive', leftDaysAgo: 150 },
    { code: 'nurse_01', fullName: '陳怡君 Chen Yi-Chun', licenseNo: '護字第1102457號', specialty: 'Aesthetic nursing', kind: 'nurse', status: 'active' },
    { code: 'pmu_01', fullName: '吳佳穎 Wu Chia-Ying', licenseNo: null, specialty: 'Permanent makeup', kind: 'pmu_artist', status: 'active' },
  ],
  devices: [
    { code: 'HIFU_01', name: 'Ultherapy SPT', type: 'HIFU', manufacturer: 'Merz Aesthetics', model: 'Ulthera SPT', serialNo: 'UL-SPT-20931', cycleDays: 180, lastMaintenanceDaysAgo: 96, defaultSettings: { transducer: '4.5 mm', energy_j: 0.9 } },
    { code: 'RF_01', name: 'Thermage FLX', type: 'RF', manufacturer: 'Solta Medical', model: 'Thermage FLX', serialNo: 'TFLX-118274', cycleDays: 365, lastMaintenanceDaysAgo: 210, defaultSettings: { tip: 'Total Tip 4.0', level: 3.0 } },
    { code: 'LASER_01', name: 'PicoSure Pro', type: 'Laser', manufacturer: 'Cynosure', model: 'PicoSure Pro 755', serialNo: 'PSP-55102', cycleDays: 90, lastMaintenanceDaysAgo: 84, defaultSettings: { wavelength_nm: 755, spot_mm: 6, fluence_j_cm2: 0.71 } },
    { code: 'LASER_02', name: 'Spectra XT', type: 'Laser', manufacturer: 'Lutronic', model: 'Spectra XT Nd:YAG', serialNo: 'SXT-30418', cycleDays: 120, lastMaintenanceDaysAgo: 33, defaultSettings: { wavelength_nm: 1064, spot_mm: 7, fluence_j_cm2: 1.8, mode: 'toning' } },
  ],
  treatments: [
    { code: 'BOT_MASSETER', name: '美國肉毒瘦小臉', nameEn: 'Botox masseter slimming (US)', category: 'Injection', unit: 'U', price: 4999, consentRequired: true,
      rules: [{ type: 'medical', after_days: 14, notify: true }, { type: 'maintenance', after_days: 120, notify: true }],
      description: '美國原廠肉毒桿菌素注射咬肌，修飾臉型。Botulinum toxin into the masseters to slim the lower face.',
      ingredients: ['botulinum_toxin'], contraindications: ['pregnancy', 'breastfeeding', 'neuromuscular_disorder', 'allergy:botulinum_toxin'],
      practitioners: ['doc_01', 'doc_02', 'doc_03'], product: 'BOTOX_US' },
    { code: 'BOT_FOREHEAD', name: '肉毒除皺（抬頭紋・眉間紋）', nameEn: 'Botox wrinkle relaxing (forehead, glabella)', category: 'Injection', unit: 'U', price: 6000, consentRequired: true,
      rules: [{ type: 'medical', after_days: 14, notify: true }, { type: 'maintenance', after_days: 120, notify: true }],
      description: '放鬆表情肌，淡化動態紋。Relaxes the muscles behind dynamic lines.',
      ingredients: ['botulinum_toxin'], contraindications: ['pregnancy', 'breastfeeding', 'neuromuscular_disorder', 'allergy:botulinum_toxin'],
      practitioners: ['doc_01', 'doc_02', 'doc_03'], product: 'BOTOX_US' },
    { code: 'HIFU', name: '海芙音波', nameEn: 'HIFU lifting', category: 'Device', unit: 'lines', price: 38000, consentRequired: false,
      rules: [{ type: 'medical', after_days: 30, notify: true }, { type: 'maintenance', after_days: 180, notify: true }],
      description: '高強度聚焦超音波拉提緊緻。High-intensity focused ultrasound for lifting and tightening.',
      ingredients: [], contraindications: ['pregnancy', 'metal_implants'], practitioners: ['doc_02', 'doc_01'], device: 'HIFU_01' },
    { code: 'RF_THERMAGE', name: '鳳凰電波', nameEn: 'Thermage FLX radiofrequency', category: 'Device', unit: 'shots', price: 60000, consentRequired: false,
      rules: [{ type: 'medical', after_days: 30, notify: false }, { type: 'maintenance', after_days: 365, notify: true }],
      description: '單極電波刺激膠原增生。Monopolar radiofrequency for collagen remodelling.',
      ingredients: [], contraindications: ['pregnancy', 'pacemaker'], practitioners: ['doc_02'], device: 'RF_01' },
    { code: 'HA_FILLER', name: '玻尿酸填補', nameEn: 'Hyaluronic acid filler', category: 'Injection', unit: 'cc', price: 15000, consentRequired: true,
      rules: [{ type: 'medical', after_days: 14, notify: true }, { type: 'maintenance', after_days: 270, notify: true }],
      description: '法令紋、下巴與蘋果肌填補（每 cc 計價）。Nasolabial folds, chin and cheeks, priced per cc.',
      ingredients: ['hyaluronic_acid', 'lidocaine'], contraindications: ['pregnancy', 'allergy:lidocaine', 'active_infection'],
      practitioners: ['doc_02', 'doc_01'], product: 'HA_VOLUMA' },
    { code: 'HA_LIPS', name: '玻尿酸豐唇', nameEn: 'Lip filler', category: 'Injection', unit: 'cc', price: 16000, consentRequired: true,
      rules: [{ type: 'medical', after_days: 14, notify: true }, { type: 'maintenance', after_days: 180, notify: true }],
      description: '唇型與唇峰雕塑。Lip volume and contour.',
      ingredients: ['hyaluronic_acid', 'lidocaine'], contraindications: ['pregnancy', 'allergy:lidocaine', 'herpes_simplex'],
      practitioners: ['doc_02'], product: 'HA_VOLBELLA' },
    { code: 'LASER_TONING', name: '淨膚雷射', nameEn: 'Laser toning', category: 'Laser', unit: 'session', price: 3500, consentRequired: false,
      rules: [{ type: 'maintenance', after_days: 28, notify: true }],
      description: '低能量 Nd:YAG 改善膚色不均，建議每 4 週一次療程。Low-fluence Nd:YAG for an even tone, every four weeks.',
      ingredients: [], contraindications: ['pregnancy', 'isotretinoin_6m'], practitioners: ['doc_01', 'doc_03', 'nurse_01'], device: 'LASER_02' },
    { code: 'PICO_LASER', name: '皮秒雷射', nameEn: 'Picosecond laser (pigmentation)', category: 'Laser', unit: 'session', price: 8000, consentRequired: false,
      rules: [{ type: 'medical', after_days: 7, notify: false }, { type: 'maintenance', after_days: 42, notify: true }],
      description: '755 nm 皮秒雷射淡斑。755 nm picosecond laser for pigmentation.',
      ingredients: [], contraindications: ['pregnancy', 'isotretinoin_6m'], practitioners: ['doc_01', 'doc_03'], device: 'LASER_01' },
    { code: 'PMU_BROWS', name: '飄霧眉', nameEn: 'Microblading brows', category: 'PMU', unit: 'session', price: 12000, consentRequired: true, procedureType: 'Microblading',
      rules: [{ type: 'touch_up', after_days: 42, notify: true }, { type: 'maintenance', after_days: 365, notify: true }],
      description: '手工飄眉＋霧眉，六週後補色。Microblading with shading; touch-up after six weeks.',
      ingredients: ['iron_oxide', 'lidocaine'], contraindications: ['pregnancy', 'keloid', 'allergy:lidocaine'], practitioners: ['pmu_01'], product: 'PIG_PB_MEDIUM_BROWN' },
    { code: 'PMU_LIPS', name: '霧唇', nameEn: 'Lip blush', category: 'PMU', unit: 'session', price: 15000, consentRequired: true, procedureType: 'Lip Color/Contour',
      rules: [{ type: 'touch_up', after_days: 42, notify: true }, { type: 'maintenance', after_days: 540, notify: true }],
      description: '唇色與唇型霧染，六週後補色。Lip colour and contour; touch-up after six weeks.',
      ingredients: ['iron_oxide', 'lidocaine'], contraindications: ['pregnancy', 'herpes_simplex', 'allergy:lidocaine'], practitioners: ['pmu_01'], product: 'PIG_LI_ROSE' },
  ],
  products: [
    { code: 'BOTOX_US', name: 'Botox® 保妥適 100U（美國）', type: 'Botox', unit: 'U', supplier: 'AbbVie Taiwan (Allergan)', ingredients: ['botulinum_toxin'], reorderLevel: 400, packSize: 100,
      lots: [
        { lotNumber: 'C6127C3', inUseFrom: -400, receivedDaysAgo: 400, expiresInDays: 330, leftover: 0, unitCost: 95 },
        { lotNumber: 'C6458C2', inUseFrom: -255, receivedDaysAgo: 262, expiresInDays: -9, leftover: 150, unitCost: 92 },
        { lotNumber: 'C6803C4', inUseFrom: -130, receivedDaysAgo: 136, expiresInDays: 21, leftover: 300, unitCost: 95 },
        { lotNumber: 'C7019C1', inUseFrom: 3650, receivedDaysAgo: 6, expiresInDays: 540, leftover: 0, quantity: 2000, unitCost: 96 },
      ] },
    { code: 'HA_VOLUMA', name: 'Juvéderm® Voluma 1 ml', type: 'HA', unit: 'cc', supplier: 'AbbVie Taiwan (Allergan)', ingredients: ['hyaluronic_acid', 'lidocaine'], reorderLevel: 6, packSize: 1,
      lots: [
        { lotNumber: 'VB21A7734', inUseFrom: -400, receivedDaysAgo: 395, expiresInDays: 320, leftover: 0, unitCost: 6200 },
        { lotNumber: 'VB22K0912', inUseFrom: -170, receivedDaysAgo: 176, expiresInDays: 480, leftover: 14, unitCost: 6400 },
      ] },
    { code: 'HA_VOLBELLA', name: 'Juvéderm® Volbella 1 ml', type: 'HA', unit: 'cc', supplier: 'AbbVie Taiwan (Allergan)', ingredients: ['hyaluronic_acid', 'lidocaine'], reorderLevel: 4, packSize: 1,
      lots: [
        { lotNumber: 'VL22C4451', inUseFrom: -400, receivedDaysAgo: 390, expiresInDays: 260, leftover: 9, unitCost: 6800 },
      ] },
    { code: 'LIDO_CREAM', name: '5% Lidocaine numbing cream 30 g', type: 'Anesthetic', unit: 'g', supplier: 'Taiwan Biotech Co.', ingredients: ['lidocaine'], reorderLevel: 60, packSize: 30,
      lots: [{ lotNumber: 'LC2405-118', inUseFrom: 3650, receivedDaysAgo: 60, expiresInDays: 420, leftover: 0, quantity: 300, unitCost: 15 }] },
    { code: 'PIG_PB_MEDIUM_BROWN', name: 'Permablend Medium Brown 15 ml', type: 'Pigment', unit: 'ml', supplier: 'Permablend Pigments', ingredients: ['iron_oxide'], reorderLevel: 15, packSize: 15,
      pigment: { brand: 'Permablend', color: 'Medium Brown', undertone: 'warm' },
      lots: [
        { lotNumber: 'PB-MB-2403', inUseFrom: -400, receivedDaysAgo: 380, expiresInDays: 340, leftover: 0, unitCost: 55 },
        { lotNumber: 'PB-MB-2409', inUseFrom: -150, receivedDaysAgo: 160, expiresInDays: 560, leftover: 8, unitCost: 58 },
      ] },
    { code: 'PIG_PB_DARK_BROWN', name: 'Permablend Dark Brown 15 ml', type: 'Pigment', unit: 'ml', supplier: 'Permablend Pigments', ingredients: ['iron_oxide'], reorderLevel: 15, packSize: 15,
      pigment: { brand: 'Permablend', color: 'Dark Brown', undertone: 'neutral' },
      lots: [{ lotNumber: 'PB-DB-2405', inUseFrom: -400, receivedDaysAgo: 372, expiresInDays: 430, leftover: 6, unitCost: 58 }] },
    { code: 'PIG_LI_ROSE', name: 'Li Pigments Rose 15 ml', type: 'Pigment', unit: 'ml', supplier: 'Li Pigments', ingredients: ['iron_oxide', 'titanium_dioxide'], reorderLevel: 15, packSize: 15,
      pigment: { brand: 'Li Pigments', color: 'Rose', undertone: 'cool' },
      lots: [{ lotNumber: 'LI-RS-24117', inUseFrom: -400, receivedDaysAgo: 371, expiresInDays: 400, leftover: 5, unitCost: 62 }] },
  ],
};

export const STUDIO_CATALOG: DemoCatalog = {
  practitioners: [
    { code: 'artist_01', fullName: 'Jessica Park', licenseNo: 'CA-BP-77812', specialty: 'Microblading, powder brows', kind: 'pmu_artist', status: 'active' },
    { code: 'artist_02', fullName: 'Maria Delgado', licenseNo: 'CA-BP-80345', specialty: 'Lip blush, eyeliner', kind: 'pmu_artist', status: 'active' },
  ],
  devices: [
    { code: 'PMU_MACHINE_01', name: 'Bellar rotary pen', type: 'PMU_Machine', manufacturer: 'Bellar', model: 'Bellar Wireless', serialNo: 'BW-22817', cycleDays: 180, lastMaintenanceDaysAgo: 70, defaultSettings: { stroke_mm: 3.5, speed_hz: 100 } },
  ],
  treatments: [
    { code: 'MICROBLADING', name: 'Microblading brows', nameEn: 'Microblading brows', category: 'PMU', unit: 'session', price: 550, consentRequired: true, procedureType: 'Microblading',
      rules: [{ type: 'touch_up', after_days: 42, notify: true }, { type: 'maintenance', after_days: 365, notify: true }],
      description: 'Hair strokes by hand; touch-up after six weeks.', ingredients: ['iron_oxide', 'lidocaine'], contraindications: ['pregnancy', 'keloid', 'allergy:lidocaine'],
      practitioners: ['artist_01'], product: 'PIG_PB_MEDIUM_BROWN' },
    { code: 'POWDER_BROWS', name: 'Powder brows', nameEn: 'Powder brows', category: 'PMU', unit: 'session', price: 600, consentRequired: true, procedureType: 'Powder Brows',
      rules: [{ type: 'touch_up', after_days: 42, notify: true }, { type: 'maintenance', after_days: 540, notify: true }],
      description: 'Machine shading for a soft powder finish.', ingredients: ['iron_oxide', 'lidocaine'], contraindications: ['pregnancy', 'allergy:lidocaine'],
      practitioners: ['artist_01'], device: 'PMU_MACHINE_01', product: 'PIG_PB_DARK_BROWN' },
    { code: 'LIP_BLUSH', name: 'Lip blush', nameEn: 'Lip blush', category: 'PMU', unit: 'session', price: 650, consentRequired: true, procedureType: 'Lip Color/Contour',
      rules: [{ type: 'touch_up', after_days: 42, notify: true }, { type: 'maintenance', after_days: 540, notify: true }],
      description: 'Lip colour and contour.', ingredients: ['iron_oxide', 'lidocaine'], contraindications: ['pregnancy', 'herpes_simplex', 'allergy:lidocaine'],
      practitioners: ['artist_02'], device: 'PMU_MACHINE_01', product: 'PIG_LI_ROSE' },
    { code: 'EYELINER', name: 'Lash enhancement eyeliner', nameEn: 'Lash enhancement eyeliner', category: 'PMU', unit: 'session', price: 400, consentRequired: true, procedureType: 'Eyeliner',
      rules: [{ type: 'touch_up', after_days: 42, notify: true }],
      description: 'Top lash line enhancement.', ingredients: ['iron_oxide'], contraindications: ['pregnancy', 'active_infection'],
      practitioners: ['artist_02'], device: 'PMU_MACHINE_01', product: 'PIG_PB_BLACK' },
  ],
  products: [
    { code: 'PIG_PB_MEDIUM_BROWN', name: 'Permablend Medium Brown 15 ml', type: 'Pigment', unit: 'ml', supplier: 'Permablend Pigments', ingredients: ['iron_oxide'], reorderLevel: 15, packSize: 15,
      pigment: { brand: 'Permablend', color: 'Medium Brown', undertone: 'warm' },
      lots: [{ lotNumber: 'PB-MB-2406', inUseFrom: -400, receivedDaysAgo: 375, expiresInDays: 380, leftover: 7, unitCost: 1800 }] },
    { code: 'PIG_PB_DARK_BROWN', name: 'Permablend Dark Brown 15 ml', type: 'Pigment', unit: 'ml', supplier: 'Permablend Pigments', ingredients: ['iron_oxide'], reorderLevel: 15, packSize: 15,
      pigment: { brand: 'Permablend', color: 'Dark Brown', undertone: 'neutral' },
      lots: [{ lotNumber: 'PB-DB-2406', inUseFrom: -400, receivedDaysAgo: 375, expiresInDays: 380, leftover: 6, unitCost: 1800 }] },
    { code: 'PIG_LI_ROSE', name: 'Li Pigments Rose 15 ml', type: 'Pigment', unit: 'ml', supplier: 'Li Pigments', ingredients: ['iron_oxide', 'titanium_dioxide'], reorderLevel: 15, packSize: 15,
      pigment: { brand: 'Li Pigments', color: 'Rose', undertone: 'cool' },
      lots: [{ lotNumber: 'LI-RS-24102', inUseFrom: -400, receivedDaysAgo: 368, expiresInDays: 25, leftover: 5, unitCost: 2100 }] },
    { code: 'PIG_PB_BLACK', name: 'Permablend Black Onyx 15 ml', type: 'Pigment', unit: 'ml', supplier: 'Permablend Pigments', ingredients: ['iron_oxide', 'carbon_black'], reorderLevel: 15, packSize: 15,
      pigment: { brand: 'Permablend', color: 'Black Onyx', undertone: 'neutral' },
      lots: [{ lotNumber: 'PB-BO-2404', inUseFrom: -400, receivedDaysAgo: 369, expiresInDays: 300, leftover: 10, unitCost: 1800 }] },
  ],
};
