// Issue 17 item 12: the service worker's send queue belongs to its user. User A writes
// messages offline and signs out; user B signs in on the same browser and goes online. The
// attack: the worker replays A's queued requests — A's customers' phones and texts — with
// B's session. Here nothing of A's leaves while B (or nobody) is signed in, A's messages go
// out exactly once when A is back, and what A discards at sign-out never leaves at all.
// Every request the service worker sends to the outbox function — what leaves the browser; a
// page's own POST only reaches the worker — is recorded with the user its token names.
import type { BrowserContext, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { bearerSubject } from '../../src/domain/jwt-subject.ts';
import { addContact, cachedSessions, signIn, signOut, waitForPending } from './app-steps.ts';
import { useE2E } from './harness.ts';
import {
  connectChannel,
  openConversation,
  readyToWrite,
  sendMessage,
  sentTo,
  serverMessages,
  until,
  waitForTicks,
  waitingToSend,
} from './messaging-steps.ts';

const e2e = useE2E({
  backend: {
    simulator: { delays: { sent: 100, delivered: 300, read: null, reply: null } },
    outboxTimer: { intervalMs: 250 },
  },
});

interface OutboxCall {
  /** The user the request's token names (undefined: no user token). */
  user: string | undefined;
  bodies: string[];
}

/** Every POST to /functions/v1/outbox the service worker of this context sends to the server. */
function recordOutboxCalls(context: BrowserContext): OutboxCall[] {
  const calls: OutboxCall[] = [];
  context.on('request', (request) => {
    if (request.method() !== 'POST' || !new URL(request.url()).pathname.endsWith('/functions/v1/outbox'))
      return;
    if (!request.serviceWorker()) return;
    void request.headerValue('authorization').then((authorization) => {
      const body = JSON.parse(request.postData() ?? '{}') as { commands?: { body: string }[] };
      calls.push({ user: bearerSubject(authorization), bodies: (body.commands ?? []).map((c) => c.body) });
    });
  });
  return calls;
}

/** Goes offline and writes `texts` to the open conversation; the header counts them waiting. */
async function writeOffline(context: BrowserContext, page: Page, texts: readonly string[]): Promise<void> {
  // The contact is on the server first: the sign-out removes this device's copy.
  await waitForPending(page, 0);
  await context.setOffline(true);
  await page.getByRole('status', { name: 'Offline' }).waitFor();
  for (const text of texts) await sendMessage(page, text);
  await waitingToSend(page, texts.length);
}

/**
 * Sign out while messages wait: a plain sign-out keeps them (the dialog says they go up at the
 * next sign-in here); removing the data warns how many are lost first. Resolves on the sign-in page.
 */
async function signOutWithWaiting(page: Page, waiting: string, how: 'keep' | 'remove'): Promise<void> {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Sign out?' });
  await dialog.getByText('What is waiting to sync or send goes up when you sign in here again').waitFor();
  if (how === 'keep') {
    await dialog.getByRole('button', { name: 'Sign out', exact: true }).click();
  } else {
    await dialog.getByRole('button', { name: 'Sign out and remove data from this device' }).click();
    const warning = page.getByRole('dialog', { name: "Remove data that hasn't synced?" });
    await warning.getByText(`${waiting} waiting to send from this device`).waitFor();
    await warning.getByRole('button', { name: 'Remove anyway' }).click();
  }
  await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("A's parked messages are never sent under B, and go out exactly once when A signs in again", async () => {
  const context = await e2e.newContext();
  const calls = recordOutboxCalls(context);
  const { user: a, page } = await readyToWrite(e2e, context, '+44 7400 710001', 'Alma Customer');
  const b = await e2e.backend.user();
  await connectChannel(e2e.backend, b.email);

  await writeOffline(context, page, ['A private one', 'A private two']);
  await signOutWithWaiting(page, '2 messages are', 'keep');
  await context.setOffline(false);
  await page.close();

  // B on the same browser, online: the worker replays on B's sign-in. B's own message goes
  // through it, so the worker was awake and sending while A's requests waited.
  const pageB = await signIn(context, e2e.url, b);
  await addContact(pageB, '+44 7400 720001', 'Bert Customer');
  await openConversation(pageB, /Bert Customer/);
  await sendMessage(pageB, 'B own message');
  await waitForTicks(pageB, 'B own message', 'Delivered');
  // What B could do from the console: make the worker replay everything now.
  await pageB.evaluate(() =>
    navigator.serviceWorker.controller?.postMessage({ type: 'outbox-replay', force: true }),
  );
  await settle(3_000);
  expect(await pageB.getByRole('status', { name: /waiting to send/ }).count()).toBe(0);
  expect(sentTo(e2e.backend, '447400710001')).toEqual([]);
  // Under B's token went B's message and nothing else (a body the recorder cannot read counts
  // as someone else's).
  expect(calls.filter((c) => c.user === b.id).map((c) => c.bodies)).toEqual([['B own message']]);
  // Nor under A's signed-out session, nor with no token at all: parked means unsent.
  const aBodies = new Set(['A private one', 'A private two']);
  expect(calls.filter((c) => c.user !== b.id)).toEqual([]);
  await signOut(pageB);
  await pageB.close();

  // A is back: the parked messages leave, with A's new session, once each.
  await signIn(context, e2e.url, a);
  await until(
    () => sentTo(e2e.backend, '447400710001').length,
    (n) => n === 2,
  );
  await settle(2_000);
  expect(
    sentTo(e2e.backend, '447400710001')
      .map((s) => s.body)
      .sort(),
  ).toEqual(['A private one', 'A private two']);
  expect((await serverMessages(e2e.backend, '+447400710001')).map((m) => m.body).sort()).toEqual([
    'A private one',
    'A private two',
  ]);
  const carriers = calls.filter((c) => c.bodies.some((x) => aBodies.has(x)));
  expect(carriers.length).toBeGreaterThan(0);
  expect(carriers.every((c) => c.user === a.id)).toBe(true);
});

test('messages discarded at sign-out are never sent, not even to their own user later; their database and session are gone', async () => {
  const context = await e2e.newContext();
  const calls = recordOutboxCalls(context);
  const { user: a, page } = await readyToWrite(e2e, context, '+44 7400 730001', 'Cleo Customer');

  await writeOffline(context, page, ['A discarded']);
  // A draft typed and never sent is message text too: it goes with the data.
  await page.getByRole('textbox', { name: 'Message' }).fill('A draft never sent');
  await page.waitForFunction(() => JSON.stringify(localStorage).includes('A draft never sent'));
  await signOutWithWaiting(page, '1 message is', 'remove');
  // Nothing of A's is left on this device: no database of theirs (the storage worker's
  // included), no session, nothing remembered.
  await until(
    () => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? '')),
    (names) => names.length > 0 && !names.some((name) => name.includes(a.id)),
  );
  expect(await cachedSessions(page)).toBe(0);
  expect(
    await page.evaluate(() =>
      Object.keys(localStorage).filter((key) => /pigeon:(user|workspace|draft)/.test(key)),
    ),
  ).toEqual([]);
  await context.setOffline(false);
  await page.close();

  // A signs in again and writes online: that message goes; the discarded one never does.
  const again = await signIn(context, e2e.url, a);
  await openConversation(again, /Cleo Customer/);
  await sendMessage(again, 'A after discard');
  await waitForTicks(again, 'A after discard', 'Delivered');
  await settle(3_000);
  expect(sentTo(e2e.backend, '447400730001').map((s) => s.body)).toEqual(['A after discard']);
  // The only request that left: the new message, with A's token.
  expect(calls).toEqual([{ user: a.id, bodies: ['A after discard'] }]);
  expect(await again.getByRole('status', { name: /waiting to send/ }).count()).toBe(0);
});
