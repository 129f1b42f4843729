// Messaging steps of the e2e tests: a channel for the user's workspace, a conversation, and
// what its bubbles show, by the UI's accessible names.
import type { BrowserContext, Locator, Page } from 'playwright-core';
import type { Backend } from '../backend/harness.ts';
import { addContact, signIn } from './app-steps.ts';
import type { E2E } from './harness.ts';

/** Polls `read` until `ok` holds; fails after `ms`. */
export async function until<T>(read: () => Promise<T> | T, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`still ${JSON.stringify(value)?.slice(0, 300)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Connects a simulator channel to the workspace of the user with this email; returns its id. */
export async function connectChannel(
  backend: Backend,
  email: string,
  pacing: { ratePerMinute?: number } = {},
): Promise<string> {
  const [row] = await backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name, provider, rate_per_minute)
     select m.workspace_id, 'Simulator', 'simulator', $2
     from public.workspace_members m join auth.users u on u.id = m.user_id
     where u.email = $1
     returning id`,
    [email, pacing.ratePerMinute ?? 6000],
  );
  if (!row) throw new Error(`no workspace for ${email}`);
  return row.id;
}

/** Opens a contact from the list and waits for its conversation. */
export async function openConversation(page: Page, contact: RegExp): Promise<void> {
  await page.getByRole('row', { name: contact }).click();
  await page.getByRole('heading', { name: 'Messages' }).waitFor();
  // The channel arrives by replication: Send stays disabled until it has.
  await page.getByText('No WhatsApp channel is connected').waitFor({ state: 'detached' });
}

/** The bubble of a message this user wrote. */
export function outgoing(page: Page, text: string): Locator {
  return page.getByRole('listitem', { name: `You: ${text}`, exact: true });
}

/** Types a message and presses Enter; resolves once its bubble shows. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
  await outgoing(page, text).waitFor();
}

/** Waits until the message's ticks read `status` (e.g. "Delivered", "Waiting to send"). */
export async function waitForTicks(
  page: Page,
  text: string,
  status: string,
  timeout = 15_000,
): Promise<void> {
  await outgoing(page, text).getByRole('img', { name: status }).waitFor({ timeout });
}

/** A signed-in user with a connected channel and one contact, its conversation open. */
export async function readyToWrite(e2e: E2E, context: BrowserContext, phone: string, name: string) {
  const user = await e2e.backend.user();
  await connectChannel(e2e.backend, user.email);
  const page = await signIn(context, e2e.url, user);
  await addContact(page, phone, name);
  await openConversation(page, new RegExp(name));
  return { user, page };
}

/** What the simulator received for a number (digits, as the Cloud API writes it). */
export function sentTo(backend: Backend, digits: string) {
  const simulator = backend.simulator;
  if (!simulator) throw new Error('this backend runs no simulator');
  return simulator.sends().filter((s) => s.to === digits);
}

export function serverMessages(backend: Backend, phone: string) {
  return backend.db.query<{ body: string; status: string; error: string | null }>(
    'select body, status, error from public.messages where phone = $1 order by created_at, body',
    [phone],
  );
}

/** The header's count of send requests the service worker keeps. */
export async function waitingToSend(page: Page, n: number, timeout = 15_000): Promise<void> {
  const text = n === 1 ? '1 message waiting to send' : `${n} messages waiting to send`;
  await page.getByRole('status', { name: text }).waitFor({ timeout });
}
