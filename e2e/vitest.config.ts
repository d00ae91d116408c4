import { defineConfig } from 'vitest/config';

/**
 * Browser tests: a real Visage server on a fresh in-memory PGlite (or, with VISAGE_TEST_DB=postgres,
 * a throw-away database on the server, as the integration tests), driven through Debian's Chromium.
 */
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
