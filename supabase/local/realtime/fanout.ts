// Routes a batch of captured changes to the bindings that want them: event and table, then
// filters (one query per table), then RLS (one transaction per distinct subscriber identity,
// see visibility.ts), then the payload realtime-js turns into payload.new / payload.old.
import type { Database } from '../db.ts';
import type { JwtClaims } from '../jwt.ts';
import type { ApiRole } from '../request-auth.ts';
import type { Change } from './capture.ts';
import { describeTables, type PerRole, type TableInfo, tableKey } from './catalog.ts';
import { quoteIdent } from './filters.ts';
import type { Payload } from './protocol.ts';
import { type Binding, conditionsSql } from './subscriptions.ts';
import { type VisibilityCheck, visibleTo } from './visibility.ts';

export interface Subscriber {
  role: ApiRole;
  claims: JwtClaims;
  bindings: readonly Binding[];
  /** Sends one change; ids are the ids of this subscriber's bindings it matched. */
  deliver(data: Payload, ids: number[]): void;
}

interface Candidate {
  change: Change;
  order: number;
  table: TableInfo;
  sub: Subscriber;
  binding: Binding;
}

function wants(binding: Binding, change: Change): boolean {
  return (
    (binding.event === '*' || binding.event === change.op) &&
    (binding.schema === '*' || binding.schema === change.schema) &&
    (binding.table === null || binding.table === change.table)
  );
}

/** The row a filter or a policy is judged on: the new one, or the old one of a DELETE. */
const judgedRow = (change: Change) => (change.op === 'DELETE' ? change.oldRecord : change.record) ?? {};

function pick(row: Record<string, unknown> | null, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) if (row && name in row) out[name] = row[name];
  return out;
}

