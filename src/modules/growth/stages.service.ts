import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { LEAD_STATUSES, STAGE_KINDS } from './growth.schema.js';

export type StageKind = (typeof STAGE_KINDS)[number];
export type LeadStatus = (typeof LEAD_STATUSES)[number];

/** What a lead's status is while it sits in a stage of this kind (status is never written directly). */
export const STATUS_OF_KIND: Record<StageKind, LeadStatus> = {
  new: 'new', contacted: 'contacted', consult_booked: 'qualified', won: 'converted', lost: 'lost', open: 'contacted',
};

/** Kinds the pipeline cannot lose: leads enter at a new stage, and the funnel needs a won and a lost one. */
const ESSENTIAL_KINDS: StageKind[] = ['new', 'won', 'lost'];

export const DEFAULT_STAGES: { name: string; kind: StageKind; color: string }[] = [
  { name: 'New', kind: 'new', color: '#3b82f6' },
  { name: 'Contacted', kind: 'contacted', color: '#f59e0b' },
  { name: 'Consult Booked', kind: 'consult_booked', color: '#8b5cf6' },
  { name: 'Won', kind: 'won', color: '#10b981' },
  { name: 'Lost', kind: 'lost', color: '#ef4444' },
];

export interface StageRow {
  id: string; name: string; position: number; color: string; kind: StageKind; lead_count: number; created_at: Date; updated_at: Date;
}

/**
 * Gives the acting organization seed 004's pipeline (New, Contacted, Consult Booked, Won, Lost)
 * when it has no stage yet. Every stage and lead path calls it first. Two first requests racing:
 * the second blocks on the name index and then inserts nothing.
 */
export async function ensureDefaultStages(tx: Tx): Promise<void> {
  const [any] = await tx.query('SELECT 1 FROM pipeline_stages WHERE org_id = visage_current_org() LIMIT 1');
  if (any) return;
  const params: unknown[] = [];
  const values = DEFAULT_STAGES.map((s, i) => {
    params.push(newId(), s.name, i, s.color, s.kind);
    const b = i * 5;
    return `($${b + 1}::uuid, visage_current_org(), $${b + 2}, $${b + 3}::int, $${b + 4}, $${b + 5})`;
  });
  await tx.query(
    `INSERT INTO pipeline_stages (id, org_id, name, position, color, kind) VALUES ${values.join(', ')}
     ON CONFLICT (org_id, lower(name)) DO NOTHING`, params);
}

const SELECT = `SELECT s.id, s.name, s.position, s.color, s.kind, s.created_at, s.updated_at,
    (SELECT count(*) FROM leads l WHERE l.org_id = s.org_id AND l.stage_id = s.id AND l.deleted_at IS NULL)::int AS lead_count
  FROM pipeline_stages s`;

export async function listStages(tx: Tx): Promise<StageRow[]> {
  await ensureDefaultStages(tx);
  return tx.query<StageRow>(`${SELECT} WHERE s.org_id = visage_current_org() ORDER BY s.position, s.id`);
}

export async function findStage(tx: Tx, id: string): Promise<StageRow | null> {
  const [s] = await tx.query<StageRow>(`${SELECT} WHERE s.org_id = visage_current_org() AND s.id = $1`, [id]);
  return s ?? null;
}

/** The first stage (by position) of a kind: where new leads enter (new) and converted leads go (won). */
export async function firstStageOfKind(tx: Tx, kind: StageKind): Promise<{ id: string; name: string; kind: StageKind } | null> {
  await ensureDefaultStages(tx);
  const [s] = await tx.query<{ id: string; name: string; kind: StageKind }>(
    'SELECT id, name, kind FROM pipeline_stages WHERE org_id = visage_current_org() AND kind = $1 ORDER BY position, id LIMIT 1', [kind]);
  return s ?? null;
}

const nameTaken = (name: string) => errors.conflict(`A pipeline stage named "${name}" already exists (names are compared without case).`,
  'stage_name_taken', [{ pointer: '/name', message: 'already used' }]);

async function assertNameFree(tx: Tx, name: string, exceptId: string | null): Promise<void> {
  const [dup] = await tx.query('SELECT 1 FROM pipeline_stages WHERE org_id = visage_current_org() AND lower(name) = lower($1) AND id IS DISTINCT FROM $2::uuid',
    [name, exceptId]);
  if (dup) throw nameTaken(name);
}

export interface StageInput { name: string; color: string; kind?: StageKind }

/** A new stage at the end of the pipeline (reorder with reorderStages). */
export async function createStage(tx: Tx, origin: AuditOrigin, input: StageInput): Promise<StageRow> {
  await ensureDefaultStages(tx);
  await assertNameFree(tx, input.name, null);
  const id = newId();
  await tx.query(
    `INSERT INTO pipeline_stages (id, org_id, name, position, color, kind)
     VALUES ($1, visage_current_org(), $2, (SELECT COALESCE(max(position) + 1, 0) FROM pipeline_stages WHERE org_id = visage_current_org()), $3, $4)`,
    [id, input.name, input.color.toLowerCase(), input.kind ?? 'open']);
  await audit(tx, origin, { action: 'create', entityType: 'pipeline_stage', entityId: id, details: { kind: input.kind ?? 'open' } });
  return (await findStage(tx, id))!;
}

