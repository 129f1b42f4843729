// /rest/v1 through the official supabase-js client; each result is compared with the same
// query run directly in SQL, formatted by Postgres the same way (json_agg).
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

let backend: Backend;
let db: SupabaseClient;

/** Rows of a SQL query as the JSON PostgREST would send for them. */
async function sqlRows(query: string, params: unknown[] = []): Promise<unknown[]> {
  const [row] = await backend.db.query<{ j: string }>(
    `select coalesce(json_agg(t), '[]')::text as j from (${query}) t`,
    params,
  );
  return JSON.parse(row?.j ?? '[]') as unknown[];
}

async function sqlCount(query: string, params: unknown[] = []): Promise<number> {
  const [row] = await backend.db.query<{ n: number }>(`select count(*)::int as n from (${query}) t`, params);
  return row?.n ?? -1;
}

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  const key = backend.config.serviceRoleKey;
  return fetch(`${backend.url}/rest/v1/${path}`, {
    headers: { apikey: key, authorization: `Bearer ${key}`, ...headers },
  });
}

beforeAll(async () => {
  backend = await startBackend();
  db = backend.service();
  await backend.db.exec(`
    create table items (
      id int primary key,
      name text not null,
      qty int,
      price numeric(10, 2),
      tags text[],
      meta jsonb,
      done boolean,
      at timestamptz not null default '2026-01-02 03:04:05.123456+00',
      sku text unique,
      note text default 'fresh'
    );
    insert into items (id, name, qty, price, tags, meta, done, at, sku) values
      (1, 'apple', 5, 1.10, '{red,fruit}', '{"k": 1, "nested": {"a": [1, 2]}}', true, '2026-11-23 06:29:30.414123+00', 'A1'),
      (2, 'Banana', null, 0.25, '{yellow,fruit}', '{"k": 2}', false, '2026-11-23 06:29:30.414124+00', 'B2'),
      (3, 'cherry, red', 12, 10.00, '{red}', null, null, '2026-11-23 06:29:31+00', null),
      (4, 'dates (dried)', 7, null, null, '{"k": 1}', true, '2025-01-01 00:00:00+00', 'D4'),
      (5, 'elder.berry', 0, 99.99, '{}', '{}', false, '2024-06-30 23:59:59.999999+00', 'E5'),
      (6, 'Fig', 3, 2.50, '{green,fruit}', '{"k": 3}', null, '2026-11-23 06:29:30.414123+00', 'F6'),
      (7, 'grape', null, null, null, null, null, '2026-02-03 04:05:06.7+00', 'G7');
    create function add_numbers(a int, b int default 10) returns int language sql as 'select a + b';
    create function items_named(pattern text) returns setof items language sql stable
      as 'select * from items where name ilike pattern';
    create function item_names() returns setof text language sql stable as 'select name from items order by id';
    create function first_item() returns items language sql stable as 'select * from items order by id limit 1';
    create function touch(target int) returns void language sql as 'update items set note = ''touched'' where id = target';
    create function totals(min_qty int) returns table (label text, total int) language sql stable
      as 'select name, qty from items where qty >= min_qty';
  `);
});
afterAll(() => backend?.close());

describe('select', () => {
  test('all columns, formatted as Postgres formats them (numeric, jsonb, arrays, timestamptz µs)', async () => {
    const { data, error, status } = await db.from('items').select('*').order('id');
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(data).toEqual(await sqlRows('select * from items order by id'));
    expect(data?.[0]?.at).toBe('2026-11-23T06:29:30.414123+00:00');
  });

  test('column lists and aliases', async () => {
    const { data, error } = await db.from('items').select('id, label:name, qty').order('id');
    expect(error).toBeNull();
    expect(data).toEqual(await sqlRows('select id, name as label, qty from items order by id'));
  });

  test('a table created after the server started is found (catalog reload)', async () => {
    await backend.db.exec(
      `create table late_table (id int primary key, v text); insert into late_table values (1, 'x')`,
    );
    const { data, error } = await db.from('late_table').select('v');
    expect(error).toBeNull();
    expect(data).toEqual([{ v: 'x' }]);
    await backend.db.exec(`alter table late_table add column w int default 7`);
    const again = await db.from('late_table').select('w');
    expect(again.error).toBeNull();
    expect(again.data).toEqual([{ w: 7 }]);
  });
});

