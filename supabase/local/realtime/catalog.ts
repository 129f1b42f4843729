// What realtime needs to know about tables, read from the catalog: which tables are
// published, their columns and types, primary key, RLS, SELECT policies and what each API
// role may read. Every identifier used in SQL elsewhere comes from here.
import type { Queryable } from '../db.ts';
import { API_ROLES, type ApiRole } from '../request-auth.ts';
import { PUBLICATION } from './capture.ts';

export type PerRole = Record<ApiRole, boolean>;

export interface ColumnInfo {
  name: string;
  /** pg_type.typname (int4, _text, timestamptz...): what realtime-js converts values by. */
  type: string;
  /** format_type(): usable in a cast. */
  sqlType: string;
  readable: PerRole;
}

export interface PolicyInfo {
  permissive: boolean;
  /** The USING expression; null when the policy has none (then it grants nothing). */
  qual: string | null;
  appliesTo: PerRole;
}

export interface TableInfo {
  oid: string;
  schema: string;
  table: string;
  rls: boolean;
  /** REPLICA IDENTITY FULL: old rows may be sent whole (when RLS does not hide them). */
  fullIdentity: boolean;
  primaryKey: string[];
  columns: ColumnInfo[];
  /** SELECT (on any column) granted. */
  readable: PerRole;
  /** SELECT or ALL policies. */
  policies: PolicyInfo[];
}

export type PublishedTable = {
  oid: string;
  schema: string;
  table: string;
};

// The role names are the fixed API roles, never input.
const perRole = (expr: (role: string) => string) =>
  `jsonb_build_object(${API_ROLES.map((r) => `'${r}', ${expr(`'${r}'`)}`).join(', ')})`;

/** Published tables of a schema ('*' = any), or the one named. */
export function publishedTables(
  db: Queryable,
  schema: string,
  table: string | null,
): Promise<PublishedTable[]> {
  return db.query<PublishedTable>(
    `select c.oid::text as oid, n.nspname as schema, c.relname as table
       from pg_publication_tables p
       join pg_namespace n on n.nspname = p.schemaname
       join pg_class c on c.relnamespace = n.oid and c.relname = p.tablename
      where p.pubname = $1 and ($2 = '*' or p.schemaname = $2) and ($3::text is null or p.tablename = $3)
      order by 2, 3`,
    [PUBLICATION, schema, table],
  );
}

export async function tableExists(db: Queryable, schema: string, table: string): Promise<boolean> {
  const rows = await db.query(
    `select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p')`,
    [schema, table],
  );
  return rows.length > 0;
}

/** A map key for a table; names may hold dots, so not schema.table. */
export function tableKey(t: { schema: string; table: string }): string {
  return JSON.stringify([t.schema, t.table]);
}

/** The tables named (those that exist), keyed by tableKey. */
export async function describeTables(
  db: Queryable,
  tables: readonly { schema: string; table: string }[],
): Promise<Map<string, TableInfo>> {
  const rows = await db.query<{
    oid: string;
    schema: string;
    table: string;
    rls: boolean;
    full_identity: boolean;
    primary_key: string[];
    columns: ColumnInfo[];
    readable: PerRole;
    policies: PolicyInfo[];
  }>(
    `select c.oid::text as oid, n.nspname as schema, c.relname as table, c.relrowsecurity as rls,
            c.relreplident = 'f' as full_identity,
            coalesce((select jsonb_agg(a.attname order by array_position(i.indkey::int2[], a.attnum))
                        from pg_index i
                        join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
                       where i.indrelid = c.oid and i.indisprimary), '[]') as primary_key,
            coalesce((select jsonb_agg(jsonb_build_object(
                               'name', a.attname, 'type', t.typname, 'sqlType', format_type(a.atttypid, null),
                               'readable', ${perRole((r) => `has_column_privilege(${r}, c.oid, a.attnum, 'SELECT')`)})
                             order by a.attnum)
                        from pg_attribute a join pg_type t on t.oid = a.atttypid
                       where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]') as columns,
            ${perRole((r) => `has_any_column_privilege(${r}, c.oid, 'SELECT')`)} as readable,
            coalesce((select jsonb_agg(jsonb_build_object(
                               'permissive', p.polpermissive,
                               'qual', pg_get_expr(p.polqual, p.polrelid),
                               'appliesTo', ${perRole((r) => `(0 = any(p.polroles) or exists (select 1 from unnest(p.polroles) pr where pr <> 0 and pg_has_role(${r}, pr, 'MEMBER')))`)}))
                        from pg_policy p
                       where p.polrelid = c.oid and p.polcmd in ('r', '*')), '[]') as policies
       from jsonb_to_recordset($1::jsonb) as x(s text, t text)
       join pg_namespace n on n.nspname = x.s
       join pg_class c on c.relnamespace = n.oid and c.relname = x.t and c.relkind in ('r', 'p')`,
    [JSON.stringify(tables.map((t) => ({ s: t.schema, t: t.table })))],
  );
  return new Map(
    rows.map((r) => [
      tableKey(r),
      {
        oid: r.oid,
        schema: r.schema,
        table: r.table,
        rls: r.rls,
        fullIdentity: r.full_identity,
        primaryKey: r.primary_key,
        columns: r.columns,
        readable: r.readable,
        policies: r.policies,
      },
    ]),
  );
}

/** Roles that RLS does not apply to (service_role has BYPASSRLS). */
export async function rolesBypassingRls(db: Queryable): Promise<PerRole> {
  const rows = await db.query<{ bypass: PerRole }>(
    `select ${perRole((r) => `coalesce((select rolbypassrls or rolsuper from pg_roles where rolname = ${r}), false)`)} as bypass`,
  );
  return rows[0]!.bypass;
}

export function qualifiedName(t: { schema: string; table: string }): string {
  return `${t.schema}.${t.table}`;
}
