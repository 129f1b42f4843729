// PostgREST's query-parameter grammar (filters, logic trees, select, order, column lists),
// as a small backtracking parser. Pure: strings in, AST out, PGRST100 on bad input with
// the furthest position reached, as PostgREST's parser reports it.
import {
  FTS_OPERATORS,
  type FtsOperator,
  type LogicTree,
  type Operation,
  type OrderTerm,
  QUANTIFIABLE,
  type SelectItem,
  SIMPLE_OPERATORS,
  type SimpleOperator,
} from './ast.ts';
import { parseError } from './errors.ts';

class Fail {
  constructor(
    readonly pos: number,
    readonly message: string,
  ) {}
}

class Cursor {
  pos = 0;
  furthest = new Fail(-1, '');

  constructor(readonly text: string) {}

  get eof(): boolean {
    return this.pos >= this.text.length;
  }

  peek(offset = 0): string {
    return this.text.charAt(this.pos + offset);
  }

  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  /** Consumes s when it is next; case-sensitive like PostgREST's keywords. */
  take(s: string): boolean {
    if (!this.startsWith(s)) return false;
    this.pos += s.length;
    return true;
  }

  expect(s: string, what = `"${s}"`): void {
    if (!this.take(s)) this.fail(`expecting ${what}`);
  }

