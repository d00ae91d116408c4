import { describe, expect, it } from 'vitest';
import { screen, type ScreenedTreatment } from './screening.js';

const botox: ScreenedTreatment = { code: 'BOT_MASSETER', name: 'Botox masseter', category: 'Injection', contraindications: [], ingredients: ['botulinum_toxin'] };
const filler: ScreenedTreatment = { code: 'HA_LIDO', name: 'HA filler', category: 'Injection', contraindications: [], ingredients: ['hyaluronic_acid', 'lidocaine'] };
const hifu: ScreenedTreatment = { code: 'HIFU', name: 'HIFU', category: 'Device', contraindications: ['keloid'], ingredients: [] };

describe('screen', () => {
  it('warns once when there is no intake', () => {
    expect(screen(null, botox)).toEqual([expect.objectContaining({ key: 'no_intake', severity: 'warning' })]);
  });

  it('implies contraindications from ingredients and category', () => {
    expect(screen(['pregnancy'], botox)).toEqual([expect.objectContaining({ key: 'pregnancy', severity: 'critical' })]);
    expect(screen(['pacemaker'], hifu).map((a) => a.severity)).toEqual(['critical']);
    expect(screen(['neuromuscular_disorder'], filler)).toEqual([]);
  });

  it('makes an allergy to an ingredient critical and ignores other allergies', () => {
    expect(screen(['allergy:lidocaine'], filler)).toEqual([expect.objectContaining({ key: 'allergy:lidocaine', severity: 'critical' })]);
    expect(screen(['allergy:lidocaine'], botox)).toEqual([]);
    expect(screen(['allergy_other'], filler).map((a) => a.severity)).toEqual(['warning']);
  });

  it('honours the catalogue\'s own list and sorts critical first', () => {
    expect(screen(['keloid', 'pregnancy', 'anticoagulants'], hifu).map((a) => `${a.severity}:${a.key}`)).toEqual(['critical:pregnancy', 'warning:keloid']);
  });
});
