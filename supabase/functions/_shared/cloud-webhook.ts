// WhatsApp Cloud API webhooks (object 'whatsapp_business_account'), as Meta's webhook
// reference documents them: the payload types the simulator builds, and the reading of a
// delivery into channel events. Fields read: messages (statuses; messages of every type,
// edits, revokes, reactions), account_update and phone_number_quality_update; any other
// field or message type is acknowledged and counted.
import {
  type ChannelEvent,
  emptyReading,
  ignore,
  type MediaRef,
  type MessageKind,
  phoneOf,
  text,
  type WebhookReading,
  WebhookShapeError,
} from './channel-events.ts';
import { isReengagement, reengagementText } from './cloud-api.ts';
import { isObject } from './provider-http.ts';

export type CloudStatusName = 'sent' | 'delivered' | 'read' | 'failed';

export interface CloudError {
  code: number;
  title: string;
  message?: string;
  error_data?: { details?: string };
}

export interface CloudStatus {
  id: string;
  status: CloudStatusName | string;
  timestamp: string;
  recipient_id: string;
  errors?: CloudError[];
}

export interface CloudMedia {
  id: string;
  mime_type?: string;
  sha256?: string;
  caption?: string;
  filename?: string;
  animated?: boolean;
  voice?: boolean;
}

export interface CloudInboundMessage {
  from: string;
  id: string;
  timestamp: string;
  type: string;
  context?: { from?: string; id?: string };
  text?: { body: string };
  image?: CloudMedia;
  video?: CloudMedia;
  audio?: CloudMedia;
  document?: CloudMedia;
  sticker?: CloudMedia;
  location?: { latitude: number; longitude: number; name?: string; address?: string; url?: string };
  contacts?: {
    name: { formatted_name: string; first_name?: string };
    phones?: { phone?: string; wa_id?: string }[];
  }[];
  interactive?: {
    type: 'button_reply' | 'list_reply' | string;
    button_reply?: { id: string; title: string };
    list_reply?: { id: string; title: string; description?: string };
  };
  button?: { payload?: string; text: string };
  reaction?: { message_id: string; emoji?: string };
  edit?: { original_message_id: string; message: Partial<CloudInboundMessage> };
  revoke?: { original_message_id: string };
  errors?: CloudError[];
}

export interface CloudChangeValue {
  messaging_product: 'whatsapp';
  metadata: { display_phone_number: string; phone_number_id: string };
  contacts?: { profile: { name: string }; wa_id: string }[];
  messages?: CloudInboundMessage[];
  statuses?: CloudStatus[];
}

/** A delivery; `value` is a CloudChangeValue for the messages field, the field's own shape otherwise. */
export interface CloudWebhook<V = CloudChangeValue> {
  object: 'whatsapp_business_account';
  entry: { id: string; changes: { field: 'messages' | string; value: V }[] }[];
}

/** The number a delivery must be about: its phone_number_id, and its digits for account events. */
export interface CloudNumber {
  phoneNumberId: string;
  /** E.164 of the channel, when known (account_update and quality events name the number so). */
  phone?: string | null;
}

const STATUS_NAMES = new Set<string>(['sent', 'delivered', 'read', 'failed']);
const MEDIA_KINDS = ['image', 'video', 'audio', 'document', 'sticker'] as const;
// account_update events that end or restore the number's ability to send.
const ACCOUNT_DOWN = new Set(['DISABLED_UPDATE', 'ACCOUNT_DELETED', 'ACCOUNT_OFFBOARDED', 'PARTNER_REMOVED']);
const ACCOUNT_UP = new Set(['ACCOUNT_RECONNECTED']);
// phone_number_quality_update: FLAGGED when the quality rating turns low, UNFLAGGED when it recovers.
const QUALITY_OF_EVENT: Record<string, string> = { FLAGGED: 'RED', UNFLAGGED: 'GREEN' };

export function failureText(errors: CloudError[] | undefined): string | undefined {
  const first = errors?.[0];
  if (!first) return undefined;
  const reason = first.error_data?.details || first.message || first.title;
  const text = typeof first.code === 'number' ? `${reason} (code ${first.code})` : reason;
  return isReengagement(first.code) ? reengagementText(text) : text;
}

