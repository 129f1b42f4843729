// Hostile input to /rest/v1: each request gets a clear 4xx naming the problem, and nothing
// else runs. A statement-level trigger advances a sequence (which no rollback undoes), so
// "no statement touched the table" is observed, not assumed.
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signJwt } from '../../supabase/local/jwt.ts';
import { tamperSignature } from '../support/tamper.ts';
import { type Backend, clientFor, startBackend } from './harness.ts';

const BODY_LIMIT = 64 * 1024;
let backend: Backend;
let db: SupabaseClient;

const HOSTILE = [
  "'; drop table canary; --",
  ') or 1=1 --',
  'a,b(c)d.e',
  `quote"in'side`,
  'back\\slash\\\\',
  '"quoted"',
  '*%_',
  'żółw 🐢',
  '{x,y}',
  'x")) or true --',
];

interface State {
  [key: string]: unknown;
  probe: string;
  victims: string;
  canary: number;
  tables: number;
}

async function state(): Promise<State> {
  const [row] = await backend.db.query<State>(`
    select (select last_value::text || is_called::text from hostile_probe) as probe,
      (select coalesce(md5(string_agg(v::text, ',' order by id)), '') from victims v) as victims,
      (select count(*)::int from canary) as canary,
      (select count(*)::int from pg_class where relname in ('victims', 'canary') and relkind = 'r') as tables`);
  return row as State;
}

/** Runs a request and asserts that no statement touched the tables and nothing changed. */
async function untouched<T>(fn: () => Promise<T>): Promise<T> {
  const before = await state();
  const result = await fn();
  expect(await state()).toEqual(before);
  return result;
}

function call(
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: BodyInit; key?: string; token?: string } = {},
): Promise<Response> {
  const key = init.key ?? backend.config.serviceRoleKey;
  return fetch(`${backend.url}/rest/v1/${path}`, {
    method,
    headers: {
      apikey: key,
      authorization: `Bearer ${init.token ?? key}`,
      'content-type': 'application/json',
      ...init.headers,
    },
    body: init.body,
  });
}

/** The error body in PostgREST's shape, and nothing else (no stack, no internals). */
async function errorOf(res: Response): Promise<{ code: string; message: string; details: string | null }> {
  const body = (await res.json()) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['code', 'details', 'hint', 'message']);
  expect(JSON.stringify(body)).not.toMatch(/\bat .+\.ts:\d+|node_modules/);
  return body as { code: string; message: string; details: string | null };
}

beforeAll(async () => {
  backend = await startBackend({ maxBodyBytes: BODY_LIMIT });
  db = backend.service();
  await backend.db.exec(`
    create table victims (id int primary key, name text not null, n int);
    create table canary (id int primary key);
    insert into canary select generate_series(1, 3);
    create sequence hostile_probe;
    create function probe_write() returns trigger language plpgsql as
      $$ begin perform nextval('public.hostile_probe'); return null; end $$;
    create trigger victims_probe before insert or update or delete on victims
      for each statement execute function probe_write();
    create function echo(v text) returns text language sql as 'select v';
  `);
  const rows = HOSTILE.map((name, i) => ({ id: i + 1, name, n: i }));
  const { error } = await db.from('victims').insert(rows);
  expect(error).toBeNull();
});
afterAll(() => backend?.close());

