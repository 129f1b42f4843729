// Everything `npm run backend` and the tests start: database, bootstrap, migrations,
// optional seed, the HTTP/websocket server and, when asked, the provider simulator and the
// timer that runs the outbox processor.
import { randomBytes } from 'node:crypto';
import { type AuthRateLimits, secretsKeyFile } from './config.ts';
import { type Database, openDatabase } from './db.ts';
import { bootstrap, migrate, StaleDatabaseError, seed } from './migrate.ts';
import { type OutboxTimer, startOutboxTimer } from './outbox-timer.ts';
import { listen, type RunningServer } from './server.ts';
import { type Simulator, type SimulatorOptions, startSimulator } from './simulator/server.ts';

export interface StackOptions {
  /** PostgreSQL connection string; PGlite when absent. */
  databaseUrl?: string;
  /** PGlite data folder; in memory when absent. */
  dataDir?: string;
  port?: number;
  host?: string;
  seed?: boolean;
  jwtSecret?: string;
  jwtExpiry?: number;
  maxBodyBytes?: number;
  /** The app's address, where auth mails link to (http://127.0.0.1:5173). */
  siteUrl?: string;
  /** false: sign-ups must confirm their address by mail first (true, as config.toml says). */
  mailerAutoconfirm?: boolean;
  rateLimits?: Partial<AuthRateLimits>;
  functionsDir?: string;
  configToml?: string;
  /**
   * Start the provider simulator with its webhooks pointed at this stack (its app secret is
   * made here unless given). It serves the channels whose provider is 'simulator'.
   */
  simulator?: Omit<SimulatorOptions, 'webhookUrl' | 'appSecret'> & { appSecret?: string };
  /** Run process-outbox every `intervalMs` (hosted Supabase: pg_cron). */
  outboxTimer?: { intervalMs: number };
  /**
   * PIGEON_SECRETS_KEY for the functions when the environment has none: this key, or one
   * read from (or made into) this file; a random key of this stack's lifetime otherwise.
   */
  secretsKey?: string | { file: string };
}

export interface Stack extends RunningServer {
  db: Database;
  simulator?: Simulator;
}

// The functions' environment is process.env (functions.ts), read when a function is first
// called: the simulator's addresses and secrets, and the key channel secrets are sealed with,
// reach the functions through it, as `supabase functions serve --env-file` would pass them.
// One stack per process; close() restores what was there.
function setEnv(values: Record<string, string>, keepExisting: readonly string[] = []): () => void {
  const previous = new Map(Object.keys(values).map((name) => [name, process.env[name]]));
  for (const [name, value] of Object.entries(values)) {
    if (!(keepExisting.includes(name) && process.env[name])) process.env[name] = value;
  }
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

async function attachSimulator(server: RunningServer, opts: NonNullable<StackOptions['simulator']>) {
  const { appSecret = randomBytes(32).toString('hex'), ...rest } = opts;
  const simulator = await startSimulator({
    ...rest,
    appSecret,
    webhookUrl: `${server.url}/functions/v1/webhooks`,
  });
  const restore = setEnv(
    {
      SIMULATOR_URL: simulator.url,
      SIMULATOR_APP_SECRET: appSecret,
      SIMULATOR_ACCESS_TOKEN: simulator.accessToken,
      SIMULATOR_VERIFY_TOKEN: randomBytes(16).toString('hex'),
      SIMULATOR_CONTROL_SECRET: simulator.controlSecret,
      // Meta and Whapi channels reach the simulator too, unless the environment names the real APIs.
      META_GRAPH_URL: simulator.url,
      WHAPI_API_URL: simulator.whapiUrl,
    },
    ['META_GRAPH_URL', 'WHAPI_API_URL'],
  );
  return {
    simulator,
    async close() {
      await simulator.close();
      restore();
    },
  };
}

/** Where a stack keeps its data, as a refusal to start on stale data names it. */
function dataLocation(opts: StackOptions): string {
  if (opts.databaseUrl) return 'the PostgreSQL database of DATABASE_URL';
  return opts.dataDir ? `the data folder ${opts.dataDir}` : 'the database';
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const db = await openDatabase(opts);
  let server: RunningServer | undefined;
  let sim: Awaited<ReturnType<typeof attachSimulator>> | undefined;
  const key =
    typeof opts.secretsKey === 'object' ? await secretsKeyFile(opts.secretsKey.file) : opts.secretsKey;
  const restoreKey = setEnv({ PIGEON_SECRETS_KEY: key ?? randomBytes(32).toString('base64url') }, [
    'PIGEON_SECRETS_KEY',
  ]);
  try {
    await bootstrap(db);
    await migrate(db).catch((err: unknown) => {
      throw err instanceof StaleDatabaseError
        ? new StaleDatabaseError(err.problems, dataLocation(opts))
        : err;
    });
    if (opts.seed) await seed(db);
    server = await listen(db, { ...opts, port: opts.port ?? 0 });
    if (opts.simulator) sim = await attachSimulator(server, opts.simulator);
    const timer: OutboxTimer | undefined = opts.outboxTimer
      ? startOutboxTimer({
          url: server.url,
          serviceRoleKey: server.config.serviceRoleKey,
          intervalMs: opts.outboxTimer.intervalMs,
        })
      : undefined;
    const running = server;
    return {
      ...running,
      db,
      ...(sim ? { simulator: sim.simulator } : {}),
      async close() {
        await timer?.stop();
        await sim?.close();
        await running.close();
        await db.close();
        restoreKey();
      },
    };
  } catch (err) {
    await sim?.close();
    await server?.close();
    await db.close();
    restoreKey();
    throw err;
  }
}
