import { describe, expect, it } from 'vitest';
import { phoneRegion, toE164 } from './phone.js';

describe('phone numbers as E.164', () => {
  it('reads a national number in the default region', () => {
    expect(toE164('0912 345 678', 'TW')).toBe('+886912345678');
    expect(toE164('(212) 736-5000', 'US')).toBe('+12127365000');
    expect(toE164('020 7946 0958', 'gb')).toBe('+442079460958');
  });

  it('keeps an international number whatever the default region, and reads 00 as +', () => {
    expect(toE164('+886 912-345-678', 'US')).toBe('+886912345678');
    expect(toE164('00886912345678', null)).toBe('+886912345678');
    expect(toE164('+44 20 7946 0958')).toBe('+442079460958');
  });

  it('refuses what is not a valid number, or a national number with no region to place it', () => {
    expect(toE164('12345', 'TW')).toBeNull();
    expect(toE164('not a phone', 'TW')).toBeNull();
    expect(toE164('+1 555 0100')).toBeNull();
    expect(toE164('0912345678', null)).toBeNull();
    expect(toE164('0912345678', 'Taiwan')).toBeNull();
    expect(toE164('', 'TW')).toBeNull();
    expect(toE164(`+886${'9'.repeat(60)}`)).toBeNull();
  });

  it('uses only supported two-letter regions', () => {
    expect(phoneRegion('tw')).toBe('TW');
    expect(phoneRegion('ZZ')).toBeUndefined();
    expect(phoneRegion('Taiwan')).toBeUndefined();
    expect(phoneRegion(null)).toBeUndefined();
  });
});
