// The baseline (supabase/migrations/BASELINE) never changes: its files keep the bytes they
// were squashed with, and every later migration sorts after them. And the rule the local
// stack applies to a database's record of applied migrations (staleMigrations).
import { expect, test } from 'vitest';
import {
  type AppliedMigration,
  type MigrationFile,
  readBaseline,
  readMigrations,
  staleMigrations,
} from '../../supabase/local/migrate.ts';

test('every baseline file is in supabase/migrations with the sha256 BASELINE records', async () => {
  const listed = await readBaseline();
  expect(listed.length).toBeGreaterThan(0);
  const files = new Map((await readMigrations()).map((m) => [m.file, m.sha256]));
  for (const { file, sha256 } of listed) expect(files.get(file), `${file} changed or is gone`).toBe(sha256);
});

test('every migration after the baseline sorts after its last file', async () => {
  const listed = await readBaseline();
  const last = listed
    .map((b) => b.file)
    .sort()
    .at(-1)!;
  const later = (await readMigrations()).map((m) => m.file).filter((f) => !listed.some((b) => b.file === f));
  for (const file of later) expect(file > last, `${file} sorts before the baseline's ${last}`).toBe(true);
});

const file = (version: string, name: string, sha256: string): MigrationFile => ({
  file: `${version}_${name}.sql`,
  version,
  name,
  sha256,
  sql: '',
});
const applied = (version: string, name: string | null, sha256: string | null): AppliedMigration => ({
  version,
  name,
  sha256,
});

test('a database matches when every applied migration is a file with the same sha256; new files are fine', () => {
  const files = [file('1', 'a', 'x1'), file('2', 'b', 'x2'), file('3', 'c', 'x3')];
  expect(staleMigrations([applied('1', 'a', 'x1'), applied('2', 'b', 'x2')], files)).toEqual([]);
  expect(staleMigrations([], files)).toEqual([]);
});

test('an applied migration removed, renamed, edited or recorded without a checksum makes it stale', () => {
  const files = [file('1', 'a', 'x1'), file('2', 'renamed', 'x2'), file('3', 'c', 'new')];
  expect(
    staleMigrations(
      [applied('0', 'old', 'x0'), applied('1', 'a', null), applied('2', 'b', 'x2'), applied('3', 'c', 'x3')],
      files,
    ),
  ).toEqual([
    '0_old.sql was applied, and is no longer in the repository',
    '1_a.sql was applied by an older build that recorded no checksum',
    '2_b.sql was applied, and is no longer in the repository',
    '3_c.sql has changed since it was applied',
  ]);
});
