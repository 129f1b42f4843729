// Applies bootstrap, then each migration of supabase/migrations once, in file-name order,
// recording them where the Supabase CLI does, with each file's sha256. Migrations are
// append-only: a database whose recorded migrations differ from the files (one edited,
// renamed or removed since it was applied) is refused, never patched up.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from './db.ts';

const here = import.meta.dirname;
export const MIGRATIONS_DIR = join(here, '..', 'migrations');
export const SEED_FILE = join(here, '..', 'seed.sql');

export interface MigrationFile {
  /** The file's name, `<version>_<name>.sql`. */
  file: string;
  version: string;
  name: string;
  sha256: string;
  sql: string;
}

/** A migration as the database recorded it (sha256 null: applied by a build that kept none). */
export type AppliedMigration = {
  version: string;
  name: string | null;
  sha256: string | null;
};

export class StaleDatabaseError extends Error {
  constructor(
    readonly problems: string[],
    /** Where the data is, to be deleted to start over: e.g. `the data folder .data/pglite`. */
    database = 'the database',
  ) {
    super(
      [
        `The migrations applied to ${database} differ from supabase/migrations:`,
        ...problems.map((p) => `  - ${p}`),
        'Migrations are append-only: never edit, rename or remove one once applied; add a new migration file instead.',
        `For a development database: delete ${database} and start again.`,
      ].join('\n'),
    );
    this.name = 'StaleDatabaseError';
  }
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const bytes = await readFile(join(dir, file));
      const [version = '', ...rest] = file.replace(/\.sql$/, '').split('_');
      return { file, version, name: rest.join('_'), sha256: sha256(bytes), sql: bytes.toString('utf8') };
    }),
  );
}

/**
 * The baseline's files and their sha256, as supabase/migrations/BASELINE lists them: the
 * migrations squashed once, never to change (tests/unit/migrations-baseline.test.ts).
 */
export async function readBaseline(dir = MIGRATIONS_DIR): Promise<{ file: string; sha256: string }[]> {
  const text = await readFile(join(dir, 'BASELINE'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const [sha256 = '', file = ''] = line.split(/\s+/);
      return { file, sha256 };
    });
}

/** Why the applied migrations do not match the files, one line each; empty when they match. */
export function staleMigrations(
  applied: readonly AppliedMigration[],
  files: readonly MigrationFile[],
): string[] {
  const byVersion = new Map(files.map((f) => [f.version, f]));
  return applied.flatMap((a) => {
    const file = byVersion.get(a.version);
    const appliedFile = `${a.version}_${a.name ?? ''}.sql`;
    if (!file || file.name !== a.name)
      return [`${appliedFile} was applied, and is no longer in the repository`];
    if (a.sha256 === null) return [`${appliedFile} was applied by an older build that recorded no checksum`];
    if (a.sha256 !== file.sha256) return [`${appliedFile} has changed since it was applied`];
    return [];
  });
}

export async function bootstrap(db: Database): Promise<void> {
  await db.exec(await readFile(join(here, 'bootstrap.sql'), 'utf8'));
}

/**
 * Applies the files not applied yet and returns their versions. Throws StaleDatabaseError,
 * applying nothing, when an applied one is missing or changed.
 */
export async function migrate(db: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = await readMigrations(dir);
  const applied = await db.query<AppliedMigration>(
    'select version, name, sha256 from supabase_migrations.schema_migrations order by version',
  );
  const problems = staleMigrations(applied, files);
  if (problems.length > 0) throw new StaleDatabaseError(problems);
  const done = new Set(applied.map((a) => a.version));
  const pending = files.filter((f) => !done.has(f.version));
  for (const m of pending) {
    await db.transaction(async (tx) => {
      await tx.exec(m.sql);
      await tx.query(
        'insert into supabase_migrations.schema_migrations (version, name, sha256) values ($1, $2, $3)',
        [m.version, m.name, m.sha256],
      );
    });
  }
  return pending.map((m) => m.version);
}

/** Runs seed.sql once per database (a changed seed file is not re-applied to old data). */
export async function seed(db: Database, file = SEED_FILE): Promise<boolean> {
  await db.exec(
    'create table if not exists supabase_migrations.seed_files (path text primary key, hash text not null)',
  );
  const sql = await readFile(file, 'utf8');
  const done = await db.query('select 1 from supabase_migrations.seed_files where path = $1', ['seed.sql']);
  if (done.length > 0) return false;
  await db.transaction(async (tx) => {
    await tx.exec(sql);
    await tx.query('insert into supabase_migrations.seed_files (path, hash) values ($1, $2)', [
      'seed.sql',
      sha256(sql),
    ]);
  });
  return true;
}
