// Issue 12: RxDB's storage lives in a worker (one SharedWorker for the app's tabs). The page
// makes no IndexedDB request for RxDB, the databases exist (opened by the worker), two tabs
// of one browser see each other's edits, and an offline reload still opens the app with its
// data.
import type { BrowserContext, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { addContact, rowVisible, signIn } from './app-steps.ts';
import { useE2E } from './harness.ts';

const e2e = useE2E();

/** Records, in each page of `context`, the names of the IndexedDB databases the page itself opens. */
async function watchPageIndexedDb(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const opened: string[] = [];
    (window as unknown as { __pageIdb: string[] }).__pageIdb = opened;
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (this: IDBFactory, name: string, version?: number) {
      opened.push(name);
      return version === undefined ? open.call(this, name) : open.call(this, name, version);
    };
  });
}

const pageOpened = (page: Page) =>
  page.evaluate(() => (window as unknown as { __pageIdb: string[] }).__pageIdb);
const allDatabases = (page: Page) =>
  page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''));

test('the page opens no RxDB database itself; two tabs share the worker storage; offline reload keeps the data', async () => {
  const user = await e2e.backend.user();
  const context = await e2e.newContext();
  await watchPageIndexedDb(context);
  const a = await signIn(context, e2e.url, user);
  await addContact(a, '+1 415 555 0131', 'Worker Wendy');

  // RxDB's Dexie databases exist, opened by the storage worker, never by the page.
  const rxdb = (await allDatabases(a)).filter((name) => name.startsWith('rxdb-dexie-'));
  expect(rxdb.length).toBeGreaterThan(0);
  expect((await pageOpened(a)).filter((name) => name.startsWith('rxdb-'))).toEqual([]);
  // Where the browser has SharedWorker, the app uses one (Chromium has).
  expect(await a.evaluate(() => typeof SharedWorker)).toBe('function');

  // A second tab sees the first tab's contact, and the first sees the second's.
  const b = await context.newPage();
  await b.goto(`${e2e.url}/contacts`);
  await rowVisible(b, /Worker Wendy/);
  await addContact(b, '+1 415 555 0132', 'Worker Walt');
  await rowVisible(a, /Worker Walt/, 5_000);
  expect((await pageOpened(b)).filter((name) => name.startsWith('rxdb-'))).toEqual([]);
  await b.close();

  // Offline, a reload opens the app from the service worker's cache, with its data.
  await context.setOffline(true);
  await a.reload();
  await a.getByRole('textbox', { name: 'Search contacts' }).waitFor();
  await rowVisible(a, /Worker Wendy/);
  await rowVisible(a, /Worker Walt/);
  expect((await pageOpened(a)).filter((name) => name.startsWith('rxdb-'))).toEqual([]);
});

test('where the browser has no SharedWorker, each tab runs the storage in its own worker and the tabs still agree', async () => {
  const user = await e2e.backend.user();
  const context = await e2e.newContext();
  await watchPageIndexedDb(context);
  await context.addInitScript(() => {
    // As on a browser without SharedWorker (Chrome for Android): the dedicated-worker fallback.
    delete (window as { SharedWorker?: unknown }).SharedWorker;
  });
  const workers: string[] = [];
  context.on('page', (page) => page.on('worker', (worker) => workers.push(worker.url())));
  const a = await signIn(context, e2e.url, user);
  await addContact(a, '+1 415 555 0141', 'Fallback Fay');
  const b = await context.newPage();
  b.on('worker', (worker) => workers.push(worker.url()));
  await b.goto(`${e2e.url}/contacts`);
  await rowVisible(b, /Fallback Fay/);
  await addContact(b, '+1 415 555 0142', 'Fallback Finn');
  await rowVisible(a, /Fallback Finn/, 5_000);
  // Each tab started its own storage worker, and neither page opened RxDB's databases itself.
  expect(workers.filter((url) => url.includes('storage-worker')).length).toBeGreaterThanOrEqual(2);
  for (const page of [a, b]) {
    expect((await pageOpened(page)).filter((name) => name.startsWith('rxdb-'))).toEqual([]);
  }
});

test('a cold open shows the first contacts before the database is open, in order, still counting', async () => {
  const user = await e2e.backend.user();
  const context = await e2e.newContext();
  const a = await signIn(context, e2e.url, user);
  await addContact(a, '+1 415 555 0152', 'Cold Carla');
  await addContact(a, '+1 415 555 0151', 'Cold Bea');
  await addContact(a, '+1 415 555 0153', 'Cold Abe');
  await a.close();

  // The next page never gets its contacts collection opened: its request to create that
  // storage instance is held back, so the database never opens and every row it shows was
  // read before.
  await context.addInitScript(() => {
    const post = MessagePort.prototype.postMessage;
    MessagePort.prototype.postMessage = function (this: MessagePort, message: unknown, ...rest: never[]) {
      const msg = message as { method?: string; params?: { collectionName?: string } } | undefined;
      if (msg?.method === 'create' && msg.params?.collectionName === 'contacts') return;
      return post.call(this, message, ...rest);
    } as MessagePort['postMessage'];
  });
  const b = await context.newPage();
  await b.goto(`${e2e.url}/contacts`);
  await rowVisible(b, /Cold Carla/);
  const names = await b.getByRole('row').allTextContents();
  const order = ['Cold Abe', 'Cold Bea', 'Cold Carla'].map((name) =>
    names.findIndex((t) => t.includes(name)),
  );
  expect(order.every((i, n) => i >= 0 && (n === 0 || i > (order[n - 1] ?? 0)))).toBe(true);
  await b.getByText('Counting contacts…').waitFor();
  // The database indeed never opened: the header, which names the workspace from it, is empty.
  const workspaceName = await b.evaluate(
    () => document.querySelector('.workspace-name, .workspace-select')?.textContent?.trim() ?? '',
  );
  expect(workspaceName).toBe('');
});
