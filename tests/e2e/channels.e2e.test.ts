// Connecting real numbers through the UI (issue 13), against the simulator speaking each
// provider's wire format: an owner adds a Meta number (webhook URL and verify token copied
// into "Meta's dashboard") and a Whapi number (a wrong token named, then reconnected), syncs
// Meta's templates, sends on each and sees the ticks; outside Meta's 24-hour window the
// compose box offers approved templates; an agent sees the channels and cannot change them.
import type { BrowserContext, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { callFunction } from '../backend/channel-steps.ts';
import { type Account, addContact, signIn } from './app-steps.ts';
import { useE2E } from './harness.ts';
import { incoming, launchCampaign, outgoing, until, waitForTicks } from './messaging-steps.ts';

const e2e = useE2E({
  backend: {
    simulator: { delays: { sent: 20, delivered: 60, read: 120, reply: null } },
    outboxTimer: { intervalMs: 250 },
  },
});

const PHONE = '+447400555123';

async function ownerContext(): Promise<BrowserContext> {
  const context = await e2e.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: e2e.url });
  return context;
}

async function openChannels(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Settings' }).first().click();
  await page.getByRole('link', { name: 'manage channels' }).click();
  await page.getByRole('heading', { name: 'Channels', level: 1 }).waitFor();
}

async function copied(page: Page, label: string): Promise<string> {
  await page.getByRole('button', { name: `Copy ${label}` }).click();
  return page.evaluate(() => navigator.clipboard.readText());
}

function card(page: Page, name: string) {
  return page.getByRole('listitem', { name: `Channel ${name}` });
}

