// Issue 16, sync panel: the service worker's send queue listed request by request (what it
// is, attempts, next try, last answer) with Retry now and Discard; per collection what waits
// to push; the collections table read without sideways scrolling at 390 px.
import type { Locator, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { addContact, waitForPending } from './app-steps.ts';
import { useE2E } from './harness.ts';
import {
  campaignAudience,
  campaignRow,
  draftCampaign,
  launchCampaign,
  openConversation,
  outgoing,
  readyToWrite,
  sendMessage,
  serverMessages,
  signInToCampaigns,
  waitingToSend,
} from './messaging-steps.ts';

const e2e = useE2E();

const PHONE = '+447400770101';

async function openSyncPage(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Settings' }).first().click();
  await page.getByRole('link', { name: 'sync details' }).click();
  await page.getByRole('heading', { name: 'Sync', level: 1 }).waitFor();
}

async function openConversationAgain(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Contacts' }).first().click();
  await openConversation(page, /Queue Quinn/);
}

/** The queue's item for the message to Queue Quinn. */
const queued = (page: Page): Locator =>
  page.getByRole('list', { name: 'Send queue' }).getByRole('listitem', { name: /^Message to Queue Quinn/ });

test('the send queue lists a queued message; Discard removes it for good and marks it not sent; Retry now sends another', async () => {
  const context = await e2e.newContext();
  const { page } = await readyToWrite(e2e, context, '+44 7400 770101', 'Queue Quinn');
  await waitForPending(page, 0);

  // Offline: a message queued in the worker, and a contact waiting to push.
  await context.setOffline(true);
  await sendMessage(page, 'Never to be sent');
  await waitingToSend(page, 1);
  await page.getByRole('link', { name: 'Contacts' }).first().click();
  await addContact(page, '+44 7400 770102', 'Waiting Wanda');
  await waitForPending(page, 1);
  await openSyncPage(page);

  const contacts = page.getByRole('table', { name: 'Collections' }).getByRole('row', { name: /^contacts/ });
  // On this device 2, to push 1.
  await contacts.getByRole('cell').nth(1).filter({ hasText: /^1$/ }).waitFor();
  expect(await contacts.getByRole('cell').first().textContent()).toBe('2');

  const item = queued(page);
  await item.waitFor();
  const listed = await item.innerText();
  expect(listed).toContain('“Never to be sent”');
  expect(listed).toMatch(/Attempts\s*1/);
  expect(listed).toMatch(/Next try\s*as soon as the connection is back/);
  expect(listed).toMatch(/Last answer\s*no connection/);

  // At 390 px the collections read without scrolling sideways.
  await page.setViewportSize({ width: 390, height: 800 });
  const table = page.getByRole('table', { name: 'Collections' });
  const widths = await table.evaluate((el) => ({
    scroll: el.parentElement?.scrollWidth ?? 0,
    client: el.parentElement?.clientWidth ?? 0,
  }));
  expect(widths.scroll).toBeLessThanOrEqual(widths.client);
  await page.setViewportSize({ width: 1280, height: 800 });

  // Discard asks first, naming what is lost.
  await item.getByRole('button', { name: 'Discard' }).click();
  const dialog = page.getByRole('dialog', { name: 'Discard this message?' });
  expect(await dialog.textContent()).toContain(
    'Message to Queue Quinn (+44 7400 770101): “Never to be sent” will not be sent',
  );
  await dialog.getByRole('button', { name: 'Discard' }).click();
  await page.getByText('Nothing waits to be sent.').waitFor();
  await page.getByText('0 requests in the offline queue').waitFor();

  // The conversation says so, with Retry.
  await openConversationAgain(page);
  const discarded = outgoing(page, 'Never to be sent');
  await discarded.getByText('Not sent: discarded from the send queue on this device.').waitFor();
  await discarded.getByRole('button', { name: 'Retry' }).waitFor();

  // The server answers 503 with an hour's Retry-After: the next message waits in the queue.
  await context.route('**/functions/v1/outbox', (route) =>
    route.fulfill({
      status: 503,
      headers: { 'retry-after': '3600' },
      json: { error: 'the database is restarting' },
    }),
  );
  await context.setOffline(false);
  await waitForPending(page, 0);
  await sendMessage(page, 'Sent by Retry now');
  await waitingToSend(page, 1);
  await openSyncPage(page);
  const waiting = queued(page);
  await waiting.filter({ hasText: '503 · the database is restarting' }).waitFor();
  expect(await waiting.innerText()).toMatch(/Next try\s*at /);
  await contacts.getByRole('cell').nth(1).filter({ hasText: /^0$/ }).waitFor();

  // Retry now sends it; the discarded one never reaches the server (read with the service
  // role), reconnect or not.
  await context.unroute('**/functions/v1/outbox');
  await waiting.getByRole('button', { name: 'Retry now' }).click();
  await page.getByText('Nothing waits to be sent.').waitFor();
  await context.setOffline(true);
  await context.setOffline(false);
  await page.getByRole('button', { name: 'Copy diagnostics' }).waitFor();
  await new Promise((r) => setTimeout(r, 1000));
  expect((await serverMessages(e2e.backend, PHONE)).map((m) => m.body)).toEqual(['Sent by Retry now']);
});

test('a campaign launch queued offline and discarded: the campaign is a draft again and nothing reaches the server', async () => {
  const { user } = await campaignAudience(e2e.backend, 'held', '7', 2);
  const context = await e2e.newContext();
  const page = await signInToCampaigns(e2e.url, context, user);
  await page.getByText('2 contacts').waitFor();
  const id = await draftCampaign(page, { name: 'Held back', tag: 'held', rate: 6000 });
  await context.setOffline(true);
  await page.getByRole('status', { name: 'Offline' }).waitFor();
  await launchCampaign(page, '2 people');
  await page.getByText('Launch queued').first().waitFor();

  await openSyncPage(page);
  const item = page
    .getByRole('list', { name: 'Send queue' })
    .getByRole('listitem', { name: 'Launch of “Held back” · 2 messages' });
  await item.getByRole('button', { name: 'Discard' }).click();
  const dialog = page.getByRole('dialog', { name: 'Discard this campaign launch?' });
  expect(await dialog.textContent()).toContain('The campaign goes back to draft');
  await dialog.getByRole('button', { name: 'Discard' }).click();
  await page.getByText('Nothing waits to be sent.').waitFor();

  // Its page offers Launch again instead of "Launch queued".
  await page.getByRole('link', { name: 'Campaigns' }).first().click();
  await page.getByRole('link', { name: 'Held back' }).click();
  await page.getByRole('heading', { name: 'Held back' }).waitFor();
  expect(await page.getByRole('button', { name: 'Launch' }).isEnabled()).toBe(true);
  expect(await page.getByText('Launch queued').count()).toBe(0);

  // Back online nothing is sent: the server's campaign is still a draft with no messages.
  await context.setOffline(false);
  await waitForPending(page, 0);
  await new Promise((r) => setTimeout(r, 1000));
  expect((await campaignRow(e2e.backend, id))?.status).toBe('draft');
  const [sent] = await e2e.backend.db.query<{ n: number }>(
    'select count(*)::int as n from public.messages where campaign_id = $1',
    [id],
  );
  expect(sent?.n).toBe(0);
});
