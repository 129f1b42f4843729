// Issue 14's promise in the browser: a customer's message (a stranger's: no contact yet) shows
// in the shared inbox with its unread count; an assignment reaches the other agent's device;
// replies and a note written offline survive a reload, and back online the customer gets
// exactly the two replies and never the note, while the first agent sees both live. The
// customer's and the business's bubbles look different; the inbox works with the keyboard
// alone and fits a phone.

import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { type Account, signIn } from './app-steps.ts';
import { useE2E } from './harness.ts';
import { connectChannel, receiveText, sentTo, until } from './messaging-steps.ts';

const e2e = useE2E({
  backend: {
    simulator: { delays: { sent: 100, delivered: 300, read: null, reply: null } },
    outboxTimer: { intervalMs: 250 },
  },
});

const CUSTOMER = '+447700900123';
const CUSTOMER_NAME = 'Simulated 447700900123';

async function workspaceOf(email: string): Promise<string> {
  const [row] = await e2e.backend.db.query<{ workspace_id: string }>(
    `select m.workspace_id from public.workspace_members m join auth.users u on u.id = m.user_id
     where u.email = $1 and m.role = 'owner'`,
    [email],
  );
  return row!.workspace_id;
}

/** Two agents of one workspace with a simulator channel: alice owns it, bob is an agent. */
async function team() {
  const alice = await e2e.backend.user();
  const bob = await e2e.backend.user();
  const ws = await workspaceOf(alice.email);
  await e2e.backend.db.query(
    `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'agent')`,
    [ws, bob.id],
  );
  const channelId = await connectChannel(e2e.backend, alice.email);
  return { alice, bob, ws, channelId };
}

async function openInbox(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Inbox', exact: true }).click();
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
}

/** Signs in and makes `ws` the current workspace (bob also has a workspace of his own). */
async function signInTo(context: Parameters<typeof signIn>[0], who: Account, ws: string): Promise<Page> {
  const page = await signIn(context, e2e.url, who);
  const select = page.getByRole('combobox', { name: 'Workspace' });
  await select.locator(`option[value="${ws}"]`).waitFor({ state: 'attached' });
  await select.selectOption(ws);
  await page.waitForFunction(
    (id) => (document.querySelector('.workspace-select') as HTMLSelectElement)?.value === id,
    ws,
  );
  return page;
}

const chatRow = (page: Page, name: RegExp) =>
  page.getByRole('list', { name: 'Chats' }).getByRole('link', { name });
const bubble = (page: Page, who: 'You' | 'They', text: string) =>
  page.getByRole('listitem', { name: `${who}: ${text}`, exact: true });

async function write(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: /^(Message|Note)$/ });
  await box.fill(text);
  await box.press('Enter');
}

