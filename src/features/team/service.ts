/**
 * The team API over the server's RPCs (invite_member, resend_invite, invite_details,
 * accept_invite, team_members) and the workspace_members / workspace_invites tables, whose
 * row-level security is what enforces who may change what: an update that RLS filters out
 * changes no row, and is reported as refused.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { checkEmail } from '../../domain/field-checks.ts';
import type { Result } from '../../domain/result.ts';
import type { WorkspaceRole } from '../../domain/types.ts';
import { NO_SCOPE, type ScopeSource } from '../shared/scope.ts';
import type { InviteDetails, InviteOutcome, PendingInvite, TeamApi, TeamMember } from './api.ts';

export interface TeamDeps {
  client: SupabaseClient;
  online(): boolean;
  /** The app's invitation page, which the mailed link opens (…/invite?token=…). */
  acceptUrl: string;
}

const INVITE_DAYS = 7;

export function createTeamApi(source: ScopeSource, deps: TeamDeps): TeamApi {
  const { client } = deps;
  const failed = (error: { message: string }): { ok: false; error: string } => ({
    ok: false,
    error: deps.online() ? error.message : "You're offline: managing the team needs a connection.",
  });
  const workspaceId = () => source.current()?.workspace.id;

  /** An update that must change exactly one row the caller may change. */
  async function updateMember(memberId: string, change: Record<string, unknown>): Promise<Result> {
    const { data, error } = await client
      .from('workspace_members')
      .update(change)
      .eq('id', memberId)
      .select('id');
    if (error) return failed(error);
    if (!data?.length)
      return {
        ok: false,
        error: 'Only owners and admins can change the team, and only owners change owners.',
      };
    return { ok: true, value: undefined };
  }

  return {
    async members() {
      const ws = workspaceId();
      if (!ws) return NO_SCOPE;
      const { data, error } = await client.rpc('team_members', { p_workspace_id: ws });
      if (error) return failed(error);
      const rows = data as {
        id: string;
        user_id: string;
        email: string;
        role: WorkspaceRole;
        created_at: string;
      }[];
      return {
        ok: true,
        value: rows.map(
          (r): TeamMember => ({
            id: r.id,
            userId: r.user_id,
            email: r.email,
            role: r.role,
            joinedAt: r.created_at,
          }),
        ),
      };
    },

    async invitations() {
      const ws = workspaceId();
      if (!ws) return NO_SCOPE;
      const { data, error } = await client
        .from('workspace_invites')
        .select('id, email, role, created_at')
        .eq('workspace_id', ws)
        .is('accepted_at', null)
        .order('created_at', { ascending: false });
      if (error) return failed(error);
      const now = Date.now();
      return {
        ok: true,
        value: (data as { id: string; email: string; role: WorkspaceRole; created_at: string }[]).map(
          (r): PendingInvite => ({
            id: r.id,
            email: r.email,
            role: r.role,
            sentAt: r.created_at,
            expired: now - Date.parse(r.created_at) > INVITE_DAYS * 86_400_000,
          }),
        ),
      };
    },

    async invite(email, role) {
      const ws = workspaceId();
      if (!ws) return NO_SCOPE;
      const checked = checkEmail(email);
      if (!checked.ok) return checked;
      if (checked.value === '') return { ok: false, error: 'Email: required' };
      const { data, error } = await client.rpc('invite_member', {
        p_workspace_id: ws,
        p_email: checked.value,
        p_role: role,
        p_accept_url: deps.acceptUrl,
      });
      if (error) return failed(error);
      const status = (data as { status?: string } | null)?.status;
      const outcome: InviteOutcome = status === 'self' || status === 'already_member' ? status : 'invited';
      return { ok: true, value: outcome };
    },

    async resend(inviteId) {
      const { error } = await client.rpc('resend_invite', {
        p_invite_id: inviteId,
        p_accept_url: deps.acceptUrl,
      });
      return error ? failed(error) : { ok: true, value: undefined };
    },

    async revoke(inviteId) {
      const { data, error } = await client.from('workspace_invites').delete().eq('id', inviteId).select('id');
      if (error) return failed(error);
      if (!data?.length)
        return {
          ok: false,
          error: 'This invitation was already accepted or revoked, or you may not revoke it.',
        };
      return { ok: true, value: undefined };
    },

    changeRole: (memberId, role) => updateMember(memberId, { role }),
    remove: (memberId) => updateMember(memberId, { _deleted: true }),

    async inviteDetails(token) {
      const { data, error } = await client.rpc('invite_details', { p_token: token });
      if (error) return failed(error);
      const d = data as {
        workspace_id: string;
        workspace_name: string;
        role: WorkspaceRole;
        invited_by: string | null;
        already_member: boolean;
      };
      const details: InviteDetails = {
        workspaceId: d.workspace_id,
        workspaceName: d.workspace_name,
        role: d.role,
        invitedBy: d.invited_by ?? undefined,
        alreadyMember: d.already_member,
      };
      return { ok: true, value: details };
    },

    async accept(token) {
      const { data, error } = await client.rpc('accept_invite', { p_token: token });
      if (error) return failed(error);
      return { ok: true, value: (data as { workspace_id: string }).workspace_id };
    },
  };
}
