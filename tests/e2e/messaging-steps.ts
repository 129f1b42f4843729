// Messaging steps of the e2e tests: a channel for the user's workspace, a conversation, and
// what its bubbles show, by the UI's accessible names; campaigns and inbound replies.
import { randomUUID } from 'node:crypto';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { postWebhook, replyWebhook } from '../../supabase/local/simulator/webhooks.ts';
import type { Backend } from '../backend/harness.ts';
import { type Account, addContact, signIn, waitForPending } from './app-steps.ts';
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
  // The channel arrives by replication: until it has, a call to connect one stands in for Send.
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
}

/** The bubble of a message this user wrote. */
export function outgoing(page: Page, text: string): Locator {
  return page.getByRole('listitem', { name: `You: ${text}`, exact: true });
}

/** The bubble of a message the contact wrote. */
export function incoming(page: Page, text: string): Locator {
  return page.getByRole('listitem', { name: `They: ${text}`, exact: true });
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
  const channelId = await connectChannel(e2e.backend, user.email);
  const page = await signIn(context, e2e.url, user);
  await addContact(page, phone, name);
  await openConversation(page, new RegExp(name));
  return { user, page, channelId };
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

/**
 * A new user with a simulator channel, a template "Sale" and `count` contacts tagged `tag`
 * (phones +44741<prefix>0000, …0001, …), all on the server.
 */
export async function campaignAudience(backend: Backend, tag: string, prefix: string, count: number) {
  const user = await backend.user();
  const channelId = await connectChannel(backend, user.email);
  const phones = Array.from({ length: count }, (_, i) => `+44741${prefix}${String(i).padStart(4, '0')}`);
  await seedAudience(backend, user.id, tag, phones);
  return { user, phones, channelId };
}

/** A template "Sale" and contacts with these phones, tagged `tag`, in the user's workspace. */
export async function seedAudience(backend: Backend, userId: string, tag: string, phones: readonly string[]) {
  await backend.db.query(
    `with ws as (select m.workspace_id from public.workspace_members m where m.user_id = $1)
     , t as (insert into public.templates (id, workspace_id, name, body)
             select gen_random_uuid(), workspace_id, 'Sale', 'Hello {{first_name|friend}}, the sale is on' from ws
             where not exists (select 1 from public.templates x where x.workspace_id = ws.workspace_id))
     insert into public.contacts (workspace_id, phone, name, tags)
     select ws.workspace_id, phone, 'Buyer ' || right(phone, 4), array[$2]
     from ws, unnest($3::text[]) phone`,
    [userId, tag, phones],
  );
}

export interface CampaignDraft {
  name: string;
  tag: string;
  rate: number;
  /** Seconds between messages. */
  delay?: { min: number; max: number };
  /** Drafted with no network: resolves on its page without waiting for the push. */
  offline?: boolean;
}

/** Drafts a campaign of template "Sale" from the list page's form; resolves on its page, pushed unless offline. */
export async function draftCampaign(page: Page, draft: CampaignDraft): Promise<string> {
  await page.getByRole('link', { name: 'Campaigns' }).click();
  const form = page.getByRole('form', { name: 'New campaign' });
  await form.getByRole('textbox', { name: 'Campaign name' }).fill(draft.name);
  const template = form.getByRole('combobox', { name: 'Template' });
  await template.getByRole('option', { name: 'Sale' }).waitFor({ state: 'attached' });
  await template.selectOption({ label: 'Sale' });
  await form.getByRole('textbox', { name: 'Audience tags' }).fill(draft.tag);
  await form.getByRole('textbox', { name: 'Messages per minute' }).fill(String(draft.rate));
  if (draft.delay) {
    await form.getByRole('textbox', { name: 'Minimum delay (seconds)' }).fill(String(draft.delay.min));
    await form.getByRole('textbox', { name: 'Maximum delay (seconds)' }).fill(String(draft.delay.max));
  }
  await form.getByRole('button', { name: 'Create draft' }).click();
  await page.getByRole('heading', { name: draft.name }).waitFor();
  if (!draft.offline) await waitForPending(page, 0);
  return new URL(page.url()).pathname.split('/').at(-1)!;
}

/** An inbound text from `phone` to the channel, posted as the simulator posts it: signed. */
export async function receiveText(backend: Backend, channelId: string, phone: string, body: string) {
  const target = {
    url: `${backend.url}/functions/v1/webhooks`,
    appSecret: process.env.SIMULATOR_APP_SECRET ?? '',
    displayPhoneNumber: '15550000000',
  };
  const hook = replyWebhook(target, channelId, { id: `wamid.${randomUUID()}`, from: phone.slice(1), body });
  const status = await postWebhook(target, channelId, hook, new AbortController().signal);
  if (status !== 200) throw new Error(`the webhook answered ${status}`);
}

/** A counter of the campaign page ("Queued", "Delivered"…): its value. */
export function counter(page: Page, label: string): Locator {
  return page.locator(`dl[aria-label="Progress"] dt:text-is("${label}") + dd`);
}

/** What the simulator received for any of these phones, in arrival order. */
export function sendsTo(backend: Backend, phones: readonly string[]) {
  const wanted = new Set(phones.map((p) => p.slice(1)));
  if (!backend.simulator) throw new Error('this backend runs no simulator');
  return backend.simulator.sends().filter((s) => wanted.has(s.to));
}

/** A campaign's row on the server. */
export async function campaignRow(backend: Backend, id: string) {
  const [row] = await backend.db.query<{ status: string; sent_count: number; delivered_count: number }>(
    'select status, sent_count, delivered_count from public.campaigns where id = $1',
    [id],
  );
  return row;
}

/** Signs in in a new tab of this context; resolves once the Campaigns link shows. */
export async function signInToCampaigns(url: string, context: BrowserContext, who: Account): Promise<Page> {
  const page = await signIn(context, url, who);
  await page.getByRole('link', { name: 'Campaigns' }).waitFor();
  return page;
}

/** Launch on the campaign page, confirmed in its dialog, which names how many people get it. */
export async function launchCampaign(page: Page, people: string): Promise<void> {
  await page.getByRole('button', { name: 'Launch' }).click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: `Send to ${people}` })
    .click();
}

/** Cancel campaign, confirmed in its dialog. */
export async function cancelCampaign(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Cancel campaign' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel campaign' }).click();
}
