import { describe, expect, it } from 'vitest';
import { allergyKey, deriveFlags, isYes } from './intake-flags.js';

describe('deriveFlags', () => {
  it('reads yes/no answers in the usual spellings and ignores no', () => {
    expect(deriveFlags({ pregnant: 'Yes', breastfeeding: '是', accutane: 1, keloid: false, anticoagulants: 'no', cold_sores: 'y' }))
      .toEqual(['breastfeeding', 'herpes_simplex', 'isotretinoin_6m', 'pregnancy']);
    expect(isYes('maybe')).toBe(false);
    expect(isYes(null)).toBe(false);
  });

  it('turns allergies from a list or text into ingredient keys with synonyms, and unnamed ones into allergy_other', () => {
    expect(deriveFlags({ allergies: 'Lignocaine; hyaluronic acid、玻尿酸, none' })).toEqual(['allergy:hyaluronic_acid', 'allergy:lidocaine']);
    expect(deriveFlags({ allergies: ['Botox', '芒果'] })).toEqual(['allergy:botulinum_toxin', 'allergy_other']);
    expect(deriveFlags({ allergies: '無' })).toEqual([]);
    expect(allergyKey('  Iron-Oxide ')).toBe('iron_oxide');
  });

  it('raises nothing for unknown keys', () => {
    expect(deriveFlags({ favourite_colour: 'yes', pregnant_partner: true })).toEqual([]);
  });
});
