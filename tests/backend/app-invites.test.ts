// Inviting by email (supabase/migrations/20261202000100_workspaces.sql, 20261203170000_invitation_consent.sql):
// owners and admins invite; the invitation is mailed with a single-use link and whoever
// follows it (signed in, with an existing account or a new one that still gets a workspace
// of its own) joins by accepting; invites are visible to the workspace's managers only.
// The attacks on this are in security-invites.test.ts.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lastMail, linkIn } from '../support/mail.ts';
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
  return by.client.rpc('invite_member', {
    p_workspace_id: ws,
    p_email: email,
    p_role: role,
    p_accept_url: 'http://127.0.0.1:5173/invite',
  });
}

/** The invitee follows the link mailed to them. */
async function accept(user: TestUser) {
  const token = new URL(linkIn(await lastMail(backend.url, user.email, 'invite'))).searchParams.get('token');
  return user.client.rpc('accept_invite', { p_token: token });
}

const newEmail = () => `invitee-${randomUUID().slice(0, 8)}@example.test`;

describe('invite_member', () => {
  test('someone with an account joins when they accept, and then sees the workspace', async () => {
    const member = await backend.user();
    const { data, error } = await invite(owner, member.email.toUpperCase(), 'admin');
    expect(error).toBeNull();
    expect(data).toEqual({ status: 'invited' });
    expect(await roleIn(workspace, member.id)).toBeUndefined();
    expect((await accept(member)).data).toMatchObject({ status: 'joined', role: 'admin' });
    expect(await roleIn(workspace, member.id)).toBe('admin');
    const { data: visible } = await member.client.from('workspaces').select('id').eq('id', workspace);
    expect(visible).toEqual([{ id: workspace }]);

    // Again: nothing changes, whatever role the new invite names.
    expect((await invite(owner, member.email, 'agent')).data).toEqual({ status: 'already_member' });
    expect(await roleIn(workspace, member.id)).toBe('admin');
  });

  test('a new email signs up, gets an own workspace, and joins by accepting', async () => {
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
    expect(await roleIn(workspace, invitee.id)).toBeUndefined();
    expect(await roleIn(await ownWorkspace(invitee), invitee.id)).toBe('owner');
    await accept(invitee);
    expect(await roleIn(workspace, invitee.id)).toBe('agent');
    const [accepted] = await backend.db.query<{ accepted: boolean; by: string }>(
      'select accepted_at is not null as accepted, accepted_by as by from public.workspace_invites where email = $1',
      [email],
    );
    expect(accepted).toEqual({ accepted: true, by: invitee.id });
  });

  test('a removed member invited again comes back with the new role once they accept', async () => {
    const member = await backend.user();
    await invite(owner, member.email, 'agent');
    await accept(member);
    await backend.db.query(
      'update public.workspace_members set _deleted = true where workspace_id = $1 and user_id = $2',
      [workspace, member.id],
    );
    expect(await roleIn(workspace, member.id)).toBeUndefined();
    expect((await invite(owner, member.email, 'admin')).data).toEqual({ status: 'invited' });
    expect(await roleIn(workspace, member.id)).toBeUndefined();
    await accept(member);
    expect(await roleIn(workspace, member.id)).toBe('admin');
  });

  test('only owners and admins invite, and only owners invite owners', async () => {
    const admin = await backend.user();
    const agent = await backend.user();
    const outsider = await backend.user();
    await invite(owner, admin.email, 'admin');
    await invite(owner, agent.email, 'agent');
    await accept(admin);
    await accept(agent);

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

  test('refuses a bad email, role or link with the reason', async () => {
    expect((await invite(owner, 'not an email')).error?.message).toMatch(/is not an email address/);
    const badLink = await owner.client.rpc('invite_member', {
      p_workspace_id: workspace,
      p_email: newEmail(),
      p_accept_url: 'javascript:alert(1)',
    });
    expect(badLink.error?.message).toMatch(/must be an http\(s\) URL/);
    expect((await invite(owner, newEmail(), 'boss')).error?.message).toMatch(
      /role must be owner, admin or agent/,
    );
  });
});

describe('workspace_invites visibility', () => {
  test('managers see their workspace invites, nobody else any, the invitee neither', async () => {
    const email = newEmail();
    await invite(owner, email);
    const agent = await backend.user();
    await invite(owner, agent.email, 'agent');
    await accept(agent);
    const stranger = await backend.user();

    const { data: managed } = await owner.client.from('workspace_invites').select('email').eq('email', email);
    expect(managed).toEqual([{ email }]);
    const { data: asAgent } = await agent.client.from('workspace_invites').select('email').eq('email', email);
    expect(asAgent).toEqual([]);
    const { data: asStranger } = await stranger.client.from('workspace_invites').select('email');
    expect(asStranger).toEqual([]);

    // Signed up with that email (unverified, proving nothing), the invitee reads nothing: the mail tells them.
    const invitee = await backend.user({ email });
    const { data: own } = await invitee.client.from('workspace_invites').select('workspace_id, role');
    expect(own).toEqual([]);
  });

  test('an admin can cancel an invite but not an owner invite; an agent neither', async () => {
    const admin = await backend.user();
    await invite(owner, admin.email, 'admin');
    await accept(admin);
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
