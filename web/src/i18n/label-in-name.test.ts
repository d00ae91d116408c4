/**
 * WCAG 2.5.3 (label in name): a control labelled `x_named` for screen readers shows the text of `x`,
 * so the spoken name must contain the visible words; otherwise a voice-control user who says
 * what they see ("Adjust stock") cannot operate it. Checked in every language.
 */
import { describe, expect, it } from 'vitest';
import { en } from './en.js';
import { zhTW } from './zh-TW.js';
import { tr } from './tr.js';

const normal = (s: string) => s.toLocaleLowerCase().replace(/\s+/g, ' ').trim();

describe.each([['en', en], ['zh-TW', zhTW], ['tr', tr]] as const)('%s', (_lang, messages) => {
  const dict = messages as Record<string, string>;
  const pairs = Object.keys(dict).filter((k) => k.endsWith('_named') && dict[k.slice(0, -'_named'.length)] !== undefined);

  it('has named labels to check', () => { expect(pairs.length).toBeGreaterThan(10); });

  it.each(pairs)('%s holds the visible text', (key) => {
    const visible = dict[key.slice(0, -'_named'.length)]!;
    expect(normal(dict[key]!)).toContain(normal(visible));
  });
});
