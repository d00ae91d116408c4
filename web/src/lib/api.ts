/**
 * The one way the web app talks to the API: same origin, the HttpOnly session cookie, JSON, and
 * the acting organization in `X-Org-Id`. Failures become `ApiError`s carrying the problem+json
 * `detail` and the per-field messages.
 */
export interface FieldError { pointer: string; message: string }

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(detail);
  }

  /** The server's message for a form field: pointers look like `/email`, `/roles/0` or `#querystring/from`. */
  fieldMessage(field: string): string | undefined {
    return this.fieldErrors.find((e) => pointerField(e.pointer) === field)?.message;
  }
}

/** Anything thrown while calling the API, as an ApiError (status 0 when it never got an answer). */
export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'client_error', error instanceof Error ? error.message : String(error));
}

function pointerField(pointer: string): string | undefined {
  return pointer.split('/').filter((s) => s && !s.startsWith('#'))[0];
}

const ORG_KEY = 'visage.org';

/**
 * Mirrors the acting organization into the `visage_org` cookie, which the server reads only for
 * plain GETs signed in by the session cookie (links to files, images): they act in it as calls do.
 */
function orgCookie(id: string | null): void {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = id ? `visage_org=${id}; Path=/; SameSite=Lax${secure}` : `visage_org=; Path=/; Max-Age=0; SameSite=Lax${secure}`;
}

/** The organization the user chose last; sent on every call so a reload keeps it. */
export const actingOrg = {
  get: (): string | null => localStorage.getItem(ORG_KEY),
  set: (id: string | null) => {
    if (id) localStorage.setItem(ORG_KEY, id); else localStorage.removeItem(ORG_KEY);
    orgCookie(id);
  },
};
if (typeof document !== 'undefined' && typeof localStorage !== 'undefined') orgCookie(actingOrg.get());

let onUnauthenticated: () => void = () => undefined;

/** The session layer registers what to do when the API says the session has ended. */
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export async function api<T = unknown>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const org = actingOrg.get();
  if (org) headers['x-org-id'] = org;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network_error', '');
  }
  if (res.ok) return (res.status === 204 ? undefined : await res.json()) as T;
  const problem = await res.json().catch(() => ({})) as { code?: string; detail?: string; errors?: FieldError[] };
  const error = new ApiError(res.status, problem.code ?? 'http_error', problem.detail ?? res.statusText, problem.errors ?? []);
  if (res.status === 401 && !path.startsWith('/api/auth/')) onUnauthenticated();
  throw error;
}

/**
 * Uploads a file (POST /api/files, multipart) for an entity and answers its stored id. A refusal
 * (too large, a type that is not allowed) comes back as an ApiError on the `/file` field.
 */
export async function uploadFile(file: File, meta: { kind: 'document' | 'photo' | 'scan' | 'signature' | 'other'; entityType: string; entityId: string }): Promise<{ id: string }> {
  const body = new FormData();
  body.set('kind', meta.kind);
  body.set('entity_type', meta.entityType);
  body.set('entity_id', meta.entityId);
  body.set('file', file);
  const headers: Record<string, string> = { accept: 'application/json' };
  const org = actingOrg.get();
  if (org) headers['x-org-id'] = org;
  let res: Response;
  try {
    res = await fetch('/api/files', { method: 'POST', body, headers, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network_error', '');
  }
  if (res.ok) return await res.json() as { id: string };
  const p = await res.json().catch(() => ({})) as { code?: string; detail?: string; errors?: FieldError[] };
  if (res.status === 401) onUnauthenticated();
  const detail = p.detail ?? res.statusText;
  // The upload's problems are about the file (its type, its size): shown at the file field.
  throw new ApiError(res.status, p.code ?? 'http_error', detail, [{ pointer: '/file', message: p.errors?.find((e) => e.pointer === '/file')?.message ?? detail }]);
}

/** A file's bytes (GET, e.g. /api/files/{id}/content) in the acting organization; a refusal or a failed integrity check is an ApiError. */
export async function fetchFile(url: string): Promise<Blob> {
  const headers: Record<string, string> = {};
  const org = actingOrg.get();
  if (org) headers['x-org-id'] = org;
  let res: Response;
  try {
    res = await fetch(url, { headers, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network_error', '');
  }
  if (res.ok) return res.blob();
  const p = await res.json().catch(() => ({})) as { code?: string; detail?: string };
  if (res.status === 401) onUnauthenticated();
  throw new ApiError(res.status, p.code ?? 'http_error', p.detail ?? res.statusText);
}

/** Builds a query string from the filled-in values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
