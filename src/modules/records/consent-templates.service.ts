import type { Tx } from '../../platform/db/client.js';
import { SqlFilter } from '../../platform/db/filter.js';
import { byIdOrCode } from '../../platform/db/refs.js';
import { newId } from '../../platform/crypto.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';

export interface TemplateRow {
  id: string; treatment_id: string; treatment_code: string; treatment_name: string; title: string; body: string; version: number;
  is_current: boolean; created_by: string | null; created_at: Date;
}

const COLUMNS = `c.id, c.treatment_id, t.code AS treatment_code, t.name AS treatment_name, c.title, c.body, c.version, c.is_current,
  c.created_by, c.created_at`;
const FROM = 'consent_templates c JOIN treatments t ON t.org_id = c.org_id AND t.id = c.treatment_id';

/**
 * Adds a version of a treatment's consent template: version 1, or one more than the latest. The new
 * version becomes the current one and the previous stops being current. The treatment row is
 * locked first, so two editors publishing at once get consecutive versions.
 */
export async function createTemplate(tx: Tx, origin: AuditOrigin, userId: string, input: { treatment: string; title: string; body: string }): Promise<TemplateRow> {
  const treatment = await byIdOrCode<{ id: string }>(tx, 'treatments', 'id', input.treatment, '/treatment_id');
  await tx.query('SELECT id FROM treatments WHERE org_id = visage_current_org() AND id = $1 FOR UPDATE', [treatment.id]);
  const [latest] = await tx.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM consent_templates WHERE org_id = visage_current_org() AND treatment_id = $1', [treatment.id]);
  const version = (latest?.version ?? 0) + 1;
  await tx.query('UPDATE consent_templates SET is_current = false WHERE org_id = visage_current_org() AND treatment_id = $1 AND is_current', [treatment.id]);
  const id = newId();
  await tx.query(
    `INSERT INTO consent_templates (id, org_id, treatment_id, title, version, body, is_current, created_by)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, true, $6)`,
    [id, treatment.id, input.title, version, input.body, userId]);
  await audit(tx, origin, { action: 'create', entityType: 'consent_template', entityId: id, details: { treatment_id: treatment.id, version } });
  return (await getTemplate(tx, id))!;
}

export async function getTemplate(tx: Tx, id: string): Promise<TemplateRow | undefined> {
  return (await tx.query<TemplateRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE c.org_id = visage_current_org() AND c.id = $1`, [id]))[0];
}

/** The current template of a treatment, if it has one. */
export async function currentTemplate(tx: Tx, treatmentId: string): Promise<TemplateRow | undefined> {
  return (await tx.query<TemplateRow>(
    `SELECT ${COLUMNS} FROM ${FROM} WHERE c.org_id = visage_current_org() AND c.treatment_id = $1 AND c.is_current`, [treatmentId]))[0];
}

export interface TemplateFilter { treatmentId?: string; current?: boolean; limit: number; cursor?: { at: string; id: string } | null }

/** Templates, newest first (keyset on created_at, id). */
export async function listTemplates(tx: Tx, f: TemplateFilter): Promise<TemplateRow[]> {
  const q = new SqlFilter('c.org_id = visage_current_org()')
    .when('c.treatment_id = ?', f.treatmentId).when('c.is_current = ?', f.current)
    .before(['c.created_at', 'c.id'], f.cursor, 'consent_templates');
  return tx.query<TemplateRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE ${q.where} ORDER BY c.created_at DESC, c.id DESC LIMIT ${q.param(f.limit + 1)}`, q.params);
}
