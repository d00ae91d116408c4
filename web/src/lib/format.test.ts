import { describe, expect, it } from 'vitest';
import { formatter } from './format.js';

describe('money in the organization\'s locale and currency', () => {
  it('shows whole amounts without decimals and cents when there are some', () => {
    const taipei = formatter({ locale: 'zh-TW', timezone: 'Asia/Taipei', currency: 'TWD' });
    const whole = new Intl.NumberFormat('zh-TW', { style: 'currency', currency: 'TWD', maximumFractionDigits: 0 }).format(4999);
    expect(taipei.money(499_900)).toBe(whole);
    expect(whole).not.toContain('.');
    expect(taipei.money(499_950)).toBe(new Intl.NumberFormat('zh-TW', { style: 'currency', currency: 'TWD' }).format(4999.5));
    expect(taipei.money(499_950)).toContain('4,999.50');
    const istanbul = formatter({ locale: 'tr', timezone: 'Europe/Istanbul', currency: 'TRY' });
    expect(istanbul.money(1_250_000)).toBe(new Intl.NumberFormat('tr', { style: 'currency', currency: 'TRY', maximumFractionDigits: 0 }).format(12_500));
    expect(istanbul.money(1_250_050)).toContain('12.500,50');
    // A currency without minor units (JPY) reads its minor units as yen.
    expect(taipei.money(4999, 'JPY')).toBe(new Intl.NumberFormat('zh-TW', { style: 'currency', currency: 'JPY' }).format(4999));
  });
});
