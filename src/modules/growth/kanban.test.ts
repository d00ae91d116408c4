import { describe, expect, it } from 'vitest';
import { compareRank, freshRanks, MAX_RANK_LENGTH, placeRank, rankAfter, rankBetween } from './kanban.js';

const sortedCopy = (keys: string[]) => [...keys].sort(compareRank);

/** A column as an ordered list of card ids with their keys, driven the way the move service drives it. */
class Column {
  cards: { id: number; rank: string }[] = [];
  rebalances = 0;
  insertAt(index: number, id: number) {
    const lower = index > 0 ? this.cards[index - 1]!.rank : null;
    const upper = index < this.cards.length ? this.cards[index]!.rank : null;
    const rank = placeRank(lower, upper);
    if (rank === null) {
      this.cards.splice(index, 0, { id, rank: '' });
      const keys = freshRanks(this.cards.length);
      this.cards.forEach((c, i) => { c.rank = keys[i]!; });
      this.rebalances++;
    } else {
      this.cards.splice(index, 0, { id, rank });
    }
  }
  /** The ids as the database would list them: by rank. */
  byRank(): number[] {
    return [...this.cards].sort((a, b) => compareRank(a.rank, b.rank)).map((c) => c.id);
  }
}

describe('kanban ranks', () => {
  it('2,000 inserts between the same two neighbours keep a strict order (raw keys, no rebalance)', () => {
    const first = rankBetween(null, null);
    const last = rankBetween(first, null);
    // Always drop right below `first`: the gap between first and the previous drop keeps halving.
    const keys: string[] = [];
    let upper = last;
    for (let i = 0; i < 2000; i++) {
      const k = rankBetween(first, upper);
      expect(compareRank(first, k)).toBe(-1);
      expect(compareRank(k, upper)).toBe(-1);
      keys.push(k);
      upper = k;
    }
    // Later drops sort before earlier ones, all distinct, all between the two neighbours.
    const expected = [first, ...[...keys].reverse(), last];
    expect(sortedCopy([last, ...keys, first])).toEqual(expected);
    expect(new Set(keys).size).toBe(2000);
    expect(keys.every((k) => /^[\x21-\x7e]+$/.test(k))).toBe(true); // ASCII: byte order is code-unit order
  });

  it('2,000 drops into one gap of a column stay in order with bounded key length (rebalancing)', () => {
    const col = new Column();
    col.insertAt(0, -1);
    col.insertAt(1, -2);
    // Drop each new card directly after card -1 (between -1 and the previous drop); every 100th at the very top.
    const expected: number[] = [-1, -2];
    for (let i = 0; i < 2000; i++) {
      const at = i % 100 === 99 ? 0 : expected.indexOf(-1) + 1;
      col.insertAt(at, i);
      expected.splice(at, 0, i);
      expect(col.cards.every((c) => c.rank.length <= MAX_RANK_LENGTH)).toBe(true);
    }
    expect(col.byRank()).toEqual(expected);
    expect(col.byRank()).toEqual(col.cards.map((c) => c.id));
    expect(col.rebalances).toBeGreaterThan(0);
    expect(new Set(col.cards.map((c) => c.rank)).size).toBe(col.cards.length);
  });

  it('asks for a rebalance when the neighbours tie or are out of order, never fails', () => {
    expect(placeRank('a1', 'a1')).toBeNull();
    expect(placeRank('a2', 'a1')).toBeNull();
    expect(placeRank('a1', 'a2')).not.toBeNull();
    expect(placeRank(null, null)).not.toBeNull();
    expect(() => rankBetween('a2', 'a1')).toThrow();
    const long = `a0${'V'.repeat(MAX_RANK_LENGTH)}`;
    expect(placeRank(long, null)).not.toBeNull(); // appending shortens: a key after it needs only the integer part
    expect(placeRank(long, `${long}W`)).toBeNull(); // the gap is too deep: renumber
  });

  it('appends after the last card and renumbers with short ascending keys', () => {
    const a = rankAfter(null);
    const b = rankAfter(a);
    expect(compareRank(a, b)).toBe(-1);
    const fresh = freshRanks(5000);
    expect(sortedCopy(fresh)).toEqual(fresh);
    expect(new Set(fresh).size).toBe(5000);
    expect(Math.max(...fresh.map((k) => k.length))).toBeLessThanOrEqual(6);
  });
});
