import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { assertSafeAppRole } from './client.js';
import { dbKind } from '../../../test/helpers.js';

describe.runIf(dbKind === 'postgres')('start-up check of the app role (PostgreSQL server)', () => {
  it('refuses a role that is a superuser or has BYPASSRLS, accepts visage_app', async () => {
    const admin = new pg.Client({ connectionString: process.env.PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    try {
      await admin.query(`DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'visage_test_bypass') THEN CREATE ROLE visage_test_bypass NOLOGIN BYPASSRLS; END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'visage_test_super') THEN CREATE ROLE visage_test_super NOLOGIN SUPERUSER; END IF;
      END $$`);
      await expect(assertSafeAppRole(admin as unknown as pg.Pool, 'visage_test_bypass')).rejects.toThrow(/Refusing to start: database role "visage_test_bypass" is a superuser or has BYPASSRLS/);
      await expect(assertSafeAppRole(admin as unknown as pg.Pool, 'visage_test_super')).rejects.toThrow(/Refusing to start/);
      await expect(assertSafeAppRole(admin as unknown as pg.Pool)).resolves.toBeUndefined();
    } finally {
      await admin.end();
    }
  });
});
