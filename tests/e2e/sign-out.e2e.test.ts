// Issue 16, signing out: a plain sign-out keeps this device's data (what waits goes up at the
// next sign-in here); "Sign out and remove data from this device" (shared computers) warns
// when something would be lost, then leaves no database of that user: neither in the page's
// view of IndexedDB nor in the storage SharedWorker's (asked through the DevTools protocol, in
// the worker itself), and no cached session.
import type { Browser, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { addContact, cachedSessions, rowVisible, signIn, signOut, waitForPending } from './app-steps.ts';
import { useE2E } from './harness.ts';
import { until } from './messaging-steps.ts';

const e2e = useE2E();

const pageDatabases = (page: Page) =>
  page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''));

/** The IndexedDB database names the storage SharedWorker sees, evaluated inside it. */
async function sharedWorkerDatabases(browser: Browser): Promise<string[]> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const worker = targetInfos.find((t) => t.type === 'shared_worker' && t.url.includes('storage-worker'));
    if (!worker) throw new Error('no storage SharedWorker is running');
    const { sessionId } = await cdp.send('Target.attachToTarget', {
      targetId: worker.targetId,
      flatten: false,
    });
    const answer = new Promise<string[]>((resolve, reject) => {
      cdp.on('Target.receivedMessageFromTarget', (event) => {
        if (event.sessionId !== sessionId) return;
        const message = JSON.parse(event.message) as {
          id?: number;
          result?: { result: { value?: string } };
          error?: unknown;
        };
        if (message.id !== 1) return;
        if (!message.result) reject(new Error(`evaluate failed: ${JSON.stringify(message.error)}`));
        else resolve(JSON.parse(message.result.result.value ?? '[]') as string[]);
      });
    });
    await cdp.send('Target.sendMessageToTarget', {
      sessionId,
      message: JSON.stringify({
        id: 1,
        method: 'Runtime.evaluate',
        params: {
          expression: 'indexedDB.databases().then((all) => JSON.stringify(all.map((d) => d.name)))',
          awaitPromise: true,
          returnByValue: true,
        },
      }),
    });
    return await answer;
  } finally {
    await cdp.detach();
  }
}

test('a plain sign-out keeps the data on this device; an edit made offline goes up at the next sign-in', async () => {
  const user = await e2e.backend.user();
  const context = await e2e.newContext();
  const page = await signIn(context, e2e.url, user);
  await addContact(page, '+1 415 555 0141', 'Kept Karla');
  await waitForPending(page, 0);
  await context.setOffline(true);
  await addContact(page, '+1 415 555 0142', 'Offline Otto');
  await waitForPending(page, 1);

  await signOut(page, 'keep');
  expect((await pageDatabases(page)).some((name) => name.includes(user.id))).toBe(true);
  expect((await sharedWorkerDatabases(e2e.browser)).some((name) => name.includes(user.id))).toBe(true);

  await context.setOffline(false);
  await page.close();
  const again = await signIn(context, e2e.url, user);
  await rowVisible(again, /Offline Otto/);
  await waitForPending(again, 0);
  const rows = await e2e.backend.db.query<{ name: string }>(
    'select name from public.contacts where phone = $1',
    ['+14155550142'],
  );
  expect(rows).toEqual([{ name: 'Offline Otto' }]);
});

test('"Sign out and remove data" warns about an unsynced change, then leaves no database or cached session of that user', async () => {
  const user = await e2e.backend.user();
  const context = await e2e.newContext();
  const page = await signIn(context, e2e.url, user);
  await addContact(page, '+1 415 555 0151', 'Synced Sara');
  await waitForPending(page, 0);
  await context.setOffline(true);
  await addContact(page, '+1 415 555 0152', 'Lost Luis');
  await waitForPending(page, 1);
  expect((await sharedWorkerDatabases(e2e.browser)).some((name) => name.includes(user.id))).toBe(true);

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page
    .getByRole('dialog', { name: 'Sign out?' })
    .getByRole('button', { name: 'Sign out and remove data from this device' })
    .click();
  const warning = page.getByRole('dialog', { name: "Remove data that hasn't synced?" });
  await warning.getByText("1 change hasn't reached the server.").waitFor();
  // Staying signed in loses nothing.
  await warning.getByRole('button', { name: 'Stay signed in' }).click();
  await rowVisible(page, /Lost Luis/);
  await signOut(page, 'remove');

  await until(
    async () => [...(await pageDatabases(page)), ...(await sharedWorkerDatabases(e2e.browser))],
    (names) => !names.some((name) => name.includes(user.id)),
  );
  expect(await cachedSessions(page)).toBe(0);
  expect(
    await page.evaluate(() => Object.keys(localStorage).filter((key) => /pigeon:(user|workspace)/.test(key))),
  ).toEqual([]);

  // Signing in again starts from the server: the synced contact is back, the removed one gone.
  await context.setOffline(false);
  await page.close();
  const again = await signIn(context, e2e.url, user);
  await rowVisible(again, /Synced Sara/);
  expect(await again.getByRole('row', { name: /Lost Luis/ }).count()).toBe(0);
});
