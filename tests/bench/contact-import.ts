// Issue 5's benchmark, in Debian's Chromium, for one generated 100,000-row CSV:
// - papaparse alone parsing it in a worker (the baseline);
// - Pigeon's whole reading path in a worker: decode, parse, map, validate, dedupe;
// - the whole import in the built app, through the file chooser into IndexedDB, with the
//   longest main-thread long task seen meanwhile.
// PIGEON_BENCH_PARTS=parse runs the parse part alone (seconds, where the whole import takes
// minutes), for tuning the reading path; the default is both parts. PIGEON_BENCH_PROFILE=<dir>
// also writes CPU profiles there: the parse worker (unminified code, so names read), and the
// import's main thread and storage SharedWorker. PIGEON_BENCH_ROWS: fewer rows for a quick look;
// the goals are for 100,000.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'vite';
import { serveApp } from '../../supabase/local/serve-app.ts';
import { type Backend, startBackend } from '../backend/harness.ts';
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
import { dexieFloorMs } from './dexie-floor.ts';
import { profilePage } from './page-profile.ts';
import type { BenchResult } from './result.ts';
import { profileSharedWorkers } from './shared-worker-profile.ts';
import { profileWorkers } from './worker-profile.ts';

const ROWS = Number(process.env.PIGEON_BENCH_ROWS ?? 100_000);
// Runs of each parser, in turns; the median is reported.
const PARSE_ROUNDS = 3;
const PARTS = ['parse', 'import'] as const;
type Part = (typeof PARTS)[number];

function wantedParts(): Set<Part> {
  const named = (process.env.PIGEON_BENCH_PARTS ?? PARTS.join(',')).split(',').map((p) => p.trim());
  const unknown = named.filter((p) => !PARTS.includes(p as Part));
  if (unknown.length > 0) {
    throw new Error(`PIGEON_BENCH_PARTS: unknown part(s) ${unknown.join(', ')}; known: ${PARTS.join(', ')}`);
  }
  return new Set(named as Part[]);
}

async function parseInWorker(csvPath: string, profileDir?: string): Promise<Record<string, number>> {
  const outDir = await mkdtemp(join(tmpdir(), 'pigeon-bench-import-page-'));
  try {
    await build({
      configFile: false,
      logLevel: 'warn',
      root: join(import.meta.dirname, 'browser'),
      build: {
        minify: !profileDir,
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
      const profiler = profileDir ? await profileWorkers(page, profileDir) : undefined;
      const figures = await page.evaluate(
        (rounds) =>
          (
            window as unknown as { runParseBench(rounds: number): Promise<Record<string, number>> }
          ).runParseBench(rounds),
        PARSE_ROUNDS,
      );
      if (profiler) console.log('contact-import: CPU profiles', await profiler.stop());
      return figures;
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

async function importInApp(csvPath: string): Promise<Record<string, number>> {
  // The floor before and after the import, against their mean: on a shared machine one run of
  // it varied 2-3x between runs minutes apart.
  const floorBefore = await dexieFloorMs(ROWS);
  const backend = await startBackend();
  try {
    const profileDir = process.env.PIGEON_BENCH_PROFILE;
    return await withAppContext(
      backend,
      async (context, appUrl, userDataDir) => {
        // The storage worker starts with the first page: its profiler must be waiting before.
        const storage = profileDir
          ? await profileSharedWorkers(userDataDir, profileDir, 'import')
          : undefined;
        const page = await signIn(context, appUrl, await backend.user());
        await chooseFile(page, appUrl, csvPath);
        const profiler = profileDir ? await profilePage(page, profileDir, 'import-main-thread') : undefined;
        const from = await pageNow(page);
        const started = performance.now();
        await page.getByRole('button', { name: 'Import contacts' }).click();
        await page.getByRole('heading', { name: 'Import finished' }).waitFor();
        const ms = performance.now() - started;
        if (profiler) console.log('contact-import: import, main thread', await profiler.stop());
        if (storage) console.log('contact-import: import, storage worker', await storage.stop());
        const tasks = await longestTask(page, from, await pageNow(page));
        const synced = await untilServerHolds(backend, ROWS);
        const floorAfter = await dexieFloorMs(ROWS);
        return {
          import_created: await figure(page, 'report-created'),
          import_ms: Math.round(ms),
          import_to_dexie_ratio: Number((ms / ((floorBefore + floorAfter) / 2)).toFixed(2)),
          dexie_floor_before_ms: Math.round(floorBefore),
          dexie_floor_after_ms: Math.round(floorAfter),
          import_rows_per_s: Math.round(ROWS / (ms / 1000)),
          import_longest_main_thread_task_ms: Math.round(tasks.longest),
          import_long_tasks: tasks.count,
          // From the click until the server holds every row (the pushes follow the import).
          import_synced_ms: Math.round(synced - started),
        };
      },
      { profile: profileDir !== undefined },
    );
  } finally {
    await backend.close();
  }
}

/** performance.now() once the server holds `rows` contacts (polled). */
async function untilServerHolds(backend: Backend, rows: number): Promise<number> {
  for (;;) {
    const result = await backend.db.query<{ n: number }>('select count(*)::int as n from public.contacts');
    if ((result[0]?.n ?? 0) >= rows) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function contactImport(): Promise<BenchResult> {
  const parts = wantedParts();
  const dir = await mkdtemp(join(tmpdir(), 'pigeon-bench-import-'));
  try {
    const csv = await writeContactsCsv(dir, ROWS);
    let figures: BenchResult['figures'] = { parts: [...parts].join(',') };
    if (parts.has('parse')) {
      const parse = await parseInWorker(csv.path, process.env.PIGEON_BENCH_PROFILE);
      const papaPerS = ROWS / ((parse.papaparse_ms ?? 1) / 1000);
      const pigeonPerS = ROWS / ((parse.pigeon_ms ?? 1) / 1000);
      figures = {
        ...figures,
        ...parse,
        papaparse_rows_per_s: Math.round(papaPerS),
        parse_rows_per_s: Math.round(pigeonPerS),
        pigeon_parse_validate_rows_per_s: Math.round(pigeonPerS),
        papaparse_to_pigeon_ratio: Number((papaPerS / pigeonPerS).toFixed(2)),
      };
    }
    if (parts.has('import')) figures = { ...figures, ...(await importInApp(csv.path)) };
    return {
      name: 'contact-import',
      description: `Chromium, one ${ROWS}-row CSV: papaparse alone in a worker vs Pigeon's parse + validate + dedupe in a worker (parse_rows_per_s), and the whole import into IndexedDB through the app`,
      figures,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
