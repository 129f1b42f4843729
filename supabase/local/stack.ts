// Everything `npm run backend` and the tests start: database, bootstrap, migrations,
// optional seed, and the HTTP/websocket server.
import { type Database, openDatabase } from './db.ts';
import { bootstrap, migrate, seed } from './migrate.ts';
import { listen, type RunningServer } from './server.ts';

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
}

export interface Stack extends RunningServer {
  db: Database;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const db = await openDatabase(opts);
  try {
    await bootstrap(db);
    await migrate(db);
    if (opts.seed) await seed(db);
    const server = await listen(db, { ...opts, port: opts.port ?? 0 });
    return {
      ...server,
      db,
      async close() {
        await server.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}
