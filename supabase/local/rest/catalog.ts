// The schema cache: relations, columns and functions of schema `public`, read from
// pg_catalog. Cached; a request that names something unknown reloads it once, so objects
// created after start are seen without a restart.
import type { Queryable } from '../db.ts';

export interface Column {
  name: string;
  /** format_type without typmod (a cast to varchar(n) would truncate a filter value), domains resolved to their base. */
  type: string;
}

/** Anything with named, typed columns: a table, a view, or a function's result rows. */
export interface ColumnSource {
  name: string;
  columns: Map<string, Column>;
}

export interface Relation extends ColumnSource {
  primaryKey: string[];
}

export interface RoutineArg {
  name: string;
  type: string;
  variadic: boolean;
}

export interface Routine {
  name: string;
  /** Input arguments in declaration order. */
  args: RoutineArg[];
  /** How many leading args have no default and must be given. */
  required: number;
  returnsSet: boolean;
  volatile: boolean;
  /** void, a single value, or rows with these columns. */
  result:
    | { kind: 'void' }
    | { kind: 'scalar'; type: string }
    | { kind: 'rows'; columns: Map<string, Column> };
}

export interface Snapshot {
  relations: Map<string, Relation>;
  routines: Map<string, Routine[]>;
}

const RELATIONS_SQL = `
select c.relname as name,
  coalesce((
    select json_agg(json_build_object(
      'name', a.attname,
      'type', format_type(case when t.typtype = 'd' then t.typbasetype else a.atttypid end, null)
    ) order by a.attnum)
    from pg_attribute a join pg_type t on t.oid = a.atttypid
    where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  ), '[]')::text as columns,
  coalesce((
    select json_agg(a.attname order by k.ord)
    from pg_index i
    cross join unnest(i.indkey::int2[]) with ordinality as k(attnum, ord)
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
    where i.indrelid = c.oid and i.indisprimary
  ), '[]')::text as primary_key
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'public' and c.relkind in ('r', 'v', 'm', 'f', 'p')`;

const ROUTINES_SQL = `
select p.proname as name,
  p.proretset as returns_set,
  p.provolatile = 'v' as volatile,
  p.pronargdefaults as default_count,
  p.prorettype = 'void'::regtype as returns_void,
  format_type(p.prorettype, null) as return_type,
  coalesce((
    select json_agg(json_build_object(
      'name', coalesce(a.name, ''), 'mode', coalesce(a.mode, 'i'), 'type', format_type(a.type, null)
    ) order by a.ord)
    from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]), p.proargnames, p.proargmodes::text[])
      with ordinality as a(type, name, mode, ord)
  ), '[]')::text as params,
  coalesce((
    select json_agg(json_build_object('name', att.attname, 'type', format_type(att.atttypid, null))
      order by att.attnum)
    from pg_type rt join pg_attribute att on att.attrelid = rt.typrelid
    where rt.oid = p.prorettype and att.attnum > 0 and not att.attisdropped
  ), '[]')::text as composite_columns
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = 'public' and p.prokind = 'f'`;

interface RelationRow {
  name: string;
  columns: string;
  primary_key: string;
  [key: string]: unknown;
}

interface RoutineRow {
  name: string;
  returns_set: boolean;
  volatile: boolean;
  default_count: number;
  returns_void: boolean;
  return_type: string;
  params: string;
  composite_columns: string;
  [key: string]: unknown;
}

function columnMap(list: Column[]): Map<string, Column> {
  return new Map(list.map((c) => [c.name, c]));
}

function toRoutine(row: RoutineRow): Routine {
  const params = JSON.parse(row.params) as { name: string; mode: string; type: string }[];
  const args = params
    .filter((p) => p.mode === 'i' || p.mode === 'b' || p.mode === 'v')
    .map((p) => ({ name: p.name, type: p.type, variadic: p.mode === 'v' }));
  const outs = params.filter((p) => p.mode === 'o' || p.mode === 'b' || p.mode === 't');
  const composite = JSON.parse(row.composite_columns) as Column[];
  let result: Routine['result'];
  if (row.returns_void) result = { kind: 'void' };
  else if (outs.length > 0) result = { kind: 'rows', columns: columnMap(outs) };
  else if (composite.length > 0) result = { kind: 'rows', columns: columnMap(composite) };
  else result = { kind: 'scalar', type: row.return_type };
  return {
    name: row.name,
    args,
    required: args.length - row.default_count,
    returnsSet: row.returns_set,
    volatile: row.volatile,
    result,
  };
}

async function loadSnapshot(db: Queryable): Promise<Snapshot> {
  const relRows = await db.query<RelationRow>(RELATIONS_SQL);
  const fnRows = await db.query<RoutineRow>(ROUTINES_SQL);
  const relations = new Map<string, Relation>();
  for (const r of relRows) {
    relations.set(r.name, {
      name: r.name,
      columns: columnMap(JSON.parse(r.columns) as Column[]),
      primaryKey: JSON.parse(r.primary_key) as string[],
    });
  }
  const routines = new Map<string, Routine[]>();
  for (const row of fnRows) {
    const list = routines.get(row.name) ?? [];
    list.push(toRoutine(row));
    routines.set(row.name, list);
  }
  return { relations, routines };
}

export class Catalog {
  private current?: Promise<Snapshot>;

  constructor(private readonly db: Queryable) {}

  snapshot(): Promise<Snapshot> {
    this.current ??= this.fresh();
    return this.current;
  }

  /** Reloads; concurrent callers share one load. */
  reload(stale: Promise<Snapshot>): Promise<Snapshot> {
    if (this.current === stale) this.current = this.fresh();
    return this.current as Promise<Snapshot>;
  }

  private fresh(): Promise<Snapshot> {
    const load = loadSnapshot(this.db);
    // A failed load must not stick: the next request tries again.
    load.catch(() => {
      if (this.current === load) this.current = undefined;
    });
    return load;
  }

  /** A per-request view that reloads at most once. */
  session(): CatalogSession {
    return new CatalogSession(this);
  }
}

export class CatalogSession {
  private reloaded = false;
  private seen?: Promise<Snapshot>;

  constructor(private readonly catalog: Catalog) {}

  /** Runs find on the cached snapshot, and once more on a fresh one when it finds nothing. */
  async lookup<T>(find: (s: Snapshot) => T | undefined): Promise<T | undefined> {
    this.seen ??= this.catalog.snapshot();
    const hit = find(await this.seen);
    if (hit !== undefined || this.reloaded) return hit;
    this.reloaded = true;
    this.seen = this.catalog.reload(this.seen);
    return find(await this.seen);
  }
}
