// A campaign through a Meta channel, as the app runs it: the draft names an approved template
// synced from the WABA and maps Pigeon variables to its {{n}}; the launch renders them per
// recipient and the processor sends each as a Cloud API template message with the
// recipient's header and body parameters. The simulator's number enforces the 24-hour
// window (nobody here has written), so a text would not be delivered; and a retried failure
// goes out as the same template again.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { type Device, eventually, openDevice, signIn } from './app-devices.ts';
import { callFunction, connectMeta, workspaceOf } from './channel-steps.ts';
import { type Backend, startBackend, type TestUser } from './harness.ts';

vi.mock('solid-js', () => vi.importActual('solid-js/dist/solid.js'));

let backend: Backend;
let user: TestUser;
let workspaceId: string;
const devices: Device[] = [];

beforeAll(async () => {
  backend = await startBackend({
    simulator: { delays: { sent: 20, delivered: 60, read: null, reply: null } },
    outboxTimer: { intervalMs: 100 },
  });
  user = await backend.user();
  workspaceId = await workspaceOf(backend, user);
});

afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

afterAll(() => backend?.close());

const text = (t: string) => ({ type: 'text', text: t });

describe('campaigns on a Meta channel', () => {
  test('each recipient gets the approved template with their own header and body parameters; a retry sends it again as a template', async () => {
    const meta = await connectMeta(backend, user, workspaceId, { enforceWindow: true });
    await backend.db.query('update public.channels set rate_per_minute = 6000 where id = $1', [meta.id]);
    const synced = await callFunction(backend, user.accessToken, `channels/${meta.id}/sync-templates`);
    expect(synced.status).toBe(200);
    const [template] = await backend.db.query<{ id: string; body: string }>(
      `select id, body from public.templates where channel_id = $1 and name = 'order_update'`,
      [meta.id],
    );
    const people = [
      { phone: '+447400900001', name: 'Ada Lovelace', custom_fields: { city: 'London', order: 'A-17' } },
      { phone: '+447400900002', name: 'Grace Hopper', custom_fields: { city: 'Arlington', order: 'B-2' } },
      // No city: the fallback fills {{2}}.
      { phone: '+447400900003', name: 'Alan Turing', custom_fields: { order: 'C-3' } },
    ];
    await backend.db.query(
      `insert into public.contacts (workspace_id, phone, name, tags, custom_fields)
       select $1, p ->> 'phone', p ->> 'name', array['meta'], p -> 'custom_fields'
       from jsonb_array_elements($2::jsonb) p`,
      [workspaceId, JSON.stringify(people)],
    );
    // The first send is accepted, then reported failed (not on WhatsApp): retried below.
    backend.simulator!.inject({ kind: 'undeliverable', number: meta.numberId });

    const d = await openDevice(backend);
    devices.push(d);
    await signIn(d, user.email, user.password);
    await eventually(
      d.watch(() => d.services.contacts.count()),
      (n) => n === 3,
    );
    await eventually(
      d.watch(() => d.services.templates.list()),
      (list) => list.some((t) => t.id === template!.id),
    );
    const created = await d.services.campaigns.createDraft({
      name: 'Order news',
      channel_id: meta.id,
      template_id: template!.id,
      template_parameters: { header: ['{{order}}'], body: ['{{first_name}}', '{{city|your town}}'] },
      body: template!.body,
      tags: ['meta'],
      rate_per_minute: 6000,
    });
    if (!created.ok) throw new Error(created.error);
    const campaign = created.value;
    const live = d.watch(() => d.services.campaigns.get(() => campaign.id));

    expect(await d.services.campaigns.launch(campaign.id)).toEqual({
      ok: true,
      value: { status: 'sent', messages: 3 },
    });
    await eventually(live, (c) => c?.status === 'completed' && c.failed_count === 1, 30_000);

    const expected = (p: (typeof people)[number], city: string) => ({
      to: p.phone.slice(1),
      type: 'template',
      template: { name: 'order_update', language: 'en_US' },
      components: [
        { type: 'header', parameters: [text(p.custom_fields.order)] },
        { type: 'body', parameters: [text(p.name.split(' ')[0]!), text(city)] },
      ],
      body: `Hello ${p.name.split(' ')[0]}, your order is on its way to ${city}.`,
    });
    const sent = () =>
      backend
        .simulator!.sends()
        .filter((s) => s.phoneNumberId === meta.numberId)
        .map(({ to, type, template, components, body, outcome }) => ({
          to,
          type,
          template,
          components,
          body,
          outcome,
        }));
    // The simulator fails the number's first send, whichever recipient the outbox takes first.
    const cities = ['London', 'Arlington', 'your town'];
    const failedTo = sent()[0]!.to;
    const outcomeOf = (p: (typeof people)[number]) =>
      p.phone.replace('+', '') === failedTo ? 'undeliverable' : 'accepted';
    expect(sent().sort((a, b) => a.to.localeCompare(b.to))).toEqual(
      people.map((p, i) => ({ ...expected(p, cities[i]!), outcome: outcomeOf(p) })),
    );

    expect(await d.services.campaigns.retry(campaign.id)).toEqual({ ok: true, value: 1 });
    await eventually(live, (c) => c?.status === 'completed' && c.retry_round === 1, 30_000);
    const failed = people.findIndex((p) => outcomeOf(p) === 'undeliverable');
    expect(sent().at(-1)).toEqual({ ...expected(people[failed]!, cities[failed]!), outcome: 'accepted' });
    expect(sent()).toHaveLength(4);
  });

  test('a draft refuses template values the server would refuse, naming the parameter', async () => {
    const d = await openDevice(backend);
    devices.push(d);
    await signIn(d, user.email, user.password);
    const draft = (body: string[]) =>
      d.services.campaigns.createDraft({ name: 'Bad values', template_parameters: { header: [], body } });
    expect(await draft(['{{first_name}}', ' '])).toEqual({
      ok: false,
      error: 'Template body {{2}}: choose a variable or type a value',
    });
    expect(await draft(['{{first name}}'])).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^Template body \{\{1\}\}: "first name" is not a variable name/),
    });
    // The table refuses them too, whoever writes them.
    const forged = await user.client.from('campaigns').insert({
      id: randomUUID(),
      workspace_id: workspaceId,
      name: 'Forged',
      template_parameters: { header: [], body: [''] },
    });
    expect(forged.error?.message).toMatch(/template_parameters must be/);
  });
});
