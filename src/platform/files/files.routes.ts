import fs from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import multipart, { type MultipartValue } from '@fastify/multipart';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import type { Tx } from '../db/client.js';
import type { ZApp } from '../http/app.js';
import { AppError, errors } from '../http/problem.js';
import { decodeCursor, page, pageOf, pageQuery } from '../http/pagination.js';
import { audit } from '../audit/audit.service.js';
import { origin, type Guard, type Permission, type Principal } from '../../modules/identity/index.js';
import { FILE_KINDS, isImage, type FileKind } from './file-types.js';
import { checkStored, createFile, findFile, listFiles, softDeleteFile, type Actor, type FileRow } from './files.service.js';
import { digestOf, IntegrityError, verifying } from './integrity.js';
import { idempotent } from '../http/idempotency.js';
import type { FileStorage } from './storage.js';

const Uuid = z.string().uuid();
const EntityType = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'Use a lower-case entity name such as patient.');

const FileDto = z.object({
  id: z.string(), kind: z.enum(FILE_KINDS), entity_type: z.string().nullable(), entity_id: z.string().nullable(), original_name: z.string(),
  content_type: z.string(), size_bytes: z.number().int(), sha256: z.string(), created_at: z.string(),
});
const fileDto = (f: FileRow): z.infer<typeof FileDto> => ({
  id: f.id, kind: f.kind, entity_type: f.entity_type, entity_id: f.entity_id, original_name: f.original_name,
  content_type: f.content_type, size_bytes: f.size_bytes, sha256: f.sha256, created_at: new Date(f.created_at).toISOString(),
});

const UploadFields = z.object({
  kind: z.enum(FILE_KINDS),
  entity_type: EntityType.optional(),
  entity_id: Uuid.optional(),
}).refine((f) => (f.entity_type === undefined) === (f.entity_id === undefined), {
  message: 'Send entity_type and entity_id together.', path: ['entity_id'],
});

type Access = 'read' | 'write';
const FILE_PERMISSION: Record<Access, Permission> = { read: 'file.read', write: 'file.write' };

/**
 * Photos are clinical images (PHI): on top of file.read / file.write they need photo.read /
 * photo.write, so front-desk staff handle documents but never see before/after photos.
 */
function kindPermission(kind: FileKind, access: Access): Permission | null {
  if (kind !== 'photo') return null;
  return access === 'read' ? 'photo.read' : 'photo.write';
}

/** The caller's tenant context; a guard that checked a permission guarantees an acting organization. */
const tenantOf = (p: Principal): Actor => ({ orgId: p.orgId!, userId: p.userId });

/** Audited like the guard's own refusals. */
function auditDenied(tx: Tx, req: FastifyRequest, permission: Permission, fileId: string | null): Promise<void> {
  return audit(tx, origin(req), { action: 'access', entityType: 'file', entityId: fileId, outcome: 'denied', details: { permission, method: req.method } });
}

const denied = (permission: Permission) => errors.forbidden(`Your role does not allow this (needs ${permission}).`);

/** `attachment` (or `inline`) with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / 8187). */
function contentDisposition(name: string, inline: boolean): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const utf8 = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

/** Multipart parser errors as problems; the partly received file is already deleted by the plugin. */
function multipartProblem(err: unknown, maxBytes: number): unknown {
  switch ((err as { code?: string }).code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new AppError(413, 'file_too_large', `The file is larger than ${maxBytes} bytes.`, [{ pointer: '/file', message: 'too large' }]);
    case 'FST_FILES_LIMIT': case 'FST_PARTS_LIMIT': case 'FST_FIELDS_LIMIT':
      return errors.badRequest('Send one file part and the fields kind, entity_type and entity_id.');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError(415, 'unsupported_media_type', 'Upload with Content-Type multipart/form-data.');
    default:
      return err;
  }
}

interface Received { fields: Record<string, string>; file: { path: string; filename: string } }

/**
 * Streams the request's one file part to a private staging directory, bounded by
 * MAX_UPLOAD_BYTES. Fields may come before or after the file. The plugin deletes the staged file
 * when the response is sent, or at once when the upload fails.
 */