async function assertNotLastOfKind(tx: Tx, stage: StageRow, what: string): Promise<void> {
  if (!ESSENTIAL_KINDS.includes(stage.kind)) return;
  const [{ n } = { n: 0 }] = await tx.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM pipeline_stages WHERE org_id = visage_current_org() AND kind = $1', [stage.kind]);
  if (n <= 1) {
    throw new AppError(409, 'last_stage_of_kind', `"${stage.name}" is the pipeline's only ${stage.kind} stage; ${what} would leave no ${stage.kind} stage. Add another ${stage.kind} stage first.`);
  }
}

export async function updateStage(tx: Tx, origin: AuditOrigin, id: string, patch: Partial<StageInput>, now: Date): Promise<StageRow> {
  await ensureDefaultStages(tx);
  const s = await findStage(tx, id);
  if (!s) throw errors.notFound('pipeline stage');
  if (patch.name !== undefined && patch.name.toLowerCase() !== s.name.toLowerCase()) await assertNameFree(tx, patch.name, s.id);
  if (patch.kind !== undefined && patch.kind !== s.kind) {
    await assertNotLastOfKind(tx, s, 'changing its kind');
    // The leads in it got their status, won_at and lost_at from the old kind: move them out first.
    if (s.lead_count > 0) {
      throw new AppError(409, 'stage_in_use', `"${s.name}" holds ${s.lead_count} lead(s); move them to another stage before changing what the stage means.`,
        [{ pointer: '/kind', message: 'stage holds leads' }]);
    }
  }
  await tx.query(
    `UPDATE pipeline_stages SET name = COALESCE($2, name), color = COALESCE($3, color), kind = COALESCE($4, kind), updated_at = $5
      WHERE org_id = visage_current_org() AND id = $1`,
    [s.id, patch.name ?? null, patch.color?.toLowerCase() ?? null, patch.kind ?? null, now]);
  await audit(tx, origin, { action: 'update', entityType: 'pipeline_stage', entityId: s.id, details: { fields: Object.keys(patch).filter((k) => patch[k as keyof StageInput] !== undefined) } });
  return (await findStage(tx, s.id))!;
}

/**
 * Puts the stages in the given order (every stage exactly once). The (org_id, position) unique
 * constraint is checked at commit, so positions can be rewritten in one statement.
 */
export async function reorderStages(tx: Tx, origin: AuditOrigin, ids: string[], now: Date): Promise<StageRow[]> {
  await ensureDefaultStages(tx);
  const current = await tx.query<{ id: string }>('SELECT id FROM pipeline_stages WHERE org_id = visage_current_org()');
  const known = new Set(current.map((r) => r.id));
  const given = new Set(ids.map((i) => i.toLowerCase()));
  const unknown = ids.map((id, i) => ({ id, i })).filter((x) => !known.has(x.id.toLowerCase()));
  if (unknown.length) {
    throw new AppError(422, 'reference_not_found', 'Some stage ids are not stages of this pipeline.',
      unknown.map((x) => ({ pointer: `/stage_ids/${x.i}`, message: 'no such stage' })));
  }
  if (given.size !== ids.length || given.size !== known.size) {
    throw errors.validation(`List every stage of the pipeline exactly once (${known.size} stages).`, [{ pointer: '/stage_ids', message: 'must list each stage once' }]);
  }
  await tx.query(
    `UPDATE pipeline_stages s SET position = o.pos - 1, updated_at = $2
       FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, pos)
      WHERE s.org_id = visage_current_org() AND s.id = o.id AND s.position <> o.pos - 1`, [ids, now]);
  await audit(tx, origin, { action: 'update', entityType: 'pipeline_stage', details: { reordered: ids.length } });
  return listStages(tx);
}

/** Refused while any lead is or ever was in the stage (its history would lose a stage), and for the last new/won/lost stage. */
export async function deleteStage(tx: Tx, origin: AuditOrigin, id: string): Promise<void> {
  await ensureDefaultStages(tx);
  const s = await findStage(tx, id);
  if (!s) throw errors.notFound('pipeline stage');
  const rows = await tx.query<{ used: boolean }>(
    `SELECT (EXISTS (SELECT 1 FROM leads WHERE org_id = visage_current_org() AND stage_id = $1)
          OR EXISTS (SELECT 1 FROM lead_stage_history WHERE org_id = visage_current_org() AND stage_id = $1)) AS used`, [s.id]);
  if (rows[0]?.used) {
    throw new AppError(409, 'stage_in_use', `"${s.name}" holds leads or is part of their stage history; it cannot be deleted. Rename it instead.`);
  }
  await assertNotLastOfKind(tx, s, 'deleting it');
  await tx.query('DELETE FROM pipeline_stages WHERE org_id = visage_current_org() AND id = $1', [s.id]);
  // Close the gap so positions stay 0..n-1 (checked at commit).
  await tx.query(
    `UPDATE pipeline_stages s SET position = o.pos - 1
       FROM (SELECT id, row_number() OVER (ORDER BY position, id) AS pos FROM pipeline_stages WHERE org_id = visage_current_org()) o
      WHERE s.org_id = visage_current_org() AND s.id = o.id AND s.position <> o.pos - 1`);
  await audit(tx, origin, { action: 'delete', entityType: 'pipeline_stage', entityId: s.id, details: { kind: s.kind } });
}