test('an owner connects a Meta and a Whapi number, sends on each and sees the ticks; templates outside the window', async () => {
  const simulator = e2e.backend.simulator!;
  const owner = await e2e.backend.user();
  const page = await signIn(await ownerContext(), e2e.url, owner);

  // No number yet: the contact's compose box calls for one instead of a disabled Send.
  await addContact(page, PHONE, 'Dana Channel');
  await page.getByRole('row', { name: /Dana Channel/ }).click();
  await page.getByRole('link', { name: 'Connect a WhatsApp number' }).click();
  await page.getByRole('heading', { name: 'Channels', level: 1 }).waitFor();
  await page.getByText('No WhatsApp number is connected yet').waitFor();

  // Meta: credentials in, webhook setup out (copied, then saved in "Meta's dashboard").
  const metaNumber = simulator.addNumber({ format: 'cloud' });
  await page.getByRole('button', { name: 'Add a channel' }).click();
  await page.getByRole('button', { name: /Meta Cloud API/ }).click();
  const metaForm = page.getByRole('form', { name: 'Connect a Meta number' });
  await metaForm.getByRole('textbox', { name: 'Name' }).fill('Meta line');
  await metaForm.getByRole('textbox', { name: 'Phone number ID' }).fill(metaNumber.id);
  await metaForm.getByRole('textbox', { name: 'WhatsApp Business Account ID' }).fill(metaNumber.wabaId);
  await metaForm.getByLabel('Permanent access token').fill(metaNumber.token);
  await metaForm.getByLabel('App secret').fill(metaNumber.appSecret);
  await metaForm.getByRole('button', { name: 'Connect and test' }).click();
  await page.getByRole('status').filter({ hasText: 'Test connection passed' }).waitFor();
  const callbackUrl = await copied(page, 'Webhook callback URL');
  const verifyToken = await copied(page, 'Verify token');
  expect(callbackUrl).toMatch(new RegExp(`^${e2e.backend.url}/functions/v1/webhooks/[0-9a-f-]{36}$`));
  expect(verifyToken).toMatch(/^[0-9a-f]{64}$/);
  expect(await simulator.setNumberWebhook(metaNumber.id, callbackUrl, verifyToken)).toEqual({ ok: true });
  // The page keeps no credential once it is sent.
  expect(await page.content()).not.toContain(metaNumber.token);
  await page.getByRole('button', { name: 'Done' }).click();

  // Whapi: a wrong token is named; the channel is reconnected with the right one.
  const whapiNumber = simulator.addNumber({ format: 'whapi' });
  await page.getByRole('button', { name: 'Add a channel' }).click();
  await page.getByRole('button', { name: /Whapi\.cloud/ }).click();
  const whapiForm = page.getByRole('form', { name: 'Connect a Whapi number' });
  await whapiForm.getByRole('textbox', { name: 'Name' }).fill('Whapi line');
  await whapiForm.getByLabel('API token').fill('not-the-right-token-0000');
  await whapiForm.getByRole('button', { name: 'Connect and test' }).click();
  await page
    .getByRole('alert')
    .filter({ hasText: /Test connection failed: API token/ })
    .waitFor();
  await page.getByRole('button', { name: 'Done' }).click();
  const whapi = card(page, 'Whapi line');
  await whapi.getByRole('button', { name: 'Reconnect' }).click();
  await whapi.getByLabel('New API token').fill(whapiNumber.token);
  await whapi.getByRole('button', { name: 'Reconnect' }).click();
  await whapi.getByText('Connected', { exact: true }).waitFor();

  const meta = card(page, 'Meta line');
  await meta.getByText('Connected', { exact: true }).waitFor();
  await meta.getByText('GREEN').waitFor();
  await meta.getByText(`+${metaNumber.displayPhoneNumber}`).waitFor();
  await meta.getByRole('button', { name: 'Test connection' }).click();
  await meta.getByRole('status').filter({ hasText: 'Test connection passed' }).waitFor();
  await meta.getByRole('button', { name: 'Sync templates' }).click();
  await meta.getByRole('status').filter({ hasText: 'Templates synced' }).waitFor();

  // Meta, outside the window (Dana never wrote): approved templates only, from local data.
  await page.goto(`${e2e.url}/contacts`);
  await openConversationFor(page);
  await page
    .getByLabel('Send through')
    .selectOption({ label: `Meta line (+${metaNumber.displayPhoneNumber})` });
  await page.getByRole('note').filter({ hasText: 'only lets you send an approved template' }).waitFor();
  expect(await page.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
  const offered = await page.getByLabel('Approved template').locator('option').allTextContents();
  expect(offered.sort()).toEqual(['order_update (en_US)', 'welcome (en_US)']);
  // order_update has a text header "Order {{1}}" and a body with {{1}} and {{2}}: a field each.
  await page.getByLabel('Approved template').selectOption({ label: 'order_update (en_US)' });
  await page.getByRole('textbox', { name: 'Header {{1}}' }).fill('A-17');
  await page.getByRole('textbox', { name: 'Body {{1}}' }).fill('Dana');
  await page.getByRole('textbox', { name: 'Body {{2}}' }).fill('Leeds');
  await page.getByText('Order A-17').waitFor();
  await page.getByRole('button', { name: 'Send template' }).click();
  await waitForTicks(page, 'Hello Dana, your order is on its way to Leeds.', 'Read');

  // Dana writes: the window opens and free text goes out through Meta.
  await simulator.inbound(metaNumber.id, {
    type: 'text',
    from: PHONE.slice(1),
    body: 'Hi, is my order ready?',
  });
  await incoming(page, 'Hi, is my order ready?').waitFor();
  await page.getByRole('textbox', { name: 'Message' }).fill('Yes, it ships today');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await waitForTicks(page, 'Yes, it ships today', 'Read');

  // Whapi has no window: free text at once.
  await page
    .getByLabel('Send through')
    .selectOption({ label: `Whapi line (+${whapiNumber.displayPhoneNumber})` });
  await page.getByRole('textbox', { name: 'Message' }).fill('Hello from Whapi');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await waitForTicks(page, 'Hello from Whapi', 'Read');

  const sends = await until(
    () => simulator.sends().filter((s) => s.to === PHONE.slice(1)),
    (all) => all.length === 3,
  );
  expect(sends.map((s) => [s.format, s.phoneNumberId, s.type, s.body])).toEqual([
    ['cloud', metaNumber.id, 'template', 'Hello Dana, your order is on its way to Leeds.'],
    ['cloud', metaNumber.id, 'text', 'Yes, it ships today'],
    ['whapi', whapiNumber.id, 'text', 'Hello from Whapi'],
  ]);
  await outgoing(page, 'Hello from Whapi').waitFor();
  // Meta's wire format: the header's value in a header component, the body's in a body one.
  expect(sends[0]!.components).toEqual([
    { type: 'header', parameters: [{ type: 'text', text: 'A-17' }] },
    {
      type: 'body',
      parameters: [
        { type: 'text', text: 'Dana' },
        { type: 'text', text: 'Leeds' },
      ],
    },
  ]);

  // A campaign through the Meta number: the editor offers only its approved templates and
  // maps Pigeon variables to the template's {{n}}; Dana gets it as that template.
  await page.getByRole('link', { name: 'Campaigns' }).first().click();
  const form = page.getByRole('form', { name: 'New campaign' });
  await form.getByRole('textbox', { name: 'Campaign name' }).fill('Order news');
  await form.getByRole('combobox', { name: 'Channel' }).selectOption({ label: 'Meta line' });
  const template = form.getByRole('combobox', { name: 'Template' });
  expect((await template.locator('option').allTextContents()).sort()).toEqual([
    'Choose a template',
    'order_update',
    'welcome',
  ]);
  await template.selectOption({ label: 'order_update' });
  const values = form.getByRole('group', { name: 'Template values' });
  await values.getByRole('combobox', { name: 'Header {{1}}' }).fill('{{phone}}');
  await values.getByRole('combobox', { name: 'Body {{1}}' }).fill('{{first_name}}');
  await form.getByRole('button', { name: 'Create draft' }).click();
  await values.getByText('Template body {{2}}: choose a variable or type a value').waitFor();
  await values.getByRole('combobox', { name: 'Body {{2}}' }).fill('{{city|your town}}');
  await values.getByText('Hello {{first_name}}, your order is on its way to {{city|your town}}.').waitFor();
  await form.getByRole('searchbox', { name: 'Find contacts' }).fill('Dana');
  await form.getByRole('checkbox', { name: /Dana Channel/ }).check();
  await form.getByRole('textbox', { name: 'Messages per minute' }).fill('6000');
  await form.getByRole('button', { name: 'Create draft' }).click();
  await page.getByRole('heading', { name: 'Order news' }).waitFor();
  await launchCampaign(page, '1 person');
  const campaignSend = await until(
    () => simulator.sends().filter((s) => s.to === PHONE.slice(1)),
    (all) => all.length === 4,
  );
  expect(campaignSend.at(-1)).toMatchObject({
    phoneNumberId: metaNumber.id,
    type: 'template',
    template: { name: 'order_update', language: 'en_US' },
    components: [
      { type: 'header', parameters: [{ type: 'text', text: PHONE }] },
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'Dana' },
          { type: 'text', text: 'your town' },
        ],
      },
    ],
    body: 'Hello Dana, your order is on its way to your town.',
  });
});

