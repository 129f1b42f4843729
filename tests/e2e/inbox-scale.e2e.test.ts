// The history test, at a size CI affords: a workspace with 600 chats × 25 messages, a
// new device signs in. The newest chats show as soon as the chats are pulled, while 15,000
// messages fill in behind them; the list is virtualised and scrolls to the oldest chat; and
// once the messages are here, search over their text answers offline, within a budget. The
// full size (10,000 × 50, the goals) is `npm run bench inbox`.
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { signIn } from './app-steps.ts';
import { useE2E } from './harness.ts';
import { customerName, median, search, seedInbox, token } from './inbox-steps.ts';

const e2e = useE2E({ backend: {} });

const CHATS = 600;
const PER_CHAT = 25;
const SEARCHES = 5;
// Typed to shown, offline, on a shared CI machine (the search by regex through IndexedDB that
// the held text replaced took ≈ 700 ms at this size); the bench holds 100 ms at full size.
const SEARCH_MEDIAN_BUDGET_MS = 500;
const SEARCH_MAX_BUDGET_MS = 2000;

const rowNames = (page: Page) =>
  page
    .getByRole('list', { name: 'Chats' })
    .getByRole('link')
    .evaluateAll((links) => links.map((a) => a.getAttribute('aria-label') ?? ''));

test('a new device: the newest chats first while the messages fill in; scrolls; searches offline', async () => {
  const owner = await e2e.backend.user();
  const seeded = await seedInbox(e2e.backend, owner, CHATS, PER_CHAT);
  const context = await e2e.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, e2e.url, owner);
  const started = Date.now();
  await page.getByRole('link', { name: 'Inbox', exact: true }).click();
  await page
    .getByRole('list', { name: 'Chats' })
    .getByRole('link', { name: customerName(1) })
    .waitFor({
      timeout: 60_000,
    });
  const firstChatsMs = Date.now() - started;
  const first = await rowNames(page);
  expect(first.slice(0, 3).map((n) => n.split(',')[0])).toEqual([
    customerName(1),
    customerName(2),
    customerName(3),
  ]);
  // Virtualised: a screenful of rows in the page, not 600.
  expect(first.length).toBeGreaterThan(8);
  expect(first.length).toBeLessThan(60);

  // The list scrolls to the oldest chat.
  await page
    .getByRole('list', { name: 'Chats' })
    .evaluate((list) => list.parentElement?.scrollTo({ top: list.parentElement.scrollHeight }));
  await page
    .getByRole('list', { name: 'Chats' })
    .getByRole('link', { name: customerName(CHATS) })
    .waitFor();

  // Once the message pulled last is searchable, every message is here: then search offline.
  await search(page, seeded.lastPulledToken, 'Customer', { retryForMs: 120_000, waitMs: 3_000 });
  const allLocalMs = Date.now() - started;
  await context.setOffline(true);
  await page.getByRole('status', { name: 'Offline' }).waitFor();
  const searchMs: number[] = [];
  let chat = 1;
  for (let i = 1; i <= SEARCHES; i++) {
    chat = 1 + ((i * 127) % CHATS);
    searchMs.push(await search(page, token(chat, 1 + ((i * 7) % PER_CHAT)), customerName(chat)));
  }
  // The history is local: the last chat found opens offline with its newest and oldest messages.
  await page
    .getByRole('list', { name: 'Chats' })
    .getByRole('link', { name: customerName(chat) })
    .click();
  await page.getByText(token(chat, PER_CHAT)).waitFor();
  await page.getByText(token(chat, 1)).waitFor();
  console.log(
    `inbox scale (${CHATS} × ${PER_CHAT}): first chats ${firstChatsMs} ms, all local ${allLocalMs} ms, searches ${searchMs.join(', ')} ms`,
  );
  // Bounds with room for a shared CI machine; the bench reports the real figures.
  expect(firstChatsMs).toBeLessThan(30_000);
  expect(median(searchMs)).toBeLessThan(SEARCH_MEDIAN_BUDGET_MS);
  expect(Math.max(...searchMs)).toBeLessThan(SEARCH_MAX_BUDGET_MS);
}, 300_000);
