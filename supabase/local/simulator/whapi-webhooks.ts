// The simulator's Whapi webhooks: payloads as Whapi's reference documents them (arrays named
// by what they carry, `event: {type, event}`, the channel id), posted with the headers the
// channel's settings asked for (Pigeon's secret among them).
import type { WhapiMessage, WhapiStatus, WhapiWebhook } from '../../functions/_shared/whapi-webhook.ts';
import type { SimNumber } from './numbers.ts';
import { postWithRetries } from './webhooks.ts';

export function whapiEnvelope(
  number: SimNumber,
  type: string,
  event: string,
  content: Omit<WhapiWebhook, 'event' | 'channel_id'>,
): WhapiWebhook {
  return { ...content, event: { type, event }, channel_id: number.id };
}

export const chatIdOf = (digits: string) => `${digits}@s.whatsapp.net`;

/** A message of the chat with `peer` (digits): the customer's, or the business's own (from_me). */
export function whapiMessage(
  number: SimNumber,
  peer: string,
  fromMe: boolean,
  content: Partial<WhapiMessage> & Pick<WhapiMessage, 'id' | 'type'>,
): WhapiMessage {
  return {
    chat_id: chatIdOf(peer),
    from: fromMe ? number.displayPhoneNumber : peer,
    from_me: fromMe,
    ...(fromMe ? {} : { from_name: `Simulated ${peer}` }),
    source: 'mobile',
    timestamp: Math.floor(Date.now() / 1000),
    ...content,
  };
}

export function whapiStatus(
  id: string,
  peer: string,
  status: string,
  errors?: WhapiStatus['errors'],
): WhapiStatus {
  const codes: Record<string, number> = { failed: 0, pending: 1, sent: 2, delivered: 3, read: 4, played: 5 };
  return {
    id,
    code: codes[status] ?? 0,
    status,
    recipient_id: chatIdOf(peer),
    timestamp: String(Math.floor(Date.now() / 1000)),
    ...(errors ? { errors } : {}),
  };
}

/** Posts to the number's webhook as Whapi does; 0 when it has none or nobody answered. */
export async function postWhapi(number: SimNumber, hook: WhapiWebhook, signal: AbortSignal): Promise<number> {
  if (!number.webhook) return 0;
  return postWithRetries(number.webhook.url, JSON.stringify(hook), number.webhook.headers, signal);
}