/** Dana's conversation: its compose box depends on the channel picked, so only the heading is waited for. */
async function openConversationFor(page: Page) {
  await page.getByRole('row', { name: /Dana Channel/ }).click();
  await page.getByRole('heading', { name: 'Messages' }).waitFor();
}

test('an agent sees the channels but cannot change them', async () => {
  const owner = await e2e.backend.user();
  const agentUser = await e2e.backend.user();
  const [ws] = await e2e.backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [owner.id],
  );
  // The agent's own workspace sorts after the shared one, which the app opens first.
  await e2e.backend.db.query(
    `update public.workspaces set name = 'Zzz own'
      where id = (select workspace_id from public.workspace_members where user_id = $1 and role = 'owner')`,
    [agentUser.id],
  );
  await e2e.backend.db.query(`update public.workspaces set name = 'Aaa shared' where id = $1`, [
    ws!.workspace_id,
  ]);
  await e2e.backend.db.query(
    `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'agent')`,
    [ws!.workspace_id, agentUser.id],
  );
  const number = e2e.backend.simulator!.addNumber({ format: 'whapi' });
  const ownerPage = await signIn(await ownerContext(), e2e.url, owner);
  await openChannels(ownerPage);
  await ownerPage.getByRole('button', { name: 'Add a channel' }).click();
  await ownerPage.getByRole('button', { name: /Whapi\.cloud/ }).click();
  await ownerPage.getByLabel('API token').fill(number.token);
  await ownerPage.getByRole('button', { name: 'Connect and test' }).click();
  await ownerPage.getByRole('status').filter({ hasText: 'Test connection passed' }).waitFor();

  const page = await signIn(await e2e.newContext(), e2e.url, agentUser as Account);
  await openChannels(page);
  const whapi = card(page, 'Whapi number');
  await whapi.getByText('Connected', { exact: true }).waitFor();
  await page.getByText('Only owners and admins can add or change channels').waitFor();
  expect(await page.getByRole('button', { name: 'Add a channel' }).count()).toBe(0);
  expect(await whapi.getByRole('button').count()).toBe(0);
});

test('a refused token disconnects the number: owners see a banner, reconnect, and the held message goes out', async () => {
  const simulator = e2e.backend.simulator!;
  const owner = await e2e.backend.user();
  const [ws] = await e2e.backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [owner.id],
  );
  const number = simulator.addNumber({ format: 'whapi' });
  const connected = await callFunction(e2e.backend, owner.accessToken, 'channels/connect', {
    body: {
      workspace_id: ws!.workspace_id,
      name: 'Support line',
      provider: 'whapi',
      api_token: number.token,
    },
  });
  expect(connected.status).toBe(201);
  const page = await signIn(await ownerContext(), e2e.url, owner);
  await addContact(page, '+447400555777', 'Held Harriet');
  await page.getByRole('row', { name: /Held Harriet/ }).click();
  await page.getByRole('textbox', { name: 'Message' }).waitFor();

  simulator.revokeToken(number.id);
  await page.getByRole('textbox', { name: 'Message' }).fill('Held until reconnect');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const banner = page.getByRole('alert').filter({ hasText: 'Support line is disconnected' });
  await banner.waitFor({ timeout: 20_000 });
  // Held, not failed: nothing reached the provider, and the bubble does not say it failed.
  expect(simulator.sends().filter((s) => s.to === '447400555777' && s.outcome === 'accepted')).toEqual([]);
  expect(await outgoing(page, 'Held until reconnect').getByRole('img', { name: 'Not sent' }).count()).toBe(0);

  await banner.getByRole('link', { name: 'Reconnect' }).click();
  const line = card(page, 'Support line');
  await line.getByText('Disconnected', { exact: true }).waitFor();
  await line.getByRole('button', { name: 'Reconnect' }).click();
  await line.getByLabel('New API token').fill(simulator.rotateToken(number.id));
  await line.getByRole('button', { name: 'Reconnect' }).click();
  await line.getByText('Connected', { exact: true }).waitFor();
  await banner.waitFor({ state: 'detached' });

  const sends = await until(
    () => simulator.sends().filter((s) => s.to === '447400555777' && s.outcome === 'accepted'),
    (all) => all.length >= 1,
  );
  expect(sends.map((s) => s.body)).toEqual(['Held until reconnect']);
});
