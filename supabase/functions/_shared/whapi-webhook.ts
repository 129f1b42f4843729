// Whapi.cloud webhooks, as its API reference documents the payload: arrays named by what
// they carry (messages, messages_updates, messages_removed, statuses, chats, chats_updates),
// the channel's health on channel events, and `event: {type, event}`. Messages the business
// typed on its own phone come with from_me: they are outbound, never a customer's. Groups,
// newsletters and kinds Pigeon does not route are acknowledged and counted.
import {
  type ChannelEvent,
  emptyReading,
  ignore,
  type MessageKind,
  phoneOf,
  text,
  type WebhookReading,
  WebhookShapeError,
} from './channel-events.ts';
import { isObject } from './provider-http.ts';

/** A message as Whapi's webhook (and its message list) carries it; the fields Pigeon reads. */
export interface WhapiMessage {
  id: string;
  type: string;
  chat_id: string;
  from?: string;
  from_me: boolean;
  from_name?: string;
  source?: string;
  timestamp: number;
  text?: { body: string };
  image?: WhapiMedia;
  video?: WhapiMedia;
  gif?: WhapiMedia;
  short?: WhapiMedia;
  audio?: WhapiMedia;
  voice?: WhapiMedia;
  document?: WhapiMedia;
  sticker?: WhapiMedia;
  link_preview?: { body: string; url?: string };
  location?: { latitude: number; longitude: number; name?: string; address?: string; url?: string };
  live_location?: { latitude: number; longitude: number; caption?: string };
  contact?: { name: string; vcard: string };
  contact_list?: { list: { name: string; vcard: string }[] };
  reply?: {
    type: 'buttons_reply' | 'list_reply' | string;
    buttons_reply?: { id: string; title: string };
    list_reply?: { id: string; title: string; description?: string };
  };
  action?: {
    type: string;
    target?: string;
    emoji?: string;
    edited_type?: string;
    edited_content?: { body?: string; caption?: string };
  };
}

export interface WhapiMedia {
  id: string;
  mime_type: string;
  file_size?: number;
  file_name?: string;
  caption?: string;
  link?: string;
}

export interface WhapiStatus {
  id: string;
  code?: number;
  status: string;
  recipient_id?: string;
  timestamp: string;
  errors?: { code: number; message: string; details?: string }[];
}

export interface WhapiWebhook {
  messages?: WhapiMessage[];
  messages_updates?: {
    id: string;
    before_update?: Partial<WhapiMessage>;
    after_update: Partial<WhapiMessage>;
    changes?: string[];
  }[];
  messages_removed?: string[];
  statuses?: WhapiStatus[];
  chats?: { id: string; name?: string; chat_pic?: string; type?: string }[];
  chats_updates?: { after_update: { id: string; name?: string; chat_pic?: string }; changes?: string[] }[];
  health?: { status: { code: number; text: string } };
  event: { type: string; event: string };
  channel_id?: string;
}

const PERSONAL_CHAT = /^\d{7,15}@s\.whatsapp\.net$/;
// Media types by the kind Pigeon stores them as.
const MEDIA_TYPES: Record<string, MessageKind> = {
  image: 'image',
  video: 'video',
  gif: 'video',
  short: 'video',
  audio: 'audio',
  voice: 'audio',
  document: 'document',
  sticker: 'sticker',
};
const STATUS_OF: Record<string, 'sent' | 'delivered' | 'read' | 'failed'> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  // A voice message listened to: read, as far as ticks go.
  played: 'read',
  failed: 'failed',
};
// Session states (GET /health's status.text) that mean the number cannot send.
const SESSION_DOWN = new Set(['QR', 'ERROR', 'SYNC_ERROR', 'NOT_INIT']);

type MessageContent = Pick<Extract<ChannelEvent, { kind: 'message' }>, 'type' | 'body' | 'media' | 'details'>;

