// WhatsApp Cloud API webhooks (object 'whatsapp_business_account'): the payload types the
// simulator builds, and the reading of a payload into the provider-neutral events that
// record_provider_events applies. Anything that is not a well-formed text message or
// status of a known kind is ignored, not refused: providers add kinds over time.

export type CloudStatusName = 'sent' | 'delivered' | 'read' | 'failed';

export interface CloudStatus {
  id: string;
  status: CloudStatusName | string;
  timestamp: string;
  recipient_id: string;
  errors?: { code: number; title: string; message?: string; error_data?: { details?: string } }[];
}

export interface CloudInboundMessage {
  from: string;
  id: string;
  timestamp: string;
  type: 'text' | string;
  text?: { body: string };
}

export interface CloudChangeValue {
  messaging_product: 'whatsapp';
  metadata: { display_phone_number: string; phone_number_id: string };
  contacts?: { profile: { name: string }; wa_id: string }[];
  messages?: CloudInboundMessage[];
  statuses?: CloudStatus[];
}

export interface CloudWebhook {
  object: 'whatsapp_business_account';
  entry: { id: string; changes: { field: 'messages' | string; value: CloudChangeValue }[] }[];
}

/** A status event as record_provider_events takes it. */
export interface StatusEvent {
  id: string;
  status: CloudStatusName;
  error?: string;
}

/** An inbound text message as record_provider_events takes it. */
export interface InboundEvent {
  id: string;
  /** E.164. */
  from: string;
  body: string;
}

export interface WebhookEvents {
  statuses: StatusEvent[];
  messages: InboundEvent[];
  /** Events skipped: other phone numbers, unknown kinds, non-text messages. */
  ignored: number;
}

export class WebhookShapeError extends Error {}

const STATUS_NAMES = new Set<string>(['sent', 'delivered', 'read', 'failed']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function failureText(errors: CloudStatus['errors']): string | undefined {
  const first = errors?.[0];
  if (!first) return undefined;
  const text = first.error_data?.details || first.message || first.title;
  return typeof first.code === 'number' ? `${text} (code ${first.code})` : text;
}

/**
 * The events of `payload` addressed to `phoneNumberId`. Throws WebhookShapeError, naming
 * the part, when the envelope itself is not a Cloud API webhook.
 */
export function readCloudWebhook(payload: unknown, phoneNumberId: string): WebhookEvents {
  if (!isObject(payload) || payload.object !== 'whatsapp_business_account') {
    throw new WebhookShapeError('the body must be a webhook with object "whatsapp_business_account"');
  }
  if (!Array.isArray(payload.entry)) throw new WebhookShapeError('entry must be an array');
  const events: WebhookEvents = { statuses: [], messages: [], ignored: 0 };
  for (const [e, entry] of payload.entry.entries()) {
    if (!isObject(entry) || !Array.isArray(entry.changes)) {
      throw new WebhookShapeError(`entry[${e}].changes must be an array`);
    }
    for (const [c, change] of entry.changes.entries()) {
      const value = isObject(change) ? change.value : undefined;
      if (!isObject(value) || !isObject(value.metadata)) {
        throw new WebhookShapeError(`entry[${e}].changes[${c}].value.metadata is missing`);
      }
      const statuses = Array.isArray(value.statuses) ? value.statuses : [];
      const messages = Array.isArray(value.messages) ? value.messages : [];
      if (change.field !== 'messages' || value.metadata.phone_number_id !== phoneNumberId) {
        events.ignored += statuses.length + messages.length;
        continue;
      }
      for (const s of statuses as unknown[]) {
        if (!isObject(s) || typeof s.id !== 'string' || !STATUS_NAMES.has(s.status as string)) {
          events.ignored++;
          continue;
        }
        const error = s.status === 'failed' ? failureText(s.errors as CloudStatus['errors']) : undefined;
        events.statuses.push({ id: s.id, status: s.status as CloudStatusName, ...(error ? { error } : {}) });
      }
      for (const m of messages as unknown[]) {
        const body = isObject(m) && isObject(m.text) ? m.text.body : undefined;
        if (
          !isObject(m) ||
          m.type !== 'text' ||
          typeof m.id !== 'string' ||
          typeof m.from !== 'string' ||
          typeof body !== 'string'
        ) {
          events.ignored++;
          continue;
        }
        events.messages.push({ id: m.id, from: `+${m.from.replace(/^\+/, '')}`, body });
      }
    }
  }
  return events;
}
