// Free text on a Meta channel, sent by an owner calling the API directly (the app offers
// only templates there): the intake refuses a text to someone who has not written in the
// last 24 hours, and a campaign's text commands, with the reason and nothing written or
// sent (20261205150200_meta_free_text_refusal.sql). Once the customer writes, text goes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { campaignCommandChunks, type LaunchDraft } from '../../src/domain/campaign-commands.ts';
import type { PreparedMessage } from '../../src/domain/campaign-prepare.ts';
import { contactId } from '../../src/domain/ids.ts';
import { type ConnectedChannel, connectMeta, workspaceOf } from './channel-steps.ts';
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
    const draft: LaunchDraft = {
      workspace_id: ws,
      name: 'Plain text on Meta',
      channel_id: meta.id,
      template_id: null,
      body: 'Big sale today!',
      group_ids: [],
      tags: [],
      contact_ids: people.map((p) => p.id),
      start_at: null,
      time_zone: 'Europe/Berlin',
      window_start_minute: null,
      window_end_minute: null,
      window_days: [1, 2, 3, 4, 5, 6, 7],
      min_delay_ms: 0,
      max_delay_ms: 0,
      rate_per_minute: 60,
      updated_at: new Date().toISOString(),
    };
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
