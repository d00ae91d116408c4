import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { liveLead, logActivity } from './activities.service.js';
import { rescoreLead } from './scoring.js';

/** The colour of a tag created on the fly by naming it on a lead. */
export const DEFAULT_TAG_COLOR = '#64748b';

export interface TagRow { id: string; name: string; color: string; lead_count: number; created_at: Date }
export interface TagRef { id: string; name: string; color: string }

const SELECT = `SELECT t.id, t.name, t.color, t.created_at,
    (SELECT count(*) FROM lead_tags lt JOIN leads l ON l.org_id = lt.org_id AND l.id = lt.lead_id AND l.deleted_at IS NULL
      WHERE lt.org_id = t.org_id AND lt.tag_id = t.id)::int AS lead_count
  FROM tags t`;

export async function listTags(tx: Tx, q?: string): Promise<TagRow[]> {
  return tx.query<TagRow>(`${SELECT} WHERE t.org_id = visage_current_org() ${q ? `AND strpos(lower(t.name), lower($1)) > 0` : ''} ORDER BY lower(t.name), t.id`, q ? [q] : []);
}

export async function findTag(tx: Tx, id: string): Promise<TagRow | null> {
  const [t] = await tx.query<TagRow>(`${SELECT} WHERE t.org_id = visage_current_org() AND t.id = $1`, [id]);
  return t ?? null;
}

const nameTaken = (name: string) => errors.conflict(`A tag named "${name}" already exists (names are compared without case).`,
  'tag_name_taken', [{ pointer: '/name', message: 'already used' }]);

async function tagByName(tx: Tx, name: string): Promise<TagRef | null> {
  const [t] = await tx.query<TagRef>('SELECT id, name, color FROM tags WHERE org_id = visage_current_org() AND lower(name) = lower($1)', [name]);
  return t ?? null;
}

export async function createTag(tx: Tx, origin: AuditOrigin, input: { name: string; color?: string }): Promise<TagRow> {
  if (await tagByName(tx, input.name)) throw nameTaken(input.name);
  const id = newId();
  await tx.query('INSERT INTO tags (id, org_id, name, color) VALUES ($1, visage_current_org(), $2, $3)', [id, input.name, (input.color ?? DEFAULT_TAG_COLOR).toLowerCase()]);
  await audit(tx, origin, { action: 'create', entityType: 'tag', entityId: id });
  return (await findTag(tx, id))!;
}

export async function updateTag(tx: Tx, origin: AuditOrigin, id: string, patch: { name?: string; color?: string }): Promise<TagRow> {
  const t = await findTag(tx, id);
  if (!t) throw errors.notFound('tag');
  if (patch.name !== undefined && patch.name.toLowerCase() !== t.name.toLowerCase()) {
    const other = await tagByName(tx, patch.name);
    if (other && other.id !== t.id) throw nameTaken(patch.name);
  }
  await tx.query('UPDATE tags SET name = COALESCE($2, name), color = COALESCE($3, color) WHERE org_id = visage_current_org() AND id = $1',
    [t.id, patch.name ?? null, patch.color?.toLowerCase() ?? null]);
  await audit(tx, origin, { action: 'update', entityType: 'tag', entityId: t.id, details: { fields: Object.keys(patch) } });
  return (await findTag(tx, t.id))!;
}

/** Removes the tag and its links to leads (tags carry no history of their own). */
export async function deleteTag(tx: Tx, origin: AuditOrigin, id: string): Promise<void> {
  const t = await findTag(tx, id);
  if (!t) throw errors.notFound('tag');
  await tx.query('DELETE FROM tags WHERE org_id = visage_current_org() AND id = $1', [t.id]);
  await audit(tx, origin, { action: 'delete', entityType: 'tag', entityId: t.id, details: { leads: t.lead_count } });
}

/** A lead's tags by name. */
export async function leadTags(tx: Tx, leadId: string): Promise<TagRef[]> {
  return tx.query<TagRef>(
    `SELECT t.id, t.name, t.color FROM lead_tags lt JOIN tags t ON t.org_id = lt.org_id AND t.id = lt.tag_id
      WHERE lt.org_id = visage_current_org() AND lt.lead_id = $1 ORDER BY lower(t.name), t.id`, [leadId]);
}

/**
 * Tags a lead, by tag id or by name (a name not yet known creates the tag with the default
 * colour). The (lead, tag) pair is unique: tagging again changes nothing (`added` false). A first
 * tagging logs a tag_added activity.
 */
export async function addLeadTag(tx: Tx, origin: AuditOrigin | null, leadId: string, ref: { tagId?: string; name?: string }, now: Date,
  opts: { rescore?: boolean } = {}): Promise<{ added: boolean; tag: TagRef; tags: TagRef[] }> {
  await liveLead(tx, leadId);
  let tag: TagRef | null;
  if (ref.tagId) {
    const [t] = await tx.query<TagRef>('SELECT id, name, color FROM tags WHERE org_id = visage_current_org() AND id = $1', [ref.tagId]);
    if (!t) throw new AppError(422, 'reference_not_found', 'No tag with that id.', [{ pointer: '/tag_id', message: 'no such tag' }]);
    tag = t;
  } else {
    const name = ref.name!;
    tag = await tagByName(tx, name);
    if (!tag) {
      const id = newId();
      // A concurrent request may create the same name: take whichever row won.
      await tx.query('INSERT INTO tags (id, org_id, name, color) VALUES ($1, visage_current_org(), $2, $3) ON CONFLICT (org_id, lower(name)) DO NOTHING',
        [id, name, DEFAULT_TAG_COLOR]);
      tag = (await tagByName(tx, name))!;
      if (tag.id === id) await audit(tx, origin ?? {}, { action: 'create', entityType: 'tag', entityId: id });
    }
  }
  const inserted = await tx.query(
    `INSERT INTO lead_tags (id, org_id, lead_id, tag_id, created_at) VALUES ($1, visage_current_org(), $2, $3, $4)
     ON CONFLICT (org_id, lead_id, tag_id) DO NOTHING RETURNING id`, [newId(), leadId, tag.id, now]);
  const added = inserted.length === 1;
  if (added) {
    await logActivity(tx, origin, leadId, 'tag_added', { tag_id: tag.id, tag: tag.name }, now, { rescore: false });
    await tx.query('UPDATE leads SET updated_at = $2 WHERE org_id = visage_current_org() AND id = $1', [leadId, now]);
    if (opts.rescore ?? true) await rescoreLead(tx, leadId, now);
    await audit(tx, origin ?? {}, { action: 'update', entityType: 'lead', entityId: leadId, details: { tag_added: tag.id } });
  }
  return { added, tag, tags: await leadTags(tx, leadId) };
}

export async function removeLeadTag(tx: Tx, origin: AuditOrigin, leadId: string, tagId: string, now: Date): Promise<void> {
  await liveLead(tx, leadId);
  const removed = await tx.query('DELETE FROM lead_tags WHERE org_id = visage_current_org() AND lead_id = $1 AND tag_id = $2 RETURNING id', [leadId, tagId]);
  if (!removed.length) throw errors.notFound('tag on this lead');
  await tx.query('UPDATE leads SET updated_at = $2 WHERE org_id = visage_current_org() AND id = $1', [leadId, now]);
  await rescoreLead(tx, leadId, now);
  await audit(tx, origin, { action: 'update', entityType: 'lead', entityId: leadId, details: { tag_removed: tagId } });
}
