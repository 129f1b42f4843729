// The team of the current workspace: members and their roles, pending invitations, and
// accepting an invitation mailed with a single-use link. Every call needs a connection; the
// server decides who may do what (owners and admins manage; admins never touch owners).
import type { Result } from '../../domain/result.ts';
import type { WorkspaceRole } from '../../domain/types.ts';

export interface TeamMember {
  /** The membership's id. */
  id: string;
  userId: string;
  email: string;
  role: WorkspaceRole;
  joinedAt: string;
}

export interface PendingInvite {
  id: string;
  email: string;
  role: WorkspaceRole;
  sentAt: string;
  /** The link expired (7 days): resend to renew it. */
  expired: boolean;
}

/** 'self' and 'already_member': nothing was sent, and the UI says why. */
export type InviteOutcome = 'invited' | 'already_member' | 'self';

export interface InviteDetails {
  workspaceId: string;
  workspaceName: string;
  role: WorkspaceRole;
  invitedBy: string | undefined;
  alreadyMember: boolean;
}

export interface TeamApi {
  members(): Promise<Result<TeamMember[]>>;
  /** Invitations not accepted yet (owners and admins only; others get an empty list). */
  invitations(): Promise<Result<PendingInvite[]>>;
  invite(email: string, role: WorkspaceRole): Promise<Result<InviteOutcome>>;
  /** A new link by mail; the old one stops working. */
  resend(inviteId: string): Promise<Result>;
  revoke(inviteId: string): Promise<Result>;
  changeRole(memberId: string, role: WorkspaceRole): Promise<Result>;
  remove(memberId: string): Promise<Result>;
  /** What the link of `token` invites to, for the invitee to decide. */
  inviteDetails(token: string): Promise<Result<InviteDetails>>;
  /** Joins the workspace of the link; resolves with its id. */
  accept(token: string): Promise<Result<string>>;
}