async function receive(req: FastifyRequest, stagingDir: string, maxBytes: number): Promise<Received> {
  await fs.mkdir(stagingDir, { recursive: true, mode: 0o700 });
  let saved: Awaited<ReturnType<FastifyRequest['saveRequestFiles']>>;
  try {
    saved = await req.saveRequestFiles({ tmpdir: stagingDir });
  } catch (err) {
    throw multipartProblem(err, maxBytes);
  }
  const part = saved.files[0];
  if (!part) throw errors.validation('Attach the file as a multipart part named "file".', [{ pointer: '/file', message: 'required' }]);
  const fields: Record<string, string> = {};
  for (const [name, entry] of Object.entries(saved.values)) {
    // A repeated field arrives as an array and is ignored: the schema then reports it missing.
    const field = entry as Partial<MultipartValue> | undefined;
    if (field?.type === 'field') fields[name] = String(field.value);
  }
  return { fields, file: { path: part.filepath, filename: part.filename } };
}

/**
 * Sends a stored file's bytes, checked against the SHA-256 recorded at upload before anything is
 * sent and again while streaming; the download is audited. Routes of other modules that serve a
 * file they found (a consent document, a photo) answer through this too, after their own guard.
 */
export async function sendVerifiedFile(deps: Deps, req: FastifyRequest, reply: FastifyReply, file: FileRow, actor: Actor, inline = false): Promise<FastifyReply> {
  const storage = deps.storage;
  if (!storage) throw new Error('sendVerifiedFile needs deps.storage');
  // Checked before anything is sent, outside the transaction (reading storage can be slow).
  const state = await checkStored(storage, file);
  await deps.db.run({ scope: 'tenant', ...actor }, (tx) => audit(tx, origin(req), {
    action: 'download', entityType: 'file', entityId: file.id, outcome: state === 'intact' ? 'success' : 'failure',
    details: state === 'intact' ? { kind: file.kind } : { kind: file.kind, reason: state },
  }));
  if (state !== 'intact') {
    throw new AppError(500, 'file_integrity_failed', 'The stored file failed its integrity check and was not sent. The incident has been recorded.');
  }
  // Verified again while streaming: bytes changed since the check abort the response.
  const body = pipeline(await storage.get(file.storage_key), verifying({ sha256: file.sha256, sizeBytes: file.size_bytes }), (err) => {
    if (err instanceof IntegrityError) req.log.error({ fileId: file.id }, 'stored file changed during its download; response aborted');
  });
  return reply
    .header('content-type', file.content_type)
    .header('content-length', file.size_bytes)
    .header('content-disposition', contentDisposition(file.original_name, inline && isImage(file.content_type)))
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .send(body);
}

