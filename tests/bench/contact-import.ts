// Issue 5's benchmark, in Debian's Chromium, for one generated 100,000-row CSV:
// - papaparse alone parsing it in a worker (the baseline);
// - Pigeon's whole reading path in a worker: decode, parse, map, validate, dedupe;
// - the whole import in the built app, through the file chooser into IndexedDB, with the
//   longest main-thread long task seen meanwhile.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'vite';
import { serveApp } from '../../supabase/local/serve-app.ts';
import { startBackend } from '../backend/harness.ts';
import { signIn } from '../e2e/app-steps.ts';
import { launchBrowser } from '../e2e/harness.ts';
import {
  chooseFile,
  figure,
  longestTask,
  pageNow,
  withAppContext,
  writeContactsCsv,
} from './contact-import-steps.ts';
import type { BenchResult } from './result.ts';

const ROWS = 100_000;

async function parseInWorker(csvPath: string): Promise<Record<string, number>> {
  const outDir = await mkdtemp(join(tmpdir(), 'pigeon-bench-import-page-'));
  try {
    await build({
      configFile: false,
      logLevel: 'warn',
      root: join(import.meta.dirname, 'browser'),
      build: {
        outDir,
        emptyOutDir: true,
        rollupOptions: { input: join(import.meta.dirname, 'browser', 'import.html') },
      },
    });
    // serveApp serves a folder with an index.html; the insert bench's page owns that name here.
    await copyFile(join(outDir, 'import.html'), join(outDir, 'index.html'));
    const server = await serveApp({ dir: outDir });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      await page.waitForFunction(() => 'runParseBench' in window);
      await page.getByLabel('File to parse').setInputFiles(csvPath);
      return await page.evaluate(() =>
        (window as unknown as { runParseBench(): Promise<Record<string, number>> }).runParseBench(),
      );
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

async function importInApp(csvPath: string): Promise<Record<string, number>> {
  const backend = await startBackend();
  try {
    return await withAppContext(backend, async (context, appUrl) => {
      const page = await signIn(context, appUrl, await backend.user());
      await chooseFile(page, appUrl, csvPath);
      const from = await pageNow(page);
      const started = performance.now();
      await page.getByRole('button', { name: 'Import contacts' }).click();
      await page.getByRole('heading', { name: 'Import finished' }).waitFor();
      const ms = performance.now() - started;
      const tasks = await longestTask(page, from, await pageNow(page));
      return {
        import_created: await figure(page, 'report-created'),
        import_ms: Math.round(ms),
        import_rows_per_s: Math.round(ROWS / (ms / 1000)),
        import_longest_main_thread_task_ms: Math.round(tasks.longest),
        import_long_tasks: tasks.count,
      };
    });
  } finally {
    await backend.close();
  }
}

export async function contactImport(): Promise<BenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'pigeon-bench-import-'));
  try {
    const csv = await writeContactsCsv(dir, ROWS);
    const parse = await parseInWorker(csv.path);
    const papaPerS = ROWS / ((parse.papaparse_ms ?? 1) / 1000);
    const pigeonPerS = ROWS / ((parse.pigeon_ms ?? 1) / 1000);
    const app = await importInApp(csv.path);
    return {
      name: 'contact-import',
      description: `Chromium, one ${ROWS}-row CSV: papaparse alone in a worker vs Pigeon's parse + validate + dedupe in a worker, and the whole import into IndexedDB through the app`,
      figures: {
        ...parse,
        papaparse_rows_per_s: Math.round(papaPerS),
        pigeon_parse_validate_rows_per_s: Math.round(pigeonPerS),
        papaparse_to_pigeon_ratio: Number((papaPerS / pigeonPerS).toFixed(2)),
        ...app,
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
