import pg from 'pg';
import { randomBytes } from 'node:crypto';

/**
 * With VISAGE_TEST_DB=postgres, creates a throw-away database on the PostgreSQL server owned by a
 * non-superuser login role, plus the NOLOGIN app role the API switches to. Tenancy is never tested
 * as a superuser. Test files read VISAGE_TEST_DATABASE_URL.
 */
export default async function setup() {
  if (process.env.VISAGE_TEST_DB !== 'postgres') return () => undefined;
  const adminUrl = process.env.PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const dbName = `visage_test_${randomBytes(4).toString('hex')}`;
  const owner = 'visage_test_owner';
  await admin.query(`DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'visage_app') THEN CREATE ROLE visage_app NOLOGIN NOSUPERUSER NOBYPASSRLS; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${owner}') THEN CREATE ROLE ${owner} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE; END IF;
  END $$`);
  await admin.query(`GRANT visage_app TO ${owner}`);
  await admin.query(`CREATE DATABASE ${dbName} OWNER ${owner}`);
  const u = new URL(adminUrl);
  u.username = owner;
  u.password = '';
  u.pathname = `/${dbName}`;
  process.env.VISAGE_TEST_DATABASE_URL = u.toString();
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  };
}
