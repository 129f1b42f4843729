/**
 * Conflict merges of the inbox's replicated rows (DESIGN.md: the team's changes merge).
 *
 * A chat is the server's record (summary, counters, deletion) plus what members change:
 * status and assignee. The server's row is the base; a member's change that the server has
 * not seen is kept when it is the later one:
 * - assignment: the later `assigned_at` wins (two members assigning offline: the later one);
 * - status: the local change wins unless it closes (or parks) the chat and the customer wrote
 *   since the change was made from: a close and a new customer message make it open.
 * A read marker only moves forward; a note merges like any edited text.
 */
import { type MergeInput, mergeFields } from './merge.ts';
import type { Chat, ChatNote, ChatRead } from './types.ts';

const at = (value: string | null | undefined) => (value ? Date.parse(value) || 0 : 0);

export function mergeChat({ base, local, remote }: MergeInput<Chat>): Chat {
  const merged: Chat = { ...remote };
  const assignedHere = base === undefined || local.assignee_id !== base.assignee_id;
  if (assignedHere && at(local.assigned_at) > at(remote.assigned_at)) {
    merged.assignee_id = local.assignee_id;
    merged.assigned_at = local.assigned_at;
  }
  const statusHere = base === undefined || local.status !== base.status;
  const customerWroteSince = at(remote.last_inbound_at) > at(base?.last_inbound_at ?? local.last_inbound_at);
  const reopened = local.status !== 'open' && customerWroteSince;
  if (statusHere && !reopened && at(local.status_at) >= at(remote.status_at)) {
    merged.status = local.status;
    merged.status_at = local.status_at;
  }
  merged.updated_at = at(local.updated_at) > at(remote.updated_at) ? local.updated_at : remote.updated_at;
  return merged;
}

export function mergeChatRead({ local, remote }: MergeInput<ChatRead>): ChatRead {
  return {
    ...remote,
    read_count: Math.max(local.read_count, remote.read_count),
    read_at: at(local.read_at) > at(remote.read_at) ? local.read_at : remote.read_at,
  };
}

export const mergeChatNote = (input: MergeInput<ChatNote>): ChatNote => mergeFields(input, ['body']);
