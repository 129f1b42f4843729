// The simulator's side of webhooks: Cloud API payloads for status changes and inbound
// replies, signed like Meta signs them, posted to the channel's webhook URL with a few
// retries (a provider keeps trying while the receiver is down).
import type {
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
  kind: 'status' | 'message';
  /** The wamid the event is about. */
  id: string;
  status?: string;
  /** The receiver's HTTP status, or 0 when it could not be reached. */
  httpStatus: number;
}

const unixSeconds = () => String(Math.floor(Date.now() / 1000));

export function statusWebhook(
  target: WebhookTarget,
  phoneNumberId: string,
  status: Omit<CloudStatus, 'timestamp'>,
): CloudWebhook {
  return envelope(target, phoneNumberId, { statuses: [{ ...status, timestamp: unixSeconds() }] });
}

export function replyWebhook(
  target: WebhookTarget,
  phoneNumberId: string,
  reply: { id: string; from: string; body: string },
): CloudWebhook {
  const message: CloudInboundMessage = {
    from: reply.from,
    id: reply.id,
    timestamp: unixSeconds(),
    type: 'text',
    text: { body: reply.body },
  };
  return envelope(target, phoneNumberId, {
    contacts: [{ profile: { name: `Simulated ${reply.from}` }, wa_id: reply.from }],
    messages: [message],
  });
}

function envelope(
  target: WebhookTarget,
  phoneNumberId: string,
  events: Pick<
    CloudWebhook['entry'][number]['changes'][number]['value'],
    'statuses' | 'messages' | 'contacts'
  >,
): CloudWebhook {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'simulator-waba',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: target.displayPhoneNumber, phone_number_id: phoneNumberId },
              ...events,
            },
          },
        ],
      },
    ],
  };
}

/**
 * Posts a signed webhook; retries after 0.5 s and 2 s on 5xx or no answer, until `signal`
 * aborts (the simulator closed). Returns the last HTTP status, 0 when never answered.
 */
export async function postWebhook(
  target: WebhookTarget,
  phoneNumberId: string,
  hook: CloudWebhook,
  signal: AbortSignal,
): Promise<number> {
  const raw = JSON.stringify(hook);
  const headers = {
    'content-type': 'application/json',
    'x-hub-signature-256': await signWebhook(target.appSecret, raw),
  };
  let status = 0;
  for (const pause of [500, 2000, 0]) {
    if (signal.aborted) return status;
    try {
      const res = await fetch(`${target.url}/${phoneNumberId}`, {
        method: 'POST',
        headers,
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
