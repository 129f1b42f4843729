// postgres_changes filters as realtime-js writes them: `column=op.value`, several joined by
// commas (all must hold), `not.` negates, values PostgREST-quoted where they hold `,()"\`.
// Parsing and the SQL each condition becomes; pure (no I/O).

export const FILTER_OPS = [
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'like',
  'ilike',
  'match',
  'imatch',
  'is',
  'isdistinct',
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export interface Condition {
  column: string;
  op: FilterOp;
  negate: boolean;
  /** A list for `in`, one of null/true/false/unknown for `is`, else the literal text. */
  value: string | string[];
}

export type ParsedFilter = { ok: true; conditions: Condition[] } | { ok: false; reason: string };

const IS_VALUES = ['null', 'true', 'false', 'unknown'];

/** Reads a quoted value at text[start] === '"'; returns it and the index after the closing quote. */
function readQuoted(text: string, start: number): { value: string; end: number } | undefined {
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') {
      i++;
      if (i >= text.length) return undefined;
      value += text[i];
    } else if (ch === '"') {
      return { value, end: i + 1 };
    } else {
      value += ch;
    }
  }
  return undefined;
}

/** Reads `(a,"b,c")` at text[start] === '('; returns the items and the index after ')'. */
function readList(text: string, start: number): { items: string[]; end: number } | undefined {
  const items: string[] = [];
  let i = start + 1;
  for (;;) {
    let item: string;
    if (text[i] === '"') {
      const quoted = readQuoted(text, i);
      if (!quoted) return undefined;
      item = quoted.value;
      i = quoted.end;
    } else {
      let j = i;
      while (j < text.length && !',)('.includes(text[j]!)) j++;
      item = text.slice(i, j);
      i = j;
    }
    items.push(item);
    if (text[i] === ',') i++;
    else if (text[i] === ')') return { items, end: i + 1 };
    else return undefined;
  }
}

export function parseFilter(filter: string): ParsedFilter {
  const conditions: Condition[] = [];
  let i = 0;
  while (i < filter.length) {
    const eq = filter.indexOf('=', i);
    if (eq <= i) return { ok: false, reason: `filter "${filter}" is not of the form column=operator.value` };
    const column = filter.slice(i, eq);
    i = eq + 1;
    let negate = false;
    if (filter.startsWith('not.', i)) {
      negate = true;
      i += 4;
    }
    const dot = filter.indexOf('.', i);
    const op = filter.slice(i, dot) as FilterOp;
    if (dot < 0 || !FILTER_OPS.includes(op)) {
      const name = dot < 0 ? filter.slice(i) : op;
      return {
        ok: false,
        reason: `filter "${filter}" uses unknown operator "${name}" (known: ${FILTER_OPS.join(', ')})`,
      };
    }
    i = dot + 1;
    let value: string | string[];
    if (op === 'in') {
      const list = filter[i] === '(' ? readList(filter, i) : undefined;
      if (!list) return { ok: false, reason: `filter "${filter}": in needs a list like in.(a,b)` };
      value = list.items;
      i = list.end;
    } else if (filter[i] === '"') {
      const quoted = readQuoted(filter, i);
      if (!quoted) return { ok: false, reason: `filter "${filter}" has an unterminated quoted value` };
      value = quoted.value;
      i = quoted.end;
    } else {
      let j = i;
      while (j < filter.length && filter[j] !== ',') j++;
      value = filter.slice(i, j);
      i = j;
    }
    if (op === 'is' && !IS_VALUES.includes(String(value).toLowerCase())) {
      return { ok: false, reason: `filter "${filter}": is takes one of ${IS_VALUES.join(', ')}` };
    }
    conditions.push({ column, op, negate, value: op === 'is' ? String(value).toLowerCase() : value });
    if (i < filter.length) {
      if (filter[i] !== ',') return { ok: false, reason: `filter "${filter}" has text after a value` };
      i++;
      if (i === filter.length) return { ok: false, reason: `filter "${filter}" ends with a comma` };
    }
  }
  if (conditions.length === 0) return { ok: false, reason: 'filter is empty' };
  return { ok: true, conditions };
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const COMPARISONS: Partial<Record<FilterOp, string>> = {
  eq: '=',
  neq: '<>',
  lt: '<',
  lte: '<=',
  gt: '>',
  gte: '>=',
  isdistinct: 'is distinct from',
};
const PATTERNS: Partial<Record<FilterOp, string>> = {
  like: 'like',
  ilike: 'ilike',
  match: '~',
  imatch: '~*',
};

/**
 * The SQL of one condition over `ref` (an expression of the column, e.g. `(x.r)."id"`) whose
 * type is `sqlType` (format_type output, from the catalog). Values become bound parameters
 * appended to `params`; the result is true, false or null (null never matches).
 */
export function conditionSql(cond: Condition, ref: string, sqlType: string, params: unknown[]): string {
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  let sql: string;
  const comparison = COMPARISONS[cond.op];
  const pattern = PATTERNS[cond.op];
  if (comparison) {
    sql = `${ref} ${comparison} ${param(cond.value)}::${sqlType}`;
  } else if (pattern) {
    // PostgREST lets `*` stand for `%` in like patterns (no escaping needed in URLs).
    const value =
      cond.op === 'like' || cond.op === 'ilike' ? String(cond.value).replace(/\*/g, '%') : cond.value;
    sql = `${ref}::text ${pattern} ${param(value)}::text`;
  } else if (cond.op === 'in') {
    sql = `${ref} in (select v::${sqlType} from jsonb_array_elements_text(${param(JSON.stringify(cond.value))}::jsonb) v)`;
  } else {
    // `is`: the value was checked against a fixed list while parsing.
    sql = `${ref} is ${cond.value}`;
  }
  return cond.negate ? `not (${sql})` : `(${sql})`;
}
