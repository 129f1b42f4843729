// The intake on a Meta channel. Free text, sent by an owner calling the API directly (the
// app offers only templates there): a text to someone who has not written in the last 24
// hours, and a campaign's text commands, are refused with the reason, nothing written or
// sent (20261205150200_meta_free_text_refusal.sql); once the customer writes, text goes.
// A template campaign launched before its draft reached the server (offline, say): the
// launch's first command creates the campaign, which keeps the editor's template mapping
// (20261205150300_launch_draft_template_mapping.sql); a malformed mapping is refused.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { campaignCommandChunks, type LaunchDraft } from '../../src/domain/campaign-commands.ts';
import type { PreparedMessage } from '../../src/domain/campaign-prepare.ts';
import { campaignMessageId, contactId } from '../../src/domain/ids.ts';
import { type ConnectedChannel, callFunction, connectMeta, workspaceOf } from './channel-steps.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

interface CommandResult {
  message_id: string | null;
  status: 'queued' | 'duplicate' | 'rejected';
  error?: string;
}

let backend: Backend;
let owner: MintedUser;
let ws: string;
let meta: ConnectedChannel;

beforeAll(async () => {
  backend = await startBackend({ simulator: { delays: { sent: null, delivered: null, read: null } } });
  owner = await backend.mintUser();
  ws = await workspaceOf(backend, owner);
  meta = await connectMeta(backend, owner, ws, { enforceWindow: true });
});
afterAll(() => backend?.close());

/** The attacker's route: the intake RPC over REST with the owner's own token. */
async function enqueue(commands: unknown[]): Promise<CommandResult[]> {
  const { data, error } = await owner.client.rpc('enqueue_messages', { p_commands: commands });
  expect(error).toBeNull();
  return (data as { results: CommandResult[] }).results;
}

/** A launch's draft for the Meta channel, as the editor saves it. */
function launchDraftOf(
  contactIds: string[],
  fields: Partial<Omit<LaunchDraft, 'template_parameters'>> & { template_parameters?: unknown },
) {
  return {
    workspace_id: ws,
    name: 'Launch',
    channel_id: meta.id,
    template_id: null,
    body: 'Hello',
    group_ids: [],
    tags: [],
    contact_ids: contactIds,
    start_at: null,
    time_zone: 'Europe/Berlin',
    window_start_minute: null,
    window_end_minute: null,
    window_days: [1, 2, 3, 4, 5, 6, 7],
    min_delay_ms: 0,
    max_delay_ms: 0,
    rate_per_minute: 60,
    updated_at: new Date().toISOString(),
    ...fields,
  } as LaunchDraft;
}

const messagesOf = async (ids: string[]) =>
  (
    await backend.db.query<{ n: number }>(
      'select count(*)::int as n from public.messages where id = any ($1)',
      [ids],
    )
  )[0]!.n;

describe('free text on a Meta channel', () => {
  test('outside the 24-hour window a text is refused with the reason; after the customer writes it goes', async () => {
    const to = '+447400100001';
    const id = randomUUID();
    const [refused] = await enqueue([{ message_id: id, channel_id: meta.id, to, body: 'Are you there?' }]);
    expect(refused).toEqual({
      message_id: id,
      status: 'rejected',
      error: expect.stringMatching(/has not written .* in the last 24 hours: .*send a template/),
    });
    expect(await messagesOf([id])).toBe(0);

    // The customer writes: the window opens, the same text is taken.
    const inbound = await backend.simulator!.inbound(meta.numberId, { type: 'text', from: to, body: 'Hi!' });
    expect(inbound.httpStatus).toBe(200);
    const [taken] = await enqueue([{ message_id: id, channel_id: meta.id, to, body: 'Are you there?' }]);
    expect(taken).toEqual({ message_id: id, status: 'queued' });
    // A replay answers duplicate, as any replay does.
    const [again] = await enqueue([{ message_id: id, channel_id: meta.id, to, body: 'Are you there?' }]);
    expect(again).toMatchObject({ message_id: id, status: 'duplicate' });
  });

  test("a campaign's text commands are refused, every one, and nothing is written", async () => {
    const people = Array.from({ length: 30 }, (_, i) => {
      const phone = `+4917${String(50_000_000 + i)}`;
      return { id: contactId(ws, phone), phone, name: `Kunde ${i}` };
    });
    await backend.db.query(
      `insert into public.contacts (id, workspace_id, phone, name)
       select id, $1, phone, name from unnest($2::uuid[], $3::text[], $4::text[]) as c (id, phone, name)`,
      [ws, people.map((p) => p.id), people.map((p) => p.phone), people.map((p) => p.name)],
    );
    const campaignId = randomUUID();
    const draft = launchDraftOf(
      people.map((p) => p.id),
      { body: 'Big sale today!' },
    );
    const messages: PreparedMessage[] = people.map((p, i) => ({
      message_id: randomUUID(),
      contact_id: p.id,
      phone: p.phone,
      name: p.name,
      body: 'Big sale today!',
      send_at: Date.now() + i * 1000,
    }));
    const [commands] = [
      ...campaignCommandChunks(messages, { id: campaignId, channel_id: meta.id, draft }, 500),
    ];
    const results = await enqueue(commands!);
    expect(results).toHaveLength(people.length);
    for (const [i, r] of results.entries()) {
      expect(r, people[i]!.phone).toMatchObject({
        status: 'rejected',
        error: expect.stringMatching(
          /Meta .* channel: a campaign on it sends an approved template, not free text/,
        ),
      });
    }
    expect(await messagesOf(messages.map((m) => m.message_id))).toBe(0);
    const outbox = await backend.db.query('select 1 from public.outbox_messages where campaign_id = $1', [
      campaignId,
    ]);
    expect(outbox).toEqual([]);
    expect(backend.simulator!.sends().filter((s) => s.phoneNumberId === meta.numberId)).toEqual([]);
  });
});

let templateId: string;
async function syncedTemplate(): Promise<string> {
  if (!templateId) {
    expect(
      (await callFunction(backend, owner.accessToken, `channels/${meta.id}/sync-templates`)).status,
    ).toBe(200);
    const [template] = await backend.db.query<{ id: string }>(
      `select id from public.templates where channel_id = $1 and name = 'order_update'`,
      [meta.id],
    );
    templateId = template!.id;
  }
  return templateId;
}

const buyers = [0, 1].map((i) => {
  const phone = `+4917${String(60_000_000 + i)}`;
  return { phone, name: `Kundin ${i}` };
});

function launchTemplate(templateParameters: unknown) {
  const campaignId = randomUUID();
  const draft = launchDraftOf(
    buyers.map((p) => contactId(ws, p.phone)),
    {
      template_id: templateId,
      template_parameters: templateParameters,
      body: 'Order {{1}}: hello {{2}} from {{3}}',
    },
  );
  const messages: PreparedMessage[] = buyers.map((p, i) => ({
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

describe('a template campaign launched before its draft reached the server', () => {
  test('the campaign a launch creates keeps the template mapping of its draft', async () => {
    await syncedTemplate();
    const mapping = { header: ['{{order}}'], body: ['{{first_name}}', '{{city|Berlin}}'] };
    const { campaignId, commands } = launchTemplate(mapping);
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
    await syncedTemplate();
    const { campaignId, commands } = launchTemplate({ header: [], body: [''] });
    const results = await post(commands);
    expect(results[0]).toMatchObject({
      status: 'rejected',
      error: expect.stringMatching(/template_parameters must be/),
    });
    expect(await backend.db.query('select 1 from public.campaigns where id = $1', [campaignId])).toEqual([]);
  });
});
