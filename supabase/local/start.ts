// `npm start`: builds the app, starts the local Supabase-compatible stack (PGlite in
// .data/pglite, seeded with the demo account) and serves the app beside it.
//
//   PORT       the backend's port (54321)      PORT_APP  the app's port (5173)
//   HOST       the address both bind (127.0.0.1)
//   DATABASE_URL, PIGEON_DATA_DIR, JWT_SECRET, PIGEON_SEED, PIGEON_SECRETS_KEY(_FILE): as for
//              `npm run backend`
//   PIGEON_SIMULATOR, SIMULATOR_PORT, SIMULATOR_REPLY, OUTBOX_INTERVAL_MS: sending
//              (supabase/local/outbox-options.ts)
//   --no-build serve the existing dist/ as it is
import { join } from 'node:path';
import { watchMail } from './mail-catcher.ts';
import { deliveryBanner, deliveryOptions } from './outbox-options.ts';
import { buildApp, projectRoot, serveApp } from './serve-app.ts';
import { startStack } from './stack.ts';

const host = process.env.HOST ?? '127.0.0.1';
const apiPort = Number(process.env.PORT ?? 54321);
const appPort = Number(process.env.PORT_APP ?? 5173);
const databaseUrl = process.env.DATABASE_URL || undefined;
const dataDir = process.env.PIGEON_DATA_DIR ?? join(projectRoot, '.data', 'pglite');
const distDir = join(projectRoot, 'dist');
const secretsKeyFile = process.env.PIGEON_SECRETS_KEY_FILE ?? join(projectRoot, '.data', 'secrets.key');
const skipBuild = process.argv.includes('--no-build');

const started = performance.now();
// The app reads the backend from /config.json at run time; the baked-in fallback names the
// same backend, for a dist/ later served by some other static server.
const build = skipBuild
  ? Promise.resolve(undefined)
  : buildApp({
      outDir: distDir,
      env: { VITE_SUPABASE_URL: process.env.VITE_SUPABASE_URL ?? `http://${host}:${apiPort}` },
    });
const delivery = deliveryOptions();
const stackStarting = startStack({
  databaseUrl,
  dataDir: databaseUrl ? undefined : dataDir,
  port: apiPort,
  host,
  jwtSecret: process.env.JWT_SECRET || undefined,
  seed: process.env.PIGEON_SEED !== 'false',
  secretsKey: { file: secretsKeyFile },
  // Mailed links (password reset, invitations) open the app.
  siteUrl: `http://${host}:${appPort}`,
  ...delivery,
});

let stack: Awaited<typeof stackStarting>;
let app: Awaited<ReturnType<typeof serveApp>>;
try {
  [, stack] = await Promise.all([build, stackStarting]);
  app = await serveApp({
    dir: distDir,
    port: appPort,
    host,
    runtimeConfig: { supabaseUrl: stack.url, anonKey: stack.config.anonKey },
  });
} catch (err) {
  const hint =
    (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? ' (another server has that port: set PORT / PORT_APP)'
      : '';
  console.error(`\nnpm start failed: ${err instanceof Error ? err.message : String(err)}${hint}`);
  await stackStarting.then((s) => s.close()).catch(() => undefined);
  process.exit(1);
}

console.log(`
Pigeon is running (ready in ${((performance.now() - started) / 1000).toFixed(1)} s)

  App:              ${app.url}
  Demo login:       demo@pigeon.local / pigeon-demo

  Local Supabase:   ${stack.url} (${databaseUrl ? 'PostgreSQL' : `PGlite in ${dataDir}`})
  anon key:         ${stack.config.anonKey}
  service_role key: ${stack.config.serviceRoleKey}
  Mail catcher:     ${stack.url}/_mail (mails the stack sends: sign-up, password reset, invitations)
${deliveryBanner(stack, delivery)}

Press Ctrl+C to stop.
`);

const stopMail = watchMail(stack.db, (mail) => {
  console.log(`\n— Mail to ${mail.to}: ${mail.subject}\n${mail.body.replace(/^/gm, '   ')}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopMail();
    void Promise.all([app.close(), stack.close()]).then(() => process.exit(0));
  });
}
