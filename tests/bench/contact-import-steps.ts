// Driving a contact import in the built app, for the import e2e test and the contact-import
// bench: a generated CSV, the real file chooser, and main-thread long tasks watched by a
// PerformanceObserver installed before the app's own code runs.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { buildApp, serveApp } from '../../supabase/local/serve-app.ts';
import type { Backend } from '../backend/harness.ts';
import { launchPersistentContext } from '../e2e/harness.ts';
import { SHARED_WORKER_PROFILE_ARGS } from './shared-worker-profile.ts';

/** Data row `i` (1-based) of a generated file: a UK mobile, so national and E.164 forms are known. */
export function generatedPhone(i: number): string {
  return `+44 7400 ${String(100000 + i)}`;
}

export interface GeneratedCsv {
  path: string;
  rows: number;
  /** File lines (the header is line 1) of the rows made invalid, in order. */
  badLines: number[];
}

/**
 * A CSV of `rows` contacts (name, mobile, email, company, city) written to `dir`. Rows for which
 * `bad(i)` is true get a different fault each: an impossible phone, a broken email, no phone.
 */
export async function writeContactsCsv(
  dir: string,
  rows: number,
  bad: (i: number) => boolean = () => false,
): Promise<GeneratedCsv> {
  const lines = ['Name,Mobile Phone,E-mail Address,Company,City'];
  const badLines: number[] = [];
  for (let i = 1; i <= rows; i++) {
    const n = String(i).padStart(6, '0');
    let phone = generatedPhone(i);
    let email = `c${n}@example.test`;
    if (bad(i)) {
      badLines.push(i + 1);
      const fault = badLines.length % 3;
      if (fault === 0) phone = '12';
      else if (fault === 1) email = 'not-an-email';
      else phone = '';
    }
    lines.push(`Contact ${n},${phone},${email},"Org ${i % 50}, Ltd",City ${i % 7}`);
  }
  const path = join(dir, `contacts-${rows}.csv`);
  await writeFile(path, `${lines.join('\n')}\n`);
  return { path, rows, badLines };
}

/** Records every main-thread long task of the context's pages in `window.__longTasks`. */
export async function watchLongTasks(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const tasks: { start: number; duration: number }[] = [];
    (window as unknown as { __longTasks: typeof tasks }).__longTasks = tasks;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** The page's clock now, to bound a window of long tasks. */
export function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}

/** The longest long task (ms) that started in [from, to] of the page's clock, and how many. */
export async function longestTask(
  page: Page,
  from: number,
  to: number,
): Promise<{ longest: number; count: number }> {
  return page.evaluate(
    ([a, b]) => {
      const tasks = (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks;
      const inWindow = tasks.filter((t) => t.start >= a && t.start <= b);
      return { longest: Math.max(0, ...inWindow.map((t) => t.duration)), count: inWindow.length };
    },
    [from, to] as const,
  );
}

/** Opens the import page and chooses `path` through its file input; resolves on the preview. */
export async function chooseFile(page: Page, appUrl: string, path: string): Promise<void> {
  await page.goto(`${appUrl}/contacts`);
  await page.getByRole('link', { name: 'Import contacts' }).click();
  await page.getByLabel('Contacts file').setInputFiles(path);
  await page.getByRole('heading', { name: 'Check the columns' }).waitFor();
}

/** A figure of the import's report or progress, as a number. */
export async function figure(page: Page, testId: string): Promise<number> {
  const text = await page.getByTestId(testId).textContent();
  return Number((text ?? '').replaceAll(',', ''));
}

/**
 * For a bench: the app built and served against `backend`, and a Chromium context watching
 * long tasks, with long timeouts; all of it torn down after `use`.
 */
export async function withAppContext<T>(
  backend: Backend,
  use: (context: BrowserContext, appUrl: string, userDataDir: string) => Promise<T>,
  /** `profile`: unminified code and the browser's DevTools endpoint, for CPU profiles. */
  opts: { profile?: boolean } = {},
): Promise<T> {
  const appDir = await mkdtemp(join(tmpdir(), 'pigeon-bench-app-'));
  try {
    await buildApp({ outDir: appDir, verbose: false, minify: !opts.profile });
    const app = await serveApp({
      dir: appDir,
      runtimeConfig: { supabaseUrl: backend.url, anonKey: backend.config.anonKey },
    });
    // A profile on disk: incognito keeps IndexedDB in memory and flatters.
    const profile = await launchPersistentContext({ args: opts.profile ? SHARED_WORKER_PROFILE_ARGS : [] });
    try {
      profile.context.setDefaultTimeout(900_000);
      await watchLongTasks(profile.context);
      return await use(profile.context, app.url, profile.userDataDir);
    } finally {
      await profile.close();
      await app.close();
    }
  } finally {
    await rm(appDir, { recursive: true, force: true });
  }
}