/** Each distinct item with its position, for mapping query rows back. */
function indexed<T>(items: readonly T[]): { list: T[]; at: Map<T, number> } {
  const list = [...new Set(items)];
  return { list, at: new Map(list.map((item, i) => [item, i])) };
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Keeps the candidates whose binding's filter holds for the change, one query per table. */
async function applyFilters(db: Database, candidates: Candidate[]): Promise<Candidate[]> {
  const filtered = candidates.filter((c) => c.binding.conditions.length > 0);
  const kept = new Set(candidates.filter((c) => c.binding.conditions.length === 0));
  for (const group of groupBy(filtered, (c) => tableKey(c.table)).values()) {
    const table = group[0]!.table;
    const changes = indexed(group.map((c) => c.change));
    const bindings = indexed(group.map((c) => c.binding));
    const params: unknown[] = [JSON.stringify(changes.list.map(judgedRow))];
    const tests = bindings.list.map(
      (b, i) =>
        `coalesce(${conditionsSql(b.conditions, table, (col) => `r.${quoteIdent(col)}`, params)}, false) as f${i}`,
    );
    try {
      const rows = await db.query<Record<string, unknown>>(
        `select (x.ord - 1)::int as i, ${tests.join(', ')}
           from jsonb_array_elements($1::jsonb) with ordinality as x(rec, ord)
           cross join lateral jsonb_populate_record(null::${quoteIdent(table.schema)}.${quoteIdent(table.table)}, x.rec) as r`,
        params,
      );
      const byIndex = new Map(rows.map((r) => [r.i, r]));
      for (const c of group) {
        const row = byIndex.get(changes.at.get(c.change));
        if (row?.[`f${bindings.at.get(c.binding)}`] === true) kept.add(c);
      }
    } catch (err) {
      // A column dropped or retyped since the join: such filters match nothing.
      console.warn(`realtime: filters on ${table.schema}.${table.table} failed: ${(err as Error).message}`);
    }
  }
  return candidates.filter((c) => kept.has(c));
}

/** Keeps the candidates whose subscriber may read the row (see visibility.ts). */
async function applyRls(db: Database, candidates: Candidate[], bypass: PerRole): Promise<Candidate[]> {
  const needsCheck = (c: Candidate) => c.table.rls && !bypass[c.sub.role];
  const checked = candidates.filter(needsCheck);
  const kept = new Set(candidates.filter((c) => !needsCheck(c)));
  const callers = groupBy(checked, (c) => `${c.sub.role} ${JSON.stringify(c.sub.claims)}`);
  await Promise.all(
    [...callers.values()].map(async (group) => {
      const { role, claims } = group[0]!.sub;
      const byTable = [...groupBy(group, (c) => tableKey(c.table)).values()];
      const plan = byTable.map((cs) => {
        const current = indexed(cs.filter((c) => c.change.op !== 'DELETE').map((c) => c.change));
        const deleted = indexed(cs.filter((c) => c.change.op === 'DELETE').map((c) => c.change));
        const check: VisibilityCheck = {
          table: cs[0]!.table,
          current: current.list.map((c) => pick(c.record, cs[0]!.table.primaryKey)),
          deleted: deleted.list.map((c) => c.oldRecord ?? {}),
        };
        return { cs, current, deleted, check };
      });
      try {
        const visible = await visibleTo(
          db,
          { role, claims },
          plan.map((p) => p.check),
        );
        plan.forEach((p, i) => {
          for (const c of p.cs) {
            const seen =
              c.change.op === 'DELETE'
                ? visible[i]!.deleted.has(p.deleted.at.get(c.change)!)
                : visible[i]!.current.has(p.current.at.get(c.change)!);
            if (seen) kept.add(c);
          }
        });
      } catch (err) {
        console.warn(`realtime: RLS check for a ${role} subscriber failed: ${(err as Error).message}`);
      }
    }),
  );
  return candidates.filter((c) => kept.has(c));
}

/**
 * The change as realtime's postgres_changes message carries it, limited to what `role` may
 * read. Old rows go out whole only under REPLICA IDENTITY FULL and without RLS; otherwise
 * (as hosted Supabase does by default) only their primary key.
 */
function changeData(change: Change, table: TableInfo, role: ApiRole): Payload {
  const columns = table.columns.filter((c) => c.readable[role]);
  const names = columns.map((c) => c.name);
  const data: Payload = {
    schema: change.schema,
    table: change.table,
    commit_timestamp: change.commitTimestamp,
    type: change.op,
    columns: columns.map((c) => ({ name: c.name, type: c.type })),
    errors: null,
  };
  if (change.op !== 'DELETE') data.record = pick(change.record, names);
  if (change.op !== 'INSERT') {
    const oldNames =
      table.fullIdentity && !table.rls ? names : table.primaryKey.filter((n) => names.includes(n));
    data.old_record = pick(change.oldRecord, oldNames);
  }
  return data;
}

export async function fanOut(
  db: Database,
  changes: readonly Change[],
  subscribers: readonly Subscriber[],
  bypass: PerRole,
): Promise<void> {
  const wanted = changes.flatMap((change, order) =>
    subscribers.flatMap((sub) =>
      sub.bindings.filter((b) => wants(b, change)).map((binding) => ({ change, order, sub, binding })),
    ),
  );
  if (wanted.length === 0) return;
  const tables = await describeTables(
    db,
    [...groupBy(wanted, (w) => tableKey(w.change)).values()].map((g) => g[0]!.change),
  );
  const candidates: Candidate[] = [];
  for (const w of wanted) {
    const table = tables.get(tableKey(w.change));
    // Privileges and keys are re-read per batch: a revoked grant stops deliveries at once.
    if (!table?.readable[w.sub.role]) continue;
    if (table.rls && !bypass[w.sub.role] && table.primaryKey.length === 0) continue;
    candidates.push({ ...w, table });
  }
  const passed = await applyRls(db, await applyFilters(db, candidates), bypass);
  // Change after change, across subscribers: a socket sees its changes in queue order.
  passed.sort((a, b) => a.order - b.order);
  for (const same of groupBy(passed, (c) => c.change).values()) {
    const payloads = new Map<ApiRole, Payload>();
    for (const forSub of groupBy(same, (c) => c.sub).values()) {
      const { change, table, sub } = forSub[0]!;
      let data = payloads.get(sub.role);
      if (!data) {
        data = changeData(change, table, sub.role);
        payloads.set(sub.role, data);
      }
      sub.deliver(data, [...new Set(forSub.map((c) => c.binding.id))]);
    }
  }
}
