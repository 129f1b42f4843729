// The provider-neutral events of a webhook delivery, as record_channel_events applies them
// (supabase/migrations/20261202100400_channel_events.sql). Each provider's reader turns its
// own payload into these; anything it does not route is counted under a label, never refused,
// because providers add kinds over time.

export type MessageKind =
  | 'text'
  | 'image'
  | 'video'
  | 'audio'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contacts'
  | 'interactive'
  | 'button';

/** A media file the provider keeps: downloaded on demand through the media function. */
export interface MediaRef {
  id: string;
  mime_type?: string;
  file_name?: string;
}

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

export type ChannelEvent =
  /** An outbound message's delivery moved on. */
  | { kind: 'status'; id: string; status: DeliveryStatus; error?: string }
  /**
   * A message of the chat with `phone` (the customer, E.164): from the customer ('in'), or
   * the business's own typed on the phone ('out'). `body` is the text or the caption.
   */
  | {
      kind: 'message';
      id: string;
      direction: 'in' | 'out';
      phone: string;
      type: MessageKind;
      body: string;
      sender_name?: string;
      media?: MediaRef;
      details?: Record<string, unknown>;
    }
  /** The message `id` now reads `body` (text or caption). */
  | { kind: 'edit'; id: string; body: string }
  /** The message `id` was deleted for everyone. */
  | { kind: 'revoke'; id: string }
  /** The customer reacted to the message `id`; an empty emoji takes the reaction back. */
  | { kind: 'reaction'; id: string; emoji: string }
  /** The chat with `phone` has this name or picture. */
  | { kind: 'chat'; phone: string; name?: string; picture_url?: string }
  /** The provider reports the number's connection or quality. */
  | { kind: 'channel'; status?: 'connected' | 'disconnected'; quality_rating?: string; reason?: string };

export interface WebhookReading {
  events: ChannelEvent[];
  /** What was acknowledged but not routed, counted by label (e.g. "message:poll"). */
  ignored: Record<string, number>;
}

export class WebhookShapeError extends Error {}

export function emptyReading(): WebhookReading {
  return { events: [], ignored: {} };
}

export function ignore(reading: WebhookReading, label: string, count = 1): void {
  if (count > 0) reading.ignored[label] = (reading.ignored[label] ?? 0) + count;
}

/** E.164 from a provider's digits ("4915112345678", "+49…" or "4915112345678@s.whatsapp.net"). */
export function phoneOf(digits: unknown): string | undefined {
  if (typeof digits !== 'string') return undefined;
  return `+${digits.replace(/^\+/, '').replace(/@s\.whatsapp\.net$/, '')}`;
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
