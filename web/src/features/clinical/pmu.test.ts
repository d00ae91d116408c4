import { describe, expect, it } from 'vitest';
import type { Translate } from '../../i18n/i18n.js';
import { en } from '../../i18n/en.js';
import { zhTW } from '../../i18n/zh-TW.js';
import { tr } from '../../i18n/tr.js';
import { PMU_PROCEDURES, pmuProcedureLabel, pmuSummary } from './pmu.js';

const translator = (dict: Record<string, string>): Translate => (key) => dict[key]!;

describe('PMU specifics in the UI language', () => {
  it('names every procedure type of seed 001 in each language, and shows a type entered elsewhere as stored', () => {
    for (const dict of [en, zhTW, tr]) {
      const labels = PMU_PROCEDURES.map((p) => pmuProcedureLabel(translator(dict), p));
      expect(labels.every((l) => l.length > 0)).toBe(true);
      expect(new Set(labels).size).toBe(PMU_PROCEDURES.length);
    }
    expect(pmuProcedureLabel(translator(zhTW), 'Powder Brows')).toBe('霧眉');
    expect(pmuProcedureLabel(translator(zhTW), 'Ombré lips')).toBe('Ombré lips');
  });

  it('labels the fields and skips empty ones', () => {
    expect(pmuSummary(translator(zhTW), { procedure_type: 'Microblading', depth: '0.2 mm', voltage: 8, pigment_color: '', lot_number: null }))
      .toBe('項目類型: 飄眉 · 深度: 0.2 mm · 電壓（V）: 8');
    expect(pmuSummary(translator(en), { procedure_type: 'Eyeliner', needle_configuration: '1RL' })).toBe('Procedure type: Eyeliner · Needle configuration: 1RL');
  });
});
