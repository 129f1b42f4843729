// Push throughput of contacts (issue 5: a 100,000-row import must reach the server):
// - push_rows alone, new contacts sent through supabase-js in requests of 100 and of 1000 rows;
// - the app in Debian's Chromium: contacts imported while offline, then the network back; time
//   until the server holds all of them and until the header says all changes synced.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Backend, startBackend } from '../backend/harness.ts';
import { signIn, waitForPending } from '../e2e/app-steps.ts';
import {
  chooseFile,
  longestTask,
  pageNow,
  withAppContext,
  writeContactsCsv,
} from './contact-import-steps.ts';
import type { BenchResult } from './result.ts';

const RPC_ROWS = 10_000;
const APP_ROWS = 20_000;

async function workspaceContacts(backend: Backend, workspaceId: string): Promise<number> {
  const [row] = await backend.db.query<{ n: number }>(
    'select count(*)::int as n from public.contacts where workspace_id = $1',
    [workspaceId],
  );
  return row?.n ?? 0;
}

/** push_rows alone: rows per second for new contacts in requests of `batch` rows. */
async function rpcRate(backend: Backend, batch: number, phonePrefix: string): Promise<number> {
  const user = await backend.mintUser();
  const [member] = await backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [user.id],
  );
  const ws = member!.workspace_id;
  const started = performance.now();
  for (let done = 0; done < RPC_ROWS; done += batch) {
    const rows = Array.from({ length: batch }, (_, i) => {
      const n = String(done + i).padStart(6, '0');
      return {
        doc: {
          id: crypto.randomUUID(),
          workspace_id: ws,
          phone: `+1${phonePrefix}${n}`,
          name: `Contact ${n}`,
          email: `c${n}@example.test`,
          tags: ['bench'],
          group_ids: [],
          custom_fields: { company: `Org ${i % 50}, Ltd`, city: `City ${i % 7}` },
          notes: '',
          opted_out: false,
          updated_at: new Date().toISOString(),
          _deleted: false,
        },
        assumed: null,
      };
    });
    const { error } = await user.client.rpc('push_rows', { p_table: 'contacts', p_rows: rows });
    if (error) throw new Error(`push_rows: ${error.message}`);
  }
  const ms = performance.now() - started;
  if ((await workspaceContacts(backend, ws)) !== RPC_ROWS) throw new Error('push_rows lost rows');
  return Math.round(RPC_ROWS / (ms / 1000));
}

async function appPush(backend: Backend, csvPath: string): Promise<Record<string, number>> {
  return withAppContext(backend, async (context, appUrl) => {
    const user = await backend.user();
    const page = await signIn(context, appUrl, user);
    const [member] = await backend.db.query<{ workspace_id: string }>(
      'select workspace_id from public.workspace_members where user_id = $1',
      [user.id],
    );
    await chooseFile(page, appUrl, csvPath);
    await context.setOffline(true);
    await page.getByRole('button', { name: 'Import contacts' }).click();
    await page.getByRole('heading', { name: 'Import finished' }).waitFor();
    await page.getByRole('link', { name: 'Go to contacts' }).click();
    await page.getByText(`${APP_ROWS.toLocaleString('en')} contacts`).waitFor();

    const from = await pageNow(page);
    const started = performance.now();
    await context.setOffline(false);
    while ((await workspaceContacts(backend, member!.workspace_id)) < APP_ROWS) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const serverMs = performance.now() - started;
    await waitForPending(page, 0, 900_000);
    const syncedMs = performance.now() - started;
    const tasks = await longestTask(page, from, await pageNow(page));
    return {
      app_rows: APP_ROWS,
      app_push_server_complete_ms: Math.round(serverMs),
      app_push_rows_per_s: Math.round(APP_ROWS / (serverMs / 1000)),
      app_push_all_synced_shown_ms: Math.round(syncedMs),
      app_push_longest_main_thread_task_ms: Math.round(tasks.longest),
    };
  });
}

export async function contactsPush(): Promise<BenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'pigeon-bench-push-'));
  const backend = await startBackend();
  try {
    const rpc100 = await rpcRate(backend, 100, '555');
    const rpc1000 = await rpcRate(backend, 1000, '556');
    const csv = await writeContactsCsv(dir, APP_ROWS);
    const app = await appPush(backend, csv.path);
    return {
      name: 'contacts-push',
      description: `push_rows alone (PGlite, ${RPC_ROWS} new contacts in requests of 100 and 1000), and ${APP_ROWS} contacts imported offline in Chromium then pushed by the app once back online`,
      figures: {
        rpc_rows: RPC_ROWS,
        pglite_push_rows_batch_100_rows_per_s: rpc100,
        pglite_push_rows_batch_1000_rows_per_s: rpc1000,
        ...app,
      },
    };
  } finally {
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  }
}
