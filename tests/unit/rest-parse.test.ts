import { describe, expect, test } from 'vitest';
import type { LogicTree } from '../../supabase/local/rest/ast.ts';
import { RestError } from '../../supabase/local/rest/errors.ts';
import { parseAccept, parsePrefer, parseQuery, parseRequest } from '../../supabase/local/rest/parse.ts';

function query(qs: string, opts: { method?: string; rpc?: boolean; headers?: Record<string, string> } = {}) {
  return parseQuery({
    method: opts.method ?? 'GET',
    searchParams: new URLSearchParams(qs),
    headers: new Headers(opts.headers ?? {}),
    rpc: opts.rpc ?? false,
  });
}

/** The RestError a call throws (fails the test when it throws nothing). */
function thrown(fn: () => unknown): RestError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RestError) return err;
    throw err;
  }
  throw new Error('expected a RestError');
}

const f = (column: string, operation: object, negate = false): LogicTree => ({
  kind: 'filter',
  filter: { column, negate, operation: operation as never },
});

describe('filters', () => {
  test('simple operators keep the rest of the value verbatim', () => {
    const q = query('a=eq.1&b=gte.2026-11-23T06:29:30.414123+00:00&c=like.*x,y(z)*&d=neq."q"');
    expect(q.where).toEqual([
      f('a', { kind: 'op', op: 'eq', value: '1' }),
      // `+` in a query string is a space, as PostgREST decodes it; clients send %2B.
      f('b', { kind: 'op', op: 'gte', value: '2026-11-23T06:29:30.414123 00:00' }),
      f('c', { kind: 'op', op: 'like', value: '*x,y(z)*' }),
      f('d', { kind: 'op', op: 'neq', value: '"q"' }),
    ]);
  });

  test('every operator name parses, with not. negation', () => {
    for (const op of 'eq neq gt gte lt lte like ilike match imatch cs cd ov'.split(' ')) {
      expect(query(`x=not.${op}.v`).where).toEqual([f('x', { kind: 'op', op, value: 'v' }, true)]);
    }
  });

  test('in lists honour quotes, escapes, commas and parentheses', () => {
    const q = query(`id=in.(1,"b,c","d)e","f\\"g",h\\i)`);
    expect(q.where).toEqual([f('id', { kind: 'in', values: ['1', 'b,c', 'd)e', 'f"g', 'h\\i'] })]);
    expect(query('id=in.()').where).toEqual([f('id', { kind: 'in', values: [] })]);
  });

  test('is takes null, true, false and unknown in any case', () => {
    expect(query('a=is.NULL&b=not.is.true&c=is.unknown').where).toEqual([
      f('a', { kind: 'is', value: 'null' }),
      f('b', { kind: 'is', value: 'true' }, true),
      f('c', { kind: 'is', value: 'unknown' }),
    ]);
    const err = thrown(() => query('a=is.maybe'));
    expect(err.code).toBe('PGRST100');
    expect(err.details).toContain('null or trilean value');
  });

  test('quantifiers and full-text search', () => {
    expect(query('a=like(any).{a*,b*}&b=wfts(english).cat dog').where).toEqual([
      f('a', { kind: 'op', op: 'like', quantifier: 'any', value: '{a*,b*}' }),
      f('b', { kind: 'fts', op: 'wfts', language: 'english', value: 'cat dog' }),
    ]);
  });

  test('quoted column names may hold dots and commas', () => {
    expect(query('"a.b,c"=eq.1').where).toEqual([f('a.b,c', { kind: 'op', op: 'eq', value: '1' })]);
  });

  test('unknown operators and missing operators are PGRST100 naming the input', () => {
    const bad = thrown(() => query('a=gtx.5'));
    expect(bad.status).toBe(400);
    expect(bad.message).toBe('"failed to parse filter (gtx.5)" (line 1, column 1)');
    expect(bad.details).toBe('unknown single value operator gtx');
    expect(thrown(() => query('a=5')).message).toContain('failed to parse filter (5)');
  });

  test('a dotted key names an embedded resource, which this server has none of', () => {
    const err = thrown(() => query('rel.col=eq.1'));
    expect(err.code).toBe('PGRST108');
    expect(err.message).toBe("'rel' is not an embedded resource in this request");
  });
});

