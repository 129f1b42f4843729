// Campaigns as the app runs them where no service worker keeps commands (Node): a draft
// written offline replicates up, the launch prepares on this thread and posts the messages
// in chunks; the processor sends each once through the simulator at its planned time, and the
// counters come back by replication.
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Campaign } from '../../src/domain/types.ts';
import { type Device, eventually, openDevice, signIn } from './app-devices.ts';
import { type Backend, startBackend, type TestUser } from './harness.ts';

vi.mock('solid-js', () => vi.importActual('solid-js/dist/solid.js'));

let backend: Backend;
let user: TestUser;
let workspaceId: string;
let channelId: string;
const devices: Device[] = [];

beforeAll(async () => {
  backend = await startBackend({
    simulator: { delays: { sent: 20, delivered: 60, read: null, reply: null } },
    outboxTimer: { intervalMs: 100 },
  });
  user = await backend.user();
  const rows = await backend.db.query<{ workspace_id: string; id: string }>(
    `insert into public.channels (workspace_id, name, provider, rate_per_minute)
     select workspace_id, 'Simulator', 'simulator', 6000 from public.workspace_members where user_id = $1
     returning workspace_id, id`,
    [user.id],
  );
  workspaceId = rows[0]!.workspace_id;
  channelId = rows[0]!.id;
});

afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

afterAll(() => backend?.close());

/** `count` contacts tagged `tag`, phones +4474009<tagNo><nnn>, written on the server (they sync in). */
async function seedContacts(tag: string, prefix: string, count: number): Promise<string[]> {
  const phones = Array.from({ length: count }, (_, i) => `+44740${prefix}${String(i).padStart(3, '0')}`);
  await backend.db.query(
    `insert into public.contacts (workspace_id, phone, name, tags)
     select $1, phone, 'Person ' || right(phone, 3), array[$2] from unnest($3::text[]) phone`,
    [workspaceId, tag, phones],
  );
  return phones;
}

async function device(expectedContacts: number): Promise<Device> {
  const d = await openDevice(backend);
  devices.push(d);
  await signIn(d, user.email, user.password);
  await eventually(
    d.watch(() => d.services.contacts.count()),
    (n) => (n ?? 0) >= expectedContacts,
  );
  return d;
}

const sendsTo = (phones: readonly string[]) => {
  const wanted = new Set(phones.map((p) => p.slice(1)));
  return backend.simulator!.sends().filter((s) => wanted.has(s.to));
};

async function draft(d: Device, tag: string, extra: Partial<Campaign> = {}): Promise<Campaign> {
  const created = await d.services.campaigns.createDraft({
    name: `Campaign ${tag}`,
    channel_id: channelId,
    body: 'Hello {{first_name}}, our sale starts today',
    tags: [tag],
    ...extra,
  });
  if (!created.ok) throw new Error(created.error);
  return created.value;
}

describe('campaigns', () => {
  test('drafted offline, launched twice at once: every recipient gets the planned text once, counters come back from the server', async () => {
    const phones = await seedContacts('spring', '1001', 25);
    const d = await device(25);
    d.network.set(false);
    const campaign = await draft(d, 'spring', { rate_per_minute: 6000 });
    d.network.set(true);

    const live = d.watch(() => d.services.campaigns.get(() => campaign.id));
    const [first, second] = await Promise.all([
      d.services.campaigns.launch(campaign.id),
      d.services.campaigns.launch(campaign.id),
    ]);
    expect(first).toEqual({ ok: true, value: { status: 'sent', messages: 25 } });
    expect(second).toEqual(first);

    await eventually(live, (c) => c?.status === 'completed' && c.sent_count === 25, 30_000);
    // Delivery receipts move the server's counter, which replicates here: every one counts,
    // including receipts that reach the server before the processor has recorded the send.
    await eventually(live, (c) => c?.delivered_count === 25, 30_000);
    const statuses = await backend.db.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from public.messages where campaign_id = $1 group by status',
      [campaign.id],
    );
    expect(statuses).toEqual([{ status: 'delivered', n: 25 }]);
    // The quota the launch reserved is used now, and the header's figures say so.
    const quota = d.watch(() => d.services.quota.status);
    await eventually(quota, (q) => q !== undefined && q.used >= 25 && q.reserved === 0);
    expect(await d.services.campaigns.launch(campaign.id)).toEqual({
      ok: true,
      value: { status: 'already', messages: 0 },
    });
    const sends = sendsTo(phones);
    expect(sends).toHaveLength(25);
    expect(new Set(sends.map((s) => s.to)).size).toBe(25);
    expect(sends.find((s) => s.to === phones[7]!.slice(1))?.body).toBe('Hello Person, our sale starts today');
  });

  test('not enough quota: blocked with the reason, nothing sent', async () => {
    const phones = await seedContacts('summer', '1002', 10);
    const d = await device(10);
    await backend.db.query('update public.quotas set monthly_limit = 0 where workspace_id = $1', [
      workspaceId,
    ]);
    try {
      const campaign = await draft(d, 'summer');
      const launched = await d.services.campaigns.launch(campaign.id);
      expect(launched.ok).toBe(false);
      expect(!launched.ok && launched.error).toMatch(/^Not enough quota: this campaign needs 10 messages/);
      const live = d.watch(() => d.services.campaigns.get(() => campaign.id));
      await eventually(live, (c) => c?.status === 'blocked');
      expect(sendsTo(phones)).toHaveLength(0);
    } finally {
      await backend.db.query('update public.quotas set monthly_limit = 1000 where workspace_id = $1', [
        workspaceId,
      ]);
    }
  });

  test('cancel stops what is still queued; offline, actions say they need a connection', async () => {
    const phones = await seedContacts('autumn', '1003', 5);
    const d = await device(5);
    // One a minute: the first goes out, the rest wait long enough to be cancelled.
    const campaign = await draft(d, 'autumn', { rate_per_minute: 1 });
    expect((await d.services.campaigns.launch(campaign.id)).ok).toBe(true);
    const live = d.watch(() => d.services.campaigns.get(() => campaign.id));
    await eventually(live, (c) => c?.sent_count === 1);

    d.network.set(false);
    expect(await d.services.campaigns.cancel(campaign.id)).toEqual({
      ok: false,
      error: "You're offline: this needs a connection.",
    });
    d.network.set(true);
    // The answer counts the messages already being sent (none: one sent, four waiting).
    expect(await d.services.campaigns.cancel(campaign.id)).toEqual({ ok: true, value: 0 });
    await eventually(
      live,
      (c) => c?.status === 'cancelled' && c.cancelled_count === 4 && c.queued_count === 0,
    );
    expect(sendsTo(phones)).toHaveLength(1);
  });

  test('a draft with a bad field is refused naming it, and nothing is written', async () => {
    const d = await device(0);
    const list = d.watch(() => d.services.campaigns.list());
    const before = list().length;
    expect(
      await d.services.campaigns.createDraft({ name: 'x', min_delay_ms: 5000, max_delay_ms: 1000 }),
    ).toEqual({ ok: false, error: 'Maximum delay: at least the minimum delay' });
    expect(await d.services.campaigns.createDraft({ name: '  ' })).toEqual({
      ok: false,
      error: 'Name: required',
    });
    expect(await d.services.campaigns.createDraft({ name: 'x', time_zone: 'Mars/Base' })).toEqual({
      ok: false,
      error: 'Time zone: "Mars/Base" is not a time zone (e.g. Europe/Paris)',
    });
    expect(list()).toHaveLength(before);
  });
});
