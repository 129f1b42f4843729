// Issue 16, sync panel (Settings → Sync): per collection what this device holds and when it
// last pulled and pushed, the sync events (kept across a reload in the user's ring buffer in
// IndexedDB), the offline queue, storage, and "Copy diagnostics": a JSON with no token and no
// message text unless the user ticks it.
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { waitForPending } from './app-steps.ts';
import { useE2E } from './harness.ts';
import { readyToWrite, sendMessage, waitingToSend } from './messaging-steps.ts';

const e2e = useE2E();

/** The session's access token, as auth-js stores it (IndexedDB "pigeon-auth"). */
const accessToken = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('pigeon-auth');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('kv').objectStore('kv').getAll();
          all.onsuccess = () => {
            // The session is stored as a JSON string, so its quotes come escaped.
            const match = /access_token\\*":\\*"([^"\\]+)/.exec(JSON.stringify(all.result));
            if (match?.[1]) resolve(match[1]);
            else reject(new Error('no stored session'));
          };
        };
      }),
  );

async function copyDiagnostics(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Copy diagnostics' }).click();
  await page.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
  return page.evaluate(() => navigator.clipboard.readText());
}

test('the sync panel shows counts, pushes and events; diagnostics leave out tokens and message text unless ticked', async () => {
  const context = await e2e.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const { page } = await readyToWrite(e2e, context, '+44 7400 770001', 'Panel Pat');
  await waitForPending(page, 0);
  const token = await accessToken(page);
  await context.setOffline(true);
  await sendMessage(page, 'Very private body 42');
  await waitingToSend(page, 1);

  await page.getByRole('link', { name: 'Settings' }).first().click();
  await page.getByRole('link', { name: 'sync details' }).click();
  await page.getByRole('heading', { name: 'Sync', level: 1 }).waitFor();
  const contacts = page.getByRole('table', { name: 'Collections' }).getByRole('row', { name: /^contacts/ });
  await contacts.getByRole('cell').first().filter({ hasText: /^1$/ }).waitFor();
  expect(await contacts.textContent()).toMatch(/1 rows · \d+ ms/);
  const events = page.getByRole('list', { name: 'Sync events' });
  await events
    .getByRole('listitem')
    .filter({ hasText: /push.*contacts · 1 rows/ })
    .first()
    .waitFor();
  await page.getByText('1 request in the offline queue').waitFor();

  const plain = await copyDiagnostics(page);
  const report = JSON.parse(plain) as {
    pending_changes: number;
    queued_send_requests: number;
    send_queue: { kind: string; attempts: number; messages: number; lastAnswer?: { reason: string } }[];
    messages_waiting_or_failed: { status: string; body?: string }[];
    collections: { table: string; local: number }[];
    events: { kind: string; table?: string }[];
  };
  expect(plain).not.toContain(token);
  expect(plain).not.toContain('Very private body 42');
  expect(report.queued_send_requests).toBe(1);
  expect(report.send_queue).toEqual([
    expect.objectContaining({
      kind: 'message',
      messages: 1,
      attempts: 1,
      lastAnswer: expect.objectContaining({ reason: 'no connection' }),
    }),
  ]);
  expect(report.messages_waiting_or_failed).toEqual([expect.objectContaining({ status: 'queued' })]);
  expect(report.messages_waiting_or_failed[0]).not.toHaveProperty('body');
  expect(report.collections.find((c) => c.table === 'contacts')?.local).toBe(1);
  expect(report.events.some((e) => e.kind === 'push' && e.table === 'contacts')).toBe(true);

  await page.getByRole('checkbox', { name: 'Include the text of messages waiting or failed' }).check();
  const withText = await copyDiagnostics(page);
  expect(withText).toContain('Very private body 42');
  expect(withText).not.toContain(token);

  // The events are kept on this device: an offline reload still lists them.
  await page.reload();
  await page.getByRole('heading', { name: 'Sync', level: 1 }).waitFor();
  await events
    .getByRole('listitem')
    .filter({ hasText: /push.*contacts · 1 rows/ })
    .first()
    .waitFor();
});