describe('the shared inbox', () => {
  test('assign across devices, reply offline twice with a note, reload, close: the customer gets exactly the replies', async () => {
    const { alice, bob, ws, channelId } = await team();
    const ctxA = await e2e.newContext();
    const a = await signIn(ctxA, e2e.url, alice);
    await openInbox(a);
    await a.getByText('No conversations yet').waitFor();

    // A stranger writes: the chat appears at once, unread, named after their WhatsApp profile.
    await receiveText(e2e.backend, channelId, CUSTOMER, 'Is my order ready?');
    await chatRow(a, new RegExp(`^${CUSTOMER_NAME}, 1 unread$`)).waitFor();
    await a.waitForFunction(() => document.title.startsWith('(1) '));
    const [contact] = await e2e.backend.db.query<{ name: string; created_from_inbound: boolean }>(
      'select name, created_from_inbound from public.contacts where workspace_id = $1 and phone = $2',
      [ws, CUSTOMER],
    );
    expect(contact).toEqual({ name: CUSTOMER_NAME, created_from_inbound: true });

    await chatRow(a, new RegExp(CUSTOMER_NAME)).click();
    await bubble(a, 'They', 'Is my order ready?').waitFor();
    await chatRow(a, new RegExp(`^${CUSTOMER_NAME}$`)).waitFor();
    await a.waitForFunction(() => !document.title.startsWith('('));
    // Team mates by their address (the server's team list), not "Member 1".
    await a.getByRole('combobox', { name: 'Assignee' }).selectOption({ label: bob.email });
    await until(
      async () =>
        (
          await e2e.backend.db.query<{ a: string }>(
            'select assignee_id as a from public.chats where wa_chat_id = $1',
            [`${CUSTOMER.slice(1)}@s.whatsapp.net`],
          )
        )[0]?.a,
      (assignee) => assignee === bob.id,
    );

    // B sees it under Mine, then loses the network.
    const ctxB = await e2e.newContext();
    const b = await signInTo(ctxB, bob, ws);
    await openInbox(b);
    await b.locator('label', { hasText: 'Mine' }).click();
    await chatRow(b, new RegExp(CUSTOMER_NAME)).click();
    await bubble(b, 'They', 'Is my order ready?').waitFor();
    const teamMates = () =>
      b.getByRole('combobox', { name: 'Assignee' }).locator('option', { hasText: alice.email });
    await teamMates().waitFor({ state: 'attached' });
    await ctxB.setOffline(true);
    await b.getByRole('status', { name: 'Offline' }).waitFor();
    await write(b, 'Yes, it is packed');
    await bubble(b, 'You', 'Yes, it is packed').waitFor();
    await write(b, 'Pick it up after 5 pm');
    await bubble(b, 'You', 'Pick it up after 5 pm').waitFor();
    await b.locator('label', { hasText: 'Internal note' }).click();
    await write(b, 'Customer seems in a hurry');
    await b.getByRole('listitem', { name: /^Note by You: Customer seems in a hurry$/ }).waitFor();

    // A reload with no network keeps all of it.
    await b.reload();
    await bubble(b, 'You', 'Yes, it is packed').waitFor();
    await bubble(b, 'You', 'Pick it up after 5 pm').waitFor();
    await b.getByRole('listitem', { name: /^Note by You: Customer seems in a hurry$/ }).waitFor();
    // Team mates keep their names offline (kept on the device), not "Member 1".
    await teamMates().waitFor({ state: 'attached' });
    expect(await b.getByRole('combobox', { name: 'Assignee' }).locator('option').allTextContents()).toEqual([
      'Unassigned',
      'You',
      alice.email,
    ]);
    await b.getByRole('button', { name: 'Close', exact: true }).click();
    await b.getByRole('button', { name: 'Reopen', exact: true }).waitFor();
    expect(sentTo(e2e.backend, CUSTOMER.slice(1))).toHaveLength(0);
    await b.close();

    // Back online with no tab open: the service worker sends the two replies, once each.
    await ctxB.setOffline(false);
    await until(
      () => sentTo(e2e.backend, CUSTOMER.slice(1)),
      (s) => s.length >= 2,
    );
    await new Promise((r) => setTimeout(r, 1500));
    const sends = sentTo(e2e.backend, CUSTOMER.slice(1));
    expect(sends.map((s) => s.body).sort()).toEqual(['Pick it up after 5 pm', 'Yes, it is packed']);
    expect(JSON.stringify(e2e.backend.simulator!.sends())).not.toContain('in a hurry');

    // B opens the app again: the note and the close go up, and A sees everything live.
    const b2 = await ctxB.newPage();
    await b2.goto(`${e2e.url}/inbox`);
    await bubble(a, 'You', 'Yes, it is packed').waitFor();
    await bubble(a, 'You', 'Pick it up after 5 pm').waitFor();
    await a
      .getByRole('listitem', { name: `Note by ${bob.email}: Customer seems in a hurry`, exact: true })
      .waitFor();
    await a.getByRole('button', { name: 'Reopen', exact: true }).waitFor();

    // The customer's bubble and the business's own are told apart by their look.
    const looks = await a.evaluate(() => {
      const style = (prefix: string) => {
        const el = document.querySelector(`li[aria-label^="${prefix}"]`) as HTMLElement;
        const s = getComputedStyle(el);
        return { background: s.backgroundColor, align: s.alignSelf };
      };
      return { theirs: style('They: '), ours: style('You: ') };
    });
    expect(looks.theirs.background).not.toBe(looks.ours.background);
    expect([looks.theirs.align, looks.ours.align]).toEqual(['flex-start', 'flex-end']);

    // A customer message reopens the closed chat.
    await receiveText(e2e.backend, channelId, CUSTOMER, 'Thanks!');
    await a.getByRole('button', { name: 'Close', exact: true }).waitFor();
  });

  test("opening a chat on one device clears its unread on the member's other device; team mates are named", async () => {
    const { alice, bob, channelId } = await team();
    const one = await signIn(await e2e.newContext(), e2e.url, alice);
    const other = await signIn(await e2e.newContext(), e2e.url, alice);
    await openInbox(one);
    await openInbox(other);
    await receiveText(e2e.backend, channelId, '+447700900654', 'Seen anywhere?');
    await chatRow(one, /^Simulated 447700900654, 1 unread$/).waitFor();
    await chatRow(other, /^Simulated 447700900654, 1 unread$/).waitFor();
    await other.waitForFunction(() => document.title.startsWith('(1) '));

    await chatRow(one, /Simulated 447700900654/).click();
    await bubble(one, 'They', 'Seen anywhere?').waitFor();
    // The read marker replicates: the other device's count and title clear without a reload.
    await chatRow(other, /^Simulated 447700900654$/).waitFor();
    await other.waitForFunction(() => !document.title.startsWith('('));

    await chatRow(other, /Simulated 447700900654/).click();
    const assignee = other.getByRole('combobox', { name: 'Assignee' });
    await assignee.locator('option', { hasText: bob.email }).waitFor({ state: 'attached' });
    expect(await assignee.locator('option').allTextContents()).toEqual(['Unassigned', 'You', bob.email]);
  });

  test('keyboard alone: reach the list, open a chat, reply', async () => {
    const { alice, channelId } = await team();
    const page = await signIn(await e2e.newContext(), e2e.url, alice);
    await receiveText(e2e.backend, channelId, '+447700900456', 'Hello from the keyboard test');
    await page.getByRole('link', { name: 'Inbox', exact: true }).focus();
    await page.keyboard.press('Enter');
    await chatRow(page, /Simulated 447700900456/).waitFor();
    await page.getByRole('searchbox', { name: 'Search chats' }).focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(
      /Simulated 447700900456/,
    );
    await page.keyboard.press('Enter');
    await bubble(page, 'They', 'Hello from the keyboard test').waitFor();
    for (let i = 0; i < 12; i++) {
      if (await page.evaluate(() => document.activeElement?.tagName === 'TEXTAREA')) break;
      await page.keyboard.press('Tab');
    }
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    await page.keyboard.type('Typed without a mouse');
    await page.keyboard.press('Enter');
    await bubble(page, 'You', 'Typed without a mouse').waitFor();
    await until(
      () => sentTo(e2e.backend, '447700900456').map((s) => s.body),
      (bodies) => bodies.includes('Typed without a mouse'),
    );
  });

  test('on a 390 × 844 phone the list and the conversation fit the width, one at a time', async () => {
    const { alice, channelId } = await team();
    const context = await e2e.newContext({ viewport: { width: 390, height: 844 } });
    const page = await signIn(context, e2e.url, alice);
    await receiveText(
      e2e.backend,
      channelId,
      '+447700900789',
      'A rather long first message from a customer on a small phone screen',
    );
    await openInbox(page);
    await chatRow(page, /Simulated 447700900789/).click();
    await bubble(
      page,
      'They',
      'A rather long first message from a customer on a small phone screen',
    ).waitFor();
    const overflow = () =>
      page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBe(0);
    expect(await page.getByRole('list', { name: 'Chats' }).isVisible()).toBe(false);
    await page.getByRole('link', { name: 'Back to chats' }).click();
    await chatRow(page, /Simulated 447700900789/).waitFor();
    expect(await overflow()).toBe(0);
  });
});
