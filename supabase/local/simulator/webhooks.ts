// The simulator's Cloud API webhooks: payloads as Meta's webhook reference shows them
// (statuses, messages of every type, edits, revokes, reactions, account and quality
// updates), signed like Meta signs them, posted with a few retries (a provider keeps trying
// while the receiver is down).
import type {
  CloudChangeValue,
  CloudInboundMessage,
  CloudStatus,
  CloudWebhook,
} from '../../functions/_shared/cloud-webhook.ts';
import { signWebhook } from '../../functions/_shared/webhook-signature.ts';

export interface WebhookTarget {
  /** Webhooks of a number go to `${url}/${phone_number_id}`. */
  url: string;
  appSecret: string;
  displayPhoneNumber: string;
}

export interface WebhookDelivery {
  at: number;
  phoneNumberId: string;
  kind: 'status' | 'message' | 'change' | 'chat' | 'channel';
  /** The wamid the event is about (or the number's id for channel events). */
  id: string;
  status?: string;
  /** The receiver's HTTP status, or 0 when it could not be reached. */
  httpStatus: number;
}

export const unixSeconds = () => String(Math.floor(Date.now() / 1000));

/** One change of field `field` in Meta's envelope. */
export function cloudEnvelope<V>(field: string, value: V, wabaId = 'simulator-waba'): CloudWebhook<V> {
  return { object: 'whatsapp_business_account', entry: [{ id: wabaId, changes: [{ field, value }] }] };
}

function messagesValue(
  displayPhoneNumber: string,
  phoneNumberId: string,
  events: {
    statuses?: CloudStatus[];
    messages?: CloudInboundMessage[];
    contacts?: { profile: { name: string }; wa_id: string }[];
  },
): CloudChangeValue {
  return {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: displayPhoneNumber, phone_number_id: phoneNumberId },
    ...events,
  };
}

export function statusWebhook(
  target: Pick<WebhookTarget, 'displayPhoneNumber'>,
  phoneNumberId: string,
  status: Omit<CloudStatus, 'timestamp'>,
): CloudWebhook {
  return cloudEnvelope(
    'messages',
    messagesValue(target.displayPhoneNumber, phoneNumberId, {
      statuses: [{ ...status, timestamp: unixSeconds() }],
    }),
  );
}

/** A message from a customer (`message.from`, digits), of any type. */
export function messageWebhook(
  target: Pick<WebhookTarget, 'displayPhoneNumber'>,
  phoneNumberId: string,
  message: Omit<CloudInboundMessage, 'timestamp'>,
  profileName = `Simulated ${message.from}`,
): CloudWebhook {
  return cloudEnvelope(
    'messages',
    messagesValue(target.displayPhoneNumber, phoneNumberId, {
      contacts: [{ profile: { name: profileName }, wa_id: message.from }],
      messages: [{ ...message, timestamp: unixSeconds() }],
    }),
  );
}

export function replyWebhook(
  target: Pick<WebhookTarget, 'displayPhoneNumber'>,
  phoneNumberId: string,
  reply: { id: string; from: string; body: string },
): CloudWebhook {
  return messageWebhook(target, phoneNumberId, {
    from: reply.from,
    id: reply.id,
    type: 'text',
    text: { body: reply.body },
  });
}

/**
 * Posts a signed webhook to `url`; retries after 0.5 s and 2 s on 5xx or no answer, until
 * `signal` aborts (the simulator closed). Returns the last HTTP status, 0 when never answered.
 */
export async function postSigned(
  url: string,
  appSecret: string,
  hook: unknown,
  signal: AbortSignal,
  headers: Record<string, string> = {},
): Promise<number> {
  const raw = JSON.stringify(hook);
  return postWithRetries(
    url,
    raw,
    { ...headers, 'x-hub-signature-256': await signWebhook(appSecret, raw) },
    signal,
  );
}

export async function postWithRetries(
  url: string,
  raw: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<number> {
  let status = 0;
  for (const pause of [500, 2000, 0]) {
    if (signal.aborted) return status;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: raw,
        signal,
      });
      await res.body?.cancel();
      status = res.status;
      if (status < 500) return status;
    } catch {
      status = 0;
    }
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
  }
  return status;
}

/** Posts a signed webhook of the number to `${target.url}/${phoneNumberId}`. */
export function postWebhook(
  target: WebhookTarget,
  phoneNumberId: string,
  hook: CloudWebhook,
  signal: AbortSignal,
): Promise<number> {
  return postSigned(`${target.url}/${phoneNumberId}`, target.appSecret, hook, signal);
}
