import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { randomUUID } from 'node:crypto';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { usePlainMessages } from './messages.js';
import type { Deps } from '../deps.js';
import { AppError, sendProblem, toProblem } from './problem.js';

import type { FastifyBaseLogger, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';

usePlainMessages();

/** A Fastify instance whose routes are typed by their zod schemas. */
export type ZApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** Answers about the shape of a request (body, parameters, media type), as opposed to its effect. */
const MALFORMED = new Set(['validation_failed', 'unsupported_media_type', 'bad_request', 'body_too_large']);

export interface AppOptions {
  logger?: boolean;
  /** Modules register their routes here. */
  routes: (app: ZApp) => Promise<void> | void;
  /**
   * Called when a request is malformed (schema, media type, body): may answer with another error instead (a caller
   * who lacks the route's permission gets 403, not the shape of a valid request).
   */
  onValidationError?: (req: FastifyRequest) => Promise<AppError | null>;
  /** Serve the built web app (web/dist) and its client-side routes. */
  web?: (app: FastifyInstance) => Promise<void> | void;
}

/** A URL as the log shows it: the path and the names of its query parameters, without their values. */
export function urlForLog(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const names = url.slice(q + 1).split('&').filter(Boolean).map((pair) => pair.split('=', 1)[0]!.slice(0, 60));
  return `${url.slice(0, q)}?${names.join('&')}`;
}

/** The HTTP edge: one error model, request ids, security headers, rate and body limits, OpenAPI. */
export async function buildApp(deps: Deps, opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger === false ? false : {
      level: deps.config.logLevel,
      // Never log bodies (PHI) or credentials.
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], remove: true },
      // Nor query values: a search (?q=<a patient's name>) or a token in a URL is data, not an address.
      serializers: {
        req: (req: FastifyRequest) => ({ method: req.method, url: urlForLog(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort }),
      },
    },
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w.-]{8,100}$/.test(incoming) ? incoming : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    trustProxy: process.env.TRUST_PROXY === 'true',
    ajv: { customOptions: { removeAdditional: false } },
    // Errors raised by the router before any hook (a malformed URL, an over-long path parameter)
    // are answered in the same problem+json shape as every other error.
    frameworkErrors: (err, req, reply) => {
      const status = (err as { statusCode?: number }).statusCode ?? 400;
      const code = (err as { code?: string }).code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'path_parameter_too_long' : 'bad_url';
      return sendProblem(req, reply, status, code, status === 414 ? 'A path parameter is too long.' : 'The URL is malformed.');
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Security headers: helmet's middleware built once (the fastify plugin rebuilt it, parsing the
  // policy, on every request), applied to every response before any handler runs, with the request id.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:', 'blob:'], styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"], connectSrc: ["'self'"], frameAncestors: ["'none'"], objectSrc: ["'none'"], baseUri: ["'self'"],
        formAction: ["'self'"], upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    securityHeaders(req.raw, reply.raw, (err?: unknown) => done(err as Error | undefined));
  });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: true,
    max: deps.config.rateLimitPerMinute,
    timeWindow: '1 minute',
    keyGenerator: (req) => req.ip,
    errorResponseBuilder: (req, ctx) => {
      const e = new Error(`Rate limit exceeded: ${ctx.max} requests per ${ctx.after}. Retry later.`) as Error & { statusCode: number };
      e.statusCode = 429;
      return e;
    },
  });

  app.setErrorHandler(async (err, req, reply) => {
    let p = toProblem(err, req);
    if (opts.onValidationError && MALFORMED.has(p.code)) {
      const instead = await opts.onValidationError(req).catch(() => null);
      if (instead) p = toProblem(instead, req);
    }
    if (p.status >= 500) req.log.error({ err }, 'request failed');
    if (p.headers) for (const [k, v] of Object.entries(p.headers)) reply.header(k, v);
    return sendProblem(req, reply, p.status, p.code, p.detail, p.errors);
  });
  // With the web app, its own handler serves client-side routes and answers problem+json for the rest.
  if (!opts.web) app.setNotFoundHandler((req, reply) => sendProblem(req, reply, 404, 'not_found', `No route ${req.method} ${req.url.split('?')[0]}.`));

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Visage API', version: '0.1.0', description: 'Aesthetic-medicine platform. JSON is snake_case. Errors are RFC 9457 problem+json with a stable `code`.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A session token from POST /api/auth/login or a personal API token.' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'visage_session' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const zapp = app.withTypeProvider<ZodTypeProvider>();
  zapp.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  zapp.get('/health', { schema: { tags: ['platform'], security: [], response: { 200: z.object({ status: z.literal('ok') }) } }, config: { rateLimit: false } }, async () => ({ status: 'ok' as const }));
  zapp.get('/ready', {
    schema: { tags: ['platform'], security: [], response: { 200: z.object({ status: z.literal('ready'), database: z.string() }), 503: z.object({ status: z.string(), database: z.string() }) } },
    config: { rateLimit: false },
  }, async (_req, reply) => {
    try {
      await deps.db.run({ scope: 'auth' }, (tx) => tx.query('SELECT 1'));
      return { status: 'ready' as const, database: deps.db.kind };
    } catch {
      return reply.status(503).send({ status: 'unavailable', database: deps.db.kind });
    }
  });

  await app.register(async (scoped) => { await opts.routes(scoped.withTypeProvider<ZodTypeProvider>()); });
  if (opts.web) await app.register(async (scoped) => { await opts.web!(scoped); });
  return app;
}
