import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Tx } from '../db/client.js';
import { AppError } from './problem.js';

export interface Stored { status: number; body: unknown }

function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  return `{${Object.keys(value as object).sort().map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/**
 * Runs a POST effect at most once per Idempotency-Key (scoped to org and user), in the effect's
 * own transaction. The key row is inserted first: a concurrent retry blocks on the primary key
 * until the first commits, then replays its answer. Same key with a different body -> 422.
 * `fingerprint` stands for the body where there is no JSON body (an upload: its fields and bytes' hash).
 */
export async function idempotent(tx: Tx, req: FastifyRequest, effect: () => Promise<Stored>, fingerprint?: unknown): Promise<Stored> {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return effect();
  if (typeof key !== 'string' || key.length < 1 || key.length > 255) {
    throw new AppError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1-255 characters.', [{ pointer: '#header/idempotency-key', message: 'invalid' }]);
  }
  const { orgId, userId } = tx.ctx;
  if (!orgId || !userId) return effect();
  const route = `${req.method} ${req.routeOptions.url ?? req.url}`;
  const hash = createHash('sha256').update(route).update('\n').update(stableStringify(fingerprint !== undefined ? fingerprint : req.body ?? null)).digest('hex');
  const inserted = await tx.query(
    `INSERT INTO idempotency_keys (org_id, user_id, key, route, request_hash, status_code) VALUES ($1, $2, $3, $4, $5, 0)
     ON CONFLICT (org_id, user_id, key) DO NOTHING RETURNING key`, [orgId, userId, key, route, hash]);
  if (inserted.length === 0) {
    const prev = (await tx.query<{ request_hash: string; status_code: number; response_body: unknown }>(
      'SELECT request_hash, status_code, response_body FROM idempotency_keys WHERE org_id = $1 AND user_id = $2 AND key = $3', [orgId, userId, key]))[0];
    if (!prev || prev.request_hash !== hash) {
      throw new AppError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used with a different request.', [{ pointer: '#header/idempotency-key', message: 'reused with a different body' }]);
    }
    return { status: prev.status_code, body: prev.response_body };
  }
  const ctx = tx.ctx;
  const result = await effect();
  // An effect may switch the acting org (creating an organization does); the key lives in the first.
  if (tx.ctx !== ctx) await tx.setContext(ctx);
  const stored = await tx.query('UPDATE idempotency_keys SET status_code = $4, response_body = $5 WHERE org_id = $1 AND user_id = $2 AND key = $3 RETURNING key',
    [orgId, userId, key, result.status, JSON.stringify(result.body ?? null)]);
  if (stored.length !== 1) throw new Error('idempotency key row vanished inside its own transaction');
  return result;
}
