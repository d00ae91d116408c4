import { CLINIC_CATALOG, STUDIO_CATALOG } from './demo.catalog.js';
import type { OrgPlan, Program } from './demo.generate.js';
import { angelenoPerson, taiwanesePerson } from './demo.people.js';

/** Who comes for what at the Taipei clinic: regular toxin, laser series, yearly lifting, some fillers and PMU. */
const CLINIC_PROGRAMS: Program[] = [
  { treatment: 'BOT_MASSETER', share: 0.72, interval: [110, 150], count: [3, 6] },
  { treatment: 'BOT_FOREHEAD', share: 0.32, interval: [110, 150], count: [3, 5] },
  { treatment: 'LASER_TONING', share: 0.55, interval: [21, 32], count: [8, 18] },
  { treatment: 'PICO_LASER', share: 0.25, interval: [30, 45], count: [3, 6] },
  { treatment: 'HIFU', share: 0.5, interval: [160, 200], count: [2, 3] },
  { treatment: 'RF_THERMAGE', share: 0.12, interval: [330, 400], count: [1, 2] },
  { treatment: 'HA_FILLER', share: 0.3, interval: [240, 300], count: [1, 2] },
  { treatment: 'HA_LIPS', share: 0.2, interval: [170, 220], count: [2, 3] },
  { treatment: 'PMU_BROWS', share: 0.18, interval: [330, 400], count: [2, 3], touchUp: true },
  { treatment: 'PMU_LIPS', share: 0.12, interval: [330, 400], count: [2, 3], touchUp: true },
];

const STUDIO_PROGRAMS: Program[] = [
  { treatment: 'MICROBLADING', share: 0.45, interval: [300, 400], count: [2, 3], touchUp: true },
  { treatment: 'POWDER_BROWS', share: 0.25, interval: [330, 420], count: [2, 3], touchUp: true },
  { treatment: 'LIP_BLUSH', share: 0.3, interval: [330, 420], count: [2, 3], touchUp: true },
  { treatment: 'EYELINER', share: 0.15, interval: [330, 420], count: [2, 2], touchUp: true },
];

type Who = Pick<OrgPlan, 'orgId' | 'today' | 'ownerId' | 'userIdsByEmail'>;

export function clinicPlan(who: Who): OrgPlan {
  return {
    ...who, timezone: 'Asia/Taipei', currency: 'TWD', locale: 'zh-TW', seed: 20251220, patients: 200, person: taiwanesePerson,
    catalog: CLINIC_CATALOG, programs: CLINIC_PROGRAMS, closedOn: 1, consentsFrom: 45, revisedConsents: { BOT_MASSETER: 20 },
    photoSessions: 30, exceptions: { open: 4, resolved: 2 }, intakeShare: 0.9,
    episodes: { pregnancy: 3, isotretinoinResumed: 1, isotretinoinCurrent: 1 },
  };
}

export function studioPlan(who: Who): OrgPlan {
  return {
    ...who, timezone: 'America/Los_Angeles', currency: 'USD', locale: 'en', seed: 20240819, patients: 60, person: angelenoPerson,
    catalog: STUDIO_CATALOG, programs: STUDIO_PROGRAMS, closedOn: 0, consentsFrom: 90, revisedConsents: {},
    photoSessions: 10, exceptions: { open: 1, resolved: 0 }, intakeShare: 0.9,
    episodes: { pregnancy: 1, isotretinoinResumed: 0, isotretinoinCurrent: 1 },
  };
}
