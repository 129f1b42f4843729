// Attacks on invitations and team management (issue 17, items 2 and 4), through supabase-js
// as an attacker would call the API: knowing an invited address is not enough to join, a
// token works once, invite_member reveals no accounts, nobody joins without consent, and
// only owners and admins manage the team.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lastMail, linkIn, mailsTo } from '../support/mail.ts';
import { type Backend, startBackend, type TestUser } from './harness.ts';

const ACCEPT_URL = 'http://127.0.0.1:5173/invite';

let backend: Backend;
let owner: TestUser;
let workspace: string;

beforeAll(async () => {
  backend = await startBackend();
  owner = await backend.user();
  workspace = await ownWorkspace(owner);
});
afterAll(() => backend?.close());

async function ownWorkspace(user: TestUser): Promise<string> {
  const [row] = await backend.db.query<{ workspace_id: string }>(
    `select workspace_id from public.workspace_members where user_id = $1 and role = 'owner'`,
    [user.id],
  );
  return row!.workspace_id;
}

async function roleIn(userId: string, ws = workspace): Promise<string | undefined> {
  const [row] = await backend.db.query<{ role: string }>(
    'select role from public.workspace_members where workspace_id = $1 and user_id = $2 and not _deleted',
    [ws, userId],
  );
  return row?.role;
}

const newEmail = () => `invitee-${randomUUID().slice(0, 8)}@example.test`;

function invite(by: TestUser, email: string, role = 'agent', ws = workspace) {
  return by.client.rpc('invite_member', {
    p_workspace_id: ws,
    p_email: email,
    p_role: role,
    p_accept_url: ACCEPT_URL,
  });
}

async function tokenMailedTo(email: string): Promise<string> {
  const link = new URL(linkIn(await lastMail(backend.url, email, 'invite')));
  expect(link.origin + link.pathname).toBe(ACCEPT_URL);
  return link.searchParams.get('token')!;
}

describe('joining needs the mailed token', () => {
  test('an attacker signing up with the invited address is not a member and cannot accept', async () => {
    const email = newEmail();
    expect((await invite(owner, email, 'owner')).data).toEqual({ status: 'invited' });
    const attacker = await backend.user({ email });
    expect(await roleIn(attacker.id)).toBeUndefined();
    const { data: seen } = await attacker.client.from('workspace_invites').select('id');
    expect(seen).toEqual([]);
    const guessed = await attacker.client.rpc('accept_invite', { p_token: 'f'.repeat(64) });
    expect(guessed.error?.message).toMatch(/invitation link is not valid/);
    expect(await roleIn(attacker.id)).toBeUndefined();
    const { data: visible } = await attacker.client.from('workspaces').select('id').eq('id', workspace);
    expect(visible).toEqual([]);
  });

  test('the holder of the token joins once with the invited role; the token is then spent', async () => {
    const email = newEmail();
    await invite(owner, email, 'admin');
    const token = await tokenMailedTo(email);
    const invitee = await backend.user({ email });
    const details = await invitee.client.rpc('invite_details', { p_token: token });
    expect(details.data).toMatchObject({ workspace_id: workspace, role: 'admin', invited_by: owner.email });
    const accepted = await invitee.client.rpc('accept_invite', { p_token: token });
    expect(accepted.data).toMatchObject({ status: 'joined', workspace_id: workspace, role: 'admin' });
    expect(await roleIn(invitee.id)).toBe('admin');

    const thief = await backend.user();
    const reused = await thief.client.rpc('accept_invite', { p_token: token });
    expect(reused.error?.message).toMatch(/not valid/);
    expect(await roleIn(thief.id)).toBeUndefined();
  });

  test('resending replaces the token; revoking ends it', async () => {
    const email = newEmail();
    await invite(owner, email);
    const first = await tokenMailedTo(email);
    const [row] = await backend.db.query<{ id: string }>(
      'select id from public.workspace_invites where workspace_id = $1 and email = $2',
      [workspace, email],
    );
    const resent = await owner.client.rpc('resend_invite', {
      p_invite_id: row!.id,
      p_accept_url: ACCEPT_URL,
    });
    expect(resent.error).toBeNull();
    const second = await tokenMailedTo(email);
    expect(second).not.toBe(first);
    const invitee = await backend.user({ email });
    expect((await invitee.client.rpc('accept_invite', { p_token: first })).error).not.toBeNull();

    await owner.client.from('workspace_invites').delete().eq('id', row!.id);
    expect((await invitee.client.rpc('accept_invite', { p_token: second })).error).not.toBeNull();
    expect(await roleIn(invitee.id)).toBeUndefined();
  });

  test('an expired invitation cannot be accepted', async () => {
    const email = newEmail();
    await invite(owner, email);
    const token = await tokenMailedTo(email);
    await backend.db.query(
      `update public.workspace_invites set created_at = now() - interval '8 days' where email = $1`,
      [email],
    );
    const invitee = await backend.user({ email });
    expect((await invitee.client.rpc('accept_invite', { p_token: token })).error?.message).toMatch(/expired/);
  });
});

