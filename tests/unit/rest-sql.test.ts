import { describe, expect, test } from 'vitest';
import type { Column } from '../../supabase/local/rest/catalog.ts';
import { RestError } from '../../supabase/local/rest/errors.ts';
import { parseQuery } from '../../supabase/local/rest/parse.ts';
import { Conditions, Params } from '../../supabase/local/rest/sql.ts';

const columns: Column[] = [
  { name: '_modified', type: 'timestamp with time zone' },
  { name: 'id', type: 'uuid' },
  { name: 'name', type: 'text' },
];
const source = { name: 'docs', columns: new Map(columns.map((c) => [c.name, c])) };

function where(qs: string): { sql: string; values: unknown[] } {
  const params = new Params();
  const query = parseQuery({
    method: 'GET',
    searchParams: new URLSearchParams(qs),
    headers: new Headers(),
    rpc: false,
  });
  const sql = new Conditions(params, source, (n) => `t."${n}"`).where(query.where);
  return { sql, values: params.values };
}

describe('conditions', () => {
  test('values are parameters cast to the catalog type; names are quoted', () => {
    expect(where('name=eq.x&id=in.(a,b)&name=like.*z*')).toEqual({
      sql: '(t."name" = $1::text) and (t."id" = any($2::uuid[])) and (t."name" like $3::text)',
      values: ['x', ['a', 'b'], '%z%'],
    });
  });

  test("RxDB's keyset filter becomes a row comparison the (_modified, id) index can bound", () => {
    const ts = '2026-11-23T06:29:30.414123+00:00';
    const id = '6ecd8c99-4036-403d-bf84-cf8400f67836';
    const params = new URLSearchParams();
    params.set('or', `("_modified".gt.${ts},and("_modified".eq.${ts},"id".gt.${id}))`);
    expect(where(params.toString())).toEqual({
      sql: '((t."_modified", t."id") > ($1::timestamp with time zone, $2::uuid))',
      values: [ts, id],
    });
  });

  test('near-miss shapes keep the plain OR form', () => {
    for (const tree of [
      '(_modified.gt.1,and(_modified.eq.2,id.gt.x))', // different edge values
      '(_modified.gt.1,and(name.eq.1,id.gt.x))', // different column
      '(_modified.gt.1,and(_modified.eq.1,id.lt.x))', // mixed directions
      '(_modified.gt.1,and(_modified.eq.1,id.not.gt.x))', // negation
    ]) {
      expect(where(`or=${encodeURIComponent(tree)}`).sql, tree).toContain(' or ');
    }
  });

  test('an unknown column is 42703 naming the relation and column', () => {
    const err = (() => {
      try {
        where('nope=eq.1');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(RestError);
    expect((err as RestError).message).toBe('column docs.nope does not exist');
  });
});
