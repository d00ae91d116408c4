import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { newId } from '../../platform/crypto.js';
import { byIdOrCode } from '../../platform/db/refs.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { decodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { audit } from '../../platform/audit/audit.service.js';
import { findFile, sendVerifiedFile, softDeleteFile, type Actor, type FileRow } from '../../platform/files/index.js';
import { origin, type Guard } from '../identity/index.js';
import { actorOf, iso, livePatient, storeGenerated, Uuid } from './consent-media.shared.js';
import { TreatmentRef } from './consent-templates.routes.js';
import { renderConsentDocument } from './consent-document.js';
import { consentStatus } from './consent-status.js';
import {
  decodeSignature, getConsent, insertConsent, listConsents, MAX_SIGNATURE_BYTES, signingContext, withdrawConsent, type ConsentRow,
} from './consents.service.js';
import { createDocument } from './documents.service.js';

export const ConsentDto = z.object({
  id: z.string(), patient_id: z.string(), template_id: z.string(), treatment_id: z.string().nullable(), treatment_code: z.string().nullable(),
  title: z.string(), template_version: z.number().int(), is_current_version: z.boolean(), signed_name: z.string(), signed_at: z.string(),
  signed_ip: z.string().nullable(), signature_file_id: z.string(), document_file_id: z.string(), document_sha256: z.string(),
  document_url: z.string(), withdrawn_at: z.string().nullable(), withdrawal_reason: z.string().nullable(), created_at: z.string(),
});
const consentDto = (c: ConsentRow): z.infer<typeof ConsentDto> => ({
  id: c.id, patient_id: c.patient_id, template_id: c.template_id, treatment_id: c.treatment_id, treatment_code: c.treatment_code,
  title: c.title, template_version: c.template_version, is_current_version: c.is_current_version, signed_name: c.signed_name,
  signed_at: iso(c.signed_at)!, signed_ip: c.signed_ip, signature_file_id: c.signature_file_id, document_file_id: c.document_file_id,
  document_sha256: c.document_sha256, document_url: `/api/consents/${c.id}/document`, withdrawn_at: iso(c.withdrawn_at),
  withdrawal_reason: c.withdrawal_reason, created_at: iso(c.created_at)!,
});

/** base64 grows bytes by 4/3; the data URL prefix is 22 characters. */
const MAX_DATA_URL = Math.ceil(MAX_SIGNATURE_BYTES / 3) * 4 + 22;

const SignInput = z.object({
  template_id: Uuid.optional(),
  treatment_id: TreatmentRef.optional().describe('Sign the treatment\'s current template (id or code)'),
  signed_name: z.string().max(200).transform((n) => n.replace(/[\p{Cc}\p{Cs}]/gu, '').trim()).pipe(z.string().min(1, 'Type the signer\'s name.'))
    .describe('The name the patient typed'),
  signature_png: z.string().max(MAX_DATA_URL).describe(`The drawn signature: data:image/png;base64,... (at most ${MAX_SIGNATURE_BYTES} bytes)`),
}).refine((b) => b.template_id !== undefined || b.treatment_id !== undefined, { message: 'Send template_id or treatment_id.', path: ['template_id'] });

const StatusDto = z.object({
  treatment_id: z.string(), state: z.enum(['not_required', 'signed', 'missing']), consent_id: z.string().nullable(),
  template_id: z.string().nullable(), template_version: z.number().int().nullable(),
});

