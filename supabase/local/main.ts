// `npm run backend`: the local Supabase-compatible stack on port 54321, with the WhatsApp
// simulator and the outbox processor's timer (supabase/local/outbox-options.ts).
import { join } from 'node:path';
import { accessOptions, demoLoginBanner } from './access-options.ts';
import { deliveryBanner, deliveryOptions } from './outbox-options.ts';
import { startStack } from './stack.ts';

const databaseUrl = process.env.DATABASE_URL || undefined;
const dataRoot = join(import.meta.dirname, '..', '..', '.data');
const dataDir = process.env.PIGEON_DATA_DIR ?? join(dataRoot, 'pglite');
// Channel credentials are sealed with PIGEON_SECRETS_KEY, or else with a key kept in this file.
const secretsKeyFile = process.env.PIGEON_SECRETS_KEY_FILE ?? join(dataRoot, 'secrets.key');
const delivery = deliveryOptions();
const access = accessOptions();
const stack = await startStack({
  databaseUrl,
  dataDir: databaseUrl ? undefined : dataDir,
  port: Number(process.env.PORT ?? 54321),
  host: process.env.HOST ?? '127.0.0.1',
  jwtSecret: process.env.JWT_SECRET || undefined,
  seed: process.env.PIGEON_SEED !== 'false',
  secretsKey: { file: secretsKeyFile },
  ...delivery,
  ...access,
}).catch((err: unknown) => {
  console.error(`\nnpm run backend failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

console.log(`Pigeon local Supabase is running (${databaseUrl ? 'PostgreSQL' : `PGlite in ${dataDir}`})

  API URL:          ${stack.url}
  anon key:         ${stack.config.anonKey}
  service_role key: ${stack.config.serviceRoleKey}
${deliveryBanner(stack, delivery)}

${demoLoginBanner(access)}
`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stack.close().then(() => process.exit(0));
  });
}
