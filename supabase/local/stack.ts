// Everything `npm run backend` and the tests start: database, bootstrap, migrations,
// optional seed, the HTTP/websocket server and, when asked, the provider simulator and the
// timer that runs the outbox processor.
import { randomBytes } from 'node:crypto';
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
  functionsDir?: string;
  configToml?: string;
  /**
   * Start the provider simulator with its webhooks pointed at this stack (its app secret is
   * made here unless given). It serves the channels whose provider is 'simulator'.
   */
  simulator?: Omit<SimulatorOptions, 'webhookUrl' | 'appSecret'> & { appSecret?: string };
  /** Run process-outbox every `intervalMs` (hosted Supabase: pg_cron). */
  outboxTimer?: { intervalMs: number };
}

export interface Stack extends RunningServer {
  db: Database;
  simulator?: Simulator;
}

// The functions' environment is process.env (functions.ts), read when a function is first
// called: the simulator's address and secret reach webhooks and process-outbox through it,
// as `supabase functions serve --env-file` would pass them. One simulator per process.
const SIMULATOR_ENV = ['SIMULATOR_URL', 'SIMULATOR_APP_SECRET', 'SIMULATOR_VERIFY_TOKEN'] as const;

async function attachSimulator(server: RunningServer, opts: NonNullable<StackOptions['simulator']>) {
  const { appSecret = randomBytes(32).toString('hex'), ...rest } = opts;
  const simulator = await startSimulator({
    ...rest,
    appSecret,
    webhookUrl: `${server.url}/functions/v1/webhooks`,
  });
  const previous = SIMULATOR_ENV.map((name) => process.env[name]);
  process.env.SIMULATOR_URL = simulator.url;
  process.env.SIMULATOR_APP_SECRET = appSecret;
  process.env.SIMULATOR_VERIFY_TOKEN = randomBytes(16).toString('hex');
  return {
    simulator,
    async close() {
      await simulator.close();
      SIMULATOR_ENV.forEach((name, i) => {
        if (previous[i] === undefined) delete process.env[name];
        else process.env[name] = previous[i];
      });
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
      },
    };
  } catch (err) {
    await sim?.close();
    await server?.close();
    await db.close();
    throw err;
  }
}
