// The change queue: installs capture.sql, puts the capture trigger on published tables, and
// claims queued changes in commit-safe order (see capture.sql for why triggers).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Queryable } from '../db.ts';
import { quoteIdent } from './filters.ts';

export const WAKE_CHANNEL = '_realtime_local';
export const PUBLICATION = 'supabase_realtime';
const TRIGGER = '_realtime_local_capture';

export type ChangeOp = 'INSERT' | 'UPDATE' | 'DELETE';

export interface Change {
  id: string;
  schema: string;
  table: string;
  op: ChangeOp;
  /** The row after INSERT/UPDATE, as to_jsonb gives it. */
  record: Record<string, unknown> | null;
  /** The whole row before UPDATE/DELETE; trimmed before it leaves the server. */
  oldRecord: Record<string, unknown> | null;
  commitTimestamp: string;
}

export async function installCapture(db: Queryable): Promise<void> {
  await db.exec(await readFile(join(import.meta.dirname, 'capture.sql'), 'utf8'));
  // Whatever was queued while no server ran has no subscriber to go to.
  await db.exec('truncate _realtime_local.changes');
}

/**
 * Puts the capture trigger on published tables that lack it: all of them, or those among
 * `oids`. Returns the tables it could not put it on (e.g. not owned by the server's
 * role), with the reason, keyed schema.table.
 */
export async function ensureCaptured(db: Queryable, oids?: readonly string[]): Promise<Map<string, string>> {
  const missing = await db.query<{ schema: string; table: string }>(
    `select n.nspname as schema, c.relname as table
       from pg_publication_tables p
       join pg_namespace n on n.nspname = p.schemaname
       join pg_class c on c.relnamespace = n.oid and c.relname = p.tablename
      where p.pubname = $1
        and ($2::jsonb is null or c.oid in (select jsonb_array_elements_text($2::jsonb)::oid))
        and not exists (select 1 from pg_trigger t where t.tgrelid = c.oid and t.tgname = $3)`,
    [PUBLICATION, oids ? JSON.stringify(oids) : null, TRIGGER],
  );
  const failed = new Map<string, string>();
  for (const { schema, table } of missing) {
    try {
      await db.exec(
        `create trigger ${TRIGGER} after insert or update or delete on ${quoteIdent(schema)}.${quoteIdent(table)}
           for each row execute function _realtime_local.capture()`,
      );
    } catch (err) {
      // 42710: another server on the same database got there first.
      if ((err as { code?: string }).code !== '42710')
        failed.set(`${schema}.${table}`, (err as Error).message);
    }
  }
  return failed;
}

/** The newest queued change's id, or null when the queue is empty. */
export async function lastChangeId(db: Queryable): Promise<string | null> {
  const [row] = await db.query<{ id: string | null }>(
    'select max(id)::text as id from _realtime_local.changes',
  );
  return row?.id ?? null;
}

/** Drops queued changes up to an id, without reading them. */
export async function discardChanges(db: Queryable, upTo: string): Promise<void> {
  await db.query('delete from _realtime_local.changes where id <= $1::bigint', [upTo]);
}

/**
 * Takes up to `limit` queued changes out of the queue, oldest first. A transaction that
 * commits late with a lower id is still taken by the next claim: nothing is skipped.
 */
export async function claimChanges(db: Queryable, limit: number): Promise<Change[]> {
  const rows = await db.query<{
    id: string;
    schema: string;
    table: string;
    op: ChangeOp;
    record: Record<string, unknown> | null;
    old_record: Record<string, unknown> | null;
    commit_timestamp: string;
  }>(
    `with claimed as (
       delete from _realtime_local.changes
        where id in (select id from _realtime_local.changes order by id limit $1)
       returning *)
     select id::text as id, schema_name as schema, table_name as table, op, record, old_record,
            to_char(captured_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as commit_timestamp
       from claimed order by claimed.id`,
    [limit],
  );
  return rows.map((r) => ({
    id: r.id,
    schema: r.schema,
    table: r.table,
    op: r.op,
    record: r.record,
    oldRecord: r.old_record,
    commitTimestamp: r.commit_timestamp,
  }));
}