export function consentRoutes(app: ZApp, deps: Deps, guard: Guard) {
  /** Files written before the consent row, removed again (soft) when the row is not written. */
  const discard = (actor: Actor, files: FileRow[]) => deps.db.run({ scope: 'tenant', ...actor }, async (tx) => {
    for (const f of files) await softDeleteFile(tx, f.id, deps.now());
  });

  app.post('/api/patients/:id/consents', {
    schema: {
      tags: ['consents'], params: z.object({ id: Uuid }), body: SignInput, response: { 201: ConsentDto },
      summary: 'Sign a consent: typed name + drawn signature; renders and stores the signed document (PNG) and its SHA-256',
      description: 'The document shows the template (title, body, version), the patient, the typed name, the drawn signature, the signing time in the organization\'s time zone and in UTC, and the IP. It is also filed in the patient\'s documents as CONSENT_FORM.',
    },
  }, async (req, reply) => {
    const body = req.body;
    const prep = await guard(req, { permission: 'consent.write' }, async (tx, p) => ({
      ctx: await signingContext(tx, req.params.id, body), actor: actorOf(p),
    }));
    const { ctx, actor } = prep;
    const signature = await decodeSignature(body.signature_png);
    const consentId = newId();
    const signedAt = deps.now();
    const document = await renderConsentDocument({
      organization: ctx.org.name, title: ctx.template.title, body: ctx.template.body, version: ctx.template.version, treatment: ctx.treatment,
      patient: { code: ctx.patient.code, fullName: ctx.patient.full_name }, signedName: body.signed_name, signaturePng: signature, signedAt,
      timezone: ctx.org.timezone, ip: req.ip ?? null, consentId, templateId: ctx.template.id,
    });
    const files: FileRow[] = [];
    try {
      files.push(await storeGenerated(deps, origin(req), actor, signature, { kind: 'signature', name: `signature-${consentId}.png`, entityType: 'consent', entityId: consentId }));
      files.push(await storeGenerated(deps, origin(req), actor, document, {
        kind: 'document', name: `consent-${ctx.patient.code}-${ctx.treatment.code}-v${ctx.template.version}.png`, entityType: 'consent', entityId: consentId,
      }));
      const [sigFile, docFile] = files as [FileRow, FileRow];
      let fresh = false;
      const out = await guard(req, { permission: 'consent.write' }, (tx, p) => idempotent(tx, req, async () => {
        fresh = true;
        const row = await insertConsent(tx, origin(req), {
          id: consentId, patientId: ctx.patient.id, template: ctx.template, signedName: body.signed_name, signatureFileId: sigFile.id,
          documentFileId: docFile.id, documentSha256: docFile.sha256, signedAt, signedIp: req.ip ?? null, userId: p.userId,
        });
        await createDocument(tx, origin(req), {
          patientId: ctx.patient.id, type: 'CONSENT_FORM', fileId: docFile.id, notes: `${ctx.template.title} (version ${ctx.template.version})`,
          userId: p.userId, mayUsePhotos: false,
        });
        return { status: 201, body: consentDto(row) };
      }));
      if (!fresh) await discard(actor, files); // a replayed Idempotency-Key: the first request's files stand
      return reply.status(out.status as 201).send(out.body as z.infer<typeof ConsentDto>);
    } catch (err) {
      if (files.length) await discard(actor, files).catch(() => undefined);
      throw err;
    }
  });

  app.get('/api/patients/:id/consents', {
    schema: {
      tags: ['consents'], summary: 'A patient\'s consents, newest first (withdrawn ones included, marked)',
      params: z.object({ id: Uuid }), querystring: z.object({ ...pageQuery, treatment_id: TreatmentRef.optional() }),
      response: { 200: pageOf(ConsentDto) },
    },
  }, async (req) => guard(req, { permission: 'consent.read' }, async (tx) => {
    const q = req.query;
    await livePatient(tx, req.params.id);
    const cursor = decodeCursor(q.cursor, z.object({ at: z.string(), id: Uuid }));
    const treatmentId = q.treatment_id ? (await byIdOrCode<{ id: string }>(tx, 'treatments', 'id', q.treatment_id, '#query/treatment_id')).id : undefined;
    const rows = await listConsents(tx, req.params.id, { treatmentId, limit: q.limit, cursor });
    await audit(tx, origin(req), { action: 'list', entityType: 'consent', details: { patient_id: req.params.id, count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (c) => ({ at: iso(c.signed_at), id: c.id }), consentDto);
  }));

  app.get('/api/patients/:id/consent-status', {
    schema: {
      tags: ['consents'], summary: 'Whether the patient holds a signed consent of the treatment\'s current template version',
      params: z.object({ id: Uuid }), querystring: z.object({ treatment_id: TreatmentRef }), response: { 200: StatusDto },
    },
  }, async (req) => guard(req, { permission: 'consent.read' }, async (tx) => {
    await livePatient(tx, req.params.id);
    const t = await byIdOrCode<{ id: string; consent_required: boolean }>(tx, 'treatments', 'id, consent_required', req.query.treatment_id, '#query/treatment_id');
    const s = await consentStatus(tx, req.params.id, t);
    await audit(tx, origin(req), { action: 'read', entityType: 'consent_status', entityId: req.params.id, details: { treatment_id: t.id, state: s.state } });
    return {
      treatment_id: t.id, state: s.state, consent_id: s.state === 'signed' ? s.consentId : null,
      template_id: s.state === 'missing' ? s.templateId : null, template_version: s.state === 'not_required' ? null : s.templateVersion,
    };
  }));

  app.get('/api/consents/:id', {
    schema: { tags: ['consents'], summary: 'A signed consent', params: z.object({ id: Uuid }), response: { 200: ConsentDto } },
  }, async (req) => guard(req, { permission: 'consent.read' }, async (tx) => {
    const c = await getConsent(tx, req.params.id);
    if (!c) throw errors.notFound('consent');
    await audit(tx, origin(req), { action: 'read', entityType: 'consent', entityId: c.id, details: { patient_id: c.patient_id } });
    return consentDto(c);
  }));

  // No response schema: the body is the document's bytes, or a problem.
  app.get('/api/consents/:id/document', {
    schema: {
      tags: ['consents'], params: z.object({ id: Uuid }), querystring: z.object({ inline: z.enum(['0', '1']).default('0') }),
      summary: 'Download the signed consent document (PNG), verified against its SHA-256 on every download',
      description: 'Streamed through the files service, which checks the stored bytes against the SHA-256 recorded at signing before and while sending. Altered bytes answer 500 file_integrity_failed and are never sent.',
    },
  }, async (req, reply) => {
    const found = await guard(req, { permission: 'consent.read' }, async (tx, p) => {
      const c = await getConsent(tx, req.params.id);
      if (!c) throw errors.notFound('consent');
      const file = await findFile(tx, c.document_file_id);
      if (!file) throw errors.notFound('consent document');
      await audit(tx, origin(req), { action: 'read', entityType: 'consent_document', entityId: c.id, details: { patient_id: c.patient_id, file_id: file.id } });
      return { file, sha256: c.document_sha256, actor: actorOf(p) };
    });
    // The consent row keeps its own copy of the hash: a files row changed to match altered bytes is caught too.
    if (found.file.sha256 !== found.sha256) {
      await deps.db.run({ scope: 'tenant', ...found.actor }, (tx) => audit(tx, origin(req), {
        action: 'download', entityType: 'file', entityId: found.file.id, outcome: 'failure', details: { kind: found.file.kind, reason: 'consent_hash_mismatch' },
      }));
      throw new AppError(500, 'file_integrity_failed', 'The consent document does not match the SHA-256 recorded when it was signed and was not sent. The incident has been recorded.');
    }
    return sendVerifiedFile(deps, req, reply, found.file, found.actor, req.query.inline === '1');
  });

  app.post('/api/consents/:id/withdraw', {
    schema: {
      tags: ['consents'], summary: 'Withdraw a consent (kept on record; no longer counts as signed)',
      params: z.object({ id: Uuid }), body: z.object({ reason: z.string().trim().min(1).max(2000).optional() }).default({}), response: { 200: ConsentDto },
    },
  }, async (req) => guard(req, { permission: 'consent.write' }, async (tx, p) =>
    consentDto(await withdrawConsent(tx, origin(req), req.params.id, p.userId, req.body.reason ?? null, deps.now()))));
}
