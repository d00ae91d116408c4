// The hand-written unit of work of the raw baselines: one transaction as the app role with the
// organization (and user, or the system scope) set, on a pg pool (DATABASE_URL) or on PGlite
// (PGLITE_DIR, one transaction at a time). Statements are prepared once per connection, as Visage does.
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';

export type Q = (text: string, params?: unknown[]) => Promise<Record<string, any>[]>;
export type Tenant = (orgId: string, userId: string | null, fn: (q: Q) => Promise<unknown>) => Promise<unknown>;

const begin = (orgId: string, userId: string | null) => `BEGIN; SET LOCAL ROLE visage_app; SELECT set_config('app.org_id', '${orgId}', true), `
  + `set_config('app.user_id', '${userId ?? ''}', true), set_config('app.scope', '${userId ? 'tenant' : 'system'}', true)`;

export async function openTenant(): Promise<Tenant> {
  if (process.env.DATABASE_URL) {
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20, options: '-c plan_cache_mode=force_generic_plan' });
    const names = new Map<string, string>();
    return async (orgId, userId, fn) => {
      const c = await pool.connect();
      try {
        await c.query(begin(orgId, userId));
        const q: Q = async (text, params = []) => {
          let name = names.get(text);
          if (!name) { name = `b${names.size}`; names.set(text, name); }
          return (await c.query({ name, text, values: params })).rows;
        };
        const out = await fn(q);
        await c.query('COMMIT');
        return out;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.release();
      }
    };
  }
  const db = await PGlite.create({ dataDir: process.env.PGLITE_DIR, relaxedDurability: true });
  let tail: Promise<unknown> = Promise.resolve();
  return (orgId, userId, fn) => {
    const work = tail.then(async () => {
      await db.exec(begin(orgId, userId));
      try {
        const out = await fn(async (text, params = []) => (await db.query<Record<string, any>>(text, params)).rows);
        await db.exec('COMMIT');
        return out;
      } catch (err) {
        await db.exec('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
    tail = work.catch(() => undefined);
    return work;
  };
}
