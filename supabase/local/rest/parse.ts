// Query string + headers → the request AST. Pure: no catalog, no database.
import {
  type AcceptShape,
  FTS_OPERATORS,
  type LogicTree,
  type OrderTerm,
  type Preferences,
  type QueryAst,
  type SelectItem,
  SIMPLE_OPERATORS,
} from './ast.ts';
import { parseError, RestError, rangeError } from './errors.ts';
import {
  parseColumnList,
  parseFilterKey,
  parseFilterValue,
  parseLogic,
  parseOrder,
  parseSelect,
} from './grammar.ts';

export interface ParsedRequest {
  query: QueryAst;
  prefer: Preferences;
  accept: AcceptShape;
}

export interface RequestInput {
  method: string;
  searchParams: URLSearchParams;
  headers: Headers;
  /** /rpc/<fn>: non-filter parameters of a GET are the function's arguments. */
  rpc: boolean;
}

const LOGIC_KEYS = ['and', 'or', 'not.and', 'not.or'] as const;
/** Parameters ending in these, after a dot, address an embedded resource. */
const EMBEDDABLE = ['order', 'limit', 'offset', 'and', 'or'];

function notEmbedded(name: string): RestError {
  return new RestError(
    400,
    'PGRST108',
    `'${name}' is not an embedded resource in this request`,
    null,
    `Verify that '${name}' is included in the 'select' query parameter.`,
  );
}

/** PostgREST's test for "this GET rpc parameter is a filter, not an argument". */
function looksLikeFilter(value: string): boolean {
  const parts = value.split('.');
  const head = parts[0] ?? '';
  if (head === 'not' && parts.length > 1) return true;
  if (head === 'is' || head === 'in') return true;
  const ops: readonly string[] = [...SIMPLE_OPERATORS, ...FTS_OPERATORS];
  if (parts.length > 1 && ops.includes(head)) return true;
  const beforeParen = value.split('(');
  return beforeParen.length > 1 && (FTS_OPERATORS as readonly string[]).includes(beforeParen[0] ?? '');
}

function nonNegativeInt(what: string, value: string): number {
  if (!/^-?\d+$/.test(value)) throw parseError(what, value, 1, 'expecting an integer');
  const n = Number(value);
  if (n < 0 && what === 'limit') throw rangeError('Limit should be greater than or equal to zero.');
  if (n < 0) throw parseError(what, value, 1, 'expecting a non-negative integer');
  return n;
}

/** `Range: 0-9` (items), intersected with limit/offset as PostgREST does. */
function resolveRange(
  rangeHeader: string | null,
  offset: number,
  limit: number | undefined,
): { offset: number; limit?: number } {
  let lower = offset;
  let upper = limit === undefined ? Number.POSITIVE_INFINITY : offset + limit - 1;
  const m = rangeHeader ? /^(\d+)-(\d*)$/.exec(rangeHeader.trim()) : null;
  if (m) {
    const hLower = Number(m[1]);
    const hUpper = m[2] === '' ? Number.POSITIVE_INFINITY : Number(m[2]);
    if (hLower > hUpper)
      throw rangeError(
        'The lower boundary must be lower than or equal to the upper boundary in the Range header.',
      );
    lower = Math.max(lower, hLower);
    upper = Math.min(upper, hUpper);
  }
  if (upper === Number.POSITIVE_INFINITY) return { offset: lower };
  return { offset: lower, limit: Math.max(0, upper - lower + 1) };
}

