// What happens after the simulator accepts a send: sent, delivered and read reported by
// webhook (or failed, for an undeliverable recipient or one outside the 24-hour window), and
// optionally the recipient's reply, each in the number's own wire format.
import type { CloudError } from '../../functions/_shared/cloud-webhook.ts';
import type { SimNumber } from './numbers.ts';
import { deliver, newId, type SendRecord, type SimState } from './state.ts';
import { messageWebhook, postSigned, statusWebhook, type WebhookDelivery } from './webhooks.ts';
import { postWhapi, whapiEnvelope, whapiMessage, whapiStatus } from './whapi-webhooks.ts';

/** Posts a payload of the number's format to its webhook. */
export function postTo(state: SimState, number: SimNumber, hook: unknown): Promise<number> {
  if (!number.webhook) return Promise.resolve(0);
  return number.format === 'cloud'
    ? postSigned(number.webhook.url, number.appSecret, hook, state.signal)
    : postWhapi(number, hook as Parameters<typeof postWhapi>[1], state.signal);
}

export function report(
  state: SimState,
  number: SimNumber,
  entry: Omit<WebhookDelivery, 'at' | 'httpStatus' | 'phoneNumberId'>,
  hook: unknown,
): Promise<number> {
  return deliver(state, number, entry, () => postTo(state, number, hook));
}

const FAILURES: Record<'undeliverable' | 'outside-window', CloudError> = {
  undeliverable: {
    code: 131026,
    title: 'Message undeliverable',
    message: 'Message undeliverable',
    error_data: { details: 'The recipient is not a WhatsApp user' },
  },
  'outside-window': {
    code: 131047,
    title: 'Re-engagement message',
    message: 'Re-engagement message',
    error_data: {
      details:
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    },
  },
};

function statusHook(number: SimNumber, rec: SendRecord, wamid: string, status: string, error?: CloudError) {
  if (number.format === 'cloud') {
    return statusWebhook({ displayPhoneNumber: number.displayPhoneNumber }, number.id, {
      id: wamid,
      status,
      recipient_id: rec.to,
      ...(error ? { errors: [error] } : {}),
    });
  }
  const errors = error ? [{ code: error.code, message: error.message ?? error.title }] : undefined;
  return whapiEnvelope(number, 'statuses', 'post', {
    statuses: [whapiStatus(wamid, rec.to, status, errors)],
  });
}

function replyHook(number: SimNumber, rec: SendRecord, id: string, body: string) {
  if (number.format === 'cloud') {
    return messageWebhook({ displayPhoneNumber: number.displayPhoneNumber }, number.id, {
      from: rec.to,
      id,
      type: 'text',
      text: { body },
    });
  }
  return whapiEnvelope(number, 'messages', 'post', {
    messages: [whapiMessage(number, rec.to, false, { id, type: 'text', text: { body } })],
  });
}

export function scheduleReports(
  state: SimState,
  number: SimNumber,
  rec: SendRecord,
  wamid: string,
  failure?: keyof typeof FAILURES,
): void {
  const { delays } = state.settings;
  const status = (name: string, error?: CloudError) => () =>
    report(
      state,
      number,
      { kind: 'status', id: wamid, status: name },
      statusHook(number, rec, wamid, name, error),
    );
  if (delays.sent !== null) state.later(delays.sent, status('sent'));
  if (failure) {
    state.later((delays.sent ?? 0) + 1, status('failed', FAILURES[failure]));
    return;
  }
  if (delays.delivered !== null) state.later(delays.delivered, status('delivered'));
  if (delays.read !== null) state.later(delays.read, status('read'));
  const replyText = state.settings.replyText;
  if (delays.reply !== null && replyText !== null) {
    const id = number.format === 'cloud' ? newId('wamid.SIMIN') : newId('', 10);
    state.later(delays.reply, () => {
      state.lastInbound.set(`${number.id}:${rec.to}`, Date.now());
      return report(state, number, { kind: 'message', id }, replyHook(number, rec, id, replyText));
    });
  }
}
