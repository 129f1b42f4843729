import { describe, expect, test } from 'vitest';
import { waitForPending } from './app-steps.ts';
import { useE2E } from './harness.ts';
import {
  campaignAudience,
  campaignRow,
  draftCampaign,
  launchCampaign,
  receiveText,
  sendsTo,
  signInToCampaigns,
  until,
} from './messaging-steps.ts';

const e2e = useE2E({
  backend: {
    simulator: { delays: { sent: 20, delivered: 60, read: null, reply: null } },
    outboxTimer: { intervalMs: 100 },
  },
});

describe('campaign rules', () => {
  test('an audience of a group and chosen contacts, with a window and pacing, drafted and edited offline: the preview follows it', async () => {
    const { user, phones } = await campaignAudience(e2e.backend, 'aud', '6', 4);
    await e2e.backend.db.query(
      `with g as (
         insert into public.contact_groups (workspace_id, name)
         select m.workspace_id, 'VIP' from public.workspace_members m where m.user_id = $1
         returning id)
       update public.contacts c
       set group_ids = case when c.phone = any($2) then array[(select id from g)] else c.group_ids end,
           opted_out = c.phone = $3
       where c.phone = any($4)`,
      [user.id, phones.slice(0, 2), phones[3], phones],
    );
    const context = await e2e.newContext();
    const page = await signInToCampaigns(e2e.url, context, user);
    await page.getByRole('link', { name: 'Campaigns' }).click();
    const form = page.getByRole('form', { name: 'New campaign' });
    await form.getByRole('checkbox', { name: 'VIP' }).waitFor();
    await form.getByRole('option', { name: 'Sale' }).waitFor({ state: 'attached' });
    await context.setOffline(true);
    await page.getByRole('status', { name: 'Offline' }).waitFor();

    await form.getByRole('textbox', { name: 'Campaign name' }).fill('VIP evening');
    await form.getByRole('combobox', { name: 'Template' }).selectOption({ label: 'Sale' });
    await form.getByRole('checkbox', { name: 'VIP' }).check();
    await form.getByRole('searchbox', { name: 'Find contacts' }).fill('Buyer 0003');
    await form.getByRole('checkbox', { name: /Buyer 0003/ }).check();
    await form.getByRole('list', { name: 'Chosen' }).getByText('Buyer 0003').waitFor();
    await form.getByLabel('Window start').fill('09:00');
    await form.getByLabel('Window end').fill('18:00');
    await form.getByRole('group', { name: 'Days' }).getByRole('checkbox', { name: 'Sunday' }).uncheck();
    await form.getByRole('textbox', { name: 'Minimum delay (seconds)' }).fill('2');
    await form.getByRole('textbox', { name: 'Maximum delay (seconds)' }).fill('1');
    await form.getByRole('button', { name: 'Create draft' }).click();
    // The check names the field, at the field.
    const max = form.getByRole('textbox', { name: 'Maximum delay (seconds)' });
    await expect.poll(() => max.getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('alert').filter({ hasText: 'Maximum delay: at least the minimum delay' }).waitFor();
    await max.fill('3');
    await form.getByRole('button', { name: 'Create draft' }).click();
    await page.getByRole('heading', { name: 'VIP evening' }).waitFor();

    const preview = page.getByRole('region', { name: 'Preview' });
    await page.getByRole('button', { name: 'Preview' }).click();
    await preview.getByText('Quota needed: 2 messages.').waitFor();
    await preview.getByRole('listitem').filter({ hasText: 'Buyer 0003: opted out' }).waitFor();

    // Edited, still offline: one more contact chosen by hand.
    await page.getByText('Edit draft').click();
    const edit = page.getByRole('form', { name: 'Edit campaign' });
    await edit.getByRole('searchbox', { name: 'Find contacts' }).fill('Buyer 0002');
    await edit.getByRole('checkbox', { name: /Buyer 0002/ }).check();
    await edit.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('status').filter({ hasText: 'Draft saved.' }).waitFor();
    await page.getByRole('button', { name: 'Preview' }).click();
    await preview.getByText('Quota needed: 3 messages.').waitFor();

    await context.setOffline(false);
    await waitForPending(page, 0);
    const [row] = await e2e.backend.db.query<Record<string, unknown>>(
      `select c.window_start_minute, c.window_end_minute, c.window_days, c.min_delay_ms, c.max_delay_ms,
         cardinality(c.group_ids) as groups, (select array_agg(k.phone order by k.phone) from public.contacts k
           where k.id = any(c.contact_ids)) as chosen
       from public.campaigns c where c.name = 'VIP evening'`,
    );
    expect(row).toEqual({
      window_start_minute: 540,
      window_end_minute: 1080,
      window_days: [1, 2, 3, 4, 5, 6],
      min_delay_ms: 2000,
      max_delay_ms: 3000,
      groups: 1,
      chosen: [phones[2], phones[3]],
    });
  });

  test('a campaign larger than the quota left is blocked with the reason, and nothing is sent', async () => {
    const { user, phones } = await campaignAudience(e2e.backend, 'quota', '3', 5);
    await e2e.backend.db.query(
      `update public.quotas q set monthly_limit = 3
       from public.workspace_members m where m.user_id = $1 and q.workspace_id = m.workspace_id`,
      [user.id],
    );
    const page = await signInToCampaigns(e2e.url, await e2e.newContext(), user);
    const id = await draftCampaign(page, { name: 'Too big', tag: 'quota', rate: 6000 });

    await launchCampaign(page, '5 people');
    const reason =
      'Not enough quota: this campaign needs 5 messages and 3 are left this month. Nothing was sent.';
    await page.getByRole('alert').filter({ hasText: reason }).waitFor();
    // The campaign's own state, pulled from the server, says it too: its badge and reason.
    await page
      .locator('.campaign-page > p')
      .filter({ has: page.getByText('Blocked', { exact: true }) })
      .filter({ hasText: reason })
      .waitFor();
    expect((await campaignRow(e2e.backend, id))?.status).toBe('blocked');
    expect(sendsTo(e2e.backend, phones)).toHaveLength(0);
  });

  test('a STOP reply opts the contact out: the next campaign leaves them out, says why, and sends them nothing', async () => {
    const { user, phones, channelId } = await campaignAudience(e2e.backend, 'stop', '4', 3);
    const page = await signInToCampaigns(e2e.url, await e2e.newContext(), user);
    const first = await draftCampaign(page, { name: 'First', tag: 'stop', rate: 6000 });
    await launchCampaign(page, '3 people');
    await until(
      () => campaignRow(e2e.backend, first),
      (c) => c?.status === 'completed',
    );
    expect(sendsTo(e2e.backend, phones)).toHaveLength(3);

    await receiveText(e2e.backend, channelId, phones[0]!, 'STOP');
    await page.getByRole('link', { name: 'Contacts' }).click();
    await page
      .getByRole('row', { name: /Buyer 0000/ })
      .getByText('Opted out')
      .waitFor();

    const second = await draftCampaign(page, { name: 'Second', tag: 'stop', rate: 6000 });
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.getByText('Quota needed: 2 messages.').waitFor();
    await preview.getByRole('listitem').filter({ hasText: 'Buyer 0000: opted out' }).waitFor();
    expect(await preview.getByText(phones[0]!).count()).toBe(0);

    await launchCampaign(page, '2 people');
    await until(
      () => campaignRow(e2e.backend, second),
      (c) => c?.status === 'completed',
    );
    const sends = sendsTo(e2e.backend, phones);
    expect(sends).toHaveLength(5);
    expect(sends.filter((s) => s.to === phones[0]!.slice(1))).toHaveLength(1);
  });

  test('the delay chosen in the editor spaces the sends the provider receives', async () => {
    const { user, phones } = await campaignAudience(e2e.backend, 'pace', '5', 10);
    const page = await signInToCampaigns(e2e.url, await e2e.newContext(), user);
    const id = await draftCampaign(page, {
      name: 'Paced',
      tag: 'pace',
      rate: 6000,
      delay: { min: 1, max: 1.5 },
    });
    await launchCampaign(page, '10 people');
    await until(
      () => campaignRow(e2e.backend, id),
      (c) => c?.status === 'completed',
      60_000,
    );
    const at = sendsTo(e2e.backend, phones).map((s) => s.at);
    expect(at).toHaveLength(10);
    // Planned 1–1.5 s apart; a send may leave up to a processor tick late, which can shorten
    // the gap after it by as much, never the whole plan's span.
    const lateness = 300;
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1000 - lateness);
    expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual(9 * 1000 - lateness);
  }, 90_000);
});
