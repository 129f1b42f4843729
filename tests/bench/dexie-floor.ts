// The floor the browser benches divide by: Dexie's own bulkPut of n contacts (the app's
// document shape) in a page of its own, in a persistent profile like the app's (incognito
// keeps IndexedDB in memory and flatters).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { build } from 'vite';
import { serveApp } from '../../supabase/local/serve-app.ts';
import { launchPersistentContext } from '../e2e/harness.ts';

type BenchWindow = {
  runInsertBench(n: number): Promise<Record<string, number>>;
  runDexieFloor(n: number): Promise<number>;
};

/** Runs `use` on the bench page (tests/bench/browser/insert.ts) in a fresh persistent profile. */
export async function withBenchPage<T>(
  use: (context: BrowserContext, url: string) => Promise<T>,
): Promise<T> {
  const outDir = await mkdtemp(join(tmpdir(), 'pigeon-bench-page-'));
  try {
    await build({
      configFile: false,
      logLevel: 'warn',
      root: join(import.meta.dirname, 'browser'),
      build: { outDir, emptyOutDir: true },
    });
    const server = await serveApp({ dir: outDir });
    const profile = await launchPersistentContext();
    try {
      return await use(profile.context, server.url);
    } finally {
      await profile.close();
      await server.close();
    }
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** Dexie bulkPut of `rows` contacts, in ms. */
export function dexieFloorMs(rows: number): Promise<number> {
  return withBenchPage(async (context, url) => {
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => 'runDexieFloor' in window);
    return page.evaluate((n) => (window as unknown as BenchWindow).runDexieFloor(n), rows);
  });
}

/** The RxDB (in-page Dexie storage) versus Dexie race of tests/bench/browser/insert.ts. */
export function insertRace(rows: number): Promise<Record<string, number>> {
  return withBenchPage(async (context, url) => {
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => 'runInsertBench' in window);
    return page.evaluate((n) => (window as unknown as BenchWindow).runInsertBench(n), rows);
  });
}
