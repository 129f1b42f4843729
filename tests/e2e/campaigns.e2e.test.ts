// Issue 6 in the browser: a campaign drafted in the app, launched with no network, goes out
// after the tab is closed, through the service worker, exactly once per recipient; and the
// campaign page's Pause, Resume and Cancel drive the server.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { signIn, waitForPending } from './app-steps.ts';
import { useE2E } from './harness.ts';
import { connectChannel, until } from './messaging-steps.ts';

process.env.OUTBOX_BACKOFF_BASE_SECONDS = '1';

const e2e = useE2E({
  backend: {
    simulator: { delays: { sent: 20, delivered: 60, read: null, reply: null } },
    outboxTimer: { intervalMs: 100 },
  },
});

/** A user with a channel, a template and `count` contacts tagged `tag`, all on the server. */
async function seeded(tag: string, prefix: string, count: number) {
  const user = await e2e.backend.user();
  await connectChannel(e2e.backend, user.email);
  const phones = Array.from({ length: count }, (_, i) => `+44741${prefix}${String(i).padStart(4, '0')}`);
  await e2e.backend.db.query(
    `with ws as (select m.workspace_id from public.workspace_members m where m.user_id = $1)
     , t as (insert into public.templates (id, workspace_id, name, body)
             select gen_random_uuid(), workspace_id, 'Sale', 'Hello {{first_name|friend}}, the sale is on' from ws)
     insert into public.contacts (id, workspace_id, phone, name, tags)
     select gen_random_uuid(), ws.workspace_id, phone, 'Buyer ' || right(phone, 4), array[$2]
     from ws, unnest($3::text[]) phone`,
    [user.id, tag, phones],
  );
  return { user, phones };
}

/** Drafts a campaign from the list page's form; resolves on its page, the draft pushed. */
async function draftCampaign(page: Page, name: string, tag: string, rate: number): Promise<string> {
  await page.getByRole('link', { name: 'Campaigns' }).click();
  await page.getByRole('textbox', { name: 'Campaign name' }).fill(name);
  const template = page.getByRole('combobox', { name: 'Template' });
  await template.getByRole('option', { name: 'Sale' }).waitFor({ state: 'attached' });
  await template.selectOption({ label: 'Sale' });
  await page.getByRole('textbox', { name: 'Audience tags' }).fill(tag);
  await page.getByRole('textbox', { name: 'Messages per minute' }).fill(String(rate));
  await page.getByRole('button', { name: 'Create draft' }).click();
  await page.getByRole('heading', { name }).waitFor();
  await waitForPending(page, 0);
  return new URL(page.url()).pathname.split('/').at(-1)!;
}

const sendsTo = (phones: readonly string[]) => {
  const wanted = new Set(phones.map((p) => p.slice(1)));
  return e2e.backend.simulator!.sends().filter((s) => wanted.has(s.to));
};

async function campaignRow(id: string) {
  const [row] = await e2e.backend.db.query<{ status: string; sent_count: number; delivered_count: number }>(
    'select status, sent_count, delivered_count from public.campaigns where id = $1',
    [id],
  );
  return row;
}

async function open(context: BrowserContext, user: { email: string; password: string }) {
  const page = await signIn(context, e2e.url, user);
  await page.getByRole('link', { name: 'Campaigns' }).waitFor();
  return page;
}

describe('campaigns', () => {
  test('1,000 contacts: launched offline, the tab closed, back online: each gets its text once and the counters reach delivered', async () => {
    const { user, phones } = await seeded('launch', '1', 1000);
    const context = await e2e.newContext();
    const page = await open(context, user);
    const id = await draftCampaign(page, 'Big sale', 'launch', 6000);

    await context.setOffline(true);
    await page.getByRole('status', { name: 'Offline' }).waitFor();
    await page.getByRole('button', { name: 'Launch' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: '1000 messages will go out when you are back online.' })
      .waitFor();
    expect(sendsTo(phones)).toHaveLength(0);

    await page.close();
    await context.setOffline(false);
    await until(
      () => campaignRow(id),
      (c) => c?.status === 'completed' && c.sent_count === 1000 && c.delivered_count > 0,
      // The processor's pace on a busy CI machine, not the app's, sets this.
      200_000,
    );
    const sends = sendsTo(phones);
    expect(sends).toHaveLength(1000);
    expect(new Set(sends.map((s) => s.to)).size).toBe(1000);
    expect(sends.find((s) => s.to === phones[42]!.slice(1))?.body).toBe('Hello Buyer, the sale is on');

    const fresh = await context.newPage();
    await fresh.goto(`${e2e.url}/campaigns/${id}`);
    await fresh.getByText('Completed').waitFor();
  }, 240_000);

  test('pause, resume and cancel from the campaign page', async () => {
    const { user, phones } = await seeded('slow', '2', 4);
    const context = await e2e.newContext();
    const page = await open(context, user);
    // One a minute: the first goes out, the others wait.
    const id = await draftCampaign(page, 'Slow drip', 'slow', 1);
    await page.getByRole('button', { name: 'Launch' }).click();

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('Paused', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    await page.getByRole('button', { name: 'Cancel campaign' }).click();
    await page.getByText('Cancelled', { exact: true }).waitFor();
    const row = await until(
      () => campaignRow(id),
      (c) => c?.status === 'cancelled',
    );
    expect(sendsTo(phones).length).toBe(row!.sent_count);
    expect(row!.sent_count).toBeLessThan(4);
  });
});
