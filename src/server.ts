import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { loadConfig, type Config } from './platform/config.js';
import { openDatabase, type Database } from './platform/db/client.js';
import { buildApp } from './platform/http/app.js';
import { errors, sendProblem } from './platform/http/problem.js';
import { createMailer, type Mailer } from './platform/mail/mail.js';
import { mailJob } from './platform/mail/outbox.js';
import { createJobs } from './platform/jobs/jobs.js';
import { loadFieldCipher, type FieldCipher } from './platform/crypto/fields.js';
import type { Deps } from './platform/deps.js';
import { auditRoutes } from './platform/audit/audit.routes.js';
import { createStorage, fileRoutes } from './platform/files/index.js';
import { callerLacks, identityRoutes, makeGuard, syncCatalog, type Permission } from './modules/identity/index.js';
import { catalogRoutes } from './modules/catalog/index.js';
import { directoryRoutes } from './modules/directory/index.js';
import { consentMediaRoutes, patientRoutes } from './modules/records/index.js';
import { clinicalRoutes } from './modules/clinical/index.js';
import { inventoryRoutes } from './modules/inventory/index.js';
import { careRoutes, reminderJobs, startReminderSweeps } from './modules/care/index.js';
import { insightRoutes } from './modules/insight/index.js';
import { growthJobs, growthRoutes, startGrowthRetention } from './modules/growth/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The permission without which nothing under a path is allowed: a caller lacking it is refused with
 * 403 even when the request is malformed (a marketer learns nothing about clinical endpoints).
 */
const ENTRY_PERMISSIONS: [RegExp, Permission][] = [
  [/^\/api\/(patients|intakes|analyses)(\/|$)/, 'patient.read'],
  [/^\/api\/visits(\/|$)/, 'visit.read'],
  [/^\/api\/treatment-sessions(\/|$)/, 'session.read'],
  [/^\/api\/(treatment-drug-usage|products|lots)(\/|$)/, 'inventory.read'],
  [/^\/api\/followups(\/|$)/, 'followup.read'],
  [/^\/api\/dashboard(\/|$)/, 'dashboard.read'],
  [/^\/api\/(treatments|pigments)(\/|$)/, 'treatment.read'],
  [/^\/api\/(practitioners|devices)(\/|$)/, 'practitioner.read'],
  [/^\/api\/(consent-templates|consents|compliance)(\/|$)/, 'consent.read'],
  [/^\/api\/photos(\/|$)/, 'photo.read'],
  [/^\/api\/(files|documents)(\/|$)/, 'file.read'],
  [/^\/api\/(leads|pipeline-stages|tags|journey-events)(\/|$)/, 'lead.read'],
  [/^\/api\/(campaigns|kpi-events|growth|crm-integrations)(\/|$)/, 'campaign.read'],
  [/^\/api\/commission-(providers|rules|statements)(\/|$)/, 'commission.read'],
];

function entryPermission(routeUrl: string | undefined): Permission | null {
  return routeUrl ? ENTRY_PERMISSIONS.find(([re]) => re.test(routeUrl))?.[1] ?? null : null;
}

export interface Visage { app: FastifyInstance; deps: Deps; close(): Promise<void> }

/** Opens the database (embedded PGlite or a server), applies migrations and syncs the role catalogue. */
export async function openAndMigrate(config: Config): Promise<Database> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await db.migrate(syncCatalog);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

export interface CreateOptions {
  config?: Config;
  db?: Database;
  mailer?: Mailer;
  now?: () => Date;
  logger?: boolean;
  web?: boolean;
  /** The job queue's schema (default 'pgboss'); tests give each instance its own. */
  jobsSchema?: string;
  /** Field encryption (tests pass a random key); default: VISAGE_DATA_KEY or DATA_DIR/keys/data.key. */
  fields?: FieldCipher;
}

/** Builds the whole Visage process: database, platform services and every module's routes. */
export async function createVisage(opts: CreateOptions = {}): Promise<Visage> {
  const config = opts.config ?? loadConfig();
  const fields = opts.fields ?? loadFieldCipher(config);
  const db = opts.db ?? await openAndMigrate(config);
  const mailer = opts.mailer ?? createMailer({
    smtpUrl: config.smtpUrl, from: config.mailFrom, dropDir: path.join(config.dataDir, 'mail'),
    log: (m) => { if (opts.logger !== false) console.log(m); },
  });
  const jobs = createJobs(db, {
    definitions: [mailJob(mailer), ...reminderJobs(() => deps), ...growthJobs(() => deps)], work: config.worker, schema: opts.jobsSchema,
    onError: (err, job) => app.log.warn({ err, job }, job ? 'job failed; the queue retries it' : 'job queue error'),
  });
  const deps: Deps = { config, db, mailer, now: opts.now ?? (() => new Date()), storage: createStorage(config), jobs, fields };
  const guard = makeGuard(deps);
  // VISAGE_WEB_DIST: another build of the web app (parallel work trees build side by side).
  const webDist = process.env.VISAGE_WEB_DIST ?? path.join(root, 'web', 'dist');
  const app = await buildApp(deps, {
    logger: opts.logger,
    onValidationError: async (req) => {
      const permission = entryPermission(req.routeOptions.url);
      return permission && await callerLacks(deps, req, permission)
        ? errors.forbidden(`Your role does not allow this (needs ${permission}).`) : null;
    },
    routes: (r) => {
      identityRoutes(r, deps, guard);
      auditRoutes(r, guard);
      fileRoutes(r, deps, guard);
      patientRoutes(r, deps, guard);
      consentMediaRoutes(r, deps, guard);
      catalogRoutes(r, deps, guard);
      directoryRoutes(r, deps, guard);
      clinicalRoutes(r, deps, guard);
      inventoryRoutes(r, deps, guard);
      careRoutes(r, deps, guard);
      insightRoutes(r, deps, guard);
      growthRoutes(r, deps, guard);
    },
    web: opts.web !== false && fs.existsSync(path.join(webDist, 'index.html')) ? async (w) => {
      await w.register(fastifyStatic, { root: webDist, prefix: '/', wildcard: false, index: ['index.html'] });
      // Client-side routes of the single-page app fall back to index.html; /api stays problem+json.
      w.setNotFoundHandler((req, reply) => {
        if (req.method === 'GET' && !req.url.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html')) {
          return reply.type('text/html').sendFile('index.html');
        }
        return sendProblem(req, reply, 404, 'not_found', `No route ${req.method} ${req.url.split('?')[0]}.`);
      });
    } : undefined,
  });
  await jobs.start();
  if (config.worker) {
    await startReminderSweeps(deps);
    await startGrowthRetention(deps);
  }
  return {
    app, deps,
    async close() {
      await app.close();
      await jobs.stop();
      if (!opts.db) await db.close();
    },
  };
}