describe('views and unusual names', () => {
  beforeAll(async () => {
    await backend.db.exec(`
      create table "Odd Table" ("Mixed Case" text, "with,comma" int, "quote""d" boolean);
      insert into "Odd Table" values ('x', 1, true), ('y', 2, false), ('z', 3, false);
      create view cheap_items as select id, name, price from items where price < 5;
    `);
  });

  test('quoted names with spaces, commas and quotes in select and filters', async () => {
    const { data, error } = await db
      .from('Odd Table')
      .select('"Mixed Case", n:"with,comma"')
      .or('"with,comma".eq.2,"quote\\"d".is.true')
      .order('Mixed Case');
    expect(error).toBeNull();
    expect(data).toEqual(
      await sqlRows(
        'select "Mixed Case", "with,comma" as n from "Odd Table" where "with,comma" = 2 or "quote""d" order by 1',
      ),
    );
  });

  test('a view reads, and an auto-updatable view takes inserts', async () => {
    expect((await db.from('cheap_items').select('*').order('id')).data).toEqual(
      await sqlRows('select * from cheap_items order by id'),
    );
    const { data, error } = await db
      .from('cheap_items')
      .insert({ id: 200, name: 'view row', price: 1 })
      .select();
    expect(error).toBeNull();
    expect(data).toEqual([{ id: 200, name: 'view row', price: 1 }]);
    await backend.db.exec('delete from items where id = 200');
  });
});

