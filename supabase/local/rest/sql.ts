// SQL fragments shared by every plan: quoted identifiers checked against the catalog,
// conditions with each value a bound parameter cast to the column's catalog type, select
// lists, order, paging, and the JSON output built in SQL as PostgREST builds it.
import type {
  Filter,
  FtsOperator,
  LogicTree,
  OrderTerm,
  QueryAst,
  SelectItem,
  SimpleOperator,
} from './ast.ts';
import type { Column, ColumnSource } from './catalog.ts';
import { columnNotFound } from './errors.ts';

export interface Statement {
  text: string;
  values: unknown[];
}

/** The one row every statement returns. */
export interface ResultRow {
  total: string | number | null;
  page: number;
  body: string | null;
  [key: string]: unknown;
}

export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function qualified(relation: string): string {
  return `"public".${ident(relation)}`;
}

/** Collects bound parameters; every value goes through here, cast to a catalog type. */
export class Params {
  readonly values: unknown[] = [];

  add(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

/** How a column is written in the statement at hand, e.g. `"public"."t"."id"`. */
export type ColumnRef = (name: string) => string;

export function column(source: ColumnSource, name: string): Column {
  const col = source.columns.get(name);
  if (!col) throw columnNotFound(source.name, name);
  return col;
}

const OPERATOR_SQL: Record<SimpleOperator, string> = {
  eq: '=',
  neq: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  like: 'like',
  ilike: 'ilike',
  match: '~',
  imatch: '~*',
  cs: '@>',
  cd: '<@',
  ov: '&&',
  sl: '<<',
  sr: '>>',
  nxr: '&<',
  nxl: '&>',
  adj: '-|-',
  isdistinct: 'is distinct from',
};

/** Pattern operators compare with text, whatever the column's type. */
const TEXT_OPERATORS: ReadonlySet<SimpleOperator> = new Set(['like', 'ilike', 'match', 'imatch']);

const FTS_FUNCTION: Record<FtsOperator, string> = {
  fts: 'to_tsquery',
  plfts: 'plainto_tsquery',
  phfts: 'phraseto_tsquery',
  wfts: 'websearch_to_tsquery',
};

export class Conditions {
  constructor(
    private readonly params: Params,
    private readonly source: ColumnSource,
    private readonly ref: ColumnRef,
  ) {}

  /** The AND of every top-level filter and logic tree; `true` when there is none. */
  where(trees: LogicTree[]): string {
    return trees.length === 0 ? 'true' : trees.map((t) => `(${this.tree(t)})`).join(' and ');
  }

  private tree(tree: LogicTree): string {
    if (tree.kind === 'filter') return this.filter(tree.filter);
    const keyset = this.keyset(tree);
    if (keyset) return keyset;
    const joined = tree.children.map((c) => `(${this.tree(c)})`).join(` ${tree.op} `);
    return tree.negate ? `not (${joined})` : joined;
  }

  /**
   * `a.gt.x` or `and(a.eq.x, b.gt.y)` (a keyset page, as RxDB's pull sends it) is by
   * definition the row comparison `(a, b) > (x, y)`, nulls included; written that way the
   * index on (a, b) bounds the scan instead of filtering from the start on every page.
   */
  private keyset(tree: LogicTree & { kind: 'logic' }): string | undefined {
    const [first, second] = tree.children;
    if (tree.op !== 'or' || tree.negate || tree.children.length !== 2) return undefined;
    if (first?.kind !== 'filter' || second?.kind !== 'logic' || second.op !== 'and' || second.negate)
      return undefined;
    const [eq, next] = second.children;
    if (second.children.length !== 2 || eq?.kind !== 'filter' || next?.kind !== 'filter') return undefined;
    const [a, e, b] = [first.filter, eq.filter, next.filter];
    if (a.negate || e.negate || b.negate) return undefined;
    const [oa, oe, ob] = [a.operation, e.operation, b.operation];
    if (
      oa.kind !== 'op' ||
      oe.kind !== 'op' ||
      ob.kind !== 'op' ||
      oa.quantifier ||
      oe.quantifier ||
      ob.quantifier
    )
      return undefined;
    const strict = oa.op === 'gt' || oa.op === 'lt';
    const sameEdge = oe.op === 'eq' && e.column === a.column && oe.value === oa.value;
    const direction = oa.op === 'gt' ? '>' : '<';
    if (!strict || !sameEdge || (ob.op !== oa.op && ob.op !== `${oa.op}e`) || b.column === a.column)
      return undefined;
    const ca = column(this.source, a.column);
    const cb = column(this.source, b.column);
    const op = ob.op === oa.op ? direction : `${direction}=`;
    return `(${this.ref(ca.name)}, ${this.ref(cb.name)}) ${op} (${this.params.add(oa.value, ca.type)}, ${this.params.add(ob.value, cb.type)})`;
  }

  private filter(f: Filter): string {
    const col = column(this.source, f.column);
    const c = this.ref(col.name);
    const o = f.operation;
    let sql: string;
    if (o.kind === 'is') {
      // One of four keywords from the grammar, never raw input.
      sql = `${c} is ${o.value}`;
    } else if (o.kind === 'in') {
      sql = o.values.length === 0 ? 'false' : `${c} = any(${this.params.add(o.values, `${col.type}[]`)})`;
    } else if (o.kind === 'fts') {
      const lang = o.language === undefined ? '' : `${this.params.add(o.language, 'regconfig')}, `;
      const doc = col.type === 'tsvector' ? c : `to_tsvector(${lang}${c})`;
      sql = `${doc} @@ ${FTS_FUNCTION[o.op]}(${lang}${this.params.add(o.value, 'text')})`;
    } else {
      const pattern = o.op === 'like' || o.op === 'ilike';
      const value = pattern ? o.value.replaceAll('*', '%') : o.value;
      const type = TEXT_OPERATORS.has(o.op) ? 'text' : col.type;
      const op = OPERATOR_SQL[o.op];
      sql = o.quantifier
        ? `${c} ${op} ${o.quantifier}(${this.params.add(value, `${type}[]`)})`
        : `${c} ${op} ${this.params.add(value, type)}`;
    }
    return f.negate ? `not (${sql})` : sql;
  }
}

export function selectList(items: SelectItem[], source: ColumnSource, ref: ColumnRef, star: string): string {
  return items
    .map((item) =>
      item.kind === 'star'
        ? star
        : `${ref(column(source, item.column).name)} as ${ident(item.alias ?? item.column)}`,
    )
    .join(', ');
}

export function orderBy(terms: OrderTerm[], source: ColumnSource, ref: ColumnRef): string {
  if (terms.length === 0) return '';
  const parts = terms.map((t) => {
    const dir = t.direction ? ` ${t.direction}` : '';
    const nulls = t.nulls ? ` nulls ${t.nulls}` : '';
    return `${ref(column(source, t.column).name)}${dir}${nulls}`;
  });
  return ` order by ${parts.join(', ')}`;
}

export function paging(range: QueryAst['range'], params: Params): string {
  const limit = range.limit === undefined ? '' : ` limit ${params.add(range.limit, 'bigint')}`;
  const offset = range.offset === 0 ? '' : ` offset ${params.add(range.offset, 'bigint')}`;
  return limit + offset;
}

/**
 * The statement's one row: the total (when counted), the rows in this page, and the body
 * as JSON text from json_agg, so values are formatted exactly as PostgREST's are.
 */
export function output(opts: { rows: string; total?: string; body: boolean; stripNulls: boolean }): string {
  const row = opts.stripNulls ? 'json_strip_nulls(row_to_json(_postgrest_t.*))' : '_postgrest_t.*';
  const body = opts.body ? `coalesce(json_agg(${row}), '[]')::text` : 'null::text';
  return `select ${opts.total ?? 'null::bigint'} as total, count(*)::int as page, ${body} as body from (${opts.rows}) _postgrest_t`;
}
