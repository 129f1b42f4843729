// Pull throughput: a 50,000-row contacts table paged exactly the way RxDB's
// replicateSupabase pages it (supabase-js → /rest/v1 with the (_modified, id) checkpoint
// filter, RLS on), against the same pages read directly with SQL in the same run.
import { performance } from 'node:perf_hooks';
import type { SupabaseClient } from '@supabase/supabase-js';
import { type Backend, startBackend, type TestDb } from '../backend/harness.ts';
import type { BenchResult } from './result.ts';

const ROWS = 50_000;
const PAGE = 1_000;

interface Checkpoint {
  modified: string;
  id: string;
}

async function seedContacts(backend: Backend, workspaceId: string): Promise<void> {
  await backend.db.query(
    `insert into public.contacts (workspace_id, phone, name, email, tags, custom_fields)
     select $1, '+1555' || lpad(i::text, 7, '0'), 'Contact ' || i,
            'c' || i || '@example.test', array['bench', 'tag' || (i % 10)], jsonb_build_object('n', i)
     from generate_series(1, $2::int) as i`,
    [workspaceId, ROWS],
  );
}

async function pullViaRest(client: SupabaseClient) {
  let checkpoint: Checkpoint | undefined;
  let rows = 0;
  const started = performance.now();
  for (;;) {
    let query = client.from('contacts').select('*');
    if (checkpoint) {
      const { modified, id } = checkpoint;
      query = query.or(`"_modified".gt.${modified},and("_modified".eq.${modified},"id".gt.${id})`);
    }
    const { data, error } = await query.order('_modified').order('id').limit(PAGE);
    if (error) throw new Error(`pull failed: ${error.message}`);
    if (data.length === 0) break;
    rows += data.length;
    const last = data[data.length - 1] as { _modified: string; id: string };
    checkpoint = { modified: last._modified, id: last.id };
  }
  return { rows, ms: performance.now() - started };
}

/** The app's own pull (src/sync): the pull_rows RPC, with its commit horizon. */
async function pullViaRpc(client: SupabaseClient, workspaceId: string) {
  let checkpoint: Checkpoint | undefined;
  let rows = 0;
  const started = performance.now();
  for (;;) {
    const { data, error } = await client.rpc('pull_rows', {
      p_table: 'contacts',
      p_workspace_id: workspaceId,
      p_after_modified: checkpoint?.modified ?? null,
      p_after_id: checkpoint?.id ?? null,
      p_limit: PAGE,
    });
    if (error) throw new Error(`pull_rows failed: ${error.message}`);
    const page = (data as { rows: { _modified: string; id: string }[] }).rows;
    if (page.length === 0) break;
    rows += page.length;
    const last = page[page.length - 1]!;
    checkpoint = { modified: last._modified, id: last.id };
  }
  return { rows, ms: performance.now() - started };
}

async function pullViaSql(backend: Backend) {
  let checkpoint: Checkpoint | undefined;
  let rows = 0;
  const started = performance.now();
  // The same pages, rendered to JSON by Postgres and parsed here, as the rest path does,
  // minus HTTP, auth and RLS.
  for (;;) {
    const [result] = await backend.db.query<{ page: string }>(
      `select coalesce(json_agg(t), '[]')::text as page from (
         select * from public.contacts
         where $1::timestamptz is null or (_modified, id) > ($1::timestamptz, $2::uuid)
         order by _modified, id limit $3) t`,
      [checkpoint?.modified ?? null, checkpoint?.id ?? null, PAGE],
    );
    const page = JSON.parse(result!.page) as { _modified: string; id: string }[];
    if (page.length === 0) break;
    rows += page.length;
    const last = page[page.length - 1]!;
    checkpoint = { modified: last._modified, id: last.id };
  }
  return { rows, ms: performance.now() - started };
}

async function measure(db: TestDb): Promise<Record<string, number>> {
  const backend = await startBackend({ db });
  try {
    const user = await backend.mintUser();
    const [ws] = await backend.db.query<{ workspace_id: string }>(
      'select workspace_id from public.workspace_members where user_id = $1',
      [user.id],
    );
    await seedContacts(backend, ws!.workspace_id);
    await backend.db.exec('analyze public.contacts');
    const rest = await pullViaRest(user.client);
    const rpc = await pullViaRpc(user.client, ws!.workspace_id);
    const sql = await pullViaSql(backend);
    if (rest.rows !== ROWS || rpc.rows !== ROWS || sql.rows !== ROWS) {
      throw new Error(
        `pulled ${rest.rows} via rest, ${rpc.rows} via pull_rows, ${sql.rows} via SQL; expected ${ROWS}`,
      );
    }
    const rpcRate = ROWS / (rpc.ms / 1000);
    const restRate = ROWS / (rest.ms / 1000);
    const sqlRate = ROWS / (sql.ms / 1000);
    return {
      [`${db}_rest_ms`]: Math.round(rest.ms),
      [`${db}_rest_rows_per_s`]: Math.round(restRate),
      [`${db}_sql_ms`]: Math.round(sql.ms),
      [`${db}_sql_rows_per_s`]: Math.round(sqlRate),
      [`${db}_rest_to_sql_ratio`]: Number((restRate / sqlRate).toFixed(3)),
      [`${db}_pull_rows_rpc_ms`]: Math.round(rpc.ms),
      [`${db}_pull_rows_rpc_rows_per_s`]: Math.round(rpcRate),
      [`${db}_pull_rows_to_sql_ratio`]: Number((rpcRate / sqlRate).toFixed(3)),
    };
  } finally {
    await backend.close();
  }
}

export async function pullThroughput(): Promise<BenchResult> {
  const dbs: TestDb[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
  let figures: Record<string, number> = { rows: ROWS, page_size: PAGE };
  for (const db of dbs) figures = { ...figures, ...(await measure(db)) };
  return {
    name: 'pull-throughput',
    description: `${ROWS} contacts pulled in pages of ${PAGE} as replicateSupabase pages them (rest, RLS on) and through the app's pull_rows RPC, vs the same pages read with SQL directly`,
    figures,
  };
}
