/**
 * What the page and the service worker say to each other about send commands (DESIGN.md:
 * two paths carry data up; the second is a POST of commands to /functions/v1/outbox that
 * the worker queues when it cannot go through).
 */
import type { CommandResult } from '../../supabase/functions/outbox/handler.ts';
import type { TemplateSend } from '../domain/provider-template.ts';
import type { CommandOutcome } from './outbox-outcomes.ts';

export type { CommandResult };

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
  /** An approved template synced from Meta, sent as such (required outside the 24-hour window). */
  template?: TemplateSend;
}

/** The worker's answer to a POST it could not deliver now and keeps for later (HTTP 202). */
export interface QueuedAnswer {
  queued: true;
}

/** Announced by the worker on the BroadcastChannel. */
export type OutboxAnnouncement =
  /** The queue's size now; sent on every change and when a tab asks. */
  | { type: 'outbox-size'; size: number }
  | { type: 'outbox-replay-start'; size: number }
  /** A replay ended: `kept` requests wait for a later one (network, 5xx, signed out). */
  | { type: 'outbox-replay-end'; delivered: number; dropped: number; kept: number; error?: string }
  /** New outcomes are in the outcome store (outbox-outcomes.ts). */
  | { type: 'outbox-outcomes' };

/** Posted by a page to the worker. */
export type OutboxRequest =
  | { type: 'outbox-status' }
  /** "Retry now" (force: ignore backoff), or a tab that saw the network come back. */
  | { type: 'outbox-replay'; force: boolean };

export function isOutboxAnnouncement(data: unknown): data is OutboxAnnouncement {
  const type = typeof data === 'object' && data !== null ? (data as { type?: unknown }).type : undefined;
  return (
    type === 'outbox-size' ||
    type === 'outbox-replay-start' ||
    type === 'outbox-replay-end' ||
    type === 'outbox-outcomes'
  );
}

export function isOutboxRequest(data: unknown): data is OutboxRequest {
  const type = typeof data === 'object' && data !== null ? (data as { type?: unknown }).type : undefined;
  return type === 'outbox-status' || type === 'outbox-replay';
}

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
