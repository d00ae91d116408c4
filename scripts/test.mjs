#!/usr/bin/env node
// The README's test command. Runs every suite that needs nothing outside the repository:
// type check, unit + integration tests on embedded PGlite, and the browser tests when a Chromium
// is found. With --pg (or VISAGE_TEST_PG=1) it also runs the integration suite against the
// PostgreSQL server (PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres).
// It says loudly which suites it skipped and why, and ends with one "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = new Set(process.argv.slice(2));
const withPg = args.has('--pg') || process.env.VISAGE_TEST_PG === '1';
const only = [...args].find((a) => a.startsWith('--only='))?.slice(7);
const totals = { passed: 0, failed: 0, skipped: 0 };
const skippedSuites = [];
let failedSteps = [];

function run(name, cmd, argv, env = {}) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(cmd, argv, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) failedSteps.push(name);
  return r.status === 0;
}

function vitest(name, extraArgs, env = {}) {
  const out = path.join(os.tmpdir(), `visage-vitest-${process.pid}-${name.replace(/\W+/g, '_')}.json`);
  run(name, 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...extraArgs], env);
  try {
    const j = JSON.parse(fs.readFileSync(out, 'utf8'));
    totals.passed += j.numPassedTests;
    totals.failed += j.numFailedTests;
    totals.skipped += j.numPendingTests + (j.numTodoTests ?? 0);
    if (j.numTotalTests === 0) { failedSteps.push(`${name} (ran no test)`); }
  } catch {
    failedSteps.push(`${name} (no results)`);
  }
}

const want = (s) => !only || only.split(',').includes(s);

if (want('typecheck')) run('type check', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
if (want('pglite')) vitest('unit + integration on PGlite', [], { VISAGE_TEST_DB: 'pglite' });

if (want('pg')) {
  if (withPg) vitest('integration on the PostgreSQL server', [], { VISAGE_TEST_DB: 'postgres' });
  else skippedSuites.push('integration on the PostgreSQL server: needs a server; run `npm test -- --pg` (CI does)');
}

if (want('browser')) {
  const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && fs.existsSync(p));
  if (chromium) {
    if (run('build web app', 'npm', ['run', 'build:web'])) vitest('browser tests (Chromium)', ['--config', 'e2e/vitest.config.ts'], { CHROMIUM_PATH: chromium });
  } else {
    skippedSuites.push('browser tests: no Chromium found (set CHROMIUM_PATH or apt-get install chromium)');
  }
}

console.log('\n=== summary ===');
for (const s of skippedSuites) console.log(`!!! SKIPPED ${s}`);
for (const s of failedSteps) console.log(`!!! FAILED ${s}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedSteps.length ? 1 : 0);