function sameNumber(digits: unknown, phone: string | null | undefined): boolean {
  return typeof digits === 'string' && !!phone && phoneOf(digits.replace(/\D/g, '')) === phone;
}

function mediaOf(m: CloudMedia): MediaRef {
  return {
    id: m.id,
    ...(m.mime_type ? { mime_type: m.mime_type } : {}),
    ...(m.filename ? { file_name: m.filename } : {}),
  };
}

type MessageContent = Pick<Extract<ChannelEvent, { kind: 'message' }>, 'type' | 'body' | 'media' | 'details'>;

/** What a message shows, by its type; undefined for types Pigeon does not store. */
function contentOf(m: Partial<CloudInboundMessage>): MessageContent | undefined {
  const type = m.type ?? '';
  if (type === 'text' && typeof m.text?.body === 'string') return { type: 'text', body: m.text.body };
  if ((MEDIA_KINDS as readonly string[]).includes(type)) {
    const media = m[type as (typeof MEDIA_KINDS)[number]];
    if (!isObject(media) || typeof media.id !== 'string') return undefined;
    return { type: type as MessageKind, body: text(media.caption) ?? '', media: mediaOf(media) };
  }
  if (type === 'location' && isObject(m.location)) {
    const { latitude, longitude, name, address, url } = m.location;
    return { type: 'location', body: '', details: { latitude, longitude, name, address, url } };
  }
  if (type === 'contacts' && Array.isArray(m.contacts)) {
    const contacts = m.contacts.map((c) => ({
      name: c.name?.formatted_name,
      phones: (c.phones ?? []).map((p) => p.phone ?? p.wa_id).filter((p) => typeof p === 'string'),
    }));
    return { type: 'contacts', body: '', details: { contacts } };
  }
  if (type === 'interactive' && isObject(m.interactive)) {
    const reply = m.interactive.button_reply ?? m.interactive.list_reply;
    if (!reply || typeof reply.title !== 'string') return undefined;
    const description = m.interactive.list_reply?.description;
    return {
      type: 'interactive',
      body: reply.title,
      details: { reply_id: reply.id, ...(description ? { description } : {}) },
    };
  }
  if (type === 'button' && typeof m.button?.text === 'string') {
    return { type: 'button', body: m.button.text, details: { payload: m.button.payload } };
  }
  return undefined;
}

function readMessage(reading: WebhookReading, m: unknown, names: Map<string, string>): void {
  if (!isObject(m) || typeof m.id !== 'string' || typeof m.type !== 'string') {
    ignore(reading, 'message:malformed');
    return;
  }
  const msg = m as unknown as CloudInboundMessage;
  if (msg.type === 'reaction' && isObject(msg.reaction) && typeof msg.reaction.message_id === 'string') {
    reading.events.push({ kind: 'reaction', id: msg.reaction.message_id, emoji: msg.reaction.emoji ?? '' });
    return;
  }
  if (msg.type === 'revoke' && typeof msg.revoke?.original_message_id === 'string') {
    reading.events.push({ kind: 'revoke', id: msg.revoke.original_message_id });
    return;
  }
  if (msg.type === 'edit' && typeof msg.edit?.original_message_id === 'string') {
    const edited = isObject(msg.edit.message) ? contentOf(msg.edit.message) : undefined;
    if (edited) reading.events.push({ kind: 'edit', id: msg.edit.original_message_id, body: edited.body });
    else ignore(reading, 'edit:unsupported');
    return;
  }
  const content = contentOf(msg);
  if (!content) {
    ignore(reading, `message:${msg.type}`);
    return;
  }
  const name = names.get(msg.from);
  reading.events.push({
    kind: 'message',
    id: msg.id,
    direction: 'in',
    phone: phoneOf(msg.from) ?? '',
    ...content,
    ...(name ? { sender_name: name } : {}),
  });
}

