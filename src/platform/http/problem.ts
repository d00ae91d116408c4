import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';

/** One error model (RFC 9457). `code` is stable; clients branch on it, never on `title`. */
export interface FieldError { pointer: string; message: string }

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldError[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 409: 'Conflict', 413: 'Content Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Content', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

export const errors = {
  badRequest: (detail: string, errs: FieldError[] = []) => new AppError(400, 'bad_request', detail, errs),
  validation: (detail: string, errs: FieldError[] = []) => new AppError(422, 'validation_failed', detail, errs),
  unauthenticated: (detail = 'Sign in first: send a Bearer token or the session cookie.') => new AppError(401, 'unauthenticated', detail),
  forbidden: (detail = 'Your role does not allow this.', code = 'forbidden') => new AppError(403, code, detail),
  notFound: (entity = 'resource') => new AppError(404, 'not_found', `No ${entity} with that id.`),
  conflict: (detail: string, code = 'conflict', errs: FieldError[] = []) => new AppError(409, code, detail, errs),
  tooMany: (detail: string, retryAfterSeconds: number) =>
    new AppError(429, 'too_many_requests', detail, [], { 'retry-after': String(retryAfterSeconds) }),
};

export function problemBody(req: FastifyRequest, status: number, code: string, detail: string, errs: FieldError[] = []) {
  return {
    type: `https://visage.dev/problems/${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    instance: req.url.split('?')[0],
    request_id: req.id,
    ...(errs.length ? { errors: errs } : {}),
  };
}

export function sendProblem(req: FastifyRequest, reply: FastifyReply, status: number, code: string, detail: string, errs: FieldError[] = []) {
  return reply.status(status).type('application/problem+json').send(problemBody(req, status, code, detail, errs));
}

function zodIssues(err: ZodError, root: string): FieldError[] {
  return err.issues.map((i) => ({ pointer: `${root}/${i.path.map(String).join('/')}`.replace(/\/$/, '') || '/', message: i.message }));
}

const PG_CLIENT_ERROR_CLASSES = ['22', '23'];

/** Maps any thrown error to a problem response. 5xx hides internals; client input never yields 5xx. */
export function toProblem(err: unknown, req: FastifyRequest): { status: number; code: string; detail: string; errors: FieldError[]; headers?: Record<string, string> } {
  if (err instanceof AppError) return { status: err.status, code: err.code, detail: err.message, errors: err.errors, headers: err.headers };
  if (err instanceof ZodError) return { status: 422, code: 'validation_failed', detail: 'The request does not match the schema.', errors: zodIssues(err, '') };
  const e = err as FastifyError & { validation?: unknown[]; validationContext?: string; code?: string; cause?: unknown; constraint?: string; detail?: string; column?: string };
  // fastify-type-provider-zod request validation
  if (e.validation && Array.isArray(e.validation)) {
    const where = e.validationContext ?? 'body';
    const root = where === 'body' ? '' : `#${where}`;
    const errs = (e.validation as { instancePath?: string; message?: string; params?: { issue?: { path?: unknown[] } } }[]).map((v) => ({
      pointer: `${root}${v.instancePath ?? ''}` || '/',
      message: v.message ?? 'invalid',
    }));
    return { status: where === 'body' ? 422 : 400, code: 'validation_failed', detail: `The request ${where} is invalid.`, errors: errs };
  }
  // PostgreSQL errors (possibly wrapped by drizzle as cause)
  const pgErr = (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e : (e.cause as typeof e | undefined)) ?? undefined;
  if (pgErr && typeof pgErr.code === 'string' && /^[0-9A-Z]{5}$/.test(pgErr.code)) {
    const c = pgErr.code;
    if (c === '23505' || c === '23P01') return { status: 409, code: 'conflict', detail: `That conflicts with an existing record${pgErr.constraint ? ` (${pgErr.constraint})` : ''}.`, errors: [] };
    if (c === '40001' || c === '40P01') return { status: 409, code: 'concurrent_update', detail: 'Another request changed the same data at the same time; retry.', errors: [] };
    if (c === '42501' && /row-level security/.test(pgErr.message)) return { status: 404, code: 'not_found', detail: 'No resource with that id.', errors: [] };
    if (PG_CLIENT_ERROR_CLASSES.includes(c.slice(0, 2))) {
      return { status: 422, code: c === '23503' ? 'reference_not_found' : 'invalid_value', detail: c === '23503' ? 'A referenced record does not exist.' : 'A value is not acceptable.', errors: pgErr.column ? [{ pointer: `/${pgErr.column}`, message: 'invalid' }] : [] };
    }
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code = e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'body_too_large'
      : e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type'
        : e.statusCode === 429 ? 'too_many_requests' : e.statusCode === 404 ? 'not_found' : 'bad_request';
    return { status: e.statusCode, code, detail: e.message, errors: [] };
  }
  void req;
  return { status: 500, code: 'internal', detail: 'Something went wrong on our side. The request id helps us find it.', errors: [] };
}
