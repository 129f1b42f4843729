// What every part of the local server works with: the database and the settings. Its own
// module, so the routes that take it and server.ts that builds it do not import each other.
import type { LocalConfig } from './config.ts';
import type { Database } from './db.ts';

export interface LocalContext {
  db: Database;
  config: LocalConfig;
}
