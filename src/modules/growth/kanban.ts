import { generateKeyBetween, generateNKeysBetween } from 'fractional-indexing';

/**
 * Kanban order within a stage column: each card has a fractional-index `rank` (ASCII, compared
 * byte-wise: the column is COLLATE "C", and JS string comparison is the same order). A card always
 * fits between two others; repeated drops into one gap make keys longer (about one character per
 * six drops), so past MAX_RANK_LENGTH the column is renumbered with short keys (rebalanced).
 */
export const MAX_RANK_LENGTH = 48;

/** Byte-wise order, as COLLATE "C" compares. */
export const compareRank = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A key strictly between `lower` and `upper` (null: the column's start or end). Throws when lower >= upper. */
export function rankBetween(lower: string | null, upper: string | null): string {
  if (lower !== null && upper !== null && compareRank(lower, upper) >= 0) throw new Error(`rank bounds out of order: ${lower} >= ${upper}`);
  return generateKeyBetween(lower, upper);
}

/**
 * A key for a card dropped between `lower` and `upper`, or null when the column must be rebalanced
 * first: the neighbours tie (two concurrent drops into one gap got the same key), are out of
 * order, or the new key would be too long.
 */
export function placeRank(lower: string | null, upper: string | null): string | null {
  if (lower !== null && upper !== null && compareRank(lower, upper) >= 0) return null;
  let key: string;
  try {
    key = generateKeyBetween(lower, upper);
  } catch {
    return null; // a malformed stored key: renumber the column
  }
  return key.length > MAX_RANK_LENGTH ? null : key;
}

/** n short keys in ascending order, for a column renumbered from scratch. */
export function freshRanks(n: number): string[] {
  return generateNKeysBetween(null, null, n);
}

/** The key after the last card of a column (its end). */
export function rankAfter(last: string | null): string {
  return placeRank(last, null) ?? generateKeyBetween(null, null);
}
