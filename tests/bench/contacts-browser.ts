// Browser benchmarks of issue 3, in Debian's Chromium:
// - cold open of the Contacts page with 100,000 contacts stored locally (time to first
//   rows shown), after the first sign-in pulled them (the initial sync, also timed);
// - inserting 100,000 contacts through RxDB versus Dexie's own bulkPut, in one page.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'vite';
import { buildApp, serveApp } from '../../supabase/local/serve-app.ts';
import { startBackend } from '../backend/harness.ts';
import { signIn } from '../e2e/app-steps.ts';
import { launchBrowser } from '../e2e/harness.ts';
import type { BenchResult } from './result.ts';

const ROWS = 100_000;

async function coldOpen(dir: string): Promise<Record<string, number>> {
  const backend = await startBackend();
  const app = await serveApp({
    dir,
    runtimeConfig: { supabaseUrl: backend.url, anonKey: backend.config.anonKey },
  });
  const browser = await launchBrowser();
  try {
    const user = await backend.user();
    await backend.db.query(
      `insert into public.contacts (workspace_id, phone, name, email, tags)
       select m.workspace_id, '+1555' || lpad(i::text, 7, '0'), 'Contact ' || lpad(i::text, 6, '0'),
              'c' || i || '@example.test', array['bench']
       from public.workspace_members m, generate_series(1, $2::int) i where m.user_id = $1`,
      [user.id, ROWS],
    );
    const context = await browser.newContext();
    context.setDefaultTimeout(600_000);
    let t = performance.now();
    const first = await signIn(context, app.url, user);
    await first.getByText(`${ROWS.toLocaleString('en-US')} contacts`).waitFor({ timeout: 600_000 });
    const initialSyncMs = performance.now() - t;
    await first.close();

    const page = await context.newPage();
    t = performance.now();
    await page.goto(`${app.url}/contacts`);
    await page
      .getByRole('row', { name: /Contact 0/ })
      .first()
      .waitFor();
    const firstRowsMs = performance.now() - t;
    await page.getByText(`${ROWS.toLocaleString('en-US')} contacts`).waitFor();
    const fullCountMs = performance.now() - t;
    return {
      contacts: ROWS,
      initial_sync_ms: Math.round(initialSyncMs),
      initial_sync_rows_per_s: Math.round(ROWS / (initialSyncMs / 1000)),
      cold_open_first_rows_ms: Math.round(firstRowsMs),
      cold_open_full_count_ms: Math.round(fullCountMs),
    };
  } finally {
    await browser.close();
    await app.close();
    await backend.close();
  }
}

async function insertRace(): Promise<Record<string, number>> {
  const outDir = await mkdtemp(join(tmpdir(), 'pigeon-bench-page-'));
  try {
    await build({
      configFile: false,
      logLevel: 'warn',
      root: join(import.meta.dirname, 'browser'),
      build: { outDir, emptyOutDir: true },
    });
    const server = await serveApp({ dir: outDir });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      await page.waitForFunction(() => 'runInsertBench' in window);
      return await page.evaluate(
        (n) =>
          (
            window as unknown as { runInsertBench(n: number): Promise<Record<string, number>> }
          ).runInsertBench(n),
        ROWS,
      );
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

export async function contactsBrowser(): Promise<BenchResult> {
  const appDir = await mkdtemp(join(tmpdir(), 'pigeon-bench-app-'));
  try {
    await buildApp({ outDir: appDir, verbose: false });
    const open = await coldOpen(appDir);
    const insert = await insertRace();
    return {
      name: 'contacts-browser',
      description: `Chromium: cold open of Contacts with ${ROWS} local contacts (after the initial sync), and ${ROWS} contacts inserted via RxDB (Dexie storage) vs Dexie bulkPut in one page`,
      figures: { ...open, ...Object.fromEntries(Object.entries(insert).map(([k, v]) => [`insert_${k}`, v])) },
    };
  } finally {
    await rm(appDir, { recursive: true, force: true });
  }
}
