/**
 * What the page and the service worker say to each other about send commands (DESIGN.md:
 * two paths carry data up; the second is a POST of commands to /functions/v1/outbox that
 * the worker queues when it cannot go through).
 */
import type { CommandResult } from '../../supabase/functions/outbox/handler.ts';
import type { TemplateSend } from '../domain/provider-template.ts';
import type { QueuedRequest } from '../domain/queued-requests.ts';
import type { CommandOutcome } from './outbox-outcomes.ts';

export type { CommandResult, QueuedRequest };

/** The BroadcastChannel every tab and the worker share. */
export const PIGEON_CHANNEL = 'pigeon';

/** The intake's path under the Supabase URL. */
export const OUTBOX_FUNCTION_PATH = '/functions/v1/outbox';

/** One command of the intake's body `{commands: [...]}`; the message id makes replays harmless. */
export interface SendCommand {
  message_id: string;
  channel_id: string;
  /** E.164. */
  to: string;
  body: string;
  contact_id?: string;
  /**
   * The contact's name as this device has it: when the command reaches the intake before
   * the contact's push, the intake creates the contact (id derived from workspace and phone,
   * never overwriting one that exists) instead of refusing the message.
   */
  contact_name?: string;
  /** An approved template synced from Meta, sent as such (required outside the 24-hour window). */
  template?: TemplateSend;
}

/** The worker's answer to a POST it could not deliver now and keeps for later (HTTP 202). */
export interface QueuedAnswer {
  queued: true;
}

/** What a queued request carries, kept beside it in the worker's queue (counted without reading bodies). */
export interface QueuedCommands {
  /** Its one-to-one messages (a campaign's chunk has none). */
  messages: number;
  /** The campaign it launches, for a chunk of a launch. */
  campaign?: string;
}

/** What waits in the worker's queue, as people count it: messages, and campaign launches (any number of chunks). */
export interface OutboxWaiting {
  messages: number;
  launches: number;
}

export function queuedCommandsOf(body: unknown): QueuedCommands {
  const commands = (body as { commands?: unknown } | null)?.commands;
  const list: unknown[] = Array.isArray(commands) ? commands : [];
  let messages = 0;
  let campaign: string | undefined;
  for (const command of list) {
    const id = (command as { campaign_id?: unknown } | null)?.campaign_id;
    if (typeof id === 'string') campaign = id;
    else messages += 1;
  }
  return campaign === undefined ? { messages } : { messages, campaign };
}

/** The queue's entries as people count them; an entry queued before its kind was kept counts as one message. */
export function waitingOf(entries: readonly Partial<QueuedCommands>[]): OutboxWaiting {
  let messages = 0;
  const launches = new Set<string>();
  for (const entry of entries) {
    messages += entry.messages ?? (entry.campaign === undefined ? 1 : 0);
    if (entry.campaign !== undefined) launches.add(entry.campaign);
  }
  return { messages, launches: launches.size };
}

/** Announced by the worker on the BroadcastChannel. */
export type OutboxAnnouncement =
  /**
   * The queue's size now for each user who has requests in it (by user id), and what each
   * user's requests carry: a tab shows its own user's. Sent on every change and when a tab asks.
   */
  | { type: 'outbox-size'; sizes: Record<string, number>; waiting: Record<string, OutboxWaiting> }
  | { type: 'outbox-replay-start'; size: number }
  /** A replay ended: `kept` requests wait for a later one (network, 5xx, signed out). */
  | { type: 'outbox-replay-end'; delivered: number; dropped: number; kept: number; error?: string }
  /** New outcomes are in the outcome store (outbox-outcomes.ts). */
  | { type: 'outbox-outcomes' }
  /** A user discarded requests: the launches of these campaigns will not reach the server from here. */
  | { type: 'outbox-discarded'; user: string; campaigns: string[] };

/**
 * Posted by a page signing its user out, with a MessagePort the worker answers on with
 * `{size}`: how many of the user's requests wait (`count`), or how many it removed unsent
 * (`drop`). Those not dropped stay parked until the user signs in again on this device.
 */
export interface OutboxUserRequest {
  type: 'outbox-user';
  user: string;
  action: 'count' | 'drop';
}

/**
 * Posted by the sync panel with a MessagePort, about its user's requests: `list` them, `discard`
 * those of `keys` (removed unsent; their messages are recorded as not sent), or `retry` them now
 * (with the user's earlier ones, in order). The worker answers `{requests}`: for `discard` the
 * requests it removed, otherwise the user's requests waiting after it acted.
 */
export interface OutboxRequestsRequest {
  type: 'outbox-requests';
  user: string;
  action: 'list' | 'discard' | 'retry';
  keys: string[];
}

/** The worker's answer to an OutboxRequestsRequest. */
export interface OutboxRequestsAnswer {
  requests: QueuedRequest[];
}

/** Posted by a page to the worker. */
export type OutboxRequest =
  | { type: 'outbox-status' }
  /** "Retry now" (force: ignore backoff), or a tab that saw the network come back or signed in. */
  | { type: 'outbox-replay'; force: boolean }
  | OutboxUserRequest
  | OutboxRequestsRequest;

export function isOutboxAnnouncement(data: unknown): data is OutboxAnnouncement {
  const type = typeof data === 'object' && data !== null ? (data as { type?: unknown }).type : undefined;
  return (
    type === 'outbox-size' ||
    type === 'outbox-replay-start' ||
    type === 'outbox-replay-end' ||
    type === 'outbox-outcomes' ||
    type === 'outbox-discarded'
  );
}

export function isOutboxRequest(data: unknown): data is OutboxRequest {
  const type = typeof data === 'object' && data !== null ? (data as { type?: unknown }).type : undefined;
  return (
    type === 'outbox-status' ||
    type === 'outbox-replay' ||
    type === 'outbox-user' ||
    type === 'outbox-requests'
  );
}

/** The reason a discarded request's messages show (as a refused one's: "Not sent: …"). */
export const DISCARDED_ERROR = 'Not sent: discarded from the send queue on this device.';

/** The message ids of a request body `{commands: [...]}`. */
export function commandIds(body: unknown): string[] {
  const commands = typeof body === 'object' && body !== null ? (body as { commands?: unknown }).commands : [];
  if (!Array.isArray(commands)) return [];
  return commands
    .map((c: unknown) =>
      typeof c === 'object' && c !== null ? (c as { message_id?: unknown }).message_id : '',
    )
    .filter((id): id is string => typeof id === 'string' && id !== '');
}

/**
 * What a definite answer of the intake means for each message: 200 carries per-item results;
 * a dropped request (a 4xx other than 401) fails every message in it, with the server's reason.
 */
export function outcomesOfAnswer(
  ids: readonly string[],
  status: number,
  answer: unknown,
): Array<[string, CommandOutcome]> {
  if (status >= 200 && status < 300) {
    const results = (answer as { results?: unknown } | null)?.results;
    if (!Array.isArray(results)) return [];
    return (results as CommandResult[])
      .filter((r) => typeof r.message_id === 'string')
      .map((r) => [
        r.message_id as string,
        r.status === 'rejected'
          ? { status: 'failed', error: r.error ?? 'The server refused this message.' }
          : { status: 'accepted' },
      ]);
  }
  const reason = (answer as { error?: unknown } | null)?.error;
  const error = `Not sent: ${typeof reason === 'string' && reason ? reason : `the server answered HTTP ${status}`}`;
  return ids.map((id) => [id, { status: 'failed', error }]);
}
