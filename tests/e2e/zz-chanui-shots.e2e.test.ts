// Temporary: screenshots for review (not committed).
import type { Page } from 'playwright-core';
import { test } from 'vitest';
import { callFunction } from '../backend/channel-steps.ts';
import { addContact, signIn } from './app-steps.ts';
import { useE2E } from './harness.ts';

const e2e = useE2E({ backend: { simulator: {}, outboxTimer: { intervalMs: 250 } } });
const DIR = '/work/shots/chanui';

async function shoot(page: Page, name: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: `${DIR}/${name}-${width}-${scheme}.png`, fullPage: true });
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('shots', async () => {
  const sim = e2e.backend.simulator!;
  const owner = await e2e.backend.user();
  const [ws] = await e2e.backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [owner.id],
  );
  const context = await e2e.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: e2e.url });
  const page = await signIn(context, e2e.url, owner);
  await addContact(page, '+447400555123', 'Dana Channel');
  await page.getByRole('row', { name: /Dana Channel/ }).click();
  await page.getByRole('heading', { name: 'Messages' }).waitFor();
  await shoot(page, '1-contact-no-channel');

  await page.goto(`${e2e.url}/settings/channels`);
  await page.getByText('No WhatsApp number is connected yet').waitFor();
  await shoot(page, '2-channels-empty');
  const meta = sim.addNumber({ format: 'cloud' });
  await page.getByRole('button', { name: 'Add a channel' }).click();
  await shoot(page, '3-wizard-provider');
  await page.getByRole('button', { name: /Meta Cloud API/ }).click();
  await page.getByRole('textbox', { name: 'Phone number ID' }).fill(meta.id);
  await page.getByRole('textbox', { name: 'WhatsApp Business Account ID' }).fill('12');
  await page.getByLabel('Permanent access token').fill(meta.token);
  await page.getByLabel('App secret').fill(meta.appSecret);
  await page.getByRole('button', { name: 'Connect and test' }).click();
  await page.getByRole('textbox', { name: 'WhatsApp Business Account ID' }).waitFor();
  await page.waitForTimeout(500);
  await shoot(page, '4-wizard-field-error');
  await page.getByRole('textbox', { name: 'WhatsApp Business Account ID' }).fill(meta.wabaId);
  await page.getByRole('button', { name: 'Connect and test' }).click();
  await page.getByRole('status').filter({ hasText: 'Test connection passed' }).waitFor();
  await page.getByRole('button', { name: 'Copy Verify token' }).click();
  await shoot(page, '5-wizard-webhook');
  await page.getByRole('button', { name: 'Done' }).click();

  const whapi = sim.addNumber({ format: 'whapi' });
  await callFunction(e2e.backend, owner.accessToken, 'channels/connect', {
    body: { workspace_id: ws!.workspace_id, name: 'Whapi support', provider: 'whapi', api_token: whapi.token },
  });
  const broken = sim.addNumber({ format: 'whapi' });
  const answer = await callFunction(e2e.backend, owner.accessToken, 'channels/connect', {
    body: { workspace_id: ws!.workspace_id, name: 'Old sales line', provider: 'whapi', api_token: broken.token },
  });
  const brokenId = (answer.body.channel as { id: string }).id;
  await e2e.backend.db.query(
    `update public.channels set status = 'disconnected', last_error = 'Whapi refused the token (401 Need channel authorization)', last_error_at = now() where id = $1`,
    [brokenId],
  );
  await page.getByText('Old sales line is disconnected').waitFor();
  await page.getByRole('listitem', { name: 'Channel Meta number' }).getByRole('button', { name: 'Sync templates' }).click();
  await page.getByText('Templates synced').waitFor();
  await shoot(page, '6-channels-list-banner');
  await page.getByRole('listitem', { name: 'Channel Meta number' }).getByRole('button', { name: 'Edit' }).click();
  await shoot(page, '7-channel-edit');

  await context.setOffline(true);
  await page.getByRole('status', { name: 'Offline' }).waitFor();
  await shoot(page, '8-channels-offline');
  await context.setOffline(false);

  await page.goto(`${e2e.url}/contacts`);
  await page.getByRole('row', { name: /Dana Channel/ }).click();
  await page.getByLabel('Approved template').waitFor();
  await page.getByLabel('Approved template').selectOption({ label: 'order_update (en_US)' });
  await page.getByRole('textbox', { name: 'Value of {{1}}' }).fill('Dana');
  await shoot(page, '9-conversation-templates');

  await page.goto(`${e2e.url}/campaigns`);
  await page.waitForTimeout(1000);
  await shoot(page, '10-campaigns');
});
