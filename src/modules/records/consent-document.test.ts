import { describe, expect, it } from 'vitest';
import { escapeXml, formatInZone, textWidth, wrapText } from './consent-document.js';

describe('consent document text', () => {
  it('wraps at spaces, between CJK characters and inside over-long words, never wider than the line', () => {
    const text = 'I understand the risks of treatment including bruising. 我了解治療的風險，包括瘀青、腫脹及暫時性肌肉無力。 ' + 'x'.repeat(150);
    const lines = wrapText(text, 22, 500);
    expect(lines.length).toBeGreaterThan(4);
    for (const l of lines) expect(textWidth(l, 22)).toBeLessThanOrEqual(500);
    expect(lines.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
    expect(wrapText('one\n\ntwo', 22, 500)).toEqual(['one', '', 'two']);
  });

  it('escapes markup and drops characters XML cannot carry', () => {
    expect(escapeXml('<a href="x">&\'\u0001</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
  });

  it('formats the signing time in the organization\'s zone', () => {
    expect(formatInZone(new Date('2026-03-01T02:00:05Z'), 'Asia/Taipei')).toBe('2026-03-01 10:00:05 GMT+8');
    expect(formatInZone(new Date('2026-07-01T12:00:00Z'), 'Europe/Istanbul')).toBe('2026-07-01 15:00:00 GMT+3');
  });
});
