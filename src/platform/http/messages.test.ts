import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { usePlainMessages } from './messages.js';

usePlainMessages();
const messages = (schema: z.ZodType, input: unknown) => {
  const r = schema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('/')}: ${i.message}`);
};

describe('plain validation messages', () => {
  it('says what is wrong with a field in words a person reads on a form', () => {
    const Body = z.object({
      resolution: z.string().trim().min(1).max(10), reason: z.string().min(3), dosage: z.number().min(0).max(1000), visits: z.array(z.string()).min(1),
      id: z.uuid(), email: z.email(), at: z.iso.datetime({ offset: true }), day: z.iso.date(), kind: z.enum(['intake', 'contraindication']),
      count: z.number().int().positive(),
    }).strict();
    expect(messages(Body, {
      resolution: '   ', reason: 'ok', dosage: -1, visits: [], id: 'x', email: 'no', at: '2026-11-26 09:30', day: '26/11/2026', kind: 'other', count: 0, extra: 1,
    })).toEqual([
      'resolution: Must not be empty.',
      'reason: Must be at least 3 characters.',
      'dosage: Must be at least 0.',
      'visits: Must not be empty.',
      'id: Must be an id (UUID).',
      'email: Must be an email address.',
      'at: Must be a date and time in ISO 8601 with its offset, e.g. 2026-11-26T09:30:00+08:00.',
      'day: Must be a date (YYYY-MM-DD).',
      'kind: Must be one of: intake, contraindication.',
      'count: Must be more than 0.',
      ': Unknown field: extra.',
    ]);
    expect(messages(Body.pick({ resolution: true, dosage: true }), { resolution: 'x'.repeat(11), dosage: 1001 }))
      .toEqual(['resolution: Must be at most 10 characters.', 'dosage: Must be at most 1000.']);
    expect(messages(z.object({ name: z.string(), n: z.number() }), { n: 'five' })).toEqual(['name: Required.', 'n: Expected a number, got text.']);
  });

  it('keeps a schema\'s own message', () => {
    expect(messages(z.string().regex(/^[a-z]+$/, 'Use lower-case letters.'), 'A1')).toEqual([': Use lower-case letters.']);
    expect(messages(z.string().min(5, 'Write a little more.'), 'ab')).toEqual([': Write a little more.']);
  });
});
