// End-to-end harness: a fresh local backend and the built app (tests/e2e/global-setup.ts)
// per test file, Debian's Chromium through playwright-core, and on failure a screenshot and
// the console of every open page in tests/e2e/artifacts/.
//
//   const e2e = useE2E();
//   test('...', async () => {
//     const page = await (await e2e.newContext()).newPage();
//     await page.goto(e2e.url);
//   });
//
// Contexts made with e2e.newContext() / e2e.persistentContext() close after each test.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type LaunchOptions,
  type Page,
} from 'playwright-core';
import { afterAll, afterEach, beforeAll, inject, type TestContext } from 'vitest';
import { type AppServer, serveApp } from '../../supabase/local/serve-app.ts';
import { type Backend, startBackend } from '../backend/harness.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const ARTIFACTS_DIR = join(import.meta.dirname, 'artifacts');
/** Playwright's per-action timeout: well under the test timeout, so a stuck step names itself. */
export const ACTION_TIMEOUT_MS = 15_000;

function launchOptions(extra: LaunchOptions = {}): LaunchOptions {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH). ` +
        'Playwright browser downloads are not used.',
    );
  }
  return {
    headless: true,
    ...extra,
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, ...(extra.args ?? [])],
  };
}

/** Debian's Chromium, headless, driven by playwright-core. */
export function launchBrowser(extra: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch(launchOptions(extra));
}

/** A new incognito context whose pages log to the failure artifacts. */
export async function newContext(
  browser: Browser,
  opts: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const context = await browser.newContext(opts);
  return prepareContext(context);
}

export interface PersistentContext {
  context: BrowserContext;
  userDataDir: string;
  close(): Promise<void>;
}

/**
 * A context with a profile on disk: what an installed app sees. Incognito contexts never
 * pass Chromium's installability check (they report `in-incognito`).
 */
export async function launchPersistentContext(
  opts: BrowserContextOptions & Pick<LaunchOptions, 'args'> = {},
): Promise<PersistentContext> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'pigeon-e2e-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, { ...opts, ...launchOptions(opts) });
  prepareContext(context);
  return {
    context,
    userDataDir,
    async close() {
      await context.close().catch(() => undefined);
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

interface PageLog {
  lines: string[];
}
const logs = new WeakMap<Page, PageLog>();

function watchPage(page: Page): void {
  const log: PageLog = { lines: [] };
  logs.set(page, log);
  const at = () => new Date().toISOString().slice(11, 23);
  page.on('console', (m) => log.lines.push(`${at()} console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.lines.push(`${at()} pageerror: ${e.stack ?? e.message}`));
  page.on('requestfailed', (r) =>
    log.lines.push(`${at()} requestfailed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`),
  );
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) log.lines.push(`${at()} navigated: ${f.url()}`);
  });
}

function prepareContext(context: BrowserContext): BrowserContext {
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  for (const page of context.pages()) watchPage(page);
  context.on('page', watchPage);
  return context;
}

/** Saves a screenshot and the console log of every page of these contexts. */
export async function saveArtifacts(name: string, contexts: BrowserContext[]): Promise<string[]> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const safe = name
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 120);
  const saved: string[] = [];
  let n = 0;
  for (const [c, context] of contexts.entries()) {
    for (const page of context.pages()) {
      const base = join(ARTIFACTS_DIR, `${safe}-c${c}-p${n++}`);
      const shot = await page
        .screenshot({ path: `${base}.png`, fullPage: true, timeout: 5000 })
        .catch(() => undefined);
      if (shot) saved.push(`${base}.png`);
      const log = logs.get(page);
      await writeFile(`${base}.log`, `url: ${page.url()}\n${log?.lines.join('\n') ?? ''}\n`);
      saved.push(`${base}.log`);
    }
  }
  return saved;
}

export interface E2EApp {
  backend: Backend;
  app: AppServer;
  /** The app's origin, e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

/** A fresh backend (PGlite in memory) and the built app served against it on a free port. */
export async function startApp(opts: { backend?: Parameters<typeof startBackend>[0] } = {}): Promise<E2EApp> {
  const backend = await startBackend({ db: 'pglite', ...opts.backend });
  try {
    const app = await serveApp({
      dir: inject('e2eAppDir'),
      runtimeConfig: { supabaseUrl: backend.url, anonKey: backend.config.anonKey },
    });
    return {
      backend,
      app,
      url: app.url,
      async close() {
        await app.close();
        await backend.close();
      },
    };
  } catch (err) {
    await backend.close();
    throw err;
  }
}

export interface E2E {
  readonly backend: Backend;
  readonly url: string;
  readonly browser: Browser;
  /** An incognito context, closed after the test. */
  newContext(opts?: BrowserContextOptions): Promise<BrowserContext>;
  /** A context with an on-disk profile (its own browser process), closed after the test. */
  persistentContext(opts?: BrowserContextOptions): Promise<BrowserContext>;
}

/** Registers the per-file lifecycle: backend + app + browser for the file, contexts per test. */
export function useE2E(opts: { backend?: Parameters<typeof startBackend>[0] } = {}): E2E {
  let app: E2EApp | undefined;
  let browser: Browser | undefined;
  let contexts: BrowserContext[] = [];
  let persistent: PersistentContext[] = [];

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(opts), launchBrowser()]);
  });

  afterEach(async (ctx: TestContext) => {
    const open = [...contexts, ...persistent.map((p) => p.context)];
    if (ctx.task.result?.state === 'fail' && open.length > 0) {
      const saved = await saveArtifacts(`${ctx.task.file.name}-${ctx.task.name}`, open);
      if (saved.length) console.error(`e2e artifacts:\n  ${saved.join('\n  ')}`);
    }
    await Promise.all([
      ...contexts.map((c) => c.close().catch(() => undefined)),
      ...persistent.map((p) => p.close()),
    ]);
    contexts = [];
    persistent = [];
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`e2e: ${what} is not ready (used outside a test?)`);
    return value;
  };

  return {
    get backend() {
      return need(app, 'the app').backend;
    },
    get url() {
      return need(app, 'the app').url;
    },
    get browser() {
      return need(browser, 'the browser');
    },
    async newContext(contextOpts = {}) {
      const context = await newContext(need(browser, 'the browser'), contextOpts);
      contexts.push(context);
      return context;
    },
    async persistentContext(contextOpts = {}) {
      const p = await launchPersistentContext(contextOpts);
      persistent.push(p);
      return p.context;
    },
  };
}
