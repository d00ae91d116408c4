import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { errors } from '../../platform/http/problem.js';
import { decodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard } from '../identity/index.js';
import { iso, livePatient, Uuid } from './consent-media.shared.js';
import { DOCUMENT_TYPES } from './records.schema.js';
import { createDocument, deleteDocument, getDocument, listDocuments, updateDocument, type DocumentRow } from './documents.service.js';

const DocumentDto = z.object({
  id: z.string(), patient_id: z.string(), type: z.enum(DOCUMENT_TYPES), file_id: z.string(), notes: z.string().nullable(),
  original_name: z.string(), content_type: z.string(), size_bytes: z.number().int(), sha256: z.string(), content_url: z.string(),
  created_by: z.string().nullable(), created_at: z.string(), updated_at: z.string(),
});
const documentDto = (d: DocumentRow): z.infer<typeof DocumentDto> => ({
  id: d.id, patient_id: d.patient_id, type: d.type, file_id: d.file_id, notes: d.notes, original_name: d.original_name,
  content_type: d.content_type, size_bytes: d.size_bytes, sha256: d.sha256, content_url: `/api/files/${d.file_id}/content`,
  created_by: d.created_by, created_at: iso(d.created_at)!, updated_at: iso(d.updated_at)!,
});

const Notes = z.string().trim().max(2000);

/**
 * Seed 001 Documents: a patient's files classified under the 8 types. The bytes are uploaded
 * through POST /api/files and downloaded (verified) through /api/files/{id}/content; file.read and
 * file.write govern them as they govern files. Files of kind photo also need photo.read/photo.write.
 */
export function documentRoutes(app: ZApp, deps: Deps, guard: Guard) {
  app.post('/api/patients/:id/documents', {
    schema: {
      tags: ['documents'], summary: 'File an uploaded file in a patient\'s documents under a type',
      params: z.object({ id: Uuid }), response: { 201: DocumentDto },
      body: z.object({ type: z.enum(DOCUMENT_TYPES), file_id: Uuid, notes: Notes.nullish() }),
    },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'file.write' }, (tx, p) => idempotent(tx, req, async () => {
      await livePatient(tx, req.params.id);
      const d = await createDocument(tx, origin(req), {
        patientId: req.params.id, type: req.body.type, fileId: req.body.file_id, notes: req.body.notes ?? null, userId: p.userId,
        mayUsePhotos: p.permissions.has('photo.write'),
      });
      return { status: 201, body: documentDto(d) };
    }));
    return reply.status(out.status as 201).send(out.body as z.infer<typeof DocumentDto>);
  });

  app.get('/api/patients/:id/documents', {
    schema: {
      tags: ['documents'], summary: 'A patient\'s documents, newest first; ?type= filters by type',
      params: z.object({ id: Uuid }), querystring: z.object({ ...pageQuery, type: z.enum(DOCUMENT_TYPES).optional() }),
      response: { 200: pageOf(DocumentDto) },
    },
  }, async (req) => guard(req, { permission: 'file.read' }, async (tx, p) => {
    await livePatient(tx, req.params.id);
    const q = req.query;
    const rows = await listDocuments(tx, req.params.id, {
      type: q.type, includePhotos: p.permissions.has('photo.read'), limit: q.limit, cursor: decodeCursor(q.cursor, z.object({ at: z.string(), id: Uuid })),
    });
    await audit(tx, origin(req), { action: 'list', entityType: 'document', details: { patient_id: req.params.id, type: q.type ?? null, count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (d) => ({ at: iso(d.created_at), id: d.id }), documentDto);
  }));

  app.get('/api/documents/:id', {
    schema: { tags: ['documents'], summary: 'A document', params: z.object({ id: Uuid }), response: { 200: DocumentDto } },
  }, async (req) => guard(req, { permission: 'file.read' }, async (tx, p) => {
    const d = await getDocument(tx, req.params.id, p.permissions.has('photo.read'));
    if (!d) throw errors.notFound('document');
    await audit(tx, origin(req), { action: 'read', entityType: 'document', entityId: d.id, details: { patient_id: d.patient_id, type: d.type } });
    return documentDto(d);
  }));

  app.patch('/api/documents/:id', {
    schema: {
      tags: ['documents'], summary: 'Change a document\'s type or notes', params: z.object({ id: Uuid }), response: { 200: DocumentDto },
      body: z.object({ type: z.enum(DOCUMENT_TYPES).optional(), notes: Notes.nullable().optional() }),
    },
  }, async (req) => guard(req, { permission: 'file.write' }, async (tx, p) =>
    documentDto(await updateDocument(tx, origin(req), req.params.id, req.body, p.permissions.has('photo.write')))));

  app.delete('/api/documents/:id', {
    schema: { tags: ['documents'], summary: 'Remove a document from the chart (soft: row and file are retained)', params: z.object({ id: Uuid }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'file.write' }, (tx, p) => deleteDocument(tx, origin(req), req.params.id, p.permissions.has('photo.write'), deps.now()));
    return reply.status(204).send(null);
  });
}
