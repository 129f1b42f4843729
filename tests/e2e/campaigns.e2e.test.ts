import { describe, expect, test } from 'vitest';
import { addContact } from './app-steps.ts';
import { useE2E } from './harness.ts';
import {
  campaignAudience,
  campaignRow,
  cancelCampaign,
  counter,
  draftCampaign,
  launchCampaign,
  sendsTo,
  signInToCampaigns,
  until,
} from './messaging-steps.ts';

process.env.OUTBOX_BACKOFF_BASE_SECONDS = '1';

const e2e = useE2E({
  backend: {
    simulator: { delays: { sent: 20, delivered: 60, read: null, reply: null } },
    outboxTimer: { intervalMs: 100 },
  },
});

const seeded = (tag: string, prefix: string, count: number) =>
  campaignAudience(e2e.backend, tag, prefix, count);

describe('campaigns', () => {
  test('1,000 contacts: drafted and launched offline, the tab closed, back online: each gets its text once and the counters reach delivered', async () => {
    const { user, phones } = await seeded('launch', '1', 1000);
    const context = await e2e.newContext();
    const page = await signInToCampaigns(e2e.url, context, user);
    // The audience must be on this device first (signing in lands on the contacts list).
    await page.getByText('1,000 contacts').waitFor();
    await context.setOffline(true);
    await page.getByRole('status', { name: 'Offline' }).waitFor();
    // The draft never reaches the server before launch: the launch's first command carries it.
    const id = await draftCampaign(page, {
      name: 'Big sale',
      tag: 'launch',
      rate: 6000,
      delay: { min: 0, max: 0 },
      offline: true,
    });
    await launchCampaign(page, '1,000 people');
    await page
      .getByRole('status')
      .filter({ hasText: '1000 messages will go out when you are back online.' })
      .waitFor();
    // A reload while still offline shows the launch as queued, not a draft to launch again.
    await page.reload();
    await page.getByRole('status').filter({ hasText: 'Launch queued — waiting for the network.' }).waitFor();
    expect(await page.getByRole('button', { name: 'Launch' }).count()).toBe(0);
    expect(sendsTo(e2e.backend, phones)).toHaveLength(0);

    await page.close();
    await context.setOffline(false);
    await until(
      () => campaignRow(e2e.backend, id),
      (c) => c?.status === 'completed' && c.sent_count === 1000 && c.delivered_count > 0,
      // The processor's pace on a busy CI machine, not the app's, sets this.
      200_000,
    );
    const sends = sendsTo(e2e.backend, phones);
    expect(sends).toHaveLength(1000);
    expect(new Set(sends.map((s) => s.to)).size).toBe(1000);
    expect(sends.find((s) => s.to === phones[42]!.slice(1))?.body).toBe('Hello Buyer, the sale is on');

    // A new tab: the counters and the chart come from what the server reports and pulls.
    const fresh = await context.newPage();
    await fresh.goto(`${e2e.url}/campaigns/${id}`);
    await fresh.getByText('Completed').waitFor();
    await counter(fresh, 'Delivered')
      .filter({ hasText: /^1000$/ })
      .waitFor({ timeout: 60_000 });
    await fresh.getByRole('img', { name: 'Sends over time: 1000 of 1000 sent' }).waitFor();
  }, 240_000);

  test('a contact made offline, drafted and launched offline, the tab closed: back online every message goes out and the campaign completes', async () => {
    const { user, phones } = await seeded('mixed', '6', 1);
    const context = await e2e.newContext();
    const page = await signInToCampaigns(e2e.url, context, user);
    await page.getByText('1 contact').waitFor();
    await context.setOffline(true);
    await page.getByRole('status', { name: 'Offline' }).waitFor();
    const newPhone = '+447416009999';
    await addContact(page, newPhone, 'Ada Nova');
    const id = await draftCampaign(page, { name: 'Mixed', tag: 'mixed', rate: 6000, offline: true });
    await page.getByText('Edit draft').click();
    const edit = page.getByRole('form', { name: 'Edit campaign' });
    await edit.getByRole('searchbox', { name: 'Find contacts' }).fill('Ada Nova');
    await edit.getByRole('checkbox', { name: /Ada Nova/ }).check();
    await edit.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('status').filter({ hasText: 'Draft saved.' }).waitFor();
    await launchCampaign(page, '2 people');
    await page
      .getByRole('status')
      .filter({ hasText: '2 messages will go out when you are back online.' })
      .waitFor();

    // With every tab closed only the service worker's queue replays: the launch reaches the
    // server before the new contact's push (which needs a tab), the worst order.
    await page.close();
    await context.setOffline(false);
    await until(
      () => campaignRow(e2e.backend, id),
      (c) => c?.status === 'completed' && c.sent_count === 2,
      120_000,
    );
    const sends = sendsTo(e2e.backend, [...phones, newPhone]);
    expect(sends.map((s) => s.to).sort()).toEqual([phones[0]!.slice(1), newPhone.slice(1)].sort());
    const [contact] = await e2e.backend.db.query<{ name: string }>(
      'select name from public.contacts where phone = $1',
      [newPhone],
    );
    expect(contact?.name).toBe('Ada Nova');
    const [quota] = await e2e.backend.db.query<{ used: number }>(
      `select q.used from public.quotas q join public.workspace_members m on m.workspace_id = q.workspace_id
       where m.user_id = $1`,
      [user.id],
    );
    expect(quota?.used).toBe(2);
  }, 180_000);

  test('pause, resume and cancel from the campaign page', async () => {
    const { user, phones } = await seeded('slow', '2', 4);
    const context = await e2e.newContext();
    const page = await signInToCampaigns(e2e.url, context, user);
    // One a minute: the first goes out, the others wait.
    const id = await draftCampaign(page, { name: 'Slow drip', tag: 'slow', rate: 1 });
    await launchCampaign(page, '4 people');

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('Paused', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    await cancelCampaign(page);
    await page.getByText('Cancelled', { exact: true }).waitFor();
    const row = await until(
      () => campaignRow(e2e.backend, id),
      (c) => c?.status === 'cancelled',
    );
    expect(sendsTo(e2e.backend, phones).length).toBe(row!.sent_count);
    expect(row!.sent_count).toBeLessThan(4);
  });
});
