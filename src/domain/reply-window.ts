/**
 * WhatsApp's customer service window: on the Meta Cloud API a business may write free text
 * only within 24 hours of the customer's last message; outside it, only an approved template
 * goes through (Meta answers error 131047 otherwise). Whapi.cloud sends as a phone does and
 * has no window; neither has the simulator's default channel.
 */
import type { ChannelProvider } from './types.ts';

export const REPLY_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface ReplyWindow {
  /** Free text may be sent now. */
  open: boolean;
  /** When the window closes (or closed); null where the provider has no window, or no message came in yet. */
  closesAt: Date | null;
}

/**
 * The window of a conversation on a channel of `provider`, given when the customer last wrote
 * (ISO time or epoch ms; null: never), at `now`.
 */
export function replyWindow(
  provider: ChannelProvider,
  lastInboundAt: string | number | null,
  now: number = Date.now(),
): ReplyWindow {
  if (provider !== 'meta') return { open: true, closesAt: null };
  const last = lastInboundAt === null ? Number.NaN : new Date(lastInboundAt).getTime();
  if (Number.isNaN(last)) return { open: false, closesAt: null };
  const closes = last + REPLY_WINDOW_MS;
  return { open: now < closes, closesAt: new Date(closes) };
}

/** When the customer last wrote on `channelId`, from a conversation's messages (null: never). */
export function lastInboundAt(
  messages: readonly { direction: 'in' | 'out'; channel_id: string; created_at: string }[],
  channelId: string,
): string | null {
  let last: string | null = null;
  for (const m of messages) {
    if (
      m.direction === 'in' &&
      m.channel_id === channelId &&
      (last === null || Date.parse(m.created_at) > Date.parse(last))
    ) {
      last = m.created_at;
    }
  }
  return last;
}
