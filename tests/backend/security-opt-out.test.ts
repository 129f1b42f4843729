// Attack: any member clears a contact's STOP opt-out and messages them again. Only owners
// and admins may clear one, through set_contact_opt_out with a reason; every opt-out and
// opt-in is recorded with who, when and how (a STOP reply, a manual change).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { contactId } from '../../src/domain/ids.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';
import { workspaceOf } from './pull-client.ts';

let backend: Backend;
let owner: MintedUser;
let admin: MintedUser;
let agent: MintedUser;
let ws: string;
let channel: string;

interface OptEvent {
  contact_id: string;
  opted_out: boolean;
  source: string;
  actor_id: string | null;
  message_id: string | null;
  reason: string | null;
  created_at: string;
}

beforeAll(async () => {
  backend = await startBackend();
  owner = await backend.mintUser();
  admin = await backend.mintUser();
  agent = await backend.mintUser();
  ws = await workspaceOf(backend, owner.id);
  await backend.db.query(
    `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'admin'), ($1, $3, 'agent')`,
    [ws, admin.id, agent.id],
  );
  const [row] = await backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name, provider) values ($1, 'Main', 'simulator') returning id`,
    [ws],
  );
  channel = row!.id;
});
afterAll(() => backend?.close());

/** A contact of the workspace that replied STOP, as the webhooks record a reply. */
async function stoppedContact(phone: string): Promise<{ id: string; messageId: string }> {
  const id = contactId(ws, phone);
  await backend.db.query('insert into public.contacts (id, workspace_id, phone) values ($1, $2, $3)', [
    id,
    ws,
    phone,
  ]);
  const [chat] = await backend.db.query<{ id: string }>(
    `insert into public.chats (id, workspace_id, channel_id, wa_chat_id, contact_id)
     values (private.chat_id($2, $3), $1, $2, $3, $4) returning id`,
    [ws, channel, `${phone.slice(1)}@s.whatsapp.net`, id],
  );
  const messageId = randomUUID();
  await backend.db.query(
    `insert into public.messages (id, workspace_id, channel_id, chat_id, contact_id, direction, phone, body, status, wa_message_id)
     values ($1, $2, $3, $4, $5, 'in', $6, 'STOP', 'delivered', $7)`,
    [messageId, ws, channel, chat!.id, id, phone, `in.${randomUUID()}`],
  );
  return { id, messageId };
}

async function optedOut(id: string): Promise<boolean> {
  const [row] = await backend.db.query<{ opted_out: boolean }>(
    'select opted_out from public.contacts where id = $1',
    [id],
  );
  return row!.opted_out;
}

describe('clearing a STOP opt-out', () => {
  test('an agent cannot: not through /rest/v1, push_rows or the RPC', async () => {
    const { id } = await stoppedContact('+33611110001');
    const rest = await agent.client.from('contacts').update({ opted_out: false }).eq('id', id).select();
    expect(rest.error?.message).toBe(
      `only an owner or admin may clear the opt-out of contact ${id}, with a reason`,
    );
    const [current] = await backend.db.query<Record<string, unknown>>(
      `select id, workspace_id, phone, opted_out, updated_at, _modified::text as m from public.contacts where id = $1`,
      [id],
    );
    const pushed = await agent.client.rpc('push_rows', {
      p_table: 'contacts',
      p_rows: [
        {
          doc: {
            id,
            workspace_id: ws,
            phone: current!.phone,
            opted_out: false,
            updated_at: '2026-12-03T11:00:00.000Z',
          },
          assumed: current!.m,
        },
      ],
    });
    expect(pushed.data).toEqual([
      { id, _refused: expect.stringMatching(/only an owner or admin may clear/) },
    ]);
    const rpc = await agent.client.rpc('set_contact_opt_out', {
      p_contact_id: id,
      p_opted_out: false,
      p_reason: 'they said so',
    });
    expect(rpc.error?.message).toBe('only an owner or admin may clear an opt-out');
    expect(await optedOut(id)).toBe(true);
  });

  test('an owner or admin can, with a reason only; a member of another workspace cannot at all', async () => {
    const { id } = await stoppedContact('+33611110002');
    const direct = await owner.client.from('contacts').update({ opted_out: false }).eq('id', id).select();
    expect(direct.error?.message).toMatch(/only an owner or admin may clear the opt-out/);
    const noReason = await admin.client.rpc('set_contact_opt_out', { p_contact_id: id, p_opted_out: false });
    expect(noReason.error?.message).toBe('clearing an opt-out needs a reason (the consent the contact gave)');
    const blank = await admin.client.rpc('set_contact_opt_out', {
      p_contact_id: id,
      p_opted_out: false,
      p_reason: '   ',
    });
    expect(blank.error?.message).toBe('clearing an opt-out needs a reason (the consent the contact gave)');
    const stranger = await backend.mintUser();
    const foreign = await stranger.client.rpc('set_contact_opt_out', {
      p_contact_id: id,
      p_opted_out: false,
      p_reason: 'mine now',
    });
    expect(foreign.error?.message).toBe(`no contact ${id} in your workspaces`);
    expect(await optedOut(id)).toBe(true);

    const cleared = await admin.client.rpc('set_contact_opt_out', {
      p_contact_id: id,
      p_opted_out: false,
      p_reason: 'Opted in again at the shop counter, 3 Dec',
    });
    expect(cleared.error).toBeNull();
    expect(cleared.data).toMatchObject({ id, opted_out: false, opted_out_at: null });
  });

  test('any member may opt a contact out (the safe direction)', async () => {
    const phone = '+33611110003';
    const id = contactId(ws, phone);
    await backend.db.query('insert into public.contacts (id, workspace_id, phone) values ($1, $2, $3)', [
      id,
      ws,
      phone,
    ]);
    const { error } = await agent.client.from('contacts').update({ opted_out: true }).eq('id', id);
    expect(error).toBeNull();
    expect(await optedOut(id)).toBe(true);
  });
});

describe('the audit of opt-outs and opt-ins', () => {
  test('records who, when and how: the STOP reply, then the manual opt-in with its reason', async () => {
    const { id, messageId } = await stoppedContact('+33611110004');
    await owner.client.rpc('set_contact_opt_out', {
      p_contact_id: id,
      p_opted_out: false,
      p_reason: 'Asked by phone to get offers again',
    });
    await agent.client.from('contacts').update({ opted_out: true }).eq('id', id);

    const { data, error } = await agent.client
      .from('contact_opt_events')
      .select('contact_id, opted_out, source, actor_id, message_id, reason, created_at')
      .eq('contact_id', id)
      .order('created_at');
    expect(error).toBeNull();
    const events = data as OptEvent[];
    expect(events.map(({ created_at: _, ...e }) => e)).toEqual([
      {
        contact_id: id,
        opted_out: true,
        source: 'stop_reply',
        actor_id: null,
        message_id: messageId,
        reason: null,
      },
      {
        contact_id: id,
        opted_out: false,
        source: 'manual',
        actor_id: owner.id,
        message_id: null,
        reason: 'Asked by phone to get offers again',
      },
      {
        contact_id: id,
        opted_out: true,
        source: 'manual',
        actor_id: agent.id,
        message_id: null,
        reason: null,
      },
    ]);
    for (const e of events) expect(Date.now() - Date.parse(e.created_at)).toBeLessThan(60_000);
  });

  test('no client writes or erases the audit, and another workspace reads none of it', async () => {
    const { id } = await stoppedContact('+33611110005');
    const forged = await owner.client
      .from('contact_opt_events')
      .insert({ workspace_id: ws, contact_id: id, opted_out: false, source: 'manual', reason: 'forged' });
    expect(forged.error).not.toBeNull();
    await owner.client.from('contact_opt_events').delete().eq('contact_id', id);
    await owner.client.from('contact_opt_events').update({ reason: 'rewritten' }).eq('contact_id', id);
    const [kept] = await backend.db.query<{ n: number; rewritten: number }>(
      `select count(*)::int as n, count(*) filter (where reason = 'rewritten')::int as rewritten
       from public.contact_opt_events where contact_id = $1`,
      [id],
    );
    expect(kept).toEqual({ n: 1, rewritten: 0 });
    const stranger = await backend.mintUser();
    const { data } = await stranger.client.from('contact_opt_events').select('id');
    expect(data).toEqual([]);
  });
});
