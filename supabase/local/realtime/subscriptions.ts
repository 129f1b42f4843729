// A channel's postgres_changes bindings: checked at join against the catalog (table
// published, readable by the subscriber's role, filter columns and values valid), so a bad
// subscription is a join error naming what is wrong rather than silence later.
import type { Queryable } from '../db.ts';
import type { ApiRole } from '../request-auth.ts';
import { ensureCaptured, PUBLICATION } from './capture.ts';
import {
  describeTables,
  type PerRole,
  publishedTables,
  qualifiedName,
  type TableInfo,
  tableExists,
  tableKey,
} from './catalog.ts';
import { type Condition, conditionSql, parseFilter, quoteIdent } from './filters.ts';

export const CHANGE_EVENTS = ['*', 'INSERT', 'UPDATE', 'DELETE'] as const;
export type ChangeEvent = (typeof CHANGE_EVENTS)[number];

export interface Binding {
  /** What realtime-js matches deliveries against (the `ids` of a postgres_changes message). */
  id: number;
  event: ChangeEvent;
  /** '*' = every schema. */
  schema: string;
  /** null = every published table of the schema. */
  table: string | null;
  conditions: Condition[];
  /** The client's own entry, echoed with the id in the join reply. */
  echo: Record<string, unknown>;
}

export type Prepared = { ok: true; binding: Binding } | { ok: false; reason: string };

let lastBindingId = 0;

function describe(params: Record<string, unknown>): string {
  const { event, schema, table, filter } = params;
  return `[event: ${String(event)}, schema: ${String(schema)}, table: ${String(table ?? '*')}, filters: [${String(filter ?? '')}]]`;
}

const optionalString = (v: unknown) => v === undefined || v === null || typeof v === 'string';

/**
 * The SQL deciding whether a record matches every condition, over `ref(column)`; the
 * conditions' columns must be columns of `table`.
 */
export function conditionsSql(
  conditions: Condition[],
  table: TableInfo,
  ref: (column: string) => string,
  params: unknown[],
): string {
  return conditions
    .map((cond) => {
      const column = table.columns.find((c) => c.name === cond.column)!;
      return conditionSql(cond, ref(column.name), column.sqlType, params);
    })
    .join(' and ');
}

async function checkFilter(
  db: Queryable,
  table: TableInfo,
  role: ApiRole,
  filter: string,
): Promise<{ ok: true; conditions: Condition[] } | { ok: false; reason: string }> {
  const parsed = parseFilter(filter);
  if (!parsed.ok) return parsed;
  for (const cond of parsed.conditions) {
    const column = table.columns.find((c) => c.name === cond.column);
    if (!column) {
      return {
        ok: false,
        reason: `column "${cond.column}" of filter "${filter}" does not exist in ${qualifiedName(table)}`,
      };
    }
    if (!column.readable[role]) {
      return {
        ok: false,
        reason: `permission denied for column "${cond.column}" of ${qualifiedName(table)}`,
      };
    }
  }
  // Casting the values and applying the operators once, over an empty row, turns a bad value
  // (e.g. eq.abc on a uuid) into a join error instead of a failure at every change.
  const params: unknown[] = [];
  const where = conditionsSql(parsed.conditions, table, (c) => `r.${quoteIdent(c)}`, params);
  try {
    await db.query(
      `select ${where} from jsonb_populate_record(null::${quoteIdent(table.schema)}.${quoteIdent(table.table)}, '{}') as r`,
      params,
    );
  } catch (err) {
    return { ok: false, reason: `filter "${filter}": ${(err as Error).message}` };
  }
  return { ok: true, conditions: parsed.conditions };
}

/** Validates one postgres_changes entry of a join for a subscriber of `role`. */
export async function prepareBinding(
  db: Queryable,
  params: unknown,
  role: ApiRole,
  bypassRls: PerRole,
): Promise<Prepared> {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return { ok: false, reason: 'each postgres_changes entry must be an object' };
  }
  const entry = params as Record<string, unknown>;
  const fail = (detail: string): Prepared => ({
    ok: false,
    reason: `Unable to subscribe to changes with given parameters ${describe(entry)}: ${detail}`,
  });
  const event = typeof entry.event === 'string' ? entry.event.toUpperCase() : undefined;
  if (!CHANGE_EVENTS.includes(event as ChangeEvent)) {
    return fail(`event must be one of ${CHANGE_EVENTS.join(', ')}`);
  }
  if (typeof entry.schema !== 'string' || entry.schema === '') return fail('schema is required');
  if (!optionalString(entry.table) || !optionalString(entry.filter)) {
    return fail('table and filter must be strings');
  }
  const table = entry.table && entry.table !== '*' ? (entry.table as string) : null;
  const filter = (entry.filter as string | null | undefined) || undefined;
  const published = await publishedTables(db, entry.schema, table);
  let conditions: Condition[] = [];
  if (table !== null) {
    const name = `${entry.schema}.${table}`;
    if (published.length === 0) {
      return fail(
        (await tableExists(db, entry.schema, table))
          ? `table ${name} is not in publication ${PUBLICATION}`
          : `table ${name} does not exist`,
      );
    }
    const info = (await describeTables(db, published)).get(tableKey(published[0]!))!;
    if (!info.readable[role]) return fail(`permission denied for table ${name} (role ${role})`);
    if (info.rls && !bypassRls[role] && info.primaryKey.length === 0) {
      return fail(`table ${name} has row level security but no primary key to check rows by`);
    }
    if (filter) {
      const checked = await checkFilter(db, info, role, filter);
      if (!checked.ok) return fail(checked.reason);
      conditions = checked.conditions;
    }
  } else if (filter) {
    return fail('a filter needs a table');
  }
  // Capture must be on before the join reply: the client may write right after SUBSCRIBED.
  const uncaptured = await ensureCaptured(
    db,
    published.map((p) => p.oid),
  );
  if (table !== null && uncaptured.size > 0) {
    return fail(`changes of ${entry.schema}.${table} cannot be captured: ${[...uncaptured.values()][0]}`);
  }
  lastBindingId += 1;
  return {
    ok: true,
    binding: {
      id: lastBindingId,
      event: event as ChangeEvent,
      schema: entry.schema,
      table,
      conditions,
      echo: entry,
    },
  };
}
