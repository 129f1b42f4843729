// The inbox on a Meta channel (issues 13 and 14): outside WhatsApp's 24-hour window a reply
// can only be an approved template, so the compose box offers the channel's templates (a
// field per {{n}}) and sends one as a template; notes stay free; once the customer writes
// again, free text is back. A customer's photo downloads from the provider on demand.
import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { callFunction, connectMeta, workspaceOf } from '../backend/channel-steps.ts';
import { signIn } from './app-steps.ts';
import { useE2E } from './harness.ts';
import { until } from './messaging-steps.ts';

const e2e = useE2E({
  backend: {
    simulator: { delays: { sent: 50, delivered: 100, read: null, reply: null } },
    outboxTimer: { intervalMs: 250 },
  },
});

const DIGITS = '447700900321';

test('outside the 24-hour window a Meta chat offers approved templates and sends one as a template', async () => {
  const simulator = e2e.backend.simulator!;
  const db = e2e.backend.db;
  const owner = await e2e.backend.user();
  const ws = await workspaceOf(e2e.backend, owner);
  const meta = await connectMeta(e2e.backend, owner, ws);
  const synced = await callFunction(e2e.backend, owner.accessToken, `channels/${meta.id}/sync-templates`);
  expect(synced.status).toBe(200);
  await simulator.inbound(meta.numberId, { type: 'text', from: DIGITS, body: 'Is the shop open?' });
  await until(
    () => db.query('select id from public.chats where channel_id = $1', [meta.id]),
    (rows) => rows.length === 1,
  );
  // The customer wrote 25 hours ago: the window is closed when the device first syncs.
  await db.query(
    `update public.messages set created_at = now() - interval '25 hours' where channel_id = $1`,
    [meta.id],
  );
  await db.query(
    `update public.chats set last_inbound_at = now() - interval '25 hours' where channel_id = $1`,
    [meta.id],
  );

  const page = await signIn(await e2e.newContext(), e2e.url, owner);
  await page.getByRole('link', { name: 'Inbox', exact: true }).click();
  await page
    .getByRole('list', { name: 'Chats' })
    .getByRole('link', { name: new RegExp(DIGITS) })
    .click();
  await page.getByRole('listitem', { name: 'They: Is the shop open?', exact: true }).waitFor();
  await page.getByRole('note').filter({ hasText: 'The 24-hour window closed' }).waitFor();
  expect(await page.getByRole('textbox', { name: 'Message' }).count()).toBe(0);

  // Approved ones only, a field per {{n}} of the chosen one.
  const picker = page.getByLabel('Approved template');
  const offered = await picker.locator('option').allTextContents();
  expect(offered.sort()).toEqual(['order_update (en_US)', 'welcome (en_US)']);
  await picker.selectOption({ label: 'order_update (en_US)' });
  await page.getByRole('textbox', { name: 'Header {{1}}' }).waitFor();
  await page.getByRole('textbox', { name: 'Body {{1}}' }).waitFor();
  await page.getByRole('textbox', { name: 'Body {{2}}' }).waitFor();
  await picker.selectOption({ label: 'welcome (en_US)' });
  expect(await page.getByRole('textbox', { name: /^(Header|Body) \{\{/ }).count()).toBe(0);
  await page.getByRole('button', { name: 'Send template' }).click();
  await page.getByRole('listitem', { name: 'You: Welcome to our shop!', exact: true }).waitFor();
  const sends = await until(
    () => simulator.sends().filter((s) => s.to === DIGITS),
    (all) => all.length >= 1,
  );
  expect(sends.map((s) => [s.type, s.body])).toEqual([['template', 'Welcome to our shop!']]);

  // A note is never a provider message: it stays free text outside the window.
  await page.locator('label', { hasText: 'Internal note' }).click();
  await page.getByRole('textbox', { name: 'Note' }).waitFor();
  await page.locator('label', { hasText: 'Reply' }).click();
  await page.getByLabel('Approved template').waitFor();

  // On a phone the closed window folds to one line, so the conversation keeps the screen
  // (unfolded it left the thread ≈ 180 px of 844); one tap unfolds it.
  const wide = page.viewportSize()!;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByLabel('Approved template').waitFor({ state: 'hidden' });
  const thread = await page.getByRole('list', { name: 'Conversation' }).boundingBox();
  expect(thread!.height).toBeGreaterThan(400);
  await page.getByText('24-hour window closed: send a template').click();
  await page.getByLabel('Approved template').waitFor();
  await page.setViewportSize(wide);

  // The customer writes again: the window opens and the free-text box is back.
  await simulator.inbound(meta.numberId, { type: 'text', from: DIGITS, body: 'Hello again' });
  await page.getByRole('listitem', { name: 'They: Hello again', exact: true }).waitFor();
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
  expect(await page.getByRole('note').filter({ hasText: '24-hour window' }).count()).toBe(0);
});

test("a customer's photo shows as a placeholder with its caption and downloads on demand", async () => {
  const owner = await e2e.backend.user();
  const meta = await connectMeta(e2e.backend, owner, await workspaceOf(e2e.backend, owner));
  await e2e.backend.simulator!.inbound(meta.numberId, {
    type: 'image',
    from: '447700900322',
    caption: 'The broken part',
  });
  const page = await signIn(await e2e.newContext(), e2e.url, owner);
  await page.getByRole('link', { name: 'Inbox', exact: true }).click();
  await page
    .getByRole('list', { name: 'Chats' })
    .getByRole('link', { name: /447700900322/ })
    .click();
  const photo = page.getByRole('listitem', { name: 'They: The broken part', exact: true });
  await photo.getByText('Photo').waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    photo.getByRole('button', { name: 'Download photo' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^image-.*\.png$/);
  const bytes = await readFile((await download.path())!);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
});
