// Issue 4's promise in the browser: a message written with no network goes out when the
// network returns, even with every tab closed, exactly once, and its ticks come back; the
// service worker replays with a fresh session, keeps what the server could not take, and
// drops only what the server refuses, saying why. And the conversation the messages land in tells
// the customer's from the business's own.
import { describe, expect, test } from 'vitest';
import { useE2E } from './harness.ts';
import {
  incoming,
  openConversation,
  outgoing,
  readyToWrite,
  receiveText,
  sendMessage,
  sentTo,
  serverMessages,
  until,
  waitForTicks,
  waitingToSend,
} from './messaging-steps.ts';

// Retries after 1, 2, 4… seconds instead of minutes (read by process-outbox when first called).
process.env.OUTBOX_BACKOFF_BASE_SECONDS = '1';

const e2e = useE2E({
  backend: {
    simulator: { delays: { sent: 100, delivered: 300, read: null, reply: null } },
    outboxTimer: { intervalMs: 250 },
  },
});

describe('sending through the outbox', () => {
  test('20 messages written offline go out once each after the tab is closed, and a new tab shows them delivered', async () => {
    const context = await e2e.newContext();
    const { page } = await readyToWrite(e2e, context, '+44 7400 500001', 'Offline Olive');
    const texts = Array.from({ length: 20 }, (_, i) => `Offline message ${i + 1}`);
    // A second tab: it learns the queue's size from the service worker's broadcasts.
    const other = await context.newPage();
    await other.goto(`${e2e.url}/contacts`);
    await other.getByRole('textbox', { name: 'Search contacts' }).waitFor();

    await context.setOffline(true);
    await page.getByRole('status', { name: 'Offline' }).waitFor();
    for (const text of texts) await sendMessage(page, text);
    for (const text of texts) await waitForTicks(page, text, 'Waiting to send');
    // The waiting clock is drawn (an emoji is an empty box without an emoji font).
    const clock = page.getByRole('img', { name: 'Waiting to send' }).first();
    expect(await clock.locator('svg').count()).toBe(1);
    expect(await clock.textContent()).toBe('');
    await waitingToSend(page, 20);
    await waitingToSend(other, 20);
    expect(sentTo(e2e.backend, '447400500001')).toHaveLength(0);
    expect(await serverMessages(e2e.backend, '+447400500001')).toHaveLength(0);

    // Every tab closed, then the network returns: the service worker's sync event replays.
    await page.close();
    await other.close();
    await context.setOffline(false);
    const sends = await until(
      async () => sentTo(e2e.backend, '447400500001'),
      (s) => s.length >= 20,
    );
    // Give a duplicate the time to show up, had there been one.
    await new Promise((r) => setTimeout(r, 1500));
    expect(sentTo(e2e.backend, '447400500001')).toHaveLength(20);
    expect(sends.map((s) => s.body).sort()).toEqual([...texts].sort());

    const fresh = await context.newPage();
    await fresh.goto(`${e2e.url}/contacts`);
    await openConversation(fresh, /Offline Olive/);
    for (const text of texts) await waitForTicks(fresh, text, 'Delivered');
    await fresh.getByRole('status', { name: /waiting to send/ }).waitFor({ state: 'detached' });
  });

  test('a 5xx from the intake keeps the request and it is retried; a 400 drops it and says why', async () => {
    const context = await e2e.newContext();
    const { page } = await readyToWrite(e2e, context, '+44 7400 500003', 'Flaky Fay');
    let failures = 2;
    await context.route('**/functions/v1/outbox', async (route) => {
      if (failures > 0) {
        failures -= 1;
        await route.fulfill({ status: 503, json: { error: 'the database is restarting' } });
      } else {
        await route.fallback();
      }
    });
    await sendMessage(page, 'Through a flaky server');
    // Kept: the first answer was a 503, and so was the first retry.
    await waitingToSend(page, 1);
    await waitForTicks(page, 'Through a flaky server', 'Delivered', 30_000);
    expect(failures).toBe(0);
    expect(sentTo(e2e.backend, '447400500003').map((s) => s.body)).toEqual(['Through a flaky server']);

    await context.unroute('**/functions/v1/outbox');
    await context.route('**/functions/v1/outbox', (route) =>
      route.fulfill({ status: 400, json: { error: 'a batch holds 1 to 500 commands' } }),
    );
    await sendMessage(page, 'Refused by the server');
    await waitForTicks(page, 'Refused by the server', 'Not sent');
    await outgoing(page, 'Refused by the server')
      .getByRole('alert')
      .filter({ hasText: 'Not sent: a batch holds 1 to 500 commands' })
      .waitFor();
    await page.getByRole('status', { name: /waiting to send/ }).waitFor({ state: 'detached' });
    expect(sentTo(e2e.backend, '447400500003')).toHaveLength(1);
  });

  test('provider trouble: a 5xx is retried, a 429 holds the channel until Retry-After, a 400 fails the message with the reason shown', async () => {
    const context = await e2e.newContext();
    const { page } = await readyToWrite(e2e, context, '+44 7400 500004', 'Provider Pat');
    e2e.backend.simulator!.inject({ kind: 'http', status: 500 });
    await sendMessage(page, 'Retried after a 500');
    await waitForTicks(page, 'Retried after a 500', 'Delivered', 30_000);
    const tries = sentTo(e2e.backend, '447400500004');
    expect(tries.map((s) => s.outcome)).toEqual(['http 500', 'accepted']);

    // A 429 pauses the channel until Retry-After, then the message goes.
    e2e.backend.simulator!.inject({ kind: 'http', status: 429, retryAfter: '2' });
    await sendMessage(page, 'Held back by a 429');
    await waitForTicks(page, 'Held back by a 429', 'Delivered', 30_000);
    const held = sentTo(e2e.backend, '447400500004').slice(2);
    expect(held.map((s) => s.outcome)).toEqual(['http 429', 'accepted']);
    expect(held[1]!.at - held[0]!.at).toBeGreaterThanOrEqual(2_000);

    e2e.backend.simulator!.inject({ kind: 'http', status: 400, message: 'Recipient phone number not valid' });
    await sendMessage(page, 'Refused by the provider');
    await waitForTicks(page, 'Refused by the provider', 'Not sent', 30_000);
    await outgoing(page, 'Refused by the provider')
      .getByRole('alert')
      .filter({ hasText: 'Recipient phone number not valid' })
      .waitFor();
  });
});

