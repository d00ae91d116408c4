/**
 * Builds the WHERE clause and parameters of a filtered, keyset-paginated list:
 *   const f = new SqlFilter('org_id = visage_current_org()');
 *   f.when('kind = ?', q.kind).before(['created_at', 'id'], cursor, 'events');
 *   tx.query(`SELECT ... WHERE ${f.where} ORDER BY created_at DESC, id DESC LIMIT ${f.param(limit + 1)}`, f.params);
 */
export class SqlFilter {
  readonly params: unknown[] = [];
  private readonly clauses: string[];

  constructor(...fixed: string[]) {
    this.clauses = [...fixed];
  }

  /** Adds a placeholder for `value` and returns it ($n). */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** Adds `clause` (with one `?` for the value) when the value is given. */
  when(clause: string, value: unknown): this {
    if (!clause.includes('?')) throw new Error(`SqlFilter.when needs a ? placeholder: ${clause}`);
    if (value !== undefined && value !== null && value !== '') this.clauses.push(clause.replace('?', this.param(value)));
    return this;
  }

  /** Adds a clause without a value when `condition` holds (e.g. 'deleted_at IS NULL'). */
  also(condition: boolean, clause: string): this {
    if (condition) this.clauses.push(clause);
    return this;
  }

  /**
   * Keyset condition for a descending (time, id) order: rows strictly after the cursor. The cursor's
   * time went through a JavaScript Date (milliseconds) while the column keeps microseconds, so the
   * comparison takes the cursor row's exact time from `table` by id (a primary-key lookup), falling
   * back to the cursor's time if that row is gone. Rows written in one transaction share a time to
   * the microsecond; without this, a page boundary among them would skip the rest.
   */
  before(columns: [string, string], cursor: { at: string; id: string } | null | undefined, table: string): this {
    if (!cursor) return this;
    const at = this.param(cursor.at);
    const id = this.param(cursor.id);
    const [time, key] = columns.map((c) => c.split('.').pop()!);
    this.clauses.push(`(${columns[0]}, ${columns[1]}) < (coalesce((SELECT kc.${time} FROM ${table} kc WHERE kc.${key} = ${id}::uuid), ${at}::timestamptz), ${id}::uuid)`);
    return this;
  }

  get where(): string {
    return this.clauses.length ? this.clauses.join(' AND ') : 'true';
  }
}

/** A search term as an ILIKE "contains" pattern in which %, _ and \\ match themselves. */
export function likePattern(q: string): string;
export function likePattern(q: string | null | undefined): string | undefined;
export function likePattern(q: string | null | undefined): string | undefined {
  return q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
}
