// Raw baseline: fastify + pg (or PGlite) doing by hand the database work of an org-scoped GET by id:
// one transaction that sets the role and org, selects the row by a prepared statement and writes
// the audit row. No auth, no schemas, no framework on top.
import Fastify from 'fastify';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { randomUUID } from 'node:crypto';

const port = Number(process.env.PORT);
const SELECT = 'SELECT id, name, slug, type, timezone, currency, locale, country, city, email, phone, status, created_at, updated_at FROM organizations WHERE id = $1 AND deleted_at IS NULL';
const AUDIT = `INSERT INTO audit_events (id, org_id, actor_user_id, actor_type, action, entity_type, entity_id, outcome, request_id, ip, details)
  VALUES ($1, $2, $3, 'user', 'read', 'organization', $4, 'success', $5, $6, '{}')`;
const app = Fastify({ logger: false });

if (process.env.DATABASE_URL) {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
  app.get<{ Params: { id: string }; Headers: { 'x-user-id': string } }>('/org/:id', async (req) => {
    const c = await pool.connect();
    try {
      await c.query(`BEGIN; SET LOCAL ROLE visage_app; SELECT set_config('app.org_id', '${req.params.id}', true), set_config('app.user_id', '${req.headers['x-user-id']}', true)`);
      const row = (await c.query({ name: 'sel', text: SELECT, values: [req.params.id] })).rows[0];
      await c.query({ name: 'aud', text: AUDIT, values: [randomUUID(), req.params.id, req.headers['x-user-id'], req.params.id, req.id, req.ip] });
      await c.query('COMMIT');
      return row;
    } finally {
      c.release();
    }
  });
} else {
  const db = await PGlite.create({ dataDir: process.env.PGLITE_DIR, relaxedDurability: true });
  // PGlite's query() keeps no prepared statement, so the statements are prepared with SQL PREPARE,
  // as the full stack does, and run with EXECUTE.
  await db.exec(`PREPARE sel(uuid) AS ${SELECT}; PREPARE aud(uuid, uuid, uuid, text, text, text) AS ${AUDIT}`);
  let tail: Promise<unknown> = Promise.resolve();
  app.get<{ Params: { id: string }; Headers: { 'x-user-id': string } }>('/org/:id', (req) => {
    const work = tail.then(async () => {
      await db.exec(`BEGIN; SET LOCAL ROLE visage_app; SELECT set_config('app.org_id', '${req.params.id}', true), set_config('app.user_id', '${req.headers['x-user-id']}', true)`);
      const lit = (v: string) => pg.escapeLiteral(v);
      const row = (await db.query(`EXECUTE sel(${lit(req.params.id)})`)).rows[0];
      await db.exec(`EXECUTE aud(${[randomUUID(), req.params.id, req.headers['x-user-id'], req.params.id, req.id, req.ip].map(lit).join(', ')})`);
      await db.exec('COMMIT');
      return row;
    });
    tail = work.catch(() => undefined);
    return work;
  });
}
await app.listen({ port, host: '127.0.0.1' });
process.send?.('ready');
