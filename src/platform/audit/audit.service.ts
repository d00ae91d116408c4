import type { Tx } from '../db/client.js';
import { newId } from '../crypto.js';
import { SqlFilter } from '../db/filter.js';

export type AuditAction =
  | 'create' | 'read' | 'update' | 'delete' | 'export' | 'list'
  | 'sign_in' | 'sign_out' | 'sign_up' | 'revoke' | 'verify' | 'password_reset' | 'invite' | 'accept' | string;

export interface AuditEvent {
  action: AuditAction;
  entityType: string;
  entityId?: string | null;
  outcome?: 'success' | 'failure' | 'denied';
  /** Field names and non-medical facts only. Never PHI values. */
  details?: Record<string, unknown>;
  orgId?: string | null;
  actorUserId?: string | null;
  actorType?: 'user' | 'api_token' | 'system' | 'anonymous';
}

/** Where the request came from; attached to every event of the request. */
export interface AuditOrigin { requestId?: string | null; ip?: string | null }

const INSERT_AUDIT = `INSERT INTO audit_events (id, org_id, actor_user_id, actor_type, action, entity_type, entity_id, outcome, request_id, ip, details)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

/**
 * Writes one audit event in the caller's transaction: it commits with the change or not at all.
 * The row goes to the database with the COMMIT, as an EXECUTE of a statement prepared once per
 * connection (Tx.deferPrepared): no round trip of its own, no parsing or planning on each request.
 * Org and actor default to the transaction's context.
 */
export function audit(tx: Tx, origin: AuditOrigin, event: AuditEvent): Promise<void> {
  const orgId = event.orgId !== undefined ? event.orgId : (tx.ctx.orgId ?? null);
  const actor = event.actorUserId !== undefined ? event.actorUserId : (tx.ctx.userId ?? null);
  const actorType = event.actorType ?? (actor ? 'user' : tx.ctx.scope === 'system' ? 'system' : 'anonymous');
  tx.deferPrepared(INSERT_AUDIT, [
    newId(), orgId, actor, actorType, event.action, event.entityType, event.entityId ?? null,
    event.outcome ?? 'success', origin.requestId ?? null, origin.ip ?? null, JSON.stringify(event.details ?? {}),
  ]);
  return Promise.resolve();
}

export interface AuditFilter {
  entityType?: string; entityId?: string; action?: string; actorUserId?: string; outcome?: string;
  from?: Date; to?: Date; limit: number; cursor?: { at: string; id: string } | null;
}

export interface AuditRow {
  id: string; occurred_at: Date; org_id: string | null; actor_user_id: string | null; actor_type: string;
  actor_name: string | null; action: string; entity_type: string; entity_id: string | null; outcome: string;
  request_id: string | null; ip: string | null; details: Record<string, unknown>;
}

/** The acting organization's events, newest first, keyset-paginated. */
export async function listAudit(tx: Tx, f: AuditFilter): Promise<AuditRow[]> {
  const q = new SqlFilter('a.org_id = visage_current_org()')
    .when('a.entity_type = ?', f.entityType).when('a.entity_id = ?', f.entityId).when('a.action = ?', f.action)
    .when('a.actor_user_id = ?', f.actorUserId).when('a.outcome = ?', f.outcome)
    .when('a.occurred_at >= ?', f.from).when('a.occurred_at < ?', f.to)
    .before(['a.occurred_at', 'a.id'], f.cursor, 'audit_events');
  return tx.query<AuditRow>(
    `SELECT a.id, a.occurred_at, a.org_id, a.actor_user_id, a.actor_type, u.full_name AS actor_name, a.action,
            a.entity_type, a.entity_id, a.outcome, a.request_id, a.ip, a.details
       FROM audit_events a LEFT JOIN users u ON u.id = a.actor_user_id
      WHERE ${q.where}
      ORDER BY a.occurred_at DESC, a.id DESC LIMIT ${q.param(f.limit + 1)}`, q.params);
}
