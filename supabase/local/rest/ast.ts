// The typed form of a PostgREST request, produced by parse.ts and consumed by sql.ts.
// Names here are raw (unquoted, unchecked); sql.ts checks each against the catalog.

/** Operators that also take PostgREST 12's `(any)` / `(all)` quantifier over an array value. */
export const QUANTIFIABLE = ['eq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch'] as const;
const UNQUANTIFIABLE = ['neq', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj', 'isdistinct'] as const;
export const SIMPLE_OPERATORS = [...QUANTIFIABLE, ...UNQUANTIFIABLE] as const;
export type SimpleOperator = (typeof SIMPLE_OPERATORS)[number];

export const FTS_OPERATORS = ['fts', 'plfts', 'phfts', 'wfts'] as const;
export type FtsOperator = (typeof FTS_OPERATORS)[number];

export type Operation =
  | { kind: 'op'; op: SimpleOperator; quantifier?: 'any' | 'all'; value: string }
  | { kind: 'in'; values: string[] }
  | { kind: 'is'; value: 'null' | 'true' | 'false' | 'unknown' }
  | { kind: 'fts'; op: FtsOperator; language?: string; value: string };

export interface Filter {
  column: string;
  negate: boolean;
  operation: Operation;
}

export type LogicTree =
  | { kind: 'filter'; filter: Filter }
  | { kind: 'logic'; op: 'and' | 'or'; negate: boolean; children: LogicTree[] };

export type SelectItem = { kind: 'star' } | { kind: 'column'; column: string; alias?: string };

export interface OrderTerm {
  column: string;
  direction?: 'asc' | 'desc';
  nulls?: 'first' | 'last';
}

/** The query-string part of a request, after the reserved parameters are taken out. */
export interface QueryAst {
  select: SelectItem[];
  /** Conditions combined with AND: plain filters and `and=`/`or=` trees. */
  where: LogicTree[];
  order: OrderTerm[];
  /** From limit/offset and (for reads) the Range header, already intersected. */
  range: { offset: number; limit?: number };
  columns?: string[];
  onConflict?: string[];
  /** GET/HEAD rpc arguments: query parameters that are not filters. */
  rpcArgs: Record<string, string>;
}

export interface Preferences {
  return?: 'minimal' | 'representation' | 'headers-only';
  count?: 'exact' | 'planned' | 'estimated';
  resolution?: 'merge-duplicates' | 'ignore-duplicates';
  missing?: 'default' | 'null';
}

export interface AcceptShape {
  /** vnd.pgrst.object+json: exactly one row as an object. */
  singular: boolean;
  stripNulls: boolean;
}

function treeColumns(tree: LogicTree, out: Set<string>): void {
  if (tree.kind === 'filter') out.add(tree.filter.column);
  else for (const child of tree.children) treeColumns(child, out);
}

/** Every column name a query refers to (select, filters, order, columns, on_conflict). */
export function referencedColumns(query: QueryAst): Set<string> {
  const out = new Set<string>();
  for (const item of query.select) if (item.kind === 'column') out.add(item.column);
  for (const tree of query.where) treeColumns(tree, out);
  for (const term of query.order) out.add(term.column);
  for (const name of [...(query.columns ?? []), ...(query.onConflict ?? [])]) out.add(name);
  return out;
}