describe('filters', () => {
  type Build = (q: ReturnType<ReturnType<SupabaseClient['from']>['select']>) => typeof q;
  const cases: [string, Build, string][] = [
    ['eq', (q) => q.eq('qty', 5), 'qty = 5'],
    ['neq', (q) => q.neq('name', 'apple'), "name <> 'apple'"],
    ['gt', (q) => q.gt('price', 2), 'price > 2'],
    ['gte', (q) => q.gte('qty', 7), 'qty >= 7'],
    ['lt', (q) => q.lt('at', '2026-01-01T00:00:00+00:00'), "at < '2026-01-01T00:00:00+00:00'"],
    ['lte', (q) => q.lte('qty', 3), 'qty <= 3'],
    [
      'lte on timestamptz µs',
      (q) => q.lte('at', '2026-11-23T06:29:30.414123+00:00'),
      "at <= '2026-11-23 06:29:30.414123+00'",
    ],
    ['like with %', (q) => q.like('name', '%an%'), "name like '%an%'"],
    ['like with * wildcard', (q) => q.like('name', '*e*'), "name like '%e%'"],
    ['ilike', (q) => q.ilike('name', 'b*'), "name ilike 'b%'"],
    [
      'in with commas and parentheses in values',
      (q) => q.in('name', ['apple', 'cherry, red', 'dates (dried)']),
      "name in ('apple', 'cherry, red', 'dates (dried)')",
    ],
    ['in on ints', (q) => q.in('id', [2, 4, 6]), 'id in (2, 4, 6)'],
    ['in empty', (q) => q.in('id', []), 'false'],
    ['is null', (q) => q.is('qty', null), 'qty is null'],
    ['is true', (q) => q.is('done', true), 'done is true'],
    ['is false', (q) => q.is('done', false), 'done is false'],
    ['not is null', (q) => q.not('done', 'is', null), 'done is not null'],
    ['not in', (q) => q.not('id', 'in', '(1,2,3)'), 'not (id in (1, 2, 3))'],
    ['not like', (q) => q.not('name', 'like', '*a*'), "not (name like '%a%')"],
    ['cs on an array', (q) => q.contains('tags', ['red']), "tags @> '{red}'"],
    ['cs on jsonb', (q) => q.contains('meta', { k: 1 }), `meta @> '{"k": 1}'`],
    [
      'cd on an array',
      (q) => q.containedBy('tags', ['red', 'fruit', 'yellow']),
      "tags <@ '{red,fruit,yellow}'",
    ],
    ['ov on an array', (q) => q.overlaps('tags', ['green', 'yellow']), "tags && '{green,yellow}'"],
    ['match (regex)', (q) => q.filter('name', 'match', '^[a-c]'), "name ~ '^[a-c]'"],
    ['imatch (regex)', (q) => q.filter('name', 'imatch', '^[a-c]'), "name ~* '^[a-c]'"],
    ['isdistinct', (q) => q.filter('done', 'isdistinct', 'true'), 'done is distinct from true'],
    ['eq(any) quantifier', (q) => q.filter('qty', 'eq(any)', '{3,5,7}'), 'qty = any(array[3,5,7])'],
    [
      'full-text search',
      (q) => q.textSearch('name', 'apple | grape', { config: 'simple' }),
      "to_tsvector('simple', name) @@ to_tsquery('simple', 'apple | grape')",
    ],
    [
      'several filters are ANDed',
      (q) => q.gt('qty', 0).lt('qty', 10).is('done', true),
      'qty > 0 and qty < 10 and done is true',
    ],
    ['or', (q) => q.or('qty.gt.6,name.eq.Fig'), "qty > 6 or name = 'Fig'"],
    [
      'or nested with and',
      (q) => q.or('qty.gt.10,and(done.is.true,price.lt.2)'),
      '(qty > 10) or (done is true and price < 2)',
    ],
    [
      'deep nesting with quoted values',
      (q) => q.or('name.eq."cherry, red",and(qty.gte.3,or(name.eq."dates (dried)",tags.cs.{green}))'),
      `name = 'cherry, red' or (qty >= 3 and (name = 'dates (dried)' or tags @> '{green}'))`,
    ],
    // Keyset pages (rewritten to row comparisons) must match the OR form, NULLs included.
    [
      'keyset page over nullable columns',
      (q) => q.or('qty.gt.5,and(qty.eq.5,price.gt.1)'),
      'qty > 5 or (qty = 5 and price > 1)',
    ],
    [
      'keyset page, descending with lte',
      (q) => q.or('qty.lt.7,and(qty.eq.7,price.lte.5)'),
      'qty < 7 or (qty = 7 and price <= 5)',
    ],
    [
      'keyset page on timestamptz and id',
      (q) =>
        q.or('at.gt.2026-11-23T06:29:30.414123+00:00,and(at.eq.2026-11-23T06:29:30.414123+00:00,id.gt.1)'),
      "at > '2026-11-23 06:29:30.414123+00' or (at = '2026-11-23 06:29:30.414123+00' and id > 1)",
    ],
    [
      'negated and inside or',
      (q) => q.or('id.eq.7,not.and(qty.is.null,done.is.null)'),
      'id = 7 or not (qty is null and done is null)',
    ],
  ];

  test.each(cases)('%s', async (_name, build, where) => {
    const { data, error } = await build(db.from('items').select('id, name')).order('id');
    expect(error).toBeNull();
    const expected = await sqlRows(`select id, name from items where ${where} order by id`);
    expect(data).toEqual(expected);
  });

  test('not.or=(...) as a top-level parameter', async () => {
    const res = await get('items?select=id&not.or=(qty.is.null,qty.lt.4)&order=id');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(
      await sqlRows('select id from items where not (qty is null or qty < 4) order by id'),
    );
  });

  test('a filter on a column not in the select list', async () => {
    const { data } = await db.from('items').select('name').eq('sku', 'F6');
    expect(data).toEqual([{ name: 'Fig' }]);
  });
});

