// Table and view requests as one SQL statement each: read, insert (with upsert), update,
// delete. Every identifier is checked against the catalog before any SQL is written.
import type { AcceptShape, Preferences, QueryAst } from './ast.ts';
import type { Relation } from './catalog.ts';
import { invalidBody, payloadColumnNotFound, RestError } from './errors.ts';
import { insertRows, type JsonBody, singleObject, uniformKeys } from './payload.ts';
import {
  Conditions,
  column,
  ident,
  orderBy,
  output,
  Params,
  paging,
  qualified,
  type Statement,
  selectList,
} from './sql.ts';

/** What the body of the result row is: rows, one object, one JSON value, or nothing to send. */
export type Shape = 'rows' | 'object' | 'scalar' | 'none';

export interface Plan {
  statement: Statement;
  shape: Shape;
  /** Primary-key columns to build the Location header from (return=headers-only). */
  location?: string[];
}

export interface PlanRequest {
  query: QueryAst;
  prefer: Preferences;
  accept: AcceptShape;
  /** HEAD: count, but build no body. */
  head: boolean;
}

function tableRef(rel: Relation): { table: string; ref: (name: string) => string } {
  const table = qualified(rel.name);
  return { table, ref: (name) => `${table}.${ident(name)}` };
}

export function readPlan(rel: Relation, req: PlanRequest): Plan {
  const p = new Params();
  const { table, ref } = tableRef(rel);
  const { query } = req;
  const where = new Conditions(p, rel, ref).where(query.where);
  const cols = selectList(query.select, rel, ref, `${table}.*`);
  const rows = `select ${cols} from ${table} where ${where}${orderBy(query.order, rel, ref)}${paging(query.range, p)}`;
  const total = req.prefer.count ? `(select count(*) from ${table} where ${where})` : undefined;
  return {
    statement: {
      text: output({ rows, total, body: !req.head, stripNulls: req.accept.stripNulls }),
      values: p.values,
    },
    shape: req.accept.singular ? 'object' : 'rows',
  };
}

/**
 * Wraps a data-modifying statement so it returns what Prefer asks for. With
 * return=minimal it returns only `1`: no column is read back, so RLS SELECT policies do
 * not apply to the written rows, as with PostgREST.
 */
function mutation(rel: Relation, req: PlanRequest, p: Params, dml: (returning: string) => string): Plan {
  const mode = req.prefer.return ?? 'minimal';
  if (mode === 'representation') {
    const cols = selectList(req.query.select, rel, (n) => `_rows.${ident(n)}`, '_rows.*');
    const text = `with _rows as (${dml(`${qualified(rel.name)}.*`)}) ${output({
      rows: `select ${cols} from _rows`,
      body: true,
      stripNulls: req.accept.stripNulls,
    })}`;
    return { statement: { text, values: p.values }, shape: req.accept.singular ? 'object' : 'rows' };
  }
  const pk = mode === 'headers-only' && rel.primaryKey.length > 0 ? rel.primaryKey : undefined;
  const returning = pk ? pk.map((c) => `${qualified(rel.name)}.${ident(c)}`).join(', ') : '1';
  const text = `with _rows as (${dml(returning)}) ${output({ rows: 'select * from _rows', body: pk !== undefined, stripNulls: false })}`;
  return { statement: { text, values: p.values }, shape: 'none', ...(pk ? { location: pk } : {}) };
}

function checkPayloadColumns(rel: Relation, cols: string[]): void {
  for (const c of cols) if (!rel.columns.has(c)) throw payloadColumnNotFound(rel.name, c);
}

function conflictClause(rel: Relation, req: PlanRequest, cols: string[]): string {
  const resolution = req.prefer.resolution;
  if (!resolution) return '';
  const keys = (req.query.onConflict ?? rel.primaryKey).map((k) => ident(column(rel, k).name));
  const target = keys.length > 0 ? ` (${keys.join(', ')})` : '';
  if (resolution === 'ignore-duplicates' || cols.length === 0) return ` on conflict${target} do nothing`;
  if (keys.length === 0)
    throw new RestError(
      400,
      '42P10',
      `Table ${rel.name} has no primary key to merge duplicates on`,
      null,
      'Name the unique columns with on_conflict=<columns>.',
    );
  const sets = cols.map((c) => `${ident(c)} = excluded.${ident(c)}`).join(', ');
  return ` on conflict${target} do update set ${sets}`;
}

export function insertPlan(rel: Relation, req: PlanRequest, body: JsonBody | undefined): Plan {
  if (!body)
    throw invalidBody('Empty or invalid json', 'An insert needs a JSON object or an array of objects');
  const rows = insertRows(body);
  const cols = req.query.columns ?? uniformKeys(rows);
  checkPayloadColumns(rel, cols);
  const p = new Params();
  const table = qualified(rel.name);
  const list = cols.map(ident).join(', ');
  const asArray = Array.isArray(body.value) ? body.raw : `[${body.raw}]`;
  let source: string;
  if (cols.length === 0) {
    source = `select from json_array_elements(${p.add(asArray, 'json')})`;
  } else if (req.prefer.missing === 'default') {
    // Keys a row lacks take the column default, evaluated per row.
    const json = p.add(asArray, 'jsonb');
    const tuples = rows.map(
      (row, i) =>
        `(${cols
          .map((c) =>
            Object.hasOwn(row, c)
              ? `(jsonb_populate_record(null::${table}, ${json}->${i})).${ident(c)}`
              : 'default',
          )
          .join(', ')})`,
    );
    source = `values ${tuples.join(', ')}`;
  } else {
    source = `select ${list} from json_populate_recordset(null::${table}, ${p.add(asArray, 'json')})`;
  }
  const target = cols.length === 0 ? table : `${table} (${list})`;
  const conflict = conflictClause(rel, req, cols);
  return mutation(
    rel,
    req,
    p,
    (returning) => `insert into ${target} ${source}${conflict} returning ${returning}`,
  );
}

function refuseRange(req: PlanRequest): void {
  if (req.query.range.limit !== undefined || req.query.range.offset !== 0)
    throw new RestError(
      400,
      'PGRST100',
      'limit and offset are not supported on PATCH and DELETE by this server',
    );
}

export function updatePlan(rel: Relation, req: PlanRequest, body: JsonBody | undefined): Plan {
  refuseRange(req);
  if (!body) throw invalidBody('Empty or invalid json', 'An update needs a JSON object');
  const payload = singleObject(body, 'update payload');
  const cols = req.query.columns ?? Object.keys(payload);
  checkPayloadColumns(rel, cols);
  const p = new Params();
  const { table, ref } = tableRef(rel);
  const where = new Conditions(p, rel, ref).where(req.query.where);
  if (cols.length === 0) {
    // Nothing to set: PostgREST answers with no rows and changes nothing.
    return mutation(rel, req, p, (returning) => `select ${returning} from ${table} where false`);
  }
  const sets = cols.map((c) => `${ident(c)} = _body.${ident(c)}`).join(', ');
  const from = `(select * from json_populate_record(null::${table}, ${p.add(body.raw, 'json')})) _body`;
  return mutation(
    rel,
    req,
    p,
    (returning) => `update ${table} set ${sets} from ${from} where ${where} returning ${returning}`,
  );
}

export function deletePlan(rel: Relation, req: PlanRequest): Plan {
  refuseRange(req);
  const p = new Params();
  const { table, ref } = tableRef(rel);
  const where = new Conditions(p, rel, ref).where(req.query.where);
  return mutation(rel, req, p, (returning) => `delete from ${table} where ${where} returning ${returning}`);
}