export function parseQuery(input: RequestInput): QueryAst {
  const where: LogicTree[] = [];
  const order: OrderTerm[] = [];
  const rpcArgs: Record<string, string> = {};
  let select: SelectItem[] = [{ kind: 'star' }];
  let columns: string[] | undefined;
  let onConflict: string[] | undefined;
  let limit: number | undefined;
  let offset = 0;
  const seen = new Set<string>();

  for (const [key, value] of input.searchParams) {
    // The first of a repeated reserved parameter wins, as in PostgREST.
    const first = !seen.has(key);
    seen.add(key);
    if (key === 'select') {
      if (first) select = value.trim() === '' ? select : parseSelect(value);
    } else if (key === 'columns') {
      if (first) columns = parseColumnList('columns parameter', value);
    } else if (key === 'on_conflict') {
      if (first) onConflict = parseColumnList('on_conflict parameter', value);
    } else if (key === 'order') {
      if (value !== '') order.push(...parseOrder(value));
    } else if (key === 'limit') {
      limit = nonNegativeInt('limit', value);
    } else if (key === 'offset') {
      offset = nonNegativeInt('offset', value);
    } else if ((LOGIC_KEYS as readonly string[]).includes(key)) {
      where.push(parseLogic(key as (typeof LOGIC_KEYS)[number], value));
    } else if (key === 'apikey') {
      // The gateway's key, accepted in the query string too: not a filter.
    } else if (key.includes('.') && EMBEDDABLE.includes(key.slice(key.lastIndexOf('.') + 1))) {
      throw notEmbedded(key.slice(0, key.lastIndexOf('.')));
    } else if (input.rpc && !looksLikeFilter(value)) {
      rpcArgs[key] = value;
    } else {
      const path = parseFilterKey(key);
      if (path.length > 1) throw notEmbedded(path.slice(0, -1).join('.'));
      where.push({ kind: 'filter', filter: { column: path[0] as string, ...parseFilterValue(value) } });
    }
  }

  const reads = input.method === 'GET' || input.method === 'HEAD';
  const range = resolveRange(reads ? input.headers.get('range') : null, offset, limit);
  return {
    select,
    where,
    order,
    range,
    ...(columns ? { columns } : {}),
    ...(onConflict ? { onConflict } : {}),
    rpcArgs,
  };
}

/** `Prefer` may repeat or hold several comma-separated `key=value` preferences. */
export function parsePrefer(header: string | null): Preferences {
  const prefer: Preferences = {};
  for (const part of (header ?? '').split(',')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    if (k === 'return' && (v === 'minimal' || v === 'representation' || v === 'headers-only'))
      prefer.return = v;
    else if (k === 'count' && (v === 'exact' || v === 'planned' || v === 'estimated')) prefer.count = v;
    else if (k === 'resolution' && (v === 'merge-duplicates' || v === 'ignore-duplicates'))
      prefer.resolution = v;
    else if (k === 'missing' && (v === 'default' || v === 'null')) prefer.missing = v;
  }
  return prefer;
}

/** Picks the first acceptable media type; JSON array is the default. */
export function parseAccept(header: string | null): AcceptShape {
  if (!header) return { singular: false, stripNulls: false };
  const offered = header.split(',').map((s) => s.trim());
  for (const media of offered) {
    const [type = '', ...params] = media.split(';').map((s) => s.trim().toLowerCase());
    const stripNulls = params.includes('nulls=stripped');
    if (type === 'application/vnd.pgrst.object+json' || type === 'application/vnd.pgrst.object')
      return { singular: true, stripNulls };
    if (['application/json', 'application/vnd.pgrst.array+json', 'application/*', '*/*'].includes(type))
      return { singular: false, stripNulls };
  }
  throw new RestError(406, 'PGRST107', `None of these media types are available: ${offered.join(', ')}`);
}

/** Only the `public` schema is exposed, as on a default Supabase project. */
export function checkProfile(method: string, headers: Headers): void {
  const profile = headers.get(method === 'GET' || method === 'HEAD' ? 'accept-profile' : 'content-profile');
  if (profile !== null && profile !== 'public')
    throw new RestError(
      406,
      'PGRST106',
      `Invalid schema: ${profile}`,
      null,
      'Only the following schemas are exposed: public',
    );
}

export function parseRequest(input: RequestInput): ParsedRequest {
  checkProfile(input.method, input.headers);
  return {
    accept: parseAccept(input.headers.get('accept')),
    prefer: parsePrefer(input.headers.get('prefer')),
    query: parseQuery(input),
  };
}
