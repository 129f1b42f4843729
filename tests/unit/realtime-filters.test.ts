import { describe, expect, test } from 'vitest';
import { conditionSql, parseFilter, quoteIdent } from '../../supabase/local/realtime/filters.ts';

describe('parseFilter', () => {
  test('reads each operator realtime-js writes', () => {
    expect(parseFilter('id=eq.5')).toEqual({
      ok: true,
      conditions: [{ column: 'id', op: 'eq', negate: false, value: '5' }],
    });
    for (const op of ['neq', 'lt', 'lte', 'gt', 'gte', 'like', 'ilike', 'match', 'imatch', 'isdistinct']) {
      expect(parseFilter(`c=${op}.v`)).toEqual({
        ok: true,
        conditions: [{ column: 'c', op, negate: false, value: 'v' }],
      });
    }
    expect(parseFilter('n=in.(1,2,3)')).toMatchObject({
      ok: true,
      conditions: [{ op: 'in', value: ['1', '2', '3'] }],
    });
    expect(parseFilter('d=is.NULL')).toMatchObject({ ok: true, conditions: [{ op: 'is', value: 'null' }] });
    expect(parseFilter('n=not.eq.1')).toMatchObject({
      ok: true,
      conditions: [{ op: 'eq', negate: true, value: '1' }],
    });
  });

  test('keeps values whole: dots, equals signs, quotes, commas inside quotes and lists', () => {
    expect(parseFilter('at=gt.2024-01-01T00:00:00.5+00:00')).toMatchObject({
      conditions: [{ value: '2024-01-01T00:00:00.5+00:00' }],
    });
    expect(parseFilter('q=eq.a=b')).toMatchObject({ conditions: [{ column: 'q', value: 'a=b' }] });
    expect(parseFilter('body=eq."a, (b) \\"c\\" \\\\"')).toMatchObject({
      conditions: [{ value: 'a, (b) "c" \\' }],
    });
    expect(parseFilter('t=in.("x,y",z,"")')).toMatchObject({ conditions: [{ value: ['x,y', 'z', ''] }] });
    expect(parseFilter('t=eq.')).toMatchObject({ ok: true, conditions: [{ value: '' }] });
  });

  test('several conditions, joined by commas, all apply', () => {
    expect(parseFilter('a=eq.1,b=in.(2,3),c=not.is.null')).toEqual({
      ok: true,
      conditions: [
        { column: 'a', op: 'eq', negate: false, value: '1' },
        { column: 'b', op: 'in', negate: false, value: ['2', '3'] },
        { column: 'c', op: 'is', negate: true, value: 'null' },
      ],
    });
  });

  test('malformed filters are refused with a reason', () => {
    const reason = (f: string) => {
      const parsed = parseFilter(f);
      return parsed.ok ? 'parsed' : parsed.reason;
    };
    expect(reason('')).toBe('filter is empty');
    expect(reason('id')).toMatch(/column=operator.value/);
    expect(reason('=eq.1')).toMatch(/column=operator.value/);
    expect(reason('id=between.1')).toMatch(/unknown operator "between"/);
    expect(reason('id=eq')).toMatch(/unknown operator "eq"/);
    expect(reason('id=in.1,2')).toMatch(/in needs a list/);
    expect(reason('id=in.(1,2')).toMatch(/in needs a list/);
    expect(reason('id=eq."open')).toMatch(/unterminated/);
    expect(reason('id=eq."x"y')).toMatch(/text after a value/);
    expect(reason('id=eq.1,')).toMatch(/ends with a comma/);
    expect(reason('id=is.maybe')).toMatch(/is takes one of/);
  });
});

describe('conditionSql', () => {
  test('values are bound parameters, cast to the column type', () => {
    const params: unknown[] = ['first'];
    const sql = conditionSql(
      { column: 'id', op: 'eq', negate: false, value: "1'; drop table x; --" },
      'r."id"',
      'uuid',
      params,
    );
    expect(sql).toBe('(r."id" = $2::uuid)');
    expect(params).toEqual(['first', "1'; drop table x; --"]);
  });

  test('in takes a JSON list; like maps * to %; not negates; is uses a fixed keyword', () => {
    const params: unknown[] = [];
    expect(
      conditionSql({ column: 'n', op: 'in', negate: false, value: ['1', '2'] }, 'r."n"', 'integer', params),
    ).toBe('(r."n" in (select v::integer from jsonb_array_elements_text($1::jsonb) v))');
    expect(
      conditionSql({ column: 'b', op: 'ilike', negate: true, value: 'a*' }, 'r."b"', 'text', params),
    ).toBe('not (r."b"::text ilike $2::text)');
    expect(
      conditionSql({ column: 'd', op: 'is', negate: false, value: 'null' }, 'r."d"', 'date', params),
    ).toBe('(r."d" is null)');
    expect(params).toEqual(['["1","2"]', 'a%']);
  });

  test('identifiers are quoted', () => {
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
  });
});
