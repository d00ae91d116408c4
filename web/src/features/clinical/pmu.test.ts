import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Translate } from '../../i18n/i18n.js';
import { en } from '../../i18n/en.js';
import { zhTW } from '../../i18n/zh-TW.js';
import { tr } from '../../i18n/tr.js';
import { PMU_PROCEDURES, pmuProcedureLabel, pmuSummary } from './pmu.js';

// Area labels capitalise for the page's language: a page in English.
beforeAll(() => { vi.stubGlobal('document', { documentElement: { lang: 'en' } }); });

const translator = (dict: Record<string, string>): Translate => (key, vars) =>
  dict[key]!.replace(/\{(\w+)\}/g, (m, name: string) => (vars && name in vars ? String(vars[name]) : m));

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

  it('names face-map areas in words and keeps other area text as written', () => {
    expect(pmuSummary(translator(en), { area_treated: 'left_brow, right_brow' })).toBe('Area treated: Left brow, Right brow');
    expect(pmuSummary(translator(en), { area_treated: 'Upper lash line' })).toBe('Area treated: Upper lash line');
  });

  it('labels the fields in the order of the form and skips empty ones', () => {
    expect(pmuSummary(translator(zhTW), { depth: '0.2 mm', voltage: 8, procedure_type: 'Microblading', pigment_color: '', lot_number: null }))
      .toBe('項目類型: 飄眉 · 電壓（V）: 8 · 深度: 0.2 mm');
    expect(pmuSummary(translator(en), { procedure_type: 'Eyeliner', needle_configuration: '1RL' })).toBe('Procedure type: Eyeliner · Needle configuration: 1RL');
  });
});
