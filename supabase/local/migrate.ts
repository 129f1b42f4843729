// Applies bootstrap, then each migration of supabase/migrations once, in file-name order,
// recording them where the Supabase CLI does.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from './db.ts';

const here = import.meta.dirname;
export const MIGRATIONS_DIR = join(here, '..', 'migrations');
export const SEED_FILE = join(here, '..', 'seed.sql');

export async function bootstrap(db: Database): Promise<void> {
  await db.exec(await readFile(join(here, 'bootstrap.sql'), 'utf8'));
}

/** Returns the versions applied by this call. */
export async function migrate(db: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const applied = new Set(
    (await db.query<{ version: string }>('select version from supabase_migrations.schema_migrations')).map(
      (r) => r.version,
    ),
  );
  const done: string[] = [];
  for (const file of files) {
    const [version, ...rest] = file.replace(/\.sql$/, '').split('_');
    if (!version || applied.has(version)) continue;
    const sql = await readFile(join(dir, file), 'utf8');
    await db.transaction(async (tx) => {
      await tx.exec(sql);
      await tx.query('insert into supabase_migrations.schema_migrations (version, name) values ($1, $2)', [
        version,
        rest.join('_'),
      ]);
    });
    done.push(version);
  }
  return done;
}

/** Runs seed.sql once per database (a changed seed file is not re-applied to old data). */
export async function seed(db: Database, file = SEED_FILE): Promise<boolean> {
  await db.exec(
    'create table if not exists supabase_migrations.seed_files (path text primary key, hash text not null)',
  );
  const sql = await readFile(file, 'utf8');
  const done = await db.query('select 1 from supabase_migrations.seed_files where path = $1', ['seed.sql']);
  if (done.length > 0) return false;
  const hash = createHash('sha256').update(sql).digest('hex');
  await db.transaction(async (tx) => {
    await tx.exec(sql);
    await tx.query('insert into supabase_migrations.seed_files (path, hash) values ($1, $2)', [
      'seed.sql',
      hash,
    ]);
  });
  return true;
}