describe('logic trees', () => {
  test("RxDB's pull checkpoint filter", () => {
    const value =
      '("_modified".gt.2026-11-23T06:29:30.414123+00:00,and("_modified".eq.2026-11-23T06:29:30.414123+00:00,"id".gt.6ecd8c99-4036-403d-bf84-cf8400f67836))';
    const params = new URLSearchParams();
    params.set('or', value);
    const q = parseQuery({ method: 'GET', searchParams: params, headers: new Headers(), rpc: false });
    const ts = '2026-11-23T06:29:30.414123+00:00';
    expect(q.where).toEqual([
      {
        kind: 'logic',
        op: 'or',
        negate: false,
        children: [
          f('_modified', { kind: 'op', op: 'gt', value: ts }),
          {
            kind: 'logic',
            op: 'and',
            negate: false,
            children: [
              f('_modified', { kind: 'op', op: 'eq', value: ts }),
              f('id', { kind: 'op', op: 'gt', value: '6ecd8c99-4036-403d-bf84-cf8400f67836' }),
            ],
          },
        ],
      },
    ]);
  });

  test('nesting, negation, quoted values with commas, parentheses, dots and escapes', () => {
    const params = new URLSearchParams();
    params.set('not.and', '(a.eq."x,(y).z",or(b.in.(1,"2,3"),not.and(c.is.null,d.neq.\\"q\\")),e.cs.{1,2})');
    const [tree] = parseQuery({
      method: 'GET',
      searchParams: params,
      headers: new Headers(),
      rpc: false,
    }).where;
    expect(tree).toEqual({
      kind: 'logic',
      op: 'and',
      negate: true,
      children: [
        f('a', { kind: 'op', op: 'eq', value: 'x,(y).z' }),
        {
          kind: 'logic',
          op: 'or',
          negate: false,
          children: [
            f('b', { kind: 'in', values: ['1', '2,3'] }),
            {
              kind: 'logic',
              op: 'and',
              negate: true,
              children: [
                f('c', { kind: 'is', value: 'null' }),
                f('d', { kind: 'op', op: 'neq', value: '\\"q\\"' }),
              ],
            },
          ],
        },
        f('e', { kind: 'op', op: 'cs', value: '{1,2}' }),
      ],
    });
  });

  test('an unbalanced or empty tree is PGRST100', () => {
    for (const bad of ['(a.eq.1', '()', '(a.eq.1))', '(a.eq.1,xor(b.eq.2))']) {
      const params = new URLSearchParams();
      params.set('or', bad);
      const err = thrown(() =>
        parseQuery({ method: 'GET', searchParams: params, headers: new Headers(), rpc: false }),
      );
      expect(err.code, bad).toBe('PGRST100');
      expect(err.message, bad).toContain(`failed to parse logic tree (or${bad})`);
    }
  });

  test('the error names the furthest point reached', () => {
    const params = new URLSearchParams();
    params.set('or', '(a.eq.1,b.bogus.2)');
    const err = thrown(() =>
      parseQuery({ method: 'GET', searchParams: params, headers: new Headers(), rpc: false }),
    );
    expect(err.details).toBe('unknown single value operator bogus');
  });
});