export function fileRoutes(app: ZApp, deps: Deps, guard: Guard): void {
  const storage: FileStorage | undefined = deps.storage;
  if (!storage) throw new Error('fileRoutes needs deps.storage');
  const maxBytes = deps.config.maxUploadBytes;
  const stagingDir = path.join(deps.config.dataDir, 'tmp', 'uploads');

  /**
   * Runs `fn` on a live file of the acting organization; another organization's id answers 404
   * exactly like a missing one. A caller without the kind's permission gets 403, audited and
   * committed first (throwing inside the transaction would roll the audit row back).
   */
  async function withFile<T>(req: FastifyRequest, id: string, access: Access, fn: (tx: Tx, file: FileRow, p: Principal) => Promise<T>): Promise<T> {
    const outcome = await guard(req, { permission: FILE_PERMISSION[access] }, async (tx, p) => {
      const file = await findFile(tx, id);
      if (!file) throw errors.notFound('file');
      const needed = kindPermission(file.kind, access);
      if (needed && !p.permissions.has(needed)) {
        await auditDenied(tx, req, needed, file.id);
        return { allowed: false as const, needed };
      }
      return { allowed: true as const, value: await fn(tx, file, p) };
    });
    if (!outcome.allowed) throw denied(outcome.needed);
    return outcome.value;
  }

  // Multipart parsing exists only in this scope: no other route accepts uploads.
  app.register(async (scoped) => {
    await scoped.register(multipart, {
      limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 50 },
    });
    const r = scoped.withTypeProvider<ZodTypeProvider>();

    r.post('/api/files', {
      schema: {
        tags: ['files'], consumes: ['multipart/form-data'],
        summary: 'Upload a file (multipart/form-data: kind, entity_type?, entity_id? and one file part)',
        description: 'The type is read from the bytes and checked against the kind. Images are re-encoded without metadata (EXIF/GPS). Photos also need photo.write.',
        response: { 201: FileDto },
      },
    }, async (req, reply) => {
      const p = await guard(req, { permission: 'file.write' }, async (_tx, principal) => principal);
      const received = await receive(req, stagingDir, maxBytes);
      const fields = UploadFields.parse(received.fields);
      const needed = kindPermission(fields.kind, 'write');
      if (needed && !p.permissions.has(needed)) {
        await deps.db.run({ scope: 'tenant', ...tenantOf(p) }, (tx) => auditDenied(tx, req, needed, null));
        throw denied(needed);
      }
      // A retried upload with the same Idempotency-Key, fields and bytes answers the first upload's file.
      const fingerprint = req.headers['idempotency-key'] === undefined ? undefined
        : { fields: received.fields, filename: received.file.filename, sha256: (await digestOf(createReadStream(received.file.path))).sha256 };
      const file = await createFile(deps.db, storage, origin(req), tenantOf(p), {
        stagedPath: received.file.path, originalName: received.file.filename, kind: fields.kind,
        entityType: fields.entity_type ?? null, entityId: fields.entity_id ?? null,
      }, deps.now(), async (tx, store) =>
        (await idempotent(tx, req, async () => ({ status: 201, body: fileDto(await store()) }), fingerprint)).body as z.infer<typeof FileDto>);
      return reply.status(201).send(file);
    });
  });

  app.get('/api/files', {
    schema: {
      tags: ['files'], summary: 'Files of the acting organization, newest first (photos only with photo.read)',
      querystring: z.object({ ...pageQuery, entity_type: EntityType.optional(), entity_id: Uuid.optional(), kind: z.enum(FILE_KINDS).optional() }),
      response: { 200: pageOf(FileDto) },
    },
  }, async (req) => guard(req, { permission: 'file.read' }, async (tx, p) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, z.object({ at: z.string(), id: Uuid }));
    const rows = await listFiles(tx, {
      entityType: q.entity_type, entityId: q.entity_id, kind: q.kind, limit: q.limit, cursor,
      excludeKind: p.permissions.has('photo.read') ? undefined : 'photo',
    });
    await audit(tx, origin(req), {
      action: 'list', entityType: 'file', details: { entity_type: q.entity_type ?? null, entity_id: q.entity_id ?? null, kind: q.kind ?? null, count: Math.min(rows.length, q.limit) },
    });
    return page(rows, q.limit, (f) => ({ at: new Date(f.created_at).toISOString(), id: f.id }), fileDto);
  }));

  app.get('/api/files/:id', {
    schema: { tags: ['files'], summary: 'A file\'s metadata', params: z.object({ id: Uuid }), response: { 200: FileDto } },
  }, async (req) => withFile(req, req.params.id, 'read', async (tx, file) => {
    await audit(tx, origin(req), { action: 'read', entityType: 'file', entityId: file.id, details: { kind: file.kind } });
    return fileDto(file);
  }));

  // No response schema: the body is the file's bytes (a stream, not serialized), or a problem.
  app.get('/api/files/:id/content', {
    schema: {
      tags: ['files'], summary: 'Download a file\'s bytes (verified against the SHA-256 recorded at upload)',
      description: 'Sent as an attachment; images with ?inline=1 are sent inline. A file whose stored bytes fail the check answers 500 file_integrity_failed.',
      params: z.object({ id: Uuid }), querystring: z.object({ inline: z.enum(['0', '1']).default('0') }),
    },
  }, async (req, reply) => {
    const { file, actor } = await withFile(req, req.params.id, 'read', async (_tx, f, p) => ({ file: f, actor: tenantOf(p) }));
    return sendVerifiedFile(deps, req, reply, file, actor, req.query.inline === '1');
  });

  app.delete('/api/files/:id', {
    schema: { tags: ['files'], summary: 'Delete a file (soft: bytes and row are retained)', params: z.object({ id: Uuid }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await withFile(req, req.params.id, 'write', async (tx, file) => {
      if (!await softDeleteFile(tx, file.id, deps.now())) throw errors.notFound('file');
      await audit(tx, origin(req), { action: 'delete', entityType: 'file', entityId: file.id, details: { kind: file.kind } });
    });
    return reply.status(204).send(null);
  });
}