describe('hostile filter values are data', () => {
  test.each(HOSTILE.map((s, i) => [s, i + 1] as const))(
    'eq %j matches exactly its own row',
    async (s, id) => {
      const { data, error } = await untouched(
        async () => await db.from('victims').select('id').eq('name', s),
      );
      expect(error).toBeNull();
      expect(data).toEqual([{ id }]);
    },
  );

  test.each(HOSTILE.map((s, i) => [s, i + 1] as const))('quoted inside or=(...): %j', async (s, id) => {
    const quoted = `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
    const { data, error } = await untouched(
      async () =>
        await db.from('victims').select('id').or(`name.eq.${quoted},and(id.eq.0,name.in.(${quoted}))`),
    );
    expect(error).toBeNull();
    expect(data).toEqual([{ id }]);
  });

  test('in.(...) with commas, parentheses and SQL in the values', async () => {
    const wanted = [HOSTILE[0], HOSTILE[1], HOSTILE[2]] as string[];
    const { data, error } = await untouched(
      async () => await db.from('victims').select('id').in('name', wanted).order('id'),
    );
    expect(error).toBeNull();
    expect(data).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  test('like patterns with quotes stay patterns', async () => {
    const { data } = await untouched(
      async () => await db.from('victims').select('id').like('name', "*'; drop*"),
    );
    expect(data).toEqual([{ id: 1 }]);
  });

  test('SQL in a typed filter is Postgres 22P02, naming the value', async () => {
    const res = await untouched(() => call('GET', 'victims?id=eq.1;%20drop%20table%20canary'));
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.code).toBe('22P02');
    expect(err.message).toBe('invalid input syntax for type integer: "1; drop table canary"');
  });

  test('a NUL byte in a value is refused by Postgres, not truncated', async () => {
    const res = await untouched(() => call('GET', 'victims?name=eq.a%00b'));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toMatch(/^22/);
  });

  test('rpc arguments are bound values too', async () => {
    const { data, error } = await untouched(async () => await db.rpc('echo', { v: HOSTILE[0] }));
    expect(error).toBeNull();
    expect(data).toBe(HOSTILE[0]);
  });
});

describe('hostile identifiers are checked against the catalog', () => {
  test('unknown or injected table names: 404 PGRST205 naming the table', async () => {
    for (const name of ['canary; drop table victims', 'victims"--', 'pg_authid', 'auth.users']) {
      const res = await untouched(() => call('GET', encodeURIComponent(name)));
      expect(res.status, name).toBe(404);
      const err = await errorOf(res);
      expect(err.code).toBe('PGRST205');
      expect(err.message).toBe(`Could not find the table 'public.${name}' in the schema cache`);
    }
  });

  test('unknown or injected column names: 400 42703 naming the column', async () => {
    const cases = [
      'victims?select=id,"name;%20drop%20table%20canary"',
      'victims?%22id%5C%22%20%3D%201%20or%201%3D1%20--%22=eq.1',
      'victims?order=%22id%20desc;%20drop%20table%20canary%22',
      'victims?or=(nope.eq.1,id.eq.2)',
    ];
    for (const path of cases) {
      const res = await untouched(() => call('GET', path));
      expect(res.status, path).toBe(400);
      const err = await errorOf(res);
      expect(err.code, path).toBe('42703');
      expect(err.message).toMatch(/^column victims\..+ does not exist$/);
    }
  });

  test('unquoted SQL in select or order does not even parse: PGRST100', async () => {
    for (const path of [
      'victims?select=id,(select%201)',
      'victims?order=id;drop%20table%20canary',
      'victims?select=id::text',
    ]) {
      const res = await untouched(() => call('GET', path));
      expect(res.status, path).toBe(400);
      expect((await errorOf(res)).code, path).toBe('PGRST100');
    }
  });

  test('unknown payload keys: 400 PGRST204, nothing inserted', async () => {
    const res = await untouched(() =>
      call('POST', 'victims', {
        body: JSON.stringify({ id: 50, 'name" text); drop table canary; --': 'x' }),
      }),
    );
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.code).toBe('PGRST204');
    expect(err.message).toBe(
      `Could not find the 'name" text); drop table canary; --' column of 'victims' in the schema cache`,
    );
  });

  test('on_conflict: SQL does not parse (PGRST100); a quoted injected name is unknown (42703)', async () => {
    const upsert = (onConflict: string) =>
      call('POST', `victims?on_conflict=${encodeURIComponent(onConflict)}`, {
        headers: { prefer: 'resolution=merge-duplicates' },
        body: JSON.stringify({ id: 1, name: 'x' }),
      });
    const raw = await untouched(() => upsert('id);drop table canary;--'));
    expect([raw.status, (await errorOf(raw)).code]).toEqual([400, 'PGRST100']);
    const quoted = await untouched(() => upsert('"id);drop table canary;--"'));
    expect(quoted.status).toBe(400);
    expect(await errorOf(quoted)).toMatchObject({
      code: '42703',
      message: 'column victims.id);drop table canary;-- does not exist',
    });
  });

  test('functions outside public, unknown functions and unknown arguments: 404 PGRST202', async () => {
    for (const [fn, args] of [
      ['pg_sleep', { seconds: 1 }],
      ['"; drop table canary; --', {}],
      ['echo', { 'v := null); drop table canary; --': 1 }],
    ] as const) {
      const { error, status } = await untouched(async () => await db.rpc(fn, args));
      expect(status, fn).toBe(404);
      expect(error?.code).toBe('PGRST202');
      expect(error?.message).toContain(`public.${fn}`);
    }
  });

  test('other schemas cannot be selected through profiles: 406 PGRST106', async () => {
    const res = await untouched(() => call('GET', 'users', { headers: { 'accept-profile': 'auth' } }));
    expect(res.status).toBe(406);
    expect((await errorOf(res)).message).toBe('Invalid schema: auth');
  });
});

describe('malformed requests', () => {
  test.each([
    ['victims?id=gtx.1', 'unknown single value operator gtx'],
    ['victims?id=1', 'failed to parse filter (1)'],
    ['victims?id=in.(1,2', 'failed to parse filter (in.(1,2)'],
    ['victims?id=is.maybe', 'null or trilean value'],
    ['victims?or=(id.eq.1,name.eq.x', 'failed to parse logic tree (or(id.eq.1,name.eq.x)'],
    ['victims?or=(id.eq.1))', 'failed to parse logic tree'],
    ['victims?and=(id.eq.1,not.xor(id.eq.2))', 'expecting logic operator (and, or)'],
    ['victims?order=id.sideways', 'failed to parse order (id.sideways)'],
    ['victims?limit=ten', 'failed to parse limit (ten)'],
  ])('%s → 400 PGRST100 naming the problem', async (path, mentions) => {
    const res = await untouched(() => call('GET', path));
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.code).toBe('PGRST100');
    expect(`${err.message} ${err.details}`).toContain(mentions);
  });

  test('a PATCH or DELETE with a bad filter changes nothing', async () => {
    for (const method of ['PATCH', 'DELETE']) {
      const res = await untouched(() =>
        call(method, 'victims?id=gt.0&name=bogus.x', { body: JSON.stringify({ name: 'owned' }) }),
      );
      expect(res.status, method).toBe(400);
      expect((await errorOf(res)).details).toBe('unknown single value operator bogus');
    }
  });

  test('absurdly deep logic trees are refused before reaching Postgres', async () => {
    const deep = `${'or('.repeat(200)}id.eq.1${')'.repeat(200)}`;
    const res = await untouched(() => call('GET', `victims?or=(${deep})`));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details).toContain('nest at most');
  });

  test('unsupported methods and paths', async () => {
    const put = await untouched(() => call('PUT', 'victims', { body: '{}' }));
    expect([put.status, (await errorOf(put)).code]).toEqual([405, 'PGRST117']);
    const patchRpc = await untouched(() => call('PATCH', 'rpc/echo', { body: '{}' }));
    expect([patchRpc.status, (await errorOf(patchRpc)).code]).toEqual([405, 'PGRST101']);
    const deep = await untouched(() => call('GET', 'victims/1'));
    expect([deep.status, (await errorOf(deep)).code]).toEqual([404, 'PGRST125']);
  });
});

describe('hostile bodies', () => {
  test.each([
    ['{"id": 60, "name": }', 'Empty or invalid json'],
    ['{"id": 60', 'Empty or invalid json'],
    ['', 'Empty or invalid json'],
    ['5', 'Expected a JSON object or an array of JSON objects'],
    ['"victims"', 'Expected a JSON object or an array of JSON objects'],
    ['null', 'Expected a JSON object or an array of JSON objects'],
    ['[1, 2]', 'Expected a JSON object or an array of JSON objects'],
    ['[{"id": 60, "name": "a"}, {"id": 61}]', 'All object keys must match'],
  ])('insert %j → 400 PGRST102', async (body, message) => {
    const res = await untouched(() => call('POST', 'victims', { body }));
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.code).toBe('PGRST102');
    expect(err.message).toBe(message);
  });

  test('invalid UTF-8 is PGRST102', async () => {
    const res = await untouched(() =>
      call('POST', 'victims', { body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }),
    );
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details).toBe('The body is not valid UTF-8');
  });

  test('an update body must be one object', async () => {
    const res = await untouched(() => call('PATCH', 'victims?id=eq.1', { body: '[{"name": "x"}]' }));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toBe('Expected a JSON object as the update payload');
  });

  test('an oversized body is 413 when declared, and when streamed without a length', async () => {
    const big = JSON.stringify({ id: 70, name: 'x'.repeat(BODY_LIMIT) });
    const declared = await untouched(() => call('POST', 'victims', { body: big }));
    expect(declared.status).toBe(413);
    expect((await errorOf(declared)).message).toBe(
      `Request body is larger than the limit of ${BODY_LIMIT} bytes`,
    );

    const chunk = new TextEncoder().encode(`[${'{"id":1,"name":"y"},'.repeat(500)}`);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(chunk);
      },
    });
    const streamed = await untouched(() =>
      fetch(`${backend.url}/rest/v1/victims`, {
        method: 'POST',
        headers: {
          apikey: backend.config.serviceRoleKey,
          authorization: `Bearer ${backend.config.serviceRoleKey}`,
          'content-type': 'application/json',
        },
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect((await errorOf(streamed)).code).toBe('54000');
  });

  test('a bulk insert with one bad row inserts none (one transaction)', async () => {
    const before = await state();
    const { error, status } = await db.from('victims').insert([
      { id: 80, name: 'ok' },
      { id: 81, name: null },
    ]);
    expect(status).toBe(400);
    expect(error?.code).toBe('23502');
    const after = await state();
    // The statement ran (the probe moved) and was rolled back whole.
    expect(after.probe).not.toBe(before.probe);
    expect(after.victims).toBe(before.victims);
  });
});

describe('hostile tokens', () => {
  test('a tampered signature is 401 PGRST301', async () => {
    const token = tamperSignature(backend.config.anonKey);
    const res = await untouched(() => call('GET', 'victims', { token }));
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe('PGRST301');
  });

  test('a validly signed token claiming a non-API role gets no role at all', async () => {
    const token = await signJwt(
      { role: 'postgres', exp: Math.floor(Date.now() / 1000) + 60 },
      backend.config.jwtSecret,
    );
    const client = clientFor(backend.url, backend.config.anonKey, token);
    const { status, error } = await untouched(async () => await client.from('victims').delete().gt('id', 0));
    expect(status).toBe(401);
    expect(error?.code).toBe('PGRST301');
  });
});
