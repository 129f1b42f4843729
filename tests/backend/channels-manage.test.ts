// What the channels screen does through REST (src/features/channels/service.ts), and what an
// agent cannot do by any route: rename, pace, disconnect, delete or reconnect a channel, or
// touch it through the replication or service RPCs.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ConnectedChannel, callFunction, connectMeta, workspaceOf } from './channel-steps.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

let backend: Backend;
let owner: MintedUser;
let agent: MintedUser;
let workspaceId: string;
let meta: ConnectedChannel;

beforeAll(async () => {
  backend = await startBackend({ simulator: {} });
  owner = await backend.mintUser();
  workspaceId = await workspaceOf(backend, owner);
  agent = await backend.mintUser();
  await backend.db.query(
    `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'agent')`,
    [workspaceId, agent.id],
  );
  meta = await connectMeta(backend, owner, workspaceId);
});
afterAll(() => backend?.close());

async function row(id: string) {
  const [found] = await backend.db.query<Record<string, unknown>>(
    'select name, status, rate_per_minute, min_delay_ms, max_delay_ms, _deleted from public.channels where id = $1',
    [id],
  );
  return found!;
}

describe('an agent', () => {
  test('reads the channel but changes nothing through REST: no row matches its update', async () => {
    const before = await row(meta.id);
    const { data: seen } = await agent.client.from('channels').select('id, name').eq('id', meta.id);
    expect(seen).toEqual([{ id: meta.id, name: before.name }]);
    for (const values of [
      { name: 'Hijacked' },
      { rate_per_minute: 6000, min_delay_ms: 0, max_delay_ms: 0 },
      { status: 'disconnected' },
      { _deleted: true },
    ]) {
      const { data, error } = await agent.client
        .from('channels')
        .update(values)
        .eq('id', meta.id)
        .select('id');
      expect(error).toBeNull();
      expect(data).toEqual([]);
    }
    expect(await row(meta.id)).toEqual(before);
  });

  test('cannot write channels through push_rows or the service RPCs', async () => {
    const before = await row(meta.id);
    const pushed = await agent.client.rpc('push_rows', {
      p_table: 'channels',
      p_rows: [
        { doc: { id: meta.id, workspace_id: workspaceId, name: 'Hijacked', _deleted: false }, assumed: null },
      ],
    });
    expect(pushed.error?.message).toMatch(/not writable/);
    const check = await agent.client.rpc('record_channel_check', {
      p_channel_id: meta.id,
      p_check: { ok: true, status: 'connected' },
    });
    expect(check.error).not.toBeNull();
    const created = await agent.client.rpc('create_provider_channel', {
      p_id: crypto.randomUUID(),
      p_workspace_id: workspaceId,
      p_name: 'Mine',
      p_provider: 'meta',
      p_settings: {},
    });
    expect(created.error).not.toBeNull();
    expect(await row(meta.id)).toEqual(before);
  });

  test('cannot test, reconnect, sync templates or see the webhook setup through the channels function', async () => {
    for (const [action, method] of [
      ['test', 'POST'],
      ['reconnect', 'POST'],
      ['sync-templates', 'POST'],
      ['webhook', 'GET'],
    ] as const) {
      const answer = await agentAction(agent.accessToken, action, method);
      expect(answer.status, action).toBe(404);
      expect(JSON.stringify(answer.body)).not.toContain(meta.credentials.access_token);
    }
  });
});

function agentAction(token: string, action: string, method: 'GET' | 'POST') {
  return callFunction(backend, token, `channels/${meta.id}/${action}`, {
    method,
    ...(method === 'POST' ? { body: { access_token: 'x'.repeat(40) } } : {}),
  });
}

describe('an owner, as the channels screen does it', () => {
  test('renames and paces a channel; a bad pacing is refused whole', async () => {
    const { data, error } = await owner.client
      .from('channels')
      .update({ name: 'Sales line', rate_per_minute: 30, min_delay_ms: 500, max_delay_ms: 1500 })
      .eq('id', meta.id)
      .select('id');
    expect(error).toBeNull();
    expect(data).toEqual([{ id: meta.id }]);
    expect(await row(meta.id)).toMatchObject({
      name: 'Sales line',
      rate_per_minute: 30,
      min_delay_ms: 500,
      max_delay_ms: 1500,
    });
    const refused = await owner.client
      .from('channels')
      .update({ rate_per_minute: 10, min_delay_ms: 3000, max_delay_ms: 1000 })
      .eq('id', meta.id);
    expect(refused.error?.message).toMatch(/channels_delay_order/);
    expect(await row(meta.id)).toMatchObject({ rate_per_minute: 30, min_delay_ms: 500 });
  });

  test("disconnects (reconnecting is the function's) and deletes softly", async () => {
    const off = await owner.client
      .from('channels')
      .update({ status: 'disconnected' })
      .eq('id', meta.id)
      .select('id');
    expect(off.data).toEqual([{ id: meta.id }]);
    const back = await owner.client.from('channels').update({ status: 'connected' }).eq('id', meta.id);
    expect(back.error?.message).toMatch(/reconnect/);
    expect((await row(meta.id)).status).toBe('disconnected');

    const again = await callFunction(backend, owner.accessToken, `channels/${meta.id}/reconnect`, {
      body: { access_token: meta.credentials.access_token },
    });
    expect(again.status).toBe(200);
    expect((await row(meta.id)).status).toBe('connected');

    const gone = await owner.client
      .from('channels')
      .update({ _deleted: true })
      .eq('id', meta.id)
      .select('id');
    expect(gone.data).toEqual([{ id: meta.id }]);
    expect((await row(meta.id))._deleted).toBe(true);
  });
});
