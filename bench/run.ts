// Platform benchmark (issue 2): the full stack (GET /api/me and an org-scoped GET by id, with auth,
// tenant transaction and audit) next to a raw fastify + database baseline doing the same database
// work by hand, in the same run, on the PostgreSQL server and on PGlite.
// Usage: npm run bench [-- --seconds 10 --connections 50 --only postgres|pglite]
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { load as loadOnce, machine, median, prepareServerDb, signIn, start, stop, tempDir, writeResults, type Figures } from './lib.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '50' }, rounds: { type: 'string', default: '3' }, only: { type: 'string' } } });
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const load = (name: string, url: string, headers: Record<string, string>): Promise<Figures> => loadOnce(name, url, headers, { connections, seconds });

/**
 * Runs full stack and baseline alternately `rounds` times (this machine's neighbours make single
 * runs vary by several percent) and reports every run and the median ratio.
 */
async function suite(kind: 'postgres' | 'pglite', env: Record<string, string>) {
  console.log(`\n## ${kind}: ${connections} connections, ${seconds} s per run, ${rounds} rounds`);
  const runs: { me: Figures; byId: Figures; baseline: Figures }[] = [];
  let who: Awaited<ReturnType<typeof signIn>> | null = null;
  for (let round = 0; round < rounds; round++) {
    const visage = await start('visage.ts', { ...env, PORT: '3101' });
    who ??= await signIn('http://127.0.0.1:3101');
    const auth = { authorization: `Bearer ${who.token}` };
    const me = await load(`${kind} full stack GET /api/me`, 'http://127.0.0.1:3101/api/me', auth);
    const byId = await load(`${kind} full stack GET /api/organizations/:id`, `http://127.0.0.1:3101/api/organizations/${who.orgId}`, auth);
    await stop(visage);
    const baseline = await start('baseline.ts', { ...env, PORT: '3102' });
    const base = await load(`${kind} baseline (fastify + ${kind === 'postgres' ? 'pg' : 'PGlite'}, same SQL)`, `http://127.0.0.1:3102/org/${who.orgId}`, { 'x-user-id': who.userId });
    await stop(baseline);
    runs.push({ me, byId, baseline: base });
  }
  const ratioById = median(runs.map((r) => r.byId.rps / r.baseline.rps));
  const ratioMe = median(runs.map((r) => r.me.rps / r.baseline.rps));
  const p99ById = median(runs.map((r) => r.byId.p99));
  console.log(`median ratio full stack / baseline: GET by id ${(ratioById * 100).toFixed(1)}%, /api/me ${(ratioMe * 100).toFixed(1)}%; median p99 GET by id ${p99ById} ms`);
  return { kind, runs, median_ratio_by_id: ratioById, median_ratio_me: ratioMe, median_p99_by_id_ms: p99ById };
}

const results = [];
if (values.only !== 'pglite') results.push(await suite('postgres', { DATABASE_URL: await prepareServerDb(), DATA_DIR: tempDir(), VISAGE_DATA_KEY: randomBytes(32).toString('base64') }));
if (values.only !== 'postgres') {
  const dir = tempDir();
  results.push(await suite('pglite', { DATA_DIR: dir, PGLITE_DIR: path.join(dir, 'pgdata'), DATABASE_URL: '' }));
}
const out = { benchmark: 'platform', date: new Date().toISOString(), machine: machine(), connections, seconds, rounds, results };
writeResults('platform', out);
