// Inviting by email (supabase/migrations/20261202000100_workspaces.sql): owners and admins
// invite; an existing account joins at once; a new one joins when it signs up, and still
// gets a workspace of its own; invites are visible to the workspace's managers and the invitee.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Backend, startBackend, type TestUser } from './harness.ts';

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

async function roleIn(ws: string, userId: string): Promise<string | undefined> {
  const [row] = await backend.db.query<{ role: string }>(
    'select role from public.workspace_members where workspace_id = $1 and user_id = $2 and not _deleted',
    [ws, userId],
  );
  return row?.role;
}

function invite(by: TestUser, email: string, role = 'agent', ws = workspace) {
  return by.client.rpc('invite_member', { p_workspace_id: ws, p_email: email, p_role: role });
}

const newEmail = () => `invitee-${randomUUID().slice(0, 8)}@example.test`;

describe('invite_member', () => {
  test('someone with an account becomes a member at once and sees the workspace', async () => {
    const member = await backend.user();
    const { data, error } = await invite(owner, member.email.toUpperCase(), 'admin');
    expect(error).toBeNull();
    expect(data).toEqual({ status: 'added' });
    expect(await roleIn(workspace, member.id)).toBe('admin');
    const { data: visible } = await member.client.from('workspaces').select('id').eq('id', workspace);
    expect(visible).toEqual([{ id: workspace }]);

    // Again: nothing changes, whatever role the new invite names.
    expect((await invite(owner, member.email, 'agent')).data).toEqual({ status: 'already_member' });
    expect(await roleIn(workspace, member.id)).toBe('admin');
  });

  test('a new email waits for its sign-up, which adds the membership and an own workspace', async () => {
    const email = newEmail();
    const { data } = await invite(owner, `  ${email.toUpperCase()} `);
    expect(data).toEqual({ status: 'invited' });
    const [pending] = await backend.db.query<{
      email: string;
      accepted_at: string | null;
      invited_by: string;
    }>(
      'select email, accepted_at, invited_by from public.workspace_invites where workspace_id = $1 and email = $2',
      [workspace, email],
    );
    expect(pending).toMatchObject({ email, accepted_at: null, invited_by: owner.id });

    const invitee = await backend.user({ email });
    expect(await roleIn(workspace, invitee.id)).toBe('agent');
    expect(await roleIn(await ownWorkspace(invitee), invitee.id)).toBe('owner');
    const [accepted] = await backend.db.query<{ accepted: boolean }>(
      'select accepted_at is not null as accepted from public.workspace_invites where email = $1',
      [email],
    );
    expect(accepted?.accepted).toBe(true);
  });

  test('a removed member invited again comes back with the new role', async () => {
    const member = await backend.user();
    await invite(owner, member.email, 'agent');
    await backend.db.query(
      'update public.workspace_members set _deleted = true where workspace_id = $1 and user_id = $2',
      [workspace, member.id],
    );
    expect(await roleIn(workspace, member.id)).toBeUndefined();
    expect((await invite(owner, member.email, 'admin')).data).toEqual({ status: 'added' });
    expect(await roleIn(workspace, member.id)).toBe('admin');
  });

  test('only owners and admins invite, and only owners invite owners', async () => {
    const admin = await backend.user();
    const agent = await backend.user();
    const outsider = await backend.user();
    await invite(owner, admin.email, 'admin');
    await invite(owner, agent.email, 'agent');

    expect((await invite(admin, newEmail(), 'agent')).data).toEqual({ status: 'invited' });
    expect((await invite(admin, newEmail(), 'admin')).data).toEqual({ status: 'invited' });
    expect((await invite(admin, newEmail(), 'owner')).error?.message).toMatch(
      /only owners can invite owners/,
    );
    expect((await invite(agent, newEmail())).error?.message).toMatch(/only owners and admins/);
    expect((await invite(outsider, newEmail())).error?.message).toMatch(/only owners and admins/);
    expect((await invite(owner, newEmail(), 'owner')).data).toEqual({ status: 'invited' });
    expect(
      (
        await backend.anon().rpc('invite_member', {
          p_workspace_id: workspace,
          p_email: newEmail(),
          p_role: 'agent',
        })
      ).error,
    ).not.toBeNull();
  });

  test('refuses a bad email or role with the reason', async () => {
    expect((await invite(owner, 'not an email')).error?.message).toMatch(/is not an email address/);
    expect((await invite(owner, newEmail(), 'boss')).error?.message).toMatch(
      /role must be owner, admin or agent/,
    );
  });
});

describe('workspace_invites visibility', () => {
  test('managers see their workspace invites, the invitee their own, nobody else any', async () => {
    const email = newEmail();
    await invite(owner, email);
    const agent = await backend.user();
    await invite(owner, agent.email, 'agent');
    const stranger = await backend.user();

    const { data: managed } = await owner.client.from('workspace_invites').select('email').eq('email', email);
    expect(managed).toEqual([{ email }]);
    const { data: asAgent } = await agent.client.from('workspace_invites').select('email').eq('email', email);
    expect(asAgent).toEqual([]);
    const { data: asStranger } = await stranger.client.from('workspace_invites').select('email');
    expect(asStranger).toEqual([]);

    // Signed up with that email, the invitee reads their (now accepted) invite.
    const invitee = await backend.user({ email });
    const { data: own } = await invitee.client.from('workspace_invites').select('workspace_id, role');
    expect(own).toEqual([{ workspace_id: workspace, role: 'agent' }]);
  });

  test('an admin can cancel an invite but not an owner invite; an agent neither', async () => {
    const admin = await backend.user();
    await invite(owner, admin.email, 'admin');
    const forAgent = newEmail();
    const forOwner = newEmail();
    await invite(owner, forAgent, 'agent');
    await invite(owner, forOwner, 'owner');

    await admin.client.from('workspace_invites').delete().eq('email', forOwner);
    await admin.client.from('workspace_invites').delete().eq('email', forAgent);
    const left = await backend.db.query<{ email: string }>(
      'select email from public.workspace_invites where email = any($1) order by email',
      [[forAgent, forOwner]],
    );
    expect(left.map((r) => r.email)).toEqual([forOwner]);
  });
});