describe('no enumeration, no joining without consent', () => {
  test('an address with an account gets the same answer as a new one, and is not added', async () => {
    const existing = await backend.user();
    const fresh = newEmail();
    const a = await invite(owner, existing.email);
    const b = await invite(owner, fresh);
    expect(a).toEqual(b);
    expect(a.data).toEqual({ status: 'invited' });
    expect(await roleIn(existing.id)).toBeUndefined();
    expect(await mailsTo(backend.url, existing.email)).toHaveLength(1);
    expect(await mailsTo(backend.url, fresh)).toHaveLength(1);

    // They join when they accept.
    const token = await tokenMailedTo(existing.email);
    expect((await existing.client.rpc('accept_invite', { p_token: token })).data).toMatchObject({
      status: 'joined',
    });
    expect(await roleIn(existing.id)).toBe('agent');
  });

  test('inviting yourself or a member says so and mails nothing', async () => {
    expect((await invite(owner, owner.email.toUpperCase())).data).toEqual({ status: 'self' });
    const member = await backend.user();
    await member.client.rpc('accept_invite', {
      p_token: await (async () => {
        await invite(owner, member.email);
        return tokenMailedTo(member.email);
      })(),
    });
    const before = (await mailsTo(backend.url, member.email)).length;
    expect((await invite(owner, member.email, 'admin')).data).toEqual({ status: 'already_member' });
    expect(await mailsTo(backend.url, member.email)).toHaveLength(before);
    expect(await roleIn(member.id)).toBe('agent');
  });

  test('an owner cannot add an account directly, nor bring back a removed member', async () => {
    const victim = await backend.user();
    const inserted = await owner.client
      .from('workspace_members')
      .insert({ workspace_id: workspace, user_id: victim.id, role: 'agent' });
    expect(inserted.error).not.toBeNull();
    const forged = await owner.client
      .from('workspace_invites')
      .insert({ workspace_id: workspace, email: victim.email, role: 'agent', token_hash: 'x' });
    expect(forged.error).not.toBeNull();
    expect(await roleIn(victim.id)).toBeUndefined();

    await invite(owner, victim.email);
    await victim.client.rpc('accept_invite', { p_token: await tokenMailedTo(victim.email) });
    const membership = await backend.db.query<{ id: string }>(
      'select id from public.workspace_members where workspace_id = $1 and user_id = $2',
      [workspace, victim.id],
    );
    await owner.client.from('workspace_members').update({ _deleted: true }).eq('id', membership[0]!.id);
    expect(await roleIn(victim.id)).toBeUndefined();
    const restored = await owner.client
      .from('workspace_members')
      .update({ _deleted: false })
      .eq('id', membership[0]!.id);
    expect(restored.error?.message).toMatch(/accepting a new invitation/);
    expect(await roleIn(victim.id)).toBeUndefined();
  });
});

describe('team management', () => {
  let admin: TestUser;
  let agent: TestUser;
  const membershipOf = async (userId: string) =>
    (
      await backend.db.query<{ id: string }>(
        'select id from public.workspace_members where workspace_id = $1 and user_id = $2',
        [workspace, userId],
      )
    )[0]!.id;

  async function join(role: string): Promise<TestUser> {
    const user = await backend.user();
    await invite(owner, user.email, role);
    await user.client.rpc('accept_invite', { p_token: await tokenMailedTo(user.email) });
    return user;
  }

  beforeAll(async () => {
    admin = await join('admin');
    agent = await join('agent');
  });

  test('members see the team with addresses; outsiders see nothing', async () => {
    const { data } = await agent.client.rpc('team_members', { p_workspace_id: workspace });
    const emails = (data as { email: string; role: string }[]).map((m) => m.email);
    expect(emails).toEqual(expect.arrayContaining([owner.email, admin.email, agent.email]));
    const outsider = await backend.user();
    expect((await outsider.client.rpc('team_members', { p_workspace_id: workspace })).data).toEqual([]);
  });

  test('an agent can neither change roles nor remove anyone; an admin cannot touch the owner', async () => {
    const agentId = await membershipOf(agent.id);
    const ownerId = await membershipOf(owner.id);
    const promoted = await agent.client
      .from('workspace_members')
      .update({ role: 'admin' })
      .eq('id', agentId)
      .select();
    expect(promoted.data ?? []).toEqual([]);
    const removed = await agent.client
      .from('workspace_members')
      .update({ _deleted: true })
      .eq('id', ownerId)
      .select();
    expect(removed.data ?? []).toEqual([]);
    const byAdmin = await admin.client
      .from('workspace_members')
      .update({ _deleted: true })
      .eq('id', ownerId)
      .select();
    expect(byAdmin.data ?? []).toEqual([]);
    const toOwner = await admin.client
      .from('workspace_members')
      .update({ role: 'owner' })
      .eq('id', agentId)
      .select();
    expect(toOwner.data ?? []).toEqual([]);
    expect(await roleIn(owner.id)).toBe('owner');
    expect(await roleIn(agent.id)).toBe('agent');
    // Agents do not even see pending invitations.
    expect((await agent.client.from('workspace_invites').select('id')).data).toEqual([]);
  });

  test('the owner changes a role and removes a member, whose access ends', async () => {
    const agentId = await membershipOf(agent.id);
    const changed = await owner.client
      .from('workspace_members')
      .update({ role: 'admin' })
      .eq('id', agentId)
      .select('role');
    expect(changed.data).toEqual([{ role: 'admin' }]);
    await owner.client.from('workspace_members').update({ _deleted: true }).eq('id', agentId);
    expect(await roleIn(agent.id)).toBeUndefined();
    expect((await agent.client.from('workspaces').select('id').eq('id', workspace)).data).toEqual([]);
  });
});
