import { describe, expect, test } from 'vitest';
import { useE2E } from './harness.ts';
import {
  campaignAudience,
  campaignRow,
  counter,
  draftCampaign,
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
    await page.getByRole('button', { name: 'Launch' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: '1000 messages will go out when you are back online.' })
      .waitFor();
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

  test('pause, resume and cancel from the campaign page', async () => {
    const { user, phones } = await seeded('slow', '2', 4);
    const context = await e2e.newContext();
    const page = await signInToCampaigns(e2e.url, context, user);
    // One a minute: the first goes out, the others wait.
    const id = await draftCampaign(page, { name: 'Slow drip', tag: 'slow', rate: 1 });
    await page.getByRole('button', { name: 'Launch' }).click();

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('Paused', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    await page.getByRole('button', { name: 'Cancel campaign' }).click();
    await page.getByText('Cancelled', { exact: true }).waitFor();
    const row = await until(
      () => campaignRow(e2e.backend, id),
      (c) => c?.status === 'cancelled',
    );
    expect(sendsTo(e2e.backend, phones).length).toBe(row!.sent_count);
    expect(row!.sent_count).toBeLessThan(4);
  });
});
