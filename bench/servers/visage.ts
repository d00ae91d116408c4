// Full Visage stack for the benchmark: auth, tenant transaction, audit. Logs at warn level.
import { loadConfig } from '../../src/platform/config.js';
import { createVisage } from '../../src/server.js';

const port = Number(process.env.PORT);
const config = loadConfig({ port, logLevel: 'warn', rateLimitPerMinute: 10_000_000, authRateLimitPerMinute: 10_000_000 });
const visage = await createVisage({ config, web: false });
await visage.app.listen({ port, host: '127.0.0.1' });
process.send?.('ready');
process.on('SIGTERM', async () => { await visage.close(); process.exit(0); });