function readMessagesChange(
  reading: WebhookReading,
  value: Record<string, unknown>,
  number: CloudNumber,
): void {
  const statuses = Array.isArray(value.statuses) ? value.statuses : [];
  const messages = Array.isArray(value.messages) ? value.messages : [];
  if (!isObject(value.metadata) || value.metadata.phone_number_id !== number.phoneNumberId) {
    ignore(reading, 'other-number', statuses.length + messages.length);
    return;
  }
  for (const s of statuses) {
    if (!isObject(s) || typeof s.id !== 'string' || !STATUS_NAMES.has(s.status as string)) {
      ignore(reading, `status:${isObject(s) ? String(s.status) : 'malformed'}`);
      continue;
    }
    const error = s.status === 'failed' ? failureText(s.errors as CloudError[] | undefined) : undefined;
    reading.events.push({
      kind: 'status',
      id: s.id,
      status: s.status as CloudStatusName,
      ...(error ? { error } : {}),
    });
  }
  const names = new Map<string, string>();
  for (const c of Array.isArray(value.contacts) ? value.contacts : []) {
    if (
      isObject(c) &&
      typeof c.wa_id === 'string' &&
      isObject(c.profile) &&
      typeof c.profile.name === 'string'
    ) {
      names.set(c.wa_id, c.profile.name);
    }
  }
  for (const m of messages) readMessage(reading, m, names);
  if (Array.isArray(value.errors)) ignore(reading, 'errors', value.errors.length);
}

function readAccountUpdate(
  reading: WebhookReading,
  value: Record<string, unknown>,
  number: CloudNumber,
): void {
  const event = text(value.event) ?? '';
  if (!sameNumber(value.phone_number, number.phone) || !(ACCOUNT_DOWN.has(event) || ACCOUNT_UP.has(event))) {
    ignore(reading, `account_update:${event || 'unknown'}`);
    return;
  }
  reading.events.push(
    ACCOUNT_UP.has(event)
      ? { kind: 'channel', status: 'connected' }
      : { kind: 'channel', status: 'disconnected', reason: `Meta reported ${event} for the number` },
  );
}

function readQualityUpdate(
  reading: WebhookReading,
  value: Record<string, unknown>,
  number: CloudNumber,
): void {
  const event = text(value.event) ?? '';
  const quality = QUALITY_OF_EVENT[event];
  if (!quality || !sameNumber(value.display_phone_number, number.phone)) {
    ignore(reading, `phone_number_quality_update:${event || 'unknown'}`);
    return;
  }
  reading.events.push({ kind: 'channel', quality_rating: quality });
}

/**
 * The channel events of `payload` for `number`. Throws WebhookShapeError, naming the part,
 * when the envelope itself is not a Cloud API webhook.
 */
export function readCloudWebhook(payload: unknown, number: CloudNumber): WebhookReading {
  if (!isObject(payload) || payload.object !== 'whatsapp_business_account') {
    throw new WebhookShapeError('the body must be a webhook with object "whatsapp_business_account"');
  }
  if (!Array.isArray(payload.entry)) throw new WebhookShapeError('entry must be an array');
  const reading = emptyReading();
  for (const [e, entry] of payload.entry.entries()) {
    if (!isObject(entry) || !Array.isArray(entry.changes)) {
      throw new WebhookShapeError(`entry[${e}].changes must be an array`);
    }
    for (const [c, change] of entry.changes.entries()) {
      const value = isObject(change) ? change.value : undefined;
      if (!isObject(value)) throw new WebhookShapeError(`entry[${e}].changes[${c}].value is missing`);
      const field = text(change.field) ?? '';
      if (field === 'messages') {
        if (!isObject(value.metadata)) {
          throw new WebhookShapeError(`entry[${e}].changes[${c}].value.metadata is missing`);
        }
        readMessagesChange(reading, value, number);
      } else if (field === 'account_update') readAccountUpdate(reading, value, number);
      else if (field === 'phone_number_quality_update') readQualityUpdate(reading, value, number);
      else ignore(reading, `field:${field || 'unknown'}`);
    }
  }
  return reading;
}
