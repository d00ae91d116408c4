// Payload generation from the OpenAPI document, for the fuzz and permission tests.
export type Schema = {
  type?: string | string[]; format?: string; enum?: unknown[]; const?: unknown; pattern?: string; minLength?: number; maxLength?: number;
  minimum?: number; maximum?: number; exclusiveMinimum?: number; items?: Schema; minItems?: number; maxItems?: number;
  properties?: Record<string, Schema>; required?: string[]; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[]; default?: unknown;
};
export interface Param { in: 'path' | 'query' | 'header'; name: string; required?: boolean; schema: Schema }
export interface Operation { method: string; path: string; params: Param[]; body?: Schema }

/** Deterministic PRNG so a failure replays from its seed. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!, chance: (p: number) => next() < p };
}
export type Rng = ReturnType<typeof rng>;

const hex = (r: Rng, n: number) => Array.from({ length: n }, () => r.int(0, 15).toString(16)).join('');
export const uuid = (r: Rng) => `${hex(r, 8)}-${hex(r, 4)}-7${hex(r, 3)}-8${hex(r, 3)}-${hex(r, 12)}`;
export const NASTY: unknown[] = ['', ' ', '\u0000', 'null', '0', '-1', '1e309', 'NaN', '../../etc/passwd', "' OR 1=1 --", '<script>alert(1)</script>',
  '𝕍𝕚𝕤𝕒𝕘𝕖 美麗 ğüşİ', 'x'.repeat(5000), -1, 0, 2 ** 53, -(2 ** 63), 1.5, 1e308, true, false, null, [], {}, [null], { a: { b: { c: [1, 2, 3] } } }];

export function valid(s: Schema | undefined, r: Rng, depth = 0): unknown {
  if (!s) return null;
  if (s.const !== undefined) return s.const;
  if (s.enum) return r.pick(s.enum);
  const choices = s.anyOf ?? s.oneOf;
  if (choices) return valid(r.pick(choices), r, depth);
  if (s.allOf) return Object.assign({}, ...s.allOf.map((x) => valid(x, r, depth) as object));
  const types = Array.isArray(s.type) ? s.type : [s.type ?? 'object'];
  const type = r.pick(types.filter((x) => x !== 'null').length ? types.filter((x) => x !== 'null') : types);
  switch (type) {
    case 'null': return null;
    case 'boolean': return r.chance(0.5);
    case 'integer':
    case 'number': {
      const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0);
      const hi = s.maximum ?? lo + 1000;
      const n = lo + r.next() * (hi - lo);
      return type === 'integer' ? Math.floor(n) : Math.round(n * 100) / 100;
    }
    case 'string': {
      if (s.format === 'uuid') return uuid(r);
      if (s.format === 'email') return `fuzz.${hex(r, 6)}@fuzz.visage.local`;
      if (s.format === 'date') return `20${r.int(20, 30)}-0${r.int(1, 9)}-1${r.int(0, 9)}`;
      if (s.format === 'date-time') return new Date(Date.UTC(2026, r.int(0, 11), r.int(1, 28))).toISOString();
      if (s.pattern === '^\\d{4}-\\d{2}$' || s.pattern?.includes('\\d{4}-\\d{2}')) return `2026-0${r.int(1, 9)}`;
      const len = Math.max(s.minLength ?? 1, Math.min(s.maxLength ?? 24, r.int(1, 24)));
      return r.pick(['Amy Chen', 'BOT_MASSETER', 'doc_01', 'BOTOX_US', 'clinic', 'Asia/Taipei', 'TWD', 'zh-TW', 'III', 'medical', 'U'])
        .padEnd(len, 'x').slice(0, Math.max(len, 1));
    }
    case 'array': {
      const n = r.int(s.minItems ?? 0, Math.min(s.maxItems ?? 3, (s.minItems ?? 0) + 3));
      return depth > 4 ? [] : Array.from({ length: n }, () => valid(s.items, r, depth + 1));
    }
    default: {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        if (depth > 4) break;
        if ((s.required ?? []).includes(k) || r.chance(0.6)) out[k] = valid(v, r, depth + 1);
      }
      return out;
    }
  }
}

/** A payload that is usually wrong: a nasty value somewhere, a missing required field, or junk. */
export function mutate(body: unknown, s: Schema | undefined, r: Rng): unknown {
  if (r.chance(0.15) || !body || typeof body !== 'object' || Array.isArray(body)) return r.pick(NASTY);
  const out = { ...(body as Record<string, unknown>) };
  const keys = Object.keys(s?.properties ?? {});
  const k = keys.length ? r.pick(keys) : 'extra';
  const move = r.int(0, 3);
  if (move === 0 && (s?.required ?? []).length) delete out[r.pick(s!.required!)];
  else if (move === 1) out[k] = r.pick(NASTY);
  else if (move === 2) out[`${k}_extra`] = r.pick(NASTY);
  else out.org_id = uuid(r);
  return out;
}

export function operations(doc: { paths: Record<string, Record<string, { parameters?: Param[]; requestBody?: { content?: Record<string, { schema: Schema }> } }>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      ops.push({ method: method.toUpperCase(), path, params: op.parameters ?? [], body: op.requestBody?.content?.['application/json']?.schema });
    }
  }
  return ops;
}