function contentOf(m: Partial<WhapiMessage>): MessageContent | undefined {
  const type = m.type ?? '';
  if (type === 'text' && typeof m.text?.body === 'string') return { type: 'text', body: m.text.body };
  if (type === 'link_preview' && typeof m.link_preview?.body === 'string') {
    return { type: 'text', body: m.link_preview.body };
  }
  const kind = MEDIA_TYPES[type];
  if (kind) {
    const media = (m as Record<string, unknown>)[type];
    if (!isObject(media) || typeof media.id !== 'string') return undefined;
    return {
      type: kind,
      body: text(media.caption) ?? '',
      media: {
        id: media.id,
        ...(typeof media.mime_type === 'string' ? { mime_type: media.mime_type } : {}),
        ...(typeof media.file_name === 'string' ? { file_name: media.file_name } : {}),
      },
    };
  }
  if ((type === 'location' || type === 'live_location') && isObject(m[type])) {
    const place = m[type] as Record<string, unknown>;
    const { latitude, longitude, name, address, url } = place;
    return {
      type: 'location',
      body: text(place.caption) ?? '',
      details: { latitude, longitude, name, address, url },
    };
  }
  if (type === 'contact' && isObject(m.contact)) {
    return {
      type: 'contacts',
      body: '',
      details: { contacts: [{ name: m.contact.name, vcard: m.contact.vcard }] },
    };
  }
  if (type === 'contact_list' && Array.isArray(m.contact_list?.list)) {
    const contacts = m.contact_list.list.map((c) => ({ name: c.name, vcard: c.vcard }));
    return { type: 'contacts', body: '', details: { contacts } };
  }
  if (type === 'reply' && isObject(m.reply)) {
    const reply = m.reply.buttons_reply ?? m.reply.list_reply;
    if (!reply || typeof reply.title !== 'string') return undefined;
    return { type: 'interactive', body: reply.title, details: { reply_id: reply.id } };
  }
  return undefined;
}

function readAction(reading: WebhookReading, m: WhapiMessage): void {
  const action = m.action!;
  const target = action.target;
  if (typeof target !== 'string') {
    ignore(reading, 'action:malformed');
    return;
  }
  if (action.type === 'delete') reading.events.push({ kind: 'revoke', id: target });
  else if (action.type === 'reaction' && !m.from_me) {
    reading.events.push({ kind: 'reaction', id: target, emoji: action.emoji ?? '' });
  } else if ((action.type === 'edit' || action.type === 'edited') && isObject(action.edited_content)) {
    const body = text(action.edited_content.body) ?? text(action.edited_content.caption);
    if (body !== undefined) reading.events.push({ kind: 'edit', id: target, body });
    else ignore(reading, 'edit:unsupported');
  } else ignore(reading, `action:${action.type}${m.from_me ? ':from_me' : ''}`);
}

function readMessage(reading: WebhookReading, m: unknown): void {
  if (
    !isObject(m) ||
    typeof m.id !== 'string' ||
    typeof m.type !== 'string' ||
    typeof m.chat_id !== 'string'
  ) {
    ignore(reading, 'message:malformed');
    return;
  }
  const msg = m as unknown as WhapiMessage;
  if (!PERSONAL_CHAT.test(msg.chat_id)) {
    ignore(reading, 'message:not-a-personal-chat');
    return;
  }
  if (msg.type === 'action' && isObject(msg.action)) {
    readAction(reading, msg);
    return;
  }
  // Sent through the API: Pigeon's own send, recorded by the outbox already.
  if (msg.from_me && msg.source === 'api') {
    ignore(reading, 'message:own-send');
    return;
  }
  const content = contentOf(msg);
  if (!content) {
    ignore(reading, `message:${msg.type}`);
    return;
  }
  reading.events.push({
    kind: 'message',
    id: msg.id,
    direction: msg.from_me ? 'out' : 'in',
    phone: phoneOf(msg.chat_id) ?? '',
    ...content,
    ...(!msg.from_me && msg.from_name ? { sender_name: msg.from_name } : {}),
  });
}

