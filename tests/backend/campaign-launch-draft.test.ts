// A Meta template campaign launched before its draft reached the server (offline, say): the
// launch's first command carries the draft and creates the campaign, which keeps the
// editor's template mapping (template_parameters) on the server
// (20261205150300_launch_draft_template_mapping.sql); a malformed mapping is refused with
// the reason and creates nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { campaignCommandChunks, type LaunchDraft } from '../../src/domain/campaign-commands.ts';
import type { PreparedMessage } from '../../src/domain/campaign-prepare.ts';
import { campaignMessageId, contactId } from '../../src/domain/ids.ts';
import { type ConnectedChannel, callFunction, connectMeta, workspaceOf } from './channel-steps.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

let backend: Backend;
let owner: MintedUser;
let ws: string;
let meta: ConnectedChannel;
let templateId: string;

beforeAll(async () => {
  backend = await startBackend({ simulator: { delays: { sent: null, delivered: null, read: null } } });
  owner = await backend.mintUser();
  ws = await workspaceOf(backend, owner);
  meta = await connectMeta(backend, owner, ws);
  expect((await callFunction(backend, owner.accessToken, `channels/${meta.id}/sync-templates`)).status).toBe(
    200,
  );
  const [template] = await backend.db.query<{ id: string }>(
    `select id from public.templates where channel_id = $1 and name = 'order_update'`,
    [meta.id],
  );
  templateId = template!.id;
});
afterAll(() => backend?.close());

const people = [0, 1].map((i) => {
  const phone = `+4917${String(60_000_000 + i)}`;
  return { phone, name: `Kundin ${i}` };
});

function launch(templateParameters: unknown) {
  const campaignId = randomUUID();
  const draft = {
    workspace_id: ws,
    name: 'Order news',
    channel_id: meta.id,
    template_id: templateId,
    template_parameters: templateParameters,
    body: 'Order {{1}}: hello {{2}} from {{3}}',
    group_ids: [],
    tags: [],
    contact_ids: people.map((p) => contactId(ws, p.phone)),
    start_at: null,
    time_zone: 'Europe/Berlin',
    window_start_minute: null,
    window_end_minute: null,
    window_days: [1, 2, 3, 4, 5, 6, 7],
    min_delay_ms: 0,
    max_delay_ms: 0,
    rate_per_minute: 60,
    updated_at: new Date().toISOString(),
  } as LaunchDraft;
  const messages: PreparedMessage[] = people.map((p, i) => ({
    message_id: campaignMessageId(campaignId, contactId(ws, p.phone)),
    contact_id: contactId(ws, p.phone),
    phone: p.phone,
    name: p.name,
    body: `Order A-${i}: hello ${p.name} from Berlin`,
    send_at: Date.now() + i * 1000,
    template: { id: templateId, header_parameters: [`A-${i}`], body_parameters: [p.name, 'Berlin'] },
  }));
  const [commands] = [
    ...campaignCommandChunks(messages, { id: campaignId, channel_id: meta.id, draft }, 500),
  ];
  return { campaignId, commands: commands! };
}

async function post(commands: unknown[]) {
  const { data, error } = await owner.client.functions.invoke('outbox', { body: { commands } });
  expect(error).toBeNull();
  return (data as { results: { status: string; error?: string }[] }).results;
}

test('the campaign a launch creates keeps the template mapping of its draft', async () => {
  const mapping = { header: ['{{order}}'], body: ['{{first_name}}', '{{city|Berlin}}'] };
  const { campaignId, commands } = launch(mapping);
  expect(commands[0]!.campaign).toMatchObject({ template_parameters: mapping });
  const answers = await post(commands);
  expect(
    answers.map((r) => r.status),
    JSON.stringify(answers),
  ).toEqual(['queued', 'queued']);
  const [row] = await backend.db.query<{ template_parameters: unknown; template_id: string }>(
    'select template_parameters, template_id from public.campaigns where id = $1',
    [campaignId],
  );
  expect(row).toEqual({ template_parameters: mapping, template_id: templateId });
});

test('a malformed mapping in the draft is refused with the reason and creates nothing', async () => {
  const { campaignId, commands } = launch({ header: [], body: [''] });
  const results = await post(commands);
  expect(results[0]).toMatchObject({
    status: 'rejected',
    error: expect.stringMatching(/template_parameters must be/),
  });
  expect(await backend.db.query('select 1 from public.campaigns where id = $1', [campaignId])).toEqual([]);
});
