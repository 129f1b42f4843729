// Row level security for deliveries: which changed rows one subscriber may read. Runs as the
// subscriber (role and JWT claims, like a /rest/v1 request), one transaction per subscriber
// per batch, one query per table in it.
//
// INSERT/UPDATE: the row is looked up by primary key in the table as it is now; it is
// delivered only if the subscriber's SELECT sees it (so RLS is Postgres's own).
// DELETE: the row is gone, so the table's SELECT policies that apply to the subscriber's role
// are evaluated against the old row, as the subscriber. Hosted Supabase skips RLS for DELETE
// and sends the primary key to every subscriber; this server sends it only to subscribers
// whose policies would have let them read the deleted row.
import type { Database, Queryable } from '../db.ts';
import type { JwtClaims } from '../jwt.ts';
import { type ApiRole, asCaller } from '../request-auth.ts';
import type { TableInfo } from './catalog.ts';
import { quoteIdent } from './filters.ts';

export interface VisibilityCheck {
  table: TableInfo;
  /** Primary keys of rows inserted or updated. */
  current: Record<string, unknown>[];
  /** Whole old rows of deleted rows. */
  deleted: Record<string, unknown>[];
}

export interface Visible {
  current: Set<number>;
  deleted: Set<number>;
}

const rowsOf = (alias: string, table: TableInfo) =>
  `jsonb_array_elements($1::jsonb) with ordinality as x(rec, ord)
   cross join lateral jsonb_populate_record(null::${quoteIdent(table.schema)}.${quoteIdent(table.table)}, x.rec) as ${alias}`;

function currentSql(table: TableInfo): string {
  const name = `${quoteIdent(table.schema)}.${quoteIdent(table.table)}`;
  const keyMatch = table.primaryKey.map((c) => `t.${quoteIdent(c)} = k.${quoteIdent(c)}`).join(' and ');
  return `select (x.ord - 1)::int as i from ${rowsOf('k', table)}
           where exists (select 1 from ${name} as t where ${keyMatch})`;
}

/** The policy check of a deleted row, or undefined when no policy grants the role anything. */
function deletedSql(table: TableInfo, role: ApiRole): string | undefined {
  const applying = table.policies.filter((p) => p.appliesTo[role]);
  // Policies come from the catalog (written by the table's owner), not from any client.
  const permissive = applying.filter((p) => p.permissive && p.qual !== null).map((p) => `(${p.qual})`);
  if (permissive.length === 0) return undefined;
  const restrictive = applying.filter((p) => !p.permissive).map((p) => `(${p.qual ?? 'false'})`);
  // The old row takes the table's own name, so the policies' column references resolve to it.
  return `select (x.ord - 1)::int as i from ${rowsOf(quoteIdent(table.table), table)}
           where (${permissive.join(' or ')})${restrictive.map((r) => ` and ${r}`).join('')}`;
}

/** Runs one check in a savepoint: a failing policy hides that table's rows, not the batch. */
async function indices(tx: Queryable, sql: string, records: Record<string, unknown>[]): Promise<Set<number>> {
  await tx.exec('savepoint realtime_visibility');
  try {
    const rows = await tx.query<{ i: number }>(sql, [JSON.stringify(records)]);
    await tx.exec('release savepoint realtime_visibility');
    return new Set(rows.map((r) => r.i));
  } catch (err) {
    await tx.exec('rollback to savepoint realtime_visibility');
    console.warn(`realtime: row visibility check failed, rows withheld: ${(err as Error).message}`);
    return new Set();
  }
}

/** For each check, the indices of the records the caller may read. */
export function visibleTo(
  db: Database,
  caller: { role: ApiRole; claims: JwtClaims },
  checks: VisibilityCheck[],
): Promise<Visible[]> {
  return asCaller(db, caller, async (tx) => {
    const out: Visible[] = [];
    for (const check of checks) {
      const current = check.current.length
        ? await indices(tx, currentSql(check.table), check.current)
        : new Set<number>();
      const policySql = check.deleted.length ? deletedSql(check.table, caller.role) : undefined;
      const deleted = policySql ? await indices(tx, policySql, check.deleted) : new Set<number>();
      out.push({ current, deleted });
    }
    return out;
  });
}