describe('the conversation', () => {
  test("the customer's messages sit on the left in a neutral colour, the business's own on the right in green", async () => {
    const context = await e2e.newContext();
    const { page, channelId } = await readyToWrite(e2e, context, '+44 7400 500005', 'Chatty Chloe');
    await sendMessage(page, 'Your order is ready');
    await receiveText(e2e.backend, channelId, '+447400500005', 'Thanks, I am on my way');
    await incoming(page, 'Thanks, I am on my way').waitFor();

    // Both read in one go: the thread may re-render its bubbles between two separate reads.
    const { theirs, ours } = await page.evaluate(
      ([them, us]) => {
        const place = (label: string) => {
          const bubble = document.querySelector(`li[aria-label="${label}"]`) as HTMLElement;
          const thread = (bubble.parentElement as HTMLElement).getBoundingClientRect();
          const box = bubble.getBoundingClientRect();
          const [red = 0, green = 0, blue = 0] = getComputedStyle(bubble)
            .backgroundColor.match(/\d+/g)!
            .map(Number);
          return { left: box.left - thread.left, right: thread.right - box.right, red, green, blue };
        };
        return { theirs: place(them), ours: place(us) };
      },
      ['They: Thanks, I am on my way', 'You: Your order is ready'] as const,
    );
    expect(theirs.left).toBeLessThan(theirs.right);
    expect(ours.right).toBeLessThan(ours.left);
    expect(theirs.left).toBe(ours.right);
    // A grey (white included) for theirs, a green for ours.
    expect(theirs.red === theirs.green && theirs.green === theirs.blue).toBe(true);
    expect(ours.green).toBeGreaterThan(Math.max(ours.red, ours.blue));
  });
});
