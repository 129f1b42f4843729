// The local stack as `npm start` runs it: the simulator and the outbox timer on, nobody
// calling process-outbox by hand. Also the simulator's control API over HTTP, which tests
// in other processes (e2e) drive.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SendRecord, Simulator } from '../../supabase/local/simulator/server.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

let backend: Backend;
let simulator: Simulator;
let owner: MintedUser;
let channelId: string;

beforeAll(async () => {
  backend = await startBackend({
    simulator: { delays: { sent: 50, delivered: 100, read: 200 } },
    outboxTimer: { intervalMs: 200 },
  });
  simulator = backend.simulator!;
  owner = await backend.mintUser();
  const [row] = await backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name, provider, rate_per_minute)
     select workspace_id, 'Simulated', 'simulator', 6000 from public.workspace_members where user_id = $1
     returning id`,
    [owner.id],
  );
  channelId = row!.id;
});
afterAll(() => backend?.close());

async function control(
  method: string,
  action: string,
  body?: unknown,
  token = simulator.controlSecret,
): Promise<[number, Record<string, unknown>]> {
  const res = await fetch(`${simulator.url}/_simulator/${action}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return [res.status, (await res.json()) as Record<string, unknown>];
}

async function waitFor(done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not met');
}

describe('the local stack with its timer', () => {
  test('a message queued by a user is sent, then delivered and read, with nobody calling the processor', async () => {
    await control('POST', 'reset');
    const id = randomUUID();
    const { error } = await owner.client.functions.invoke('outbox', {
      body: {
        commands: [{ message_id: id, channel_id: channelId, to: '+4915112345678', body: 'by the timer' }],
      },
    });
    expect(error).toBeNull();
    // What the app sees: the message row, through RLS, as the user.
    await waitFor(async () => {
      const { data } = await owner.client.from('messages').select('status').eq('id', id).single();
      return data?.status === 'read';
    });
    const [status, { sends }] = await control('GET', 'sends');
    expect(status).toBe(200);
    expect((sends as SendRecord[]).map((s) => [s.body, s.outcome])).toEqual([['by the timer', 'accepted']]);
  });
});