  skipWs(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  fail(message: string, pos = this.pos): never {
    const found =
      pos < this.text.length
        ? `unexpected ${JSON.stringify(this.text.charAt(pos))}`
        : 'unexpected end of input';
    const fail = new Fail(pos, message.startsWith('expecting') ? `${found} ${message}` : message);
    if (fail.pos >= this.furthest.pos) this.furthest = fail;
    throw fail;
  }

  /** Runs p; on failure restores the position and returns undefined (Parsec's `try`). */
  attempt<T>(p: () => T): T | undefined {
    const start = this.pos;
    try {
      return p();
    } catch (err) {
      if (!(err instanceof Fail)) throw err;
      this.pos = start;
      return undefined;
    }
  }
}

/** Runs a grammar rule over the whole input, turning a failure into PGRST100. */
function run<T>(what: string, input: string, rule: (c: Cursor) => T): T {
  const c = new Cursor(input);
  try {
    const result = rule(c);
    if (!c.eof) c.fail('expecting "," or end of input');
    return result;
  } catch (err) {
    if (!(err instanceof Fail)) throw err;
    // Like Parsec, report the failure that got furthest: the alternatives that failed
    // earlier say less about what was meant.
    throw parseError(what, input, c.furthest.pos + 1, c.furthest.message);
  }
}

const IDENT_CHAR = /[\p{L}\p{N}_ $]/u;

/** `"..."` with backslash escapes: the way to put , . ( ) : or quotes in a name or value. */
function quoted(c: Cursor): string {
  c.expect('"');
  let out = '';
  while (!c.eof && c.peek() !== '"') {
    if (c.peek() === '\\') c.pos++;
    if (c.eof) break;
    out += c.peek();
    c.pos++;
  }
  if (!c.take('"')) c.fail('unterminated quoted value: expecting closing "');
  return out;
}

function identifier(c: Cursor): string {
  const start = c.pos;
  while (!c.eof && IDENT_CHAR.test(c.peek())) c.pos++;
  if (c.pos === start) c.fail('expecting field name (* or [a..z0..9_$])');
  return c.text.slice(start, c.pos).trim();
}

/** A column name: quoted, or identifier words joined by dashes (not arrows). */
function fieldName(c: Cursor): string {
  if (c.peek() === '"') return quoted(c);
  const parts = [identifier(c)];
  while (c.peek() === '-' && c.peek(1) !== '>') {
    c.pos++;
    parts.push(identifier(c));
  }
  return parts.join('-');
}

/** A field as used in filters, order and select: a name, with JSON paths refused clearly. */
function field(c: Cursor): string {
  c.skipWs();
  const name = fieldName(c);
  if (c.startsWith('->')) c.fail('JSON path operators (-> and ->>) are not supported by this server');
  c.skipWs();
  return name;
}

function lexeme(c: Cursor, s: string): void {
  c.skipWs();
  c.expect(s);
  c.skipWs();
}

/** `(a,"b,c",d)`: elements may be quoted to hold commas and parentheses. */
function listValue(c: Cursor): string[] {
  lexeme(c, '(');
  if (c.take(')')) return [];
  const values: string[] = [];
  do {
    const q = c.attempt(() => {
      const v = quoted(c);
      if (!c.eof && c.peek() !== ',' && c.peek() !== ')') c.fail('expecting "," or ")"');
      return v;
    });
    values.push(q ?? rawUntil(c, ',)'));
  } while (c.take(','));
  c.skipWs();
  c.expect(')');
  return values;
}

function rawUntil(c: Cursor, stops: string): string {
  const start = c.pos;
  while (!c.eof && !stops.includes(c.peek())) c.pos++;
  return c.text.slice(start, c.pos);
}

const TRILEAN = ['null', 'unknown', 'true', 'false'] as const;

function operation(c: Cursor, value: (c: Cursor) => string): Operation {
  if (c.take('in.')) return { kind: 'in', values: listValue(c) };
  if (c.take('is.')) {
    const word = TRILEAN.find((w) => c.text.slice(c.pos, c.pos + w.length).toLowerCase() === w);
    if (!word) c.fail('expecting null or trilean value (unknown, true, false)');
    c.pos += word.length;
    return { kind: 'is', value: word };
  }
  const opStart = c.pos;
  const fts = c.attempt((): Operation => {
    const name = rawUntil(c, '.(');
    if (!(FTS_OPERATORS as readonly string[]).includes(name)) c.fail(`unknown fts operator ${name}`, opStart);
    let language: string | undefined;
    if (c.take('(')) {
      language = identifier(c);
      c.expect(')');
    }
    c.expect('.', 'delimiter (.)');
    return { kind: 'fts', op: name as FtsOperator, language, value: value(c) };
  });
  if (fts) return fts;
  const dot = c.text.indexOf('.', c.pos);
  if (dot < 0) c.fail('expecting operator (eq, gt, ...) followed by a delimiter (.)');
  const opText = c.text.slice(c.pos, dot);
  const m = /^([a-z]+)(?:\((any|all)\))?$/.exec(opText);
  const op = m?.[1] as SimpleOperator | undefined;
  if (!m || !op || !SIMPLE_OPERATORS.includes(op)) c.fail(`unknown single value operator ${opText}`, opStart);
  const quantifier = m[2] as 'any' | 'all' | undefined;
  if (quantifier && !(QUANTIFIABLE as readonly string[]).includes(op))
    c.fail(`operator ${op} takes no (${quantifier}) quantifier`, opStart);
  c.pos = dot + 1;
  return { kind: 'op', op, ...(quantifier ? { quantifier } : {}), value: value(c) };
}

function opExpr(c: Cursor, value: (c: Cursor) => string): { negate: boolean; operation: Operation } {
  const negate = c.take('not.');
  return { negate, operation: operation(c, value) };
}

/** Inside and/or: a quoted value, a `{...}` array literal, or anything up to `,` or `)`. */
function logicValue(c: Cursor): string {
  const q = c.attempt(() => {
    const v = quoted(c);
    if (!c.eof && c.peek() !== ',' && c.peek() !== ')') c.fail('expecting "," or ")"');
    return v;
  });
  if (q !== undefined) return q;
  if (c.peek() === '{') {
    const close = c.text.indexOf('}', c.pos);
    const inner = close < 0 ? '' : c.text.slice(c.pos + 1, close);
    if (close < 0 || inner.includes('{')) c.fail('expecting "}" closing the array literal');
    c.pos = close + 1;
    return `{${inner}}`;
  }
  return rawUntil(c, ',)');
}

/** Deeper trees are refused: they would only exhaust the parser's or Postgres's stack. */
const MAX_LOGIC_DEPTH = 64;

function logicTree(c: Cursor, depth = 1): LogicTree {
  if (depth > MAX_LOGIC_DEPTH) c.fail(`logic trees may nest at most ${MAX_LOGIC_DEPTH} levels deep`);
  const filter = c.attempt((): LogicTree => {
    const column = field(c);
    c.expect('.', 'delimiter (.)');
    return { kind: 'filter', filter: { column, ...opExpr(c, logicValue) } };
  });
  if (filter) return filter;
  const negate = c.take('not.');
  const op = c.take('and') ? 'and' : c.take('or') ? 'or' : c.fail('expecting logic operator (and, or)');
  lexeme(c, '(');
  const children = [logicTree(c, depth + 1)];
  for (;;) {
    c.skipWs();
    if (!c.take(',')) break;
    c.skipWs();
    children.push(logicTree(c, depth + 1));
  }
  c.skipWs();
  c.expect(')');
  return { kind: 'logic', op, negate, children };
}

/** `col=<value>`: the value of a top-level filter is taken verbatim (no quoting rules). */
export function parseFilterValue(input: string): { negate: boolean; operation: Operation } {
  return run('filter', input, (c) => opExpr(c, (cc) => rawUntil(cc, '')));
}

/** A filter key: one column name (a dotted path would name an embedded resource). */
export function parseFilterKey(input: string): string[] {
  return run('tree path', input, (c) => {
    const path = [field(c)];
    while (c.take('.')) path.push(field(c));
    return path;
  });
}

/** `and=(...)`, `or=(...)`, `not.or=(...)`: the key's operator is prefixed as PostgREST does. */
export function parseLogic(key: 'and' | 'or' | 'not.and' | 'not.or', value: string): LogicTree {
  return run('logic tree', `${key}${value}`, (c) => logicTree(c));
}

export function parseSelect(input: string): SelectItem[] {
  return run('select parameter', input, (c) => {
    const items: SelectItem[] = [];
    do {
      c.skipWs();
      if (c.take('*')) {
        items.push({ kind: 'star' });
      } else {
        if (c.startsWith('..'))
          c.fail('embedded resources (spread ..rel(...)) are not supported by this server');
        const first = field(c);
        let alias: string | undefined;
        let column = first;
        if (c.peek() === ':' && c.peek(1) !== ':') {
          c.pos++;
          alias = first;
          column = field(c);
        }
        if (c.peek() === '(' || c.peek() === '!')
          c.fail(`embedded resources (${column}(...)) are not supported by this server`);
        if (c.startsWith('::')) c.fail('casts (::type) in select are not supported by this server');
        items.push(alias === undefined ? { kind: 'column', column } : { kind: 'column', column, alias });
      }
      c.skipWs();
    } while (c.take(','));
    return items;
  });
}

export function parseOrder(input: string): OrderTerm[] {
  return run('order', input, (c) => {
    const terms: OrderTerm[] = [];
    do {
      const term: OrderTerm = { column: field(c) };
      if (c.peek() === '(') c.fail('ordering by an embedded resource is not supported by this server');
      if (c.take('.asc')) term.direction = 'asc';
      else if (c.take('.desc')) term.direction = 'desc';
      if (c.take('.nullsfirst')) term.nulls = 'first';
      else if (c.take('.nullslast')) term.nulls = 'last';
      c.skipWs();
      if (c.peek() === '.') c.fail('expecting "asc", "desc", "nullsfirst" or "nullslast"', c.pos + 1);
      if (!c.eof && c.peek() !== ',') c.fail('expecting delimiter (.), "," or end of input');
      terms.push(term);
    } while (c.take(','));
    return terms;
  });
}

/** `columns=` and `on_conflict=`: a comma-separated list of names. */
export function parseColumnList(what: string, input: string): string[] {
  return run(what, input, (c) => {
    const names = [field(c)];
    while (c.take(',')) names.push(field(c));
    return names;
  });
}
