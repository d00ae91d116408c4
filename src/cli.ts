import { parseArgs } from 'node:util';
import { loadConfig } from './platform/config.js';
import { createVisage, openAndMigrate } from './server.js';
import { seedDemo } from './modules/demo/index.js';
import { createUser } from './modules/identity/index.js';

const USAGE = `Usage: visage <command> [options]

Commands:
  serve [--demo]        Start the API, the web app and the job worker (--demo seeds demo data on first start)
  migrate               Apply database migrations and sync built-in roles, then exit
  seed --demo           Create the demo organizations and users (does nothing if they exist)
  create-user --email E --password P --name N
                        Create a user who can sign in (then POST /api/organizations to start an organization)

Configuration is read from environment variables; see README.md.`;

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest, allowPositionals: true,
    options: { demo: { type: 'boolean' }, email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
  });
  const config = loadConfig();
  switch (command) {
    case 'serve': {
      const visage = await createVisage({ config });
      let demo = null;
      if (values.demo) demo = await seedDemo(visage.deps);
      await visage.app.listen({ port: config.port, host: config.host });
      const where = config.databaseUrl ? 'PostgreSQL server (DATABASE_URL)' : `embedded PostgreSQL (PGlite) in ${config.dataDir}`;
      console.log(`\nVisage is running at ${config.publicUrl}  (database: ${where})`);
      console.log(`API docs: ${config.publicUrl}/docs   OpenAPI: ${config.publicUrl}/openapi.json`);
      if (demo) console.log(`Sign in as ${demo.email} with password ${demo.password}${demo.created ? ' (demo data created)' : ''}`);
      const stop = async () => { await visage.close(); process.exit(0); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return;
    }
    case 'migrate': {
      const db = await openAndMigrate(config);
      await db.close();
      console.log('Migrations applied.');
      return;
    }
    case 'seed': {
      if (!values.demo) throw new Error('seed needs --demo');
      const visage = await createVisage({ config, logger: false, web: false });
      const r = await seedDemo(visage.deps);
      await visage.close();
      console.log(r.created ? `Demo data created. Sign in as ${r.email} / ${r.password}` : `Demo data already present (${r.email}).`);
      return;
    }
    case 'create-user': {
      if (!values.email || !values.password || !values.name) throw new Error('create-user needs --email, --password and --name');
      const db = await openAndMigrate(config);
      const id = await db.run({ scope: 'auth' }, (tx) => createUser(tx, { email: values.email!, password: values.password!, fullName: values.name!, emailVerified: true }, new Date()));
      await db.close();
      console.log(`User ${values.email} created (id ${id}).`);
      return;
    }
    default:
      console.log(USAGE);
      process.exitCode = command ? 1 : 0;
  }
}

main().catch((err) => {
  console.error(`visage: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
