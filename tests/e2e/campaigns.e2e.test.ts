import { readFileSync } from 'node:fs';
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

// The big campaign's audience: enough for many intake chunks and a virtualised report, small
// enough for CI (the full-size intake and send rates are `npm run bench campaign-prepare` and
// `outbox-throughput`).
const BIG = 400;

const seeded = (tag: string, prefix: string, count: number) =>
  campaignAudience(e2e.backend, tag, prefix, count);

describe('campaigns', () => {
  test(`${BIG.toLocaleString('en')} contacts: drafted and launched offline, the tab closed, back online: each gets its text once and the counters reach delivered`, async () => {
    const { user, phones } = await seeded('launch', '1', BIG);
    const context = await e2e.newContext();
    const page = await signInToCampaigns(e2e.url, context, user);
    // The audience must be on this device first (signing in lands on the contacts list).
    await page.getByText(`${BIG.toLocaleString('en')} contacts`).waitFor();
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
    await launchCampaign(page, `${BIG.toLocaleString('en')} people`);
    await page
      .getByRole('status')
      .filter({ hasText: `${BIG} messages will go out when you are back online.` })
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
      (c) => c?.status === 'completed' && c.sent_count === BIG && c.delivered_count > 0,
      // The processor's pace on a busy CI machine, not the app's, sets this.
      200_000,
    );
    const sends = sendsTo(e2e.backend, phones);
    expect(sends).toHaveLength(BIG);
    expect(new Set(sends.map((s) => s.to)).size).toBe(BIG);
    expect(sends.find((s) => s.to === phones[42]!.slice(1))?.body).toBe('Hello Buyer, the sale is on');

    // A new tab: the counters and the chart come from what the server reports and pulls.
    const fresh = await context.newPage();
    await fresh.goto(`${e2e.url}/campaigns/${id}`);
    await fresh.getByText('Completed').waitFor();
    await counter(fresh, 'Delivered')
      .filter({ hasText: new RegExp(`^${BIG}$`) })
      .waitFor({ timeout: 60_000 });
    await fresh.getByRole('img', { name: `Sends over time: ${BIG} of ${BIG} sent` }).waitFor();
    // The report lists every recipient but renders only the rows in view.
    await fresh.getByText(`${BIG} recipients ·`).waitFor();
    const rendered = await fresh.getByRole('list', { name: 'Recipients' }).locator(':scope > li').count();
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(60);
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
    // The header names what waits: one campaign launch, not its commands as messages.
    await page.getByRole('status', { name: '1 campaign launch waiting to send' }).waitFor();

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

  test('the report lists each recipient with its steps and error, filters, exports CSV offline, and retries the failed once', async () => {
    const { user, phones } = await seeded('report', '3', 4);
    const context = await e2e.newContext();
    const page = await signInToCampaigns(e2e.url, context, user);
    await page.getByText('4 contacts').waitFor();
    // The first two sends are accepted, then reported failed: the recipient is not on WhatsApp.
    e2e.backend.simulator!.inject({ kind: 'undeliverable' }, { kind: 'undeliverable' });
    const id = await draftCampaign(page, { name: 'Report me', tag: 'report', rate: 6000 });
    await launchCampaign(page, '4 people');
    await until(
      () => campaignRow(e2e.backend, id),
      (c) => c?.status === 'completed' && c.sent_count === 2 && c.delivered_count === 2,
      60_000,
    );
    const report = page.getByRole('list', { name: 'Recipients' });
    await page.getByText('4 recipients ·').waitFor();
    await counter(page, 'Failed').filter({ hasText: /^2$/ }).waitFor();
    const filter = page.getByRole('combobox', { name: 'Show recipients by status' });
    await filter.getByRole('option', { name: 'Failed (2)' }).waitFor({ state: 'attached' });
    await filter.selectOption('failed');
    await page.getByText('2 of 4 recipients ·').waitFor();
    const failedRows = report.locator(':scope > li');
    expect(await failedRows.count()).toBe(2);
    for (const row of await failedRows.all()) {
      expect(await row.textContent()).toMatch(
        /^Buyer \d{4}\+44 .*The recipient is not a WhatsApp user \(code 131026\)$/,
      );
      expect(await row.getByRole('list', { name: 'Steps' }).textContent()).toMatch(/Queued .*Failed /);
    }
    // On a phone the error wraps onto more lines rather than being cut, and its row grows.
    const wide = page.viewportSize()!;
    await page.setViewportSize({ width: 390, height: 844 });
    for (const row of await failedRows.all()) {
      const shownWhole = await row
        .getByText('The recipient is not a WhatsApp user (code 131026)')
        .evaluate((el) => {
          const box = el.getBoundingClientRect();
          const item = el.closest('li')!.getBoundingClientRect();
          return el.scrollWidth <= el.clientWidth && box.bottom <= item.bottom + 0.5;
        });
      expect(shownWhole).toBe(true);
    }
    await page.setViewportSize(wide);

    // The export is made from this device's data: offline too.
    await context.setOffline(true);
    await page.getByRole('status', { name: 'Offline' }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('Report me-failed.csv');
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\r\n');
    expect(csv[0]).toBe('Name,Phone,Status,Queued,Sent,Delivered,Read,Failed,Error');
    expect(csv).toHaveLength(3);
    for (const line of csv.slice(1)) {
      expect(line).toMatch(
        // Accepted (sent), then reported failed: queued, sent and failed times, no delivery or read.
        /^Buyer \d{4},"'\+44741\d{5}",failed,(\d{4}-\d\d-\d\dT[\d:.]+Z,){2},,\d{4}-\d\d-\d\dT[\d:.]+Z,The recipient is not a WhatsApp user \(code 131026\)$/,
      );
    }
    await context.setOffline(false);

    // Retry failed: the two failed recipients once more, the delivered ones never.
    await page.getByRole('button', { name: 'Retry failed (2)' }).click();
    await page.getByRole('status').filter({ hasText: '2 failed recipients are queued again.' }).waitFor();
    await until(
      () => campaignRow(e2e.backend, id),
      (c) => c?.status === 'completed' && c.sent_count === 4 && c.delivered_count === 4,
      60_000,
    );
    const counts = new Map<string, number>();
    for (const send of sendsTo(e2e.backend, phones)) counts.set(send.to, (counts.get(send.to) ?? 0) + 1);
    expect([...counts.values()].sort()).toEqual([1, 1, 2, 2]);
    await filter.selectOption('all');
    await page.getByRole('button', { name: /Retry failed/ }).waitFor({ state: 'detached' });
    await filter
      .getByRole('option', { name: 'Delivered (4)' })
      .waitFor({ state: 'attached', timeout: 30_000 });
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