function readStatus(reading: WebhookReading, s: unknown): void {
  const status = isObject(s) ? STATUS_OF[String(s.status)] : undefined;
  if (!isObject(s) || typeof s.id !== 'string' || !status) {
    ignore(reading, `status:${isObject(s) ? String(s.status) : 'malformed'}`);
    return;
  }
  const first = Array.isArray(s.errors) && isObject(s.errors[0]) ? s.errors[0] : undefined;
  const error =
    status === 'failed' && first
      ? `${text(first.details) || text(first.message) || 'failed'}${typeof first.code === 'number' ? ` (code ${first.code})` : ''}`
      : undefined;
  reading.events.push({ kind: 'status', id: s.id, status, ...(error ? { error } : {}) });
}

function readChat(reading: WebhookReading, chat: unknown): void {
  if (!isObject(chat) || typeof chat.id !== 'string' || !PERSONAL_CHAT.test(chat.id)) {
    ignore(reading, 'chat:not-a-personal-chat');
    return;
  }
  const name = text(chat.name);
  const picture = text(chat.chat_pic);
  if (name === undefined && picture === undefined) {
    ignore(reading, 'chat:unchanged');
    return;
  }
  reading.events.push({
    kind: 'chat',
    phone: phoneOf(chat.id)!,
    ...(name !== undefined ? { name } : {}),
    ...(picture !== undefined ? { picture_url: picture } : {}),
  });
}

function readHealth(reading: WebhookReading, health: unknown): void {
  const state = isObject(health) && isObject(health.status) ? text(health.status.text) : undefined;
  if (state === 'AUTH') reading.events.push({ kind: 'channel', status: 'connected' });
  else if (state && SESSION_DOWN.has(state)) {
    reading.events.push({
      kind: 'channel',
      status: 'disconnected',
      reason: `the WhatsApp session of the Whapi channel is ${state}: log it in again in Whapi's dashboard`,
    });
  } else ignore(reading, `channel:${state ?? 'unknown'}`);
}

const READ_KEYS = new Set([
  'messages',
  'messages_updates',
  'messages_removed',
  'statuses',
  'chats',
  'chats_updates',
  'health',
  'event',
  'channel_id',
]);

/** The channel events of a Whapi delivery. Throws WebhookShapeError when it is not one. */
export function readWhapiWebhook(payload: unknown): WebhookReading {
  if (!isObject(payload) || !isObject(payload.event) || typeof payload.event.type !== 'string') {
    throw new WebhookShapeError('the body must be a Whapi webhook with event.type');
  }
  const reading = emptyReading();
  const list = (key: string): unknown[] => {
    const value = payload[key];
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new WebhookShapeError(`${key} must be an array`);
    return value;
  };
  for (const m of list('messages')) readMessage(reading, m);
  for (const u of list('messages_updates')) {
    const after = isObject(u) && isObject(u.after_update) ? u.after_update : undefined;
    const body = after ? contentOf(after as Partial<WhapiMessage>)?.body : undefined;
    if (isObject(u) && typeof u.id === 'string' && body !== undefined)
      reading.events.push({ kind: 'edit', id: u.id, body });
    else ignore(reading, 'messages_updates:unrouted');
  }
  for (const id of list('messages_removed')) {
    if (typeof id === 'string') reading.events.push({ kind: 'revoke', id });
    else ignore(reading, 'messages_removed:malformed');
  }
  for (const s of list('statuses')) readStatus(reading, s);
  for (const c of list('chats')) readChat(reading, c);
  for (const u of list('chats_updates')) readChat(reading, isObject(u) ? u.after_update : undefined);
  if (payload.health !== undefined) readHealth(reading, payload.health);
  for (const key of Object.keys(payload)) {
    if (!READ_KEYS.has(key)) {
      const value = payload[key];
      ignore(reading, `${payload.event.type}:${key}`, Array.isArray(value) ? value.length : 1);
    }
  }
  return reading;
}