describe('control API', () => {
  test('faults are queued over HTTP and answer the next sends in order', async () => {
    await control('POST', 'reset');
    const [status, body] = await control('POST', 'faults', {
      faults: [
        { kind: 'http', status: 400, message: 'Invalid parameter' },
        { kind: 'http', status: 429, retryAfter: '3' },
      ],
    });
    expect([status, body]).toEqual([200, { pending: 2 }]);
    const send = () =>
      fetch(`${simulator.url}/v21.0/${channelId}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${simulator.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          messaging_product: 'whatsapp',
          to: '4915112345678',
          type: 'text',
          text: { body: 'x' },
        }),
      });
    const first = await send();
    expect([first.status, ((await first.json()) as { error: { message: string } }).error.message]).toEqual([
      400,
      'Invalid parameter',
    ]);
    const second = await send();
    expect([second.status, second.headers.get('retry-after')]).toEqual([429, '3']);
    await second.body?.cancel();
    const third = await send();
    expect(third.status).toBe(200);
    expect(((await third.json()) as { messages: { id: string }[] }).messages[0]!.id).toMatch(/^wamid\./);
    expect(simulator.sends().map((s) => s.outcome)).toEqual(['http 400', 'http 429', 'accepted']);
  });

  test('sends that are not Cloud API text messages are refused like Meta refuses them', async () => {
    await control('POST', 'reset');
    const post = (body: unknown, auth = `Bearer ${simulator.accessToken}`) =>
      fetch(`${simulator.url}/v21.0/${channelId}/messages`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const text = { messaging_product: 'whatsapp', to: '4915112345678', type: 'text', text: { body: 'x' } };
    expect((await post(text, '')).status).toBe(401);
    // A token the API never issued is refused as Meta refuses it: 401, code 190.
    const forged = await post(text, 'Bearer EAAGnot-a-token');
    expect([forged.status, ((await forged.json()) as { error: { code: number } }).error.code]).toEqual([
      401, 190,
    ]);
    expect((await post({ ...text, to: 'nobody' })).status).toBe(400);
    expect((await post({ ...text, type: 'image' })).status).toBe(400);
    expect((await post({ ...text, text: { body: '' } })).status).toBe(400);
    expect(simulator.accepted()).toEqual([]);
  });

  test('bad control input is refused with a reason', async () => {
    expect(await control('POST', 'faults', { faults: [{ kind: 'http', status: 200 }] })).toEqual([
      400,
      { error: expect.stringContaining('faults must be an array of') },
    ]);
    expect(await control('POST', 'config', { delays: { sent: -1 } })).toEqual([
      400,
      { error: 'delays.sent must be null or 0 to 3600000 ms' },
    ]);
    expect(await control('POST', 'config', { colour: 'red' })).toEqual([
      400,
      { error: 'unknown settings: colour' },
    ]);
    expect(await control('POST', 'config', null)).toEqual([400, { error: 'the body must be a JSON object' }]);
    expect((await control('GET', 'nothing'))[0]).toBe(404);
  });
});

describe('who may use the control API', () => {
  test('every control route needs the control secret; nothing is changed without it', async () => {
    for (const token of ['', 'not-the-secret', simulator.accessToken]) {
      for (const [method, action, body] of [
        ['GET', 'sends'],
        ['GET', 'webhooks'],
        ['POST', 'reset'],
        ['POST', 'faults', { faults: [{ kind: 'http', status: 500 }] }],
        ['POST', 'config', { replyText: 'STOP' }],
        ['POST', 'numbers', { format: 'cloud' }],
        ['POST', `numbers/${channelId}/inbound`, { type: 'text', from: '4915112345678', body: 'STOP' }],
      ] as const) {
        expect((await control(method, action, body, token))[0], `${method} ${action} with "${token}"`).toBe(
          401,
        );
      }
    }
    // A text/plain POST from any web page carries no bearer: refused too.
    const page = await fetch(`${simulator.url}/_simulator/config`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ replyText: 'STOP' }),
    });
    expect(page.status).toBe(401);
    expect((await control('POST', 'faults', { faults: [] }))[1]).toEqual({ pending: 0 });
  });

  test("a number's own token lists its own sends, and nobody else's", async () => {
    await control('POST', 'reset');
    const [, mine] = await control('POST', 'numbers', { format: 'cloud' });
    const [, theirs] = await control('POST', 'numbers', { format: 'cloud' });
    const send = (number: Record<string, unknown>) =>
      fetch(`${simulator.url}/v21.0/${number.phone_number_id}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${number.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          messaging_product: 'whatsapp',
          to: '4915112345678',
          type: 'text',
          text: { body: `from ${number.id}` },
        }),
      });
    expect((await send(mine)).status).toBe(200);
    expect((await send(theirs)).status).toBe(200);
    // One number's token does not send for another.
    expect((await send({ ...theirs, access_token: mine.access_token })).status).toBe(400);
    const [status, { sends }] = await control('GET', 'sends', undefined, mine.access_token as string);
    expect(status).toBe(200);
    expect((sends as SendRecord[]).map((s) => s.body)).toEqual([`from ${mine.id}`]);
    // Revoked: the token stops working, as an expired one does.
    expect((await control('POST', `numbers/${mine.id}/revoke`))[0]).toBe(200);
    const revoked = await send(mine);
    expect([revoked.status, ((await revoked.json()) as { error: { code: number } }).error.code]).toEqual([
      401, 190,
    ]);
    expect((await control('GET', 'sends', undefined, mine.access_token as string))[0]).toBe(401);
  });

  test('the Whapi server refuses unknown tokens and answers its own format', async () => {
    const [, number] = await control('POST', 'numbers', { format: 'whapi' });
    const send = (token: string) =>
      fetch(`${simulator.whapiUrl}/messages/text`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ to: '4915112345678', body: 'hello' }),
      });
    const unknown = await send('not-a-token');
    expect([unknown.status, await unknown.json()]).toEqual([
      401,
      { error: { code: 401, message: 'Unauthorized: unknown token' } },
    ]);
    const ok = await send(number.api_token as string);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      sent: true,
      message: { from_me: true, type: 'text', chat_id: '4915112345678@s.whatsapp.net' },
    });
  });
});
