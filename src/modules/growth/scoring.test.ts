import { describe, expect, it } from 'vitest';
import { scoreLead, type ScoreInputs } from './scoring.js';

const now = new Date('2026-03-10T12:00:00Z');
const H = 3_600_000;
const D = 24 * H;

const base = (o: Partial<ScoreInputs> = {}): ScoreInputs => ({
  stageKind: 'new', stageName: 'New', source: 'somewhere', lastInteractionAt: null,
  formSubmits: 0, inboundCalls: 0, answeredOutboundCalls: 0, journeyEvents: 0, adClicks: 0, consultsBooked: 0, consultsShown: 0, ...o,
});
const factor = (i: ScoreInputs, f: string) => scoreLead(i, now).factors.find((x) => x.factor === f)!;

describe('lead scoring', () => {
  it('gives the stage points by kind with the reason', () => {
    const pts = (['new', 'open', 'contacted', 'consult_booked', 'won', 'lost'] as const).map((k) => factor(base({ stageKind: k }), 'stage').points);
    expect(pts).toEqual([5, 10, 15, 30, 40, 0]);
    expect(factor(base({ stageKind: 'consult_booked', stageName: 'Consult Booked' }), 'stage').reason).toBe('Stage Consult Booked: 30 of 40');
  });

  it('gives source points by family, case and spelling insensitive', () => {
    const pts = (s: string) => factor(base({ source: s }), 'source').points;
    expect([pts('referral'), pts('Referral'), pts('website'), pts('organic'), pts('web_form'), pts('google_ads'), pts('Google'),
      pts('instagram'), pts('facebook'), pts('facebook_ads'), pts('TikTok'), pts('billboard'), pts('')]).toEqual([15, 15, 12, 12, 12, 10, 10, 8, 8, 8, 8, 5, 5]);
  });

  it('gives recency points by band, boundaries inclusive, judged against now', () => {
    const pts = (ms: number | null) => factor(base({ lastInteractionAt: ms === null ? null : new Date(now.getTime() - ms) }), 'recency').points;
    expect(pts(null)).toBe(0);
    expect(pts(0)).toBe(20);
    expect(pts(1 * D)).toBe(20);
    expect(pts(1 * D + 1)).toBe(15);
    expect(pts(7 * D)).toBe(15);
    expect(pts(7 * D + 1)).toBe(8);
    expect(pts(30 * D)).toBe(8);
    expect(pts(30 * D + 1)).toBe(3);
    expect(pts(90 * D)).toBe(3);
    expect(pts(90 * D + 1)).toBe(0);
    // Slightly in the future (clock skew) counts as just now.
    expect(pts(-5 * 60_000)).toBe(20);
    expect(factor(base({ lastInteractionAt: new Date(now.getTime() - 3 * D) }), 'recency').reason).toBe('Last interaction 3 days ago (within 7 days): 15 of 20');
  });

  it('adds engagement per event with per-kind caps and an overall cap of 25', () => {
    expect(factor(base({ formSubmits: 1 }), 'engagement').points).toBe(3);
    expect(factor(base({ formSubmits: 1, inboundCalls: 1, answeredOutboundCalls: 1 }), 'engagement').points).toBe(8);
    expect(factor(base({ formSubmits: 10 }), 'engagement').points).toBe(9);
    expect(factor(base({ journeyEvents: 40, adClicks: 9 }), 'engagement').points).toBe(8);
    expect(factor(base({ consultsBooked: 1 }), 'engagement').points).toBe(8);
    expect(factor(base({ consultsBooked: 3, consultsShown: 2 }), 'engagement').points).toBe(18);
    const capped = factor(base({ consultsBooked: 1, consultsShown: 1, formSubmits: 2 }), 'engagement');
    expect(capped.points).toBe(24);
    const over = factor(base({ consultsBooked: 1, consultsShown: 1, formSubmits: 3, inboundCalls: 1 }), 'engagement');
    expect(over.points).toBe(25);
    expect(over.reason).toContain('(capped)');
    expect(factor(base(), 'engagement')).toMatchObject({ points: 0, max: 25 });
  });

  it('factors add up to the score, stay within 0..100 and are deterministic', () => {
    const min = scoreLead(base({ stageKind: 'lost', source: 'x' }), now);
    expect(min.score).toBe(5);
    const max = scoreLead(base({
      stageKind: 'won', source: 'referral', lastInteractionAt: now, formSubmits: 5, inboundCalls: 5, answeredOutboundCalls: 5, journeyEvents: 10,
      adClicks: 5, consultsBooked: 2, consultsShown: 2,
    }), now);
    expect(max.score).toBe(100);
    // A pseudo-random sweep: always 0..100, the sum of its factors, each within its max, and the same twice.
    let seed = 42;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    const kinds = ['new', 'open', 'contacted', 'consult_booked', 'won', 'lost'] as const;
    const sources = ['referral', 'website', 'google', 'instagram', 'facebook', 'tiktok', 'walk-in', 'flyer'];
    for (let i = 0; i < 500; i++) {
      const inputs = base({
        stageKind: kinds[rnd(kinds.length)]!, source: sources[rnd(sources.length)]!, lastInteractionAt: rnd(5) ? new Date(now.getTime() - rnd(200) * D) : null,
        formSubmits: rnd(6), inboundCalls: rnd(6), answeredOutboundCalls: rnd(6), journeyEvents: rnd(20), adClicks: rnd(6), consultsBooked: rnd(3), consultsShown: rnd(3),
      });
      const s = scoreLead(inputs, now);
      expect(s.score).toBeGreaterThanOrEqual(0);
      expect(s.score).toBeLessThanOrEqual(100);
      expect(s.factors.reduce((a, f) => a + f.points, 0)).toBe(s.score);
      for (const f of s.factors) {
        expect(f.points).toBeGreaterThanOrEqual(0);
        expect(f.points).toBeLessThanOrEqual(f.max);
        expect(f.reason).toMatch(new RegExp(`: ${f.points} of ${f.max}$`));
      }
      expect(scoreLead(inputs, new Date(now))).toEqual(s);
    }
    expect(max.factors.map((f) => f.max).reduce((a, b) => a + b, 0)).toBe(100);
  });
});
