// Browser benchmarks of issues 3 and 12, in Debian's Chromium with a profile on disk:
// - the first sign-in pulling 100,000 contacts (the initial sync) against Dexie's bulkPut of
//   as many, and its longest main-thread task;
// - cold open of the Contacts page with them stored (time to the first 50 rows shown, from
//   when the app's code has loaded);
// - inserting 100,000 contacts through RxDB versus Dexie's own bulkPut, in one page.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildApp, serveApp } from '../../supabase/local/serve-app.ts';
import { startBackend } from '../backend/harness.ts';
import { signIn } from '../e2e/app-steps.ts';
import { launchPersistentContext } from '../e2e/harness.ts';
import { longestTask, pageNow, watchLongTasks } from './contact-import-steps.ts';
import { dexieFloorMs, insertRace } from './dexie-floor.ts';
import { profilePage } from './page-profile.ts';
import type { BenchResult } from './result.ts';
import { profileSharedWorkers, SHARED_WORKER_PROFILE_ARGS } from './shared-worker-profile.ts';

// PIGEON_BENCH_ROWS: fewer for a quick look; the figures' goals are for 100,000.
const ROWS = Number(process.env.PIGEON_BENCH_ROWS ?? 100_000);

// The cold open counts as shown once this many rows are on screen (a tall window holds them).
const FIRST_ROWS = 50;

async function coldOpen(dir: string): Promise<Record<string, number>> {
  const backend = await startBackend();
  const app = await serveApp({
    dir,
    runtimeConfig: { supabaseUrl: backend.url, anonKey: backend.config.anonKey },
  });
  const profileDir = process.env.PIGEON_BENCH_PROFILE;
  // A profile on disk: incognito keeps IndexedDB in memory and flatters.
  const profile = await launchPersistentContext({
    viewport: { width: 1280, height: 3600 },
    ...(profileDir ? { args: SHARED_WORKER_PROFILE_ARGS } : {}),
  });
  try {
    const { context } = profile;
    context.setDefaultTimeout(900_000);
    await watchLongTasks(context);
    const user = await backend.user();
    await backend.db.query(
      `insert into public.contacts (workspace_id, phone, name, email, tags)
       select m.workspace_id, '+1555' || lpad(i::text, 7, '0'), 'Contact ' || lpad(i::text, 6, '0'),
              'c' || i || '@example.test', array['bench']
       from public.workspace_members m, generate_series(1, $2::int) i where m.user_id = $1`,
      [user.id, ROWS],
    );
    const syncWorkers = profileDir
      ? await profileSharedWorkers(profile.userDataDir, profileDir, 'initial-sync')
      : undefined;
    let t = performance.now();
    const first = await signIn(context, app.url, user);
    const profiler = profileDir ? await profilePage(first, profileDir, 'initial-sync') : undefined;
    const from = await pageNow(first);
    await first.getByText(`${ROWS.toLocaleString('en-US')} contacts`).waitFor({ timeout: 900_000 });
    const initialSyncMs = performance.now() - t;
    const syncTasks = await longestTask(first, from, await pageNow(first));
    if (profiler) console.log('contacts-browser: initial sync, main thread', await profiler.stop());
    if (syncWorkers) console.log('contacts-browser: initial sync, storage worker', await syncWorkers.stop());
    await first.close();

    const page = await context.newPage();
    // The storage worker stopped with its last page; the cold open starts a new one.
    const workers = profileDir
      ? await profileSharedWorkers(profile.userDataDir, profileDir, 'cold-open')
      : undefined;
    const pageProfiler = profileDir ? await profilePage(page, profileDir, 'cold-open') : undefined;
    t = performance.now();
    await page.goto(`${app.url}/contacts`);
    // In the page's clock: from when the app's code has loaded (src/main.tsx) to FIRST_ROWS rows.
    const firstRows = await page.waitForFunction(
      (n) => {
        const rows = [...document.querySelectorAll('[role="row"]')].filter((r) =>
          r.textContent?.includes('Contact 0'),
        );
        const [loaded] = performance.getEntriesByName('pigeon:code-loaded');
        return rows.length >= n && loaded ? performance.now() - loaded.startTime : false;
      },
      FIRST_ROWS,
      { polling: 'raf' },
    );
    const firstRowsMs = Number(await firstRows.jsonValue());
    const navigationToRowsMs = performance.now() - t;
    await page.getByText(`${ROWS.toLocaleString('en-US')} contacts`).waitFor();
    const fullCountMs = performance.now() - t;
    if (pageProfiler) console.log('contacts-browser: cold open, main thread', await pageProfiler.stop());
    if (workers) console.log('contacts-browser: cold open, storage worker', await workers.stop());
    const dexieMs = await dexieFloorMs(ROWS);
    return {
      contacts: ROWS,
      initial_sync_ms: Math.round(initialSyncMs),
      initial_sync_rows_per_s: Math.round(ROWS / (initialSyncMs / 1000)),
      dexie_bulkput_ms: Math.round(dexieMs),
      initial_sync_to_dexie_ratio: Number((initialSyncMs / dexieMs).toFixed(2)),
      initial_sync_longest_task_ms: Math.round(syncTasks.longest),
      initial_sync_long_tasks: syncTasks.count,
      cold_open_first_rows_ms: Math.round(firstRowsMs),
      cold_open_navigation_to_first_rows_ms: Math.round(navigationToRowsMs),
      cold_open_full_count_ms: Math.round(fullCountMs),
    };
  } finally {
    await profile.close();
    await app.close();
    await backend.close();
  }
}

export async function contactsBrowser(): Promise<BenchResult> {
  const appDir = await mkdtemp(join(tmpdir(), 'pigeon-bench-app-'));
  try {
    await buildApp({ outDir: appDir, verbose: false });
    const open = await coldOpen(appDir);
    const insert = await insertRace(ROWS);
    return {
      name: 'contacts-browser',
      description: `Chromium: cold open of Contacts with ${ROWS} local contacts (after the initial sync), and ${ROWS} contacts inserted via RxDB (Dexie storage) vs Dexie bulkPut in one page`,
      figures: { ...open, ...Object.fromEntries(Object.entries(insert).map(([k, v]) => [`insert_${k}`, v])) },
    };
  } finally {
    await rm(appDir, { recursive: true, force: true });
  }
}
