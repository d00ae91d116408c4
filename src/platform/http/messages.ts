/**
 * Field messages of request validation in plain words ("Must not be empty.", "Must be at most 200
 * characters.") instead of zod's defaults ("Too small: expected string to have >=1 characters"),
 * which problem+json hands to people through the web app's forms. A schema's own message wins;
 * anything not listed here keeps zod's wording.
 */
import { z } from 'zod';
import type { $ZodRawIssue } from 'zod/v4/core';

type Issue = $ZodRawIssue;

const TYPES: Record<string, string> = {
  string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false', object: 'an object', array: 'a list',
  bigint: 'a whole number', date: 'a date', null: 'null',
};
const FORMATS: Record<string, string> = {
  email: 'an email address', uuid: 'an id (UUID)', guid: 'an id (UUID)', url: 'a URL (https://…)',
  datetime: 'a date and time in ISO 8601 with its offset, e.g. 2026-11-26T09:30:00+08:00', date: 'a date (YYYY-MM-DD)',
  time: 'a time (HH:MM)', ipv4: 'an IPv4 address', ipv6: 'an IPv6 address', e164: 'a phone number in E.164 form (+886912345678)',
};

const typeOf = (input: unknown): string =>
  input === null ? 'null' : Array.isArray(input) ? 'a list' : typeof input === 'string' ? 'text' : typeof input === 'number' ? 'a number'
    : typeof input === 'boolean' ? 'true or false' : typeof input === 'object' ? 'an object' : typeof input;

export function plainMessage(issue: Issue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'Required.';
      return `Expected ${TYPES[issue.expected] ?? issue.expected}, got ${typeOf(issue.input)}.`;
    case 'too_small': {
      const n = Number(issue.minimum);
      if (issue.origin === 'string') return n <= 1 ? 'Must not be empty.' : `Must be at least ${n} characters.`;
      if (issue.origin === 'array' || issue.origin === 'set') return n <= 1 ? 'Must not be empty.' : `Must have at least ${n} items.`;
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return issue.inclusive ? `Must be at least ${n}.` : `Must be more than ${n}.`;
      return undefined;
    }
    case 'too_big': {
      const n = Number(issue.maximum);
      if (issue.origin === 'string') return `Must be at most ${n} characters.`;
      if (issue.origin === 'array' || issue.origin === 'set') return `Must have at most ${n} items.`;
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return issue.inclusive ? `Must be at most ${n}.` : `Must be less than ${n}.`;
      return undefined;
    }
    case 'invalid_format': {
      const what = FORMATS[issue.format];
      return what ? `Must be ${what}.` : undefined;
    }
    case 'invalid_value':
      return issue.values.length === 1 ? `Must be ${JSON.stringify(issue.values[0])}.` : `Must be one of: ${issue.values.map(String).join(', ')}.`;
    case 'unrecognized_keys':
      return `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}.`;
    case 'not_multiple_of':
      return `Must be a multiple of ${String(issue.divisor)}.`;
    default:
      return undefined;
  }
}

/** Installs the plain messages for every zod schema of the process (request validation included). */
export function usePlainMessages(): void {
  z.config({ customError: plainMessage });
}
