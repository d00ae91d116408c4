import { describe, expect, it } from 'vitest';
import { amountInput, amountToMinor, parseAmount, parseQuantity, separators } from './amount.js';

const minor = (text: string, locale: string, currency = 'TWD') => parseAmount(text, locale, currency);

describe('amounts typed in the organization\'s locale', () => {
  it('knows each locale\'s separators', () => {
    expect(separators('en')).toEqual({ decimal: '.', group: ',' });
    expect(separators('zh-TW')).toEqual({ decimal: '.', group: ',' });
    expect(separators('tr-TR')).toEqual({ decimal: ',', group: '.' });
  });

  it('reads en and zh-TW: a point before the fraction, commas that group thousands', () => {
    for (const locale of ['en', 'zh-TW']) {
      expect(minor('4999.50', locale)).toEqual({ ok: true, minor: 499950 });
      expect(minor('4,999.50', locale)).toEqual({ ok: true, minor: 499950 });
      expect(minor(' 1,234,567 ', locale)).toEqual({ ok: true, minor: 123456700 });
      expect(minor('4999', locale)).toEqual({ ok: true, minor: 499900 });
      expect(minor('.5', locale)).toEqual({ ok: true, minor: 50 });
      expect(minor('0', locale)).toEqual({ ok: true, minor: 0 });
      // A comma that does not group thousands is a decimal comma typed by habit, or a slip: refused, not guessed.
      expect(minor('4999,50', locale)).toEqual({ ok: false, problem: 'ambiguous' });
      expect(minor('4,99', locale)).toEqual({ ok: false, problem: 'ambiguous' });
      expect(minor('4.999,50', locale)).toEqual({ ok: false, problem: 'ambiguous' });
      expect(minor('4.999', locale)).toEqual({ ok: false, problem: 'too_precise' });
      expect(minor('abc', locale)).toEqual({ ok: false, problem: 'invalid' });
      expect(minor('-5', locale)).toEqual({ ok: false, problem: 'invalid' });
      expect(minor('1.2.3', locale)).toEqual({ ok: false, problem: 'invalid' });
      expect(minor('4999.', locale)).toEqual({ ok: false, problem: 'invalid' });
      expect(minor('NT$4,999', locale)).toEqual({ ok: false, problem: 'invalid' });
      expect(minor('  ', locale)).toEqual({ ok: false, problem: 'empty' });
    }
  });

  it('reads tr: a comma before the fraction, points that group thousands ("4999,50" is 499950, not 49995000)', () => {
    for (const locale of ['tr', 'tr-TR']) {
      expect(minor('4999,50', locale)).toEqual({ ok: true, minor: 499950 });
      expect(minor('4.999,50', locale)).toEqual({ ok: true, minor: 499950 });
      expect(minor('4.999', locale)).toEqual({ ok: true, minor: 499900 });
      expect(minor('1.234.567,5', locale)).toEqual({ ok: true, minor: 123456750 });
      expect(minor(',5', locale)).toEqual({ ok: true, minor: 50 });
      // A point that does not group thousands ("4999.50", "4.99") could be a decimal point: refused.
      expect(minor('4999.50', locale)).toEqual({ ok: false, problem: 'ambiguous' });
      expect(minor('4.99', locale)).toEqual({ ok: false, problem: 'ambiguous' });
      expect(minor('4,999.50', locale)).toEqual({ ok: false, problem: 'ambiguous' });
      expect(minor('4999,505', locale)).toEqual({ ok: false, problem: 'too_precise' });
      expect(minor('4,99,5', locale)).toEqual({ ok: false, problem: 'invalid' });
    }
  });

  it('follows the currency\'s decimals and refuses what cannot be counted exactly', () => {
    expect(minor('1,500', 'en', 'JPY')).toEqual({ ok: true, minor: 1500 });
    expect(minor('1500.5', 'en', 'JPY')).toEqual({ ok: false, problem: 'too_precise' });
    expect(minor('12,345', 'tr', 'KWD')).toEqual({ ok: true, minor: 12345 });
    expect(minor('99999999999999999999', 'en')).toEqual({ ok: false, problem: 'too_large' });
    expect(amountToMinor('4999,50', 'tr', 'TRY')).toBe(499950);
    expect(amountToMinor('4999,50', 'en', 'USD')).toBeNaN();
  });

  it('accepts the space and apostrophe groups of fr and de-CH, and en-IN\'s lakhs', () => {
    expect(minor('1 234,5', 'fr', 'EUR')).toEqual({ ok: true, minor: 123450 });
    expect(minor('1\u202f234,5', 'fr', 'EUR')).toEqual({ ok: true, minor: 123450 });
    expect(minor('1234.5', 'fr', 'EUR')).toEqual({ ok: false, problem: 'ambiguous' });
    expect(minor('1\u2019234.50', 'de-CH', 'CHF')).toEqual({ ok: true, minor: 123450 });
    expect(minor("1'234.50", 'de-CH', 'CHF')).toEqual({ ok: true, minor: 123450 });
    expect(minor('12,34,567', 'en-IN', 'INR')).toEqual({ ok: true, minor: 123456700 });
    expect(minor('12,34,567', 'en', 'USD')).toEqual({ ok: false, problem: 'ambiguous' });
  });

  it('fills a field with text that reads back as the same amount in its locale', () => {
    expect(amountInput(499950, 'en', 'TWD')).toBe('4999.5');
    expect(amountInput(499950, 'zh-TW', 'TWD')).toBe('4999.5');
    expect(amountInput(499950, 'tr', 'TRY')).toBe('4999,5');
    expect(amountInput(499900, 'tr', 'TRY')).toBe('4999');
    expect(amountInput(1500, 'en', 'JPY')).toBe('1500');
    expect(amountInput(null, 'en', 'USD')).toBe('');
    for (const [locale, amount] of [['en', 123456789], ['zh-TW', 5], ['tr', 499950], ['tr', 10]] as const) {
      expect(amountToMinor(amountInput(amount, locale, 'TWD'), locale, 'TWD')).toBe(amount);
    }
  });
});

describe('quantities typed in the organization\'s locale', () => {
  it('reads lot quantities by the same separators, two decimals, a minus only for corrections', () => {
    expect(parseQuantity('1.000', 'tr')).toBe(1000);
    expect(parseQuantity('2,5', 'tr')).toBe(2.5);
    expect(parseQuantity('1,000', 'en')).toBe(1000);
    expect(parseQuantity('2.5', 'zh-TW')).toBe(2.5);
    expect(parseQuantity('-1.5', 'en', { signed: true })).toBe(-1.5);
    expect(parseQuantity('−2', 'en', { signed: true })).toBe(-2);
    expect(parseQuantity('-1', 'en')).toBeNaN();
    expect(parseQuantity('2,5', 'en')).toBeNaN(); // ambiguous in en: refused, not read as 25
    expect(parseQuantity('1.005', 'en')).toBeNaN(); // three decimals
    expect(parseQuantity('', 'en')).toBeNaN();
  });
});