describe('order and paging', () => {
  test('several columns with directions and nulls placement', async () => {
    const { data } = await db
      .from('items')
      .select('id, qty, done')
      .order('done', { ascending: false, nullsFirst: false })
      .order('qty', { ascending: true, nullsFirst: true })
      .order('id', { ascending: false });
    expect(data).toEqual(
      await sqlRows(
        'select id, qty, done from items order by done desc nulls last, qty asc nulls first, id desc',
      ),
    );
  });

  test('limit, and range() as offset + limit', async () => {
    expect((await db.from('items').select('id').order('id').limit(3)).data).toEqual(
      await sqlRows('select id from items order by id limit 3'),
    );
    expect((await db.from('items').select('id').order('id').range(2, 4)).data).toEqual(
      await sqlRows('select id from items order by id limit 3 offset 2'),
    );
  });

  test('the Range header pages and Content-Range reports the page', async () => {
    const res = await get('items?select=id&order=id', { range: '1-3', 'range-unit': 'items' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-range')).toBe('1-3/*');
    expect(await res.json()).toEqual(await sqlRows('select id from items order by id limit 3 offset 1'));
  });

  test('a counted partial page is 206, past the end 416 PGRST103', async () => {
    const partial = await get('items?select=id&limit=2', { prefer: 'count=exact' });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe('0-1/7');
    const past = await get('items?select=id&offset=20', { prefer: 'count=exact' });
    expect(past.status).toBe(416);
    expect(await past.json()).toEqual({
      code: 'PGRST103',
      message: 'Requested range not satisfiable',
      details: 'An offset of 20 was requested, but there are only 7 rows.',
      hint: null,
    });
  });
});

describe('count', () => {
  test('count=exact with filters, paging and the Content-Range total', async () => {
    const { data, count, error } = await db
      .from('items')
      .select('id', { count: 'exact' })
      .not('qty', 'is', null)
      .order('id')
      .range(0, 1);
    expect(error).toBeNull();
    expect(count).toBe(await sqlCount('select 1 from items where qty is not null'));
    expect(data).toEqual(await sqlRows('select id from items where qty is not null order by id limit 2'));
  });

  test('head: true counts without a body; an empty result is */0', async () => {
    const head = await db.from('items').select('*', { count: 'exact', head: true }).eq('done', true);
    expect(head.count).toBe(await sqlCount('select 1 from items where done'));
    expect(head.data).toBeNull();
    const empty = await get('items?id=eq.999', { prefer: 'count=exact' });
    expect(empty.status).toBe(200);
    expect(empty.headers.get('content-range')).toBe('*/0');
    expect(await empty.json()).toEqual([]);
  });
});

describe('single and maybeSingle', () => {
  test('single: one object, or 406 PGRST116 for 0 or several rows', async () => {
    const one = await db.from('items').select('id, name').eq('id', 3).single();
    expect(one.data).toEqual((await sqlRows('select id, name from items where id = 3'))[0]);
    const none = await db.from('items').select().eq('id', 999).single();
    expect(none.status).toBe(406);
    expect(none.error).toMatchObject({ code: 'PGRST116', details: 'The result contains 0 rows' });
    const many = await db.from('items').select().gt('id', 1).single();
    expect(many.error).toMatchObject({ code: 'PGRST116', details: 'The result contains 6 rows' });
  });

  test('maybeSingle: null for no row, an error for several', async () => {
    const none = await db.from('items').select().eq('id', 999).maybeSingle();
    expect(none.error).toBeNull();
    expect(none.data).toBeNull();
    const one = await db.from('items').select('sku').eq('id', 4).maybeSingle();
    expect(one.data).toEqual({ sku: 'D4' });
    expect((await db.from('items').select().lt('id', 3).maybeSingle()).error?.code).toBe('PGRST116');
  });

  test('a mutation that breaks single() is rolled back', async () => {
    const res = await db.from('items').update({ note: 'many' }).gt('id', 0).select().single();
    expect(res.status).toBe(406);
    expect(await sqlCount("select 1 from items where note = 'many'")).toBe(0);
  });
});

describe('insert and upsert', () => {
  test('one row, return=minimal: 201 and no body', async () => {
    const { data, error, status } = await db.from('items').insert({ id: 100, name: 'kiwi', qty: 2 });
    expect(error).toBeNull();
    expect(status).toBe(201);
    expect(data).toBeNull();
    expect(await sqlRows('select name, qty, note from items where id = 100')).toEqual([
      { name: 'kiwi', qty: 2, note: 'fresh' },
    ]);
  });

  test('bulk with representation; keys missing in some rows become null', async () => {
    const { data, error, status } = await db
      .from('items')
      .insert([
        { id: 101, name: 'lime', tags: ['green'], meta: { deep: { x: [1, null] } }, price: 0.5 },
        { id: 102, name: 'mango', note: 'ripe' },
      ])
      .select();
    expect(error).toBeNull();
    expect(status).toBe(201);
    expect(data).toEqual(await sqlRows('select * from items where id in (101, 102) order by id'));
    expect(await sqlRows('select note from items where id in (101, 102) order by id')).toEqual([
      { note: null },
      { note: 'ripe' },
    ]);
  });

  test('defaultToNull: false sends missing=default, so missing keys take column defaults', async () => {
    const { error } = await db.from('items').insert(
      [
        { id: 103, name: 'nectarine' },
        { id: 104, name: 'olive', note: 'brined' },
      ],
      { defaultToNull: false },
    );
    expect(error).toBeNull();
    expect(await sqlRows('select id, note, at from items where id in (103, 104) order by id')).toEqual([
      { id: 103, note: 'fresh', at: '2026-01-02T03:04:05.123456+00:00' },
      { id: 104, note: 'brined', at: '2026-01-02T03:04:05.123456+00:00' },
    ]);
  });

  test('return=headers-only: 201, no body, Location of the new row', async () => {
    const key = backend.config.serviceRoleKey;
    const res = await fetch(`${backend.url}/rest/v1/items`, {
      method: 'POST',
      headers: {
        apikey: key,
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        prefer: 'return=headers-only',
      },
      body: JSON.stringify({ id: 109, name: 'raisin' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/items?id=eq.109');
    expect(await res.text()).toBe('');
  });

  test('a duplicate key is 409 with Postgres 23505 and its detail', async () => {
    const { error, status } = await db.from('items').insert({ id: 1, name: 'again' });
    expect(status).toBe(409);
    expect(error).toEqual({
      code: '23505',
      message: 'duplicate key value violates unique constraint "items_pkey"',
      details: 'Key (id)=(1) already exists.',
      hint: null,
    });
  });

  test('a not-null violation is 400 with 23502', async () => {
    const { error, status } = await db.from('items').insert({ id: 105, qty: 1 });
    expect(status).toBe(400);
    expect(error?.code).toBe('23502');
  });

  test('upsert merge-duplicates on the primary key updates only the sent columns', async () => {
    const { data, error } = await db
      .from('items')
      .upsert([
        { id: 5, name: 'elderberry' },
        { id: 106, name: 'papaya' },
      ])
      .select('id, name, qty, sku');
    expect(error).toBeNull();
    expect(data).toEqual(
      await sqlRows('select id, name, qty, sku from items where id in (5, 106) order by id'),
    );
    expect(data).toEqual([
      { id: 5, name: 'elderberry', qty: 0, sku: 'E5' },
      { id: 106, name: 'papaya', qty: null, sku: null },
    ]);
  });

  test('upsert with on_conflict on a unique column', async () => {
    const { error } = await db
      .from('items')
      .upsert({ id: 107, sku: 'F6', name: 'fig (new)' }, { onConflict: 'sku' });
    // As in PostgREST, every sent column is set on conflict, the id included.
    expect(error).toBeNull();
    expect(await sqlRows("select id, name from items where sku = 'F6'")).toEqual([
      { id: 107, name: 'fig (new)' },
    ]);
  });

  test('upsert ignore-duplicates leaves existing rows alone and returns only inserted ones', async () => {
    const { data, error } = await db
      .from('items')
      .upsert(
        [
          { id: 1, name: 'ignored' },
          { id: 108, name: 'quince' },
        ],
        { ignoreDuplicates: true },
      )
      .select('id, name');
    expect(error).toBeNull();
    expect(data).toEqual([{ id: 108, name: 'quince' }]);
    expect(await sqlRows('select name from items where id = 1')).toEqual([{ name: 'apple' }]);
  });
});

describe('update and delete', () => {
  test('update with filters returns exactly the affected rows', async () => {
    const { data, error, status } = await db
      .from('items')
      .update({ note: 'cheap', done: true })
      .lt('price', 1)
      .select('id, note, done');
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(data).toEqual(await sqlRows("select id, note, done from items where note = 'cheap' order by id"));
    expect(data?.length).toBe(await sqlCount('select 1 from items where price < 1'));
  });

  test('update without representation is 204; count reports affected rows', async () => {
    const res = await db.from('items').update({ qty: 1 }, { count: 'exact' }).eq('id', 100);
    expect(res.status).toBe(204);
    expect(res.count).toBe(1);
  });

  test('delete with filters, returning the deleted rows', async () => {
    const before = await sqlRows('select * from items where id between 103 and 104 order by id');
    const { data, error } = await db.from('items').delete().gte('id', 103).lte('id', 104).select();
    expect(error).toBeNull();
    expect(data).toEqual(before);
    expect(await sqlCount('select 1 from items where id between 103 and 104')).toBe(0);
  });
});

describe('rpc', () => {
  test('a scalar function, with a default argument', async () => {
    expect((await db.rpc('add_numbers', { a: 2, b: 3 })).data).toBe(5);
    expect((await db.rpc('add_numbers', { a: 2 })).data).toBe(12);
  });

  test('GET rpc with array arguments in Postgres array syntax', async () => {
    await backend.db.exec(
      `create function sum_all(xs int[]) returns int language sql stable as 'select sum(x)::int from unnest(xs) x'`,
    );
    expect((await db.rpc('sum_all', { xs: [1, 2, 3] }, { get: true })).data).toBe(6);
    expect((await db.rpc('sum_all', { xs: [4, 5] })).data).toBe(9);
  });

  test('GET rpc with query arguments', async () => {
    const { data, error } = await db.rpc('add_numbers', { a: 4, b: 4 }, { get: true });
    expect(error).toBeNull();
    expect(data).toBe(8);
  });

  test('setof rows, with select, filters, order and limit applied to the result', async () => {
    const { data, error } = await db
      .rpc('items_named', { pattern: '%e%' })
      .select('id, name')
      .gt('id', 1)
      .order('id', { ascending: false })
      .limit(3);
    expect(error).toBeNull();
    expect(data).toEqual(
      await sqlRows("select id, name from items where name ilike '%e%' and id > 1 order by id desc limit 3"),
    );
  });

  test('setof scalars, a single row, a table function, a void function', async () => {
    expect((await db.rpc('item_names')).data).toEqual(
      (await sqlRows('select name from items order by id')).map((r) => (r as { name: string }).name),
    );
    expect((await db.rpc('first_item')).data).toEqual(
      (await sqlRows('select * from items order by id limit 1'))[0],
    );
    expect((await db.rpc('totals', { min_qty: 5 })).data).toEqual(
      await sqlRows('select name as label, qty as total from items where qty >= 5'),
    );
    const v = await db.rpc('touch', { target: 2 });
    expect([v.status, v.error, v.data]).toEqual([204, null, null]);
    expect(await sqlRows('select note from items where id = 2')).toEqual([{ note: 'touched' }]);
  });

  test('count=exact on a set-returning function', async () => {
    const { count } = await db.rpc('items_named', { pattern: '%a%' }, { count: 'exact' }).limit(1);
    expect(count).toBe(await sqlCount("select 1 from items where name ilike '%a%'"));
  });

  test('unknown function or arguments: 404 PGRST202', async () => {
    const { error, status } = await db.rpc('add_numbers', { x: 1 });
    expect(status).toBe(404);
    expect(error).toMatchObject({
      code: 'PGRST202',
      message: 'Could not find the function public.add_numbers(x) in the schema cache',
    });
  });

  test('a volatile function called with GET runs read-only and cannot write (405)', async () => {
    const { status, error } = await db.rpc('touch', { target: 3 }, { get: true });
    expect(status).toBe(405);
    expect(error?.code).toBe('25006');
  });
});

describe('RLS and roles', () => {
  let alice: MintedUser;
  let bob: MintedUser;

  beforeAll(async () => {
    alice = await backend.mintUser();
    bob = await backend.mintUser();
    await backend.db.exec(`
      create table notes (
        id int primary key,
        owner uuid not null default auth.uid(),
        body text
      );
      alter table notes enable row level security;
      create policy own_rows on notes for all to authenticated
        using (owner = auth.uid()) with check (owner = auth.uid());
      revoke all on notes from anon;
    `);
    await backend.db.query(
      `insert into notes (id, owner, body) values (1, $1, 'a1'), (2, $1, 'a2'), (3, $2, 'b1')`,
      [alice.id, bob.id],
    );
  });

  test('a user reads only the rows the policy allows', async () => {
    const { data } = await alice.client.from('notes').select('id, body').order('id');
    expect(data).toEqual(
      await sqlRows('select id, body from notes where owner = $1 order by id', [alice.id]),
    );
    const { count } = await bob.client.from('notes').select('*', { count: 'exact', head: true });
    expect(count).toBe(1);
  });

  test("a user cannot update or delete another user's rows", async () => {
    const upd = await alice.client.from('notes').update({ body: 'hijacked' }).eq('id', 3).select();
    expect(upd.error).toBeNull();
    expect(upd.data).toEqual([]);
    const del = await alice.client.from('notes').delete().eq('id', 3).select();
    expect(del.data).toEqual([]);
    expect(await sqlRows('select body from notes where id = 3')).toEqual([{ body: 'b1' }]);
  });

  test('inserting a row owned by someone else is refused with 42501 (403)', async () => {
    const { error, status } = await alice.client.from('notes').insert({ id: 10, owner: bob.id, body: 'x' });
    expect(status).toBe(403);
    expect(error?.code).toBe('42501');
    expect(await sqlCount('select 1 from notes where id = 10')).toBe(0);
    const own = await alice.client.from('notes').insert({ id: 11, body: 'mine' }).select('owner');
    expect(own.data).toEqual([{ owner: alice.id }]);
  });

  test("an unfiltered delete is allowed, and RLS limits it to the caller's rows", async () => {
    const carol = await backend.mintUser();
    await backend.db.query(`insert into notes (id, owner, body) values (20, $1, 'c1'), (21, $1, 'c2')`, [
      carol.id,
    ]);
    const others = await sqlRows('select * from notes where owner <> $1 order by id', [carol.id]);
    const { data, error } = await carol.client.from('notes').delete().select('id');
    expect(error).toBeNull();
    expect(data).toEqual([{ id: 20 }, { id: 21 }]);
    expect(await sqlRows('select * from notes order by id')).toEqual(others);
  });

  test('anon without a grant gets 401 with 42501', async () => {
    const { error, status } = await backend.anon().from('notes').select();
    expect(status).toBe(401);
    expect(error?.code).toBe('42501');
  });

  test('an expired token is 401 PGRST301 "JWT expired"', async () => {
    const expired = await backend.mintUser({ expiresIn: -60 });
    const { error, status } = await expired.client.from('items').select();
    expect(status).toBe(401);
    expect(error).toEqual({ code: 'PGRST301', message: 'JWT expired', details: null, hint: null });
  });

  test('no apikey is 401', async () => {
    const res = await fetch(`${backend.url}/rest/v1/items`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: 'No API key found in request' });
  });
});

describe('RxDB replicateSupabase request shapes', () => {
  const ids = [
    '00000000-0000-4000-8000-000000000001',
    '00000000-0000-4000-8000-000000000002',
    '00000000-0000-4000-8000-000000000003',
    '00000000-0000-4000-8000-000000000004',
  ];

  beforeAll(async () => {
    await backend.db.exec(`
      create table docs (
        id uuid primary key,
        name text,
        note text,
        _modified timestamptz not null,
        _deleted boolean not null default false
      );
    `);
    await backend.db.query(
      `insert into docs (id, name, note, _modified) values
        ($1, 'one', null, '2026-11-23 06:29:30.414123+00'),
        ($2, 'two', 'n', '2026-11-23 06:29:30.414123+00'),
        ($3, 'three', null, '2026-11-23 06:29:30.414124+00'),
        ($4, 'four', null, '2026-11-23 06:29:30.41412+00')`,
      ids,
    );
  });

  /** The pull query exactly as rxdb/plugins/replication-supabase builds it. */
  function pull(checkpoint: { modified: string; id: string } | undefined, batchSize: number) {
    let query = db.from('docs').select('*');
    if (checkpoint) {
      const { modified, id } = checkpoint;
      query = query.or(`"_modified".gt.${modified},and("_modified".eq.${modified},"id".gt.${id})`);
    }
    return query.order('_modified', { ascending: true }).order('id', { ascending: true }).limit(batchSize);
  }

  test('paging with the (_modified, id) checkpoint visits every row once, in order', async () => {
    const seen: unknown[] = [];
    let checkpoint: { modified: string; id: string } | undefined;
    for (;;) {
      const { data, error } = await pull(checkpoint, 2);
      expect(error).toBeNull();
      if (!data || data.length === 0) break;
      seen.push(...data);
      const last = data[data.length - 1] as { id: string; _modified: string };
      checkpoint = { id: last.id, modified: last._modified };
    }
    expect(seen).toEqual(await sqlRows('select * from docs order by _modified, id'));
  });

  test('the checkpoint carries microseconds and +00:00, and filters exactly', async () => {
    const cp = { modified: '2026-11-23T06:29:30.414123+00:00', id: ids[0] as string };
    const { data } = await pull(cp, 10);
    expect(data).toEqual(
      await sqlRows(
        'select * from docs where (_modified, id) > ($1::timestamptz, $2::uuid) order by _modified, id limit 10',
        [cp.modified, cp.id],
      ),
    );
    expect(data?.map((d) => d.name)).toEqual(['two', 'three']);
  });

  test('the conflict-checked push update: applies on match, returns [] on mismatch', async () => {
    const assumed = { id: ids[0] as string, name: 'one', note: undefined, _deleted: false };
    const update = (doc: typeof assumed, newName: string) => {
      let q = db.from('docs').update({ id: doc.id, name: newName, _deleted: false });
      // addDocEqualityToQuery: strings/numbers eq, booleans/null/undefined is, then _deleted eq.
      q = q.eq('id', doc.id).eq('name', doc.name).is('note', null).eq('_deleted', doc._deleted);
      return q.select();
    };
    const ok = await update(assumed, 'uno');
    expect(ok.error).toBeNull();
    expect(ok.data).toEqual(await sqlRows('select * from docs where id = $1', [ids[0]]));
    const stale = await update(assumed, 'eins');
    expect(stale.error).toBeNull();
    expect(stale.data).toEqual([]);
    expect(await sqlRows('select name from docs where id = $1', [ids[0]])).toEqual([{ name: 'uno' }]);
  });

  test('a push insert of an existing id is 23505, which RxDB reads as a conflict', async () => {
    const { error } = await db
      .from('docs')
      .insert({ id: ids[1], name: 'dup', _deleted: false, _modified: '2026-11-23T06:29:30.414123+00:00' });
    expect(error?.code).toBe('23505');
  });
});
