import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { newId } from '../../platform/crypto.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { errors } from '../../platform/http/problem.js';
import { decodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { audit } from '../../platform/audit/audit.service.js';
import { findFile, sendVerifiedFile, softDeleteFile, type FileRow } from '../../platform/files/index.js';
import { origin, type Guard } from '../identity/index.js';
import { actorOf, Instant, instant, iso, livePatient, storeGenerated, Uuid } from './consent-media.shared.js';
import {
  ANGLES, assertSessionOf, deletePhoto, getPhoto, insertPhoto, listPhotos, makeThumbnail, MEDIA_TYPES, photoFile, updatePhoto, type PhotoRow,
} from './photos.service.js';

const PhotoDto = z.object({
  id: z.string(), patient_id: z.string(), session_id: z.string().nullable(), file_id: z.string(), thumbnail_file_id: z.string().nullable(),
  media_type: z.string(), angle: z.string(), captured_at: z.string(), marketing_consent: z.boolean(), marketing_consent_at: z.string().nullable(),
  notes: z.string().nullable(), content_url: z.string(), thumbnail_url: z.string().nullable(), created_by: z.string().nullable(), created_at: z.string(),
});
type PhotoDto = z.infer<typeof PhotoDto>;
const photoDto = (p: PhotoRow): PhotoDto => ({
  id: p.id, patient_id: p.patient_id, session_id: p.session_id, file_id: p.file_id, thumbnail_file_id: p.thumbnail_file_id,
  media_type: p.media_type, angle: p.angle, captured_at: iso(p.captured_at)!, marketing_consent: p.marketing_consent,
  marketing_consent_at: iso(p.marketing_consent_at), notes: p.notes, content_url: `/api/photos/${p.id}/content`,
  thumbnail_url: p.thumbnail_file_id ? `/api/photos/${p.id}/thumbnail` : null, created_by: p.created_by, created_at: iso(p.created_at)!,
});

const Notes = z.string().trim().max(2000);
const Cursor = z.object({ at: z.string(), id: Uuid });
const Bool = z.enum(['true', 'false']).transform((v) => v === 'true');

const PhotoInput = z.object({
  file_id: Uuid.describe('The photo uploaded through POST /api/files (kind photo)'),
  session_id: Uuid.nullish(),
  media_type: z.enum(MEDIA_TYPES),
  angle: z.enum(ANGLES).default('front'),
  captured_at: Instant.optional().describe('When the photo was taken (default: now)'),
  marketing_consent: z.boolean().default(false).describe('Marketing use (website, social media), separate from clinical use'),
  notes: Notes.nullish(),
});

/** Clinical photos (before/after/progress) per session, with thumbnails, comparison and marketing-use consent. photo.read / photo.write. */
export function photoRoutes(app: ZApp, deps: Deps, guard: Guard) {
  app.post('/api/patients/:id/photos', {
    schema: {
      tags: ['photos'], summary: 'File an uploaded photo under a patient (and session); makes a 320 px thumbnail',
      params: z.object({ id: Uuid }), body: PhotoInput, response: { 201: PhotoDto },
    },
  }, async (req, reply) => {
    const body = req.body;
    const { file, actor } = await guard(req, { permission: 'photo.write' }, async (tx, p) => {
      await livePatient(tx, req.params.id);
      const f = await photoFile(tx, body.file_id);
      if (body.session_id) await assertSessionOf(tx, body.session_id, req.params.id);
      return { file: f, actor: actorOf(p) };
    });
    if (!deps.storage) throw new Error('file storage is not configured');
    const photoId = newId();
    const thumbnail = await storeGenerated(deps, origin(req), actor, await makeThumbnail(deps.storage, file), {
      kind: 'photo', name: `thumbnail-${photoId}.jpg`, entityType: 'photo', entityId: photoId,
    });
    const discard = () => deps.db.run({ scope: 'tenant', ...actor }, (tx) => softDeleteFile(tx, thumbnail.id, deps.now()));
    try {
      let fresh = false;
      const out = await guard(req, { permission: 'photo.write' }, (tx, p) => idempotent(tx, req, async () => {
        fresh = true;
        await livePatient(tx, req.params.id);
        if (body.session_id) await assertSessionOf(tx, body.session_id, req.params.id);
        const row = await insertPhoto(tx, origin(req), {
          id: photoId, patientId: req.params.id, sessionId: body.session_id ?? null, fileId: file.id, thumbnailFileId: thumbnail.id,
          mediaType: body.media_type, angle: body.angle, capturedAt: instant(body.captured_at, deps.now()), marketingConsent: body.marketing_consent,
          notes: body.notes ?? null, userId: p.userId, now: deps.now(),
        });
        return { status: 201, body: photoDto(row) };
      }));
      if (!fresh) await discard();
      return reply.status(out.status as 201).send(out.body as PhotoDto);
    } catch (err) {
      await discard().catch(() => undefined);
      throw err;
    }
  });

  app.get('/api/patients/:id/photos', {
    schema: {
      tags: ['photos'], summary: 'A patient\'s photos, latest capture first; filter by session and media type',
      params: z.object({ id: Uuid }), response: { 200: pageOf(PhotoDto) },
      querystring: z.object({ ...pageQuery, session_id: Uuid.optional(), media_type: z.enum(MEDIA_TYPES).optional(), marketing: Bool.optional() }),
    },
  }, async (req) => guard(req, { permission: 'photo.read' }, async (tx) => {
    await livePatient(tx, req.params.id);
    const q = req.query;
    const rows = await listPhotos(tx, {
      patientId: req.params.id, sessionId: q.session_id, mediaType: q.media_type, marketing: q.marketing, limit: q.limit, cursor: decodeCursor(q.cursor, Cursor),
    });
    await audit(tx, origin(req), { action: 'list', entityType: 'photo', details: { patient_id: req.params.id, session_id: q.session_id ?? null, count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (p) => ({ at: iso(p.captured_at), id: p.id }), photoDto);
  }));

  app.get('/api/photos', {
    schema: {
      tags: ['photos'], summary: 'Photos of the organization, latest capture first; ?marketing=true lists only those with marketing-use consent',
      querystring: z.object({ ...pageQuery, marketing: Bool.optional(), patient_id: Uuid.optional(), session_id: Uuid.optional(), media_type: z.enum(MEDIA_TYPES).optional() }),
      response: { 200: pageOf(PhotoDto) },
    },
  }, async (req) => guard(req, { permission: 'photo.read' }, async (tx) => {
    const q = req.query;
    const rows = await listPhotos(tx, {
      patientId: q.patient_id, sessionId: q.session_id, mediaType: q.media_type, marketing: q.marketing, limit: q.limit, cursor: decodeCursor(q.cursor, Cursor),
    });
    await audit(tx, origin(req), { action: 'list', entityType: 'photo', details: { marketing: q.marketing ?? null, count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (p) => ({ at: iso(p.captured_at), id: p.id }), photoDto);
  }));

  app.get('/api/photos/compare', {
    schema: {
      tags: ['photos'], summary: 'Two photos of the same patient side by side (metadata and URLs)',
      querystring: z.object({ before: Uuid, after: Uuid }),
      response: { 200: z.object({ patient_id: z.string(), days_between: z.number(), before: PhotoDto, after: PhotoDto }) },
    },
  }, async (req) => guard(req, { permission: 'photo.read' }, async (tx) => {
    const [before, after] = [await getPhoto(tx, req.query.before), await getPhoto(tx, req.query.after)];
    if (!before || !after) throw errors.notFound('photo');
    if (before.patient_id !== after.patient_id) {
      throw errors.validation('The two photos belong to different patients; compare photos of one patient.', [{ pointer: '#query/after', message: 'another patient\'s photo' }]);
    }
    await audit(tx, origin(req), { action: 'read', entityType: 'photo_comparison', entityId: before.patient_id, details: { before: before.id, after: after.id } });
    const days = (new Date(after.captured_at).getTime() - new Date(before.captured_at).getTime()) / 86_400_000;
    return { patient_id: before.patient_id, days_between: Math.round(days * 10) / 10, before: photoDto(before), after: photoDto(after) };
  }));

  app.get('/api/photos/:id', {
    schema: { tags: ['photos'], summary: 'A photo\'s metadata', params: z.object({ id: Uuid }), response: { 200: PhotoDto } },
  }, async (req) => guard(req, { permission: 'photo.read' }, async (tx) => {
    const p = await getPhoto(tx, req.params.id);
    if (!p) throw errors.notFound('photo');
    await audit(tx, origin(req), { action: 'read', entityType: 'photo', entityId: p.id, details: { patient_id: p.patient_id } });
    return photoDto(p);
  }));

  /** Streams one of a photo's files through the files service (verified against its SHA-256). */
  async function sendPhotoFile(req: FastifyRequest, reply: FastifyReply, id: string, which: 'file' | 'thumbnail'): Promise<FastifyReply> {
    const found = await guard(req, { permission: 'photo.read' }, async (tx, p) => {
      const photo = await getPhoto(tx, id);
      if (!photo) throw errors.notFound('photo');
      const fileId = which === 'file' ? photo.file_id : photo.thumbnail_file_id;
      const file: FileRow | undefined = fileId ? await findFile(tx, fileId) : undefined;
      if (!file) throw errors.notFound(which === 'file' ? 'photo file' : 'thumbnail');
      await audit(tx, origin(req), { action: 'read', entityType: which === 'file' ? 'photo_content' : 'photo_thumbnail', entityId: photo.id, details: { patient_id: photo.patient_id } });
      return { file, actor: actorOf(p) };
    });
    return sendVerifiedFile(deps, req, reply, found.file, found.actor, true);
  }

  app.get('/api/photos/:id/content', {
    schema: { tags: ['photos'], summary: 'The photo (verified against its SHA-256; sent inline)', params: z.object({ id: Uuid }) },
  }, async (req, reply) => sendPhotoFile(req, reply, req.params.id, 'file'));

  app.get('/api/photos/:id/thumbnail', {
    schema: { tags: ['photos'], summary: 'The 320 px thumbnail (verified against its SHA-256; sent inline)', params: z.object({ id: Uuid }) },
  }, async (req, reply) => sendPhotoFile(req, reply, req.params.id, 'thumbnail'));

  app.patch('/api/photos/:id', {
    schema: {
      tags: ['photos'], summary: 'Change a photo; marketing_consent records marketing-use consent (timestamped, audited) apart from clinical use',
      params: z.object({ id: Uuid }), response: { 200: PhotoDto },
      body: z.object({
        marketing_consent: z.boolean().optional(), media_type: z.enum(MEDIA_TYPES).optional(), angle: z.enum(ANGLES).optional(),
        captured_at: Instant.optional(), notes: Notes.nullable().optional(), session_id: Uuid.nullable().optional(),
      }),
    },
  }, async (req) => guard(req, { permission: 'photo.write' }, async (tx) => photoDto(await updatePhoto(tx, origin(req), req.params.id, req.body, deps.now()))));

  app.delete('/api/photos/:id', {
    schema: { tags: ['photos'], summary: 'Remove a photo from the chart (soft: row and files are retained)', params: z.object({ id: Uuid }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'photo.write' }, (tx) => deletePhoto(tx, origin(req), req.params.id, deps.now()));
    return reply.status(204).send(null);
  });
}