describe('select, order, columns', () => {
  test('select lists with aliases and star', () => {
    expect(query('select=id,label:name,*,"odd,name"').select).toEqual([
      { kind: 'column', column: 'id' },
      { kind: 'column', column: 'name', alias: 'label' },
      { kind: 'star' },
      { kind: 'column', column: 'odd,name' },
    ]);
    expect(query('').select).toEqual([{ kind: 'star' }]);
  });

  test('embedded resources and casts are refused clearly', () => {
    expect(thrown(() => query('select=id,owner(name)')).details).toContain('embedded resources');
    expect(thrown(() => query('select=id::text')).details).toContain('casts');
  });

  test('order with directions and nulls placement, across repeated params', () => {
    expect(query('order=a.desc.nullslast,b&order=c.nullsfirst').order).toEqual([
      { column: 'a', direction: 'desc', nulls: 'last' },
      { column: 'b' },
      { column: 'c', nulls: 'first' },
    ]);
    const err = thrown(() => query('order=a.sideways'));
    expect(err.message).toContain('failed to parse order (a.sideways)');
    expect(err.details).toContain('"asc", "desc", "nullsfirst" or "nullslast"');
  });

  test('columns and on_conflict accept quoted names', () => {
    const q = query('columns="a","b c"&on_conflict=id,"x"');
    expect(q.columns).toEqual(['a', 'b c']);
    expect(q.onConflict).toEqual(['id', 'x']);
  });
});

describe('ranges', () => {
  test('limit and offset', () => {
    expect(query('limit=10&offset=5').range).toEqual({ offset: 5, limit: 10 });
    expect(query('').range).toEqual({ offset: 0 });
    expect(thrown(() => query('limit=ten')).code).toBe('PGRST100');
    const negative = thrown(() => query('limit=-1'));
    expect([negative.status, negative.code]).toEqual([416, 'PGRST103']);
  });

  test('the Range header intersects with limit/offset on reads only', () => {
    expect(query('', { headers: { range: '0-9' } }).range).toEqual({ offset: 0, limit: 10 });
    expect(query('limit=5', { headers: { range: '2-20' } }).range).toEqual({ offset: 2, limit: 3 });
    expect(query('', { headers: { range: '5-' } }).range).toEqual({ offset: 5 });
    expect(query('', { method: 'PATCH', headers: { range: '0-9' } }).range).toEqual({ offset: 0 });
    expect(thrown(() => query('', { headers: { range: '9-2' } })).status).toBe(416);
  });
});

describe('rpc arguments', () => {
  test('GET rpc: non-filter parameters are arguments', () => {
    const q = query('a=1&b=hello.world&c=gt.5&select=x', { rpc: true });
    expect(q.rpcArgs).toEqual({ a: '1', b: 'hello.world' });
    expect(q.where).toEqual([f('c', { kind: 'op', op: 'gt', value: '5' })]);
  });
});

describe('headers', () => {
  test('Prefer holds several preferences, repeated or comma-separated', () => {
    expect(
      parsePrefer('return=representation, count=exact,resolution=merge-duplicates, missing=default'),
    ).toEqual({
      return: 'representation',
      count: 'exact',
      resolution: 'merge-duplicates',
      missing: 'default',
    });
    expect(parsePrefer(null)).toEqual({});
  });

  test('Accept picks the object or array form, and refuses what it cannot produce', () => {
    expect(parseAccept('application/vnd.pgrst.object+json')).toEqual({ singular: true, stripNulls: false });
    expect(parseAccept('application/vnd.pgrst.array+json;nulls=stripped')).toEqual({
      singular: false,
      stripNulls: true,
    });
    expect(parseAccept('text/csv, */*')).toEqual({ singular: false, stripNulls: false });
    const err = thrown(() => parseAccept('text/csv'));
    expect([err.status, err.code, err.message]).toEqual([
      406,
      'PGRST107',
      'None of these media types are available: text/csv',
    ]);
  });

  test('only the public schema is exposed', () => {
    const err = thrown(() =>
      parseRequest({
        method: 'GET',
        searchParams: new URLSearchParams(),
        headers: new Headers({ 'accept-profile': 'auth' }),
        rpc: false,
      }),
    );
    expect([err.status, err.code, err.message]).toEqual([406, 'PGRST106', 'Invalid schema: auth']);
  });
});
