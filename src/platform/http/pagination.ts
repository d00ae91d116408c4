import { z } from 'zod';
import { errors } from './problem.js';

/** Opaque keyset cursors: base64url JSON of the last row's sort key. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T extends z.ZodType>(cursor: string | undefined, shape: T): z.infer<T> | null {
  if (!cursor) return null;
  try {
    return shape.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw errors.badRequest('The cursor is not valid; use next_cursor from a previous page.', [{ pointer: '#query/cursor', message: 'invalid cursor' }]);
  }
}

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
};

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next_cursor: z.string().nullable() });

/** Splits a limit+1 result into a page and the cursor of the next one. */
export function page<R, O>(rows: R[], limit: number, key: (row: R) => Record<string, unknown>, map: (row: R) => O): { items: O[]; next_cursor: string | null } {
  const more = rows.length > limit;
  const slice = more ? rows.slice(0, limit) : rows;
  const last = slice[slice.length - 1];
  return { items: slice.map(map), next_cursor: more && last ? encodeCursor(key(last)) : null };
}
