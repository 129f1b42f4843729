// Events a test makes happen on a number, delivered by webhook in the number's wire format:
// a customer's message of any type (media get an id and a file to download), a reaction,
// an edit or a deletion; on Whapi also the business's own message typed on the phone and a
// chat's name or picture; and the provider's word on the number (disconnected, reconnected,
// quality flagged).
import type { CloudInboundMessage } from '../../functions/_shared/cloud-webhook.ts';
import type { WhapiMessage } from '../../functions/_shared/whapi-webhook.ts';
import type { SimNumber } from './numbers.ts';
import { report } from './reports.ts';
import { newId, type SimState } from './state.ts';
import { cloudEnvelope, messageWebhook } from './webhooks.ts';
import { whapiEnvelope, whapiMessage } from './whapi-webhooks.ts';

const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
type MediaType = (typeof MEDIA_TYPES)[number];

export type InboundSpec =
  | { type: 'text'; from: string; body: string; name?: string }
  | { type: MediaType; from: string; caption?: string; mime_type?: string; file_name?: string; name?: string }
  | { type: 'location'; from: string; latitude: number; longitude: number; place?: string; address?: string }
  | { type: 'contacts'; from: string; contacts: { name: string; phone: string }[] }
  | { type: 'interactive'; from: string; reply_id: string; title: string }
  | { type: 'button'; from: string; text: string; payload?: string }
  | { type: 'reaction'; from: string; message_id: string; emoji: string }
  | { type: 'edit'; from: string; message_id: string; body: string }
  | { type: 'revoke'; from: string; message_id: string }
  | { type: 'from_me'; to: string; body: string }
  | { type: 'chat'; peer: string; name?: string; picture_url?: string }
  | { type: 'channel'; status?: 'connected' | 'disconnected'; quality?: 'FLAGGED' | 'UNFLAGGED' };

export interface InboundResult {
  /** The new message's id (or the id the event is about). */
  id: string;
  /** The receiver's answer to the webhook; 0 when the number has no webhook or nobody answered. */
  httpStatus: number;
  media_id?: string;
}

const DIGITS = /^[1-9]\d{6,14}$/;
const DEFAULT_MIME: Record<MediaType, string> = {
  image: 'image/png',
  video: 'video/mp4',
  audio: 'audio/ogg',
  document: 'application/pdf',
  sticker: 'image/webp',
};
// A 1×1 transparent PNG: a real image for the image placeholder's download.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** What is wrong with an inbound spec for a number of this format, or null. */
export function inboundProblem(spec: Record<string, unknown>, format: 'cloud' | 'whapi'): string | null {
  const str = (k: string) => typeof spec[k] === 'string' && (spec[k] as string).length > 0;
  const phone = (k: string) => typeof spec[k] === 'string' && DIGITS.test(spec[k] as string);
  switch (spec.type) {
    case 'text':
      return phone('from') && str('body') ? null : 'text needs from (digits) and body';
    case 'location':
      return phone('from') && typeof spec.latitude === 'number' && typeof spec.longitude === 'number'
        ? null
        : 'location needs from, latitude and longitude';
    case 'contacts':
      return phone('from') && Array.isArray(spec.contacts)
        ? null
        : 'contacts needs from and contacts [{name, phone}]';
    case 'interactive':
      return phone('from') && str('reply_id') && str('title')
        ? null
        : 'interactive needs from, reply_id and title';
    case 'button':
      return format === 'cloud' && phone('from') && str('text')
        ? null
        : 'button (Cloud API only) needs from and text';
    case 'reaction':
      return phone('from') && str('message_id') && typeof spec.emoji === 'string'
        ? null
        : 'reaction needs from, message_id and emoji';
    case 'edit':
      return phone('from') && str('message_id') && str('body')
        ? null
        : 'edit needs from, message_id and body';
    case 'revoke':
      return phone('from') && str('message_id') ? null : 'revoke needs from and message_id';
    case 'from_me':
      return format === 'whapi' && phone('to') && str('body')
        ? null
        : 'from_me (Whapi only) needs to and body';
    case 'chat':
      return format === 'whapi' && phone('peer') ? null : 'chat (Whapi only) needs peer';
    case 'channel':
      return spec.status === 'connected' ||
        spec.status === 'disconnected' ||
        spec.quality === 'FLAGGED' ||
        spec.quality === 'UNFLAGGED'
        ? null
        : 'channel needs status (connected, disconnected) or quality (FLAGGED, UNFLAGGED)';
    default:
      return (MEDIA_TYPES as readonly unknown[]).includes(spec.type) && phone('from')
        ? null
        : `type must be one of text, ${MEDIA_TYPES.join(', ')}, location, contacts, interactive, button, reaction, edit, revoke, from_me, chat, channel`;
  }
}

interface AddedMedia {
  id: string;
  size: number;
}

function addMedia(state: SimState, number: SimNumber, type: MediaType, mimeType: string): AddedMedia {
  // Meta's media ids are numbers; Whapi's are its own strings.
  const id = number.format === 'cloud' ? String(BigInt(`0x${newId('', 7)}`)) : newId(`${type}-`, 8);
  const bytes = type === 'image' ? PNG : Buffer.from(`simulated ${type} ${id}`);
  state.media.set(id, { bytes, mimeType, number: number.id });
  return { id, size: bytes.length };
}

/** A shared location, as both formats write it. */
function placeOf(spec: Extract<InboundSpec, { type: 'location' }>) {
  return { latitude: spec.latitude, longitude: spec.longitude, name: spec.place, address: spec.address };
}

/** The Cloud API message of a customer's event. */
function cloudMessage(
  spec: InboundSpec,
  id: string,
  added: AddedMedia | undefined,
): Omit<CloudInboundMessage, 'timestamp'> {
  const from = 'from' in spec ? spec.from : '';
  switch (spec.type) {
    case 'text':
      return { from, id, type: 'text', text: { body: spec.body } };
    case 'location':
      return { from, id, type: 'location', location: placeOf(spec) };
    case 'contacts':
      return {
        from,
        id,
        type: 'contacts',
        contacts: spec.contacts.map((c) => ({
          name: { formatted_name: c.name },
          phones: [{ phone: c.phone, wa_id: c.phone.replace(/\D/g, '') }],
        })),
      };
    case 'interactive':
      return {
        from,
        id,
        type: 'interactive',
        interactive: { type: 'button_reply', button_reply: { id: spec.reply_id, title: spec.title } },
      };
    case 'button':
      return { from, id, type: 'button', button: { text: spec.text, payload: spec.payload ?? spec.text } };
    case 'reaction':
      return { from, id, type: 'reaction', reaction: { message_id: spec.message_id, emoji: spec.emoji } };
    case 'edit':
      return {
        from,
        id,
        type: 'edit',
        edit: { original_message_id: spec.message_id, message: { type: 'text', text: { body: spec.body } } },
      };
    case 'revoke':
      return { from, id, type: 'revoke', revoke: { original_message_id: spec.message_id } };
    default: {
      const media = spec as Extract<InboundSpec, { type: MediaType }>;
      return {
        from,
        id,
        type: media.type,
        [media.type]: {
          id: added!.id,
          mime_type: media.mime_type ?? DEFAULT_MIME[media.type],
          sha256: 'simulated',
          ...(media.caption ? { caption: media.caption } : {}),
          ...(media.file_name ? { filename: media.file_name } : {}),
        },
      };
    }
  }
}

/** The Whapi message of an event (a customer's, or the business's own typed on the phone). */
function whapiEventMessage(
  number: SimNumber,
  spec: InboundSpec,
  id: string,
  added: AddedMedia | undefined,
): WhapiMessage {
  const peer = spec.type === 'from_me' ? spec.to : 'from' in spec ? spec.from : '';
  const own = spec.type === 'from_me';
  const of = (content: Partial<WhapiMessage> & Pick<WhapiMessage, 'type'>) =>
    whapiMessage(number, peer, own, { id, ...content });
  switch (spec.type) {
    case 'text':
    case 'from_me':
      return of({ type: 'text', text: { body: spec.body } });
    case 'location':
      return of({ type: 'location', location: placeOf(spec) });
    case 'contacts':
      return spec.contacts.length === 1
        ? of({
            type: 'contact',
            contact: {
              name: spec.contacts[0]!.name,
              vcard: `BEGIN:VCARD\nFN:${spec.contacts[0]!.name}\nTEL:${spec.contacts[0]!.phone}\nEND:VCARD`,
            },
          })
        : of({
            type: 'contact_list',
            contact_list: {
              list: spec.contacts.map((c) => ({
                name: c.name,
                vcard: `BEGIN:VCARD\nFN:${c.name}\nTEL:${c.phone}\nEND:VCARD`,
              })),
            },
          });
    case 'interactive':
      return of({
        type: 'reply',
        reply: { type: 'buttons_reply', buttons_reply: { id: spec.reply_id, title: spec.title } },
      });
    case 'reaction':
      return of({ type: 'action', action: { type: 'reaction', target: spec.message_id, emoji: spec.emoji } });
    case 'edit':
      return of({
        type: 'action',
        action: {
          type: 'edit',
          target: spec.message_id,
          edited_type: 'text',
          edited_content: { body: spec.body },
        },
      });
    case 'revoke':
      return of({ type: 'action', action: { type: 'delete', target: spec.message_id } });
    default: {
      const media = spec as Extract<InboundSpec, { type: MediaType }>;
      return of({
        type: media.type,
        [media.type]: {
          id: added!.id,
          mime_type: media.mime_type ?? DEFAULT_MIME[media.type],
          file_size: added!.size,
          ...(media.caption ? { caption: media.caption } : {}),
          ...(media.file_name ? { file_name: media.file_name } : {}),
        },
      });
    }
  }
}

/** The provider's word on the number, in its format; Whapi's session follows it. */
function channelHook(number: SimNumber, spec: Extract<InboundSpec, { type: 'channel' }>) {
  if (number.format === 'whapi') {
    number.session = spec.status === 'disconnected' ? 'QR' : 'AUTH';
    return whapiEnvelope(number, 'channel', 'post', {
      health: { status: { code: spec.status === 'disconnected' ? 2 : 4, text: number.session } },
    });
  }
  if (spec.quality) {
    return cloudEnvelope('phone_number_quality_update', {
      display_phone_number: number.displayPhoneNumber,
      event: spec.quality,
      current_limit: 'TIER_1K',
    });
  }
  return cloudEnvelope('account_update', {
    phone_number: number.displayPhoneNumber,
    event: spec.status === 'disconnected' ? 'DISABLED_UPDATE' : 'ACCOUNT_RECONNECTED',
  });
}

/** Makes `spec` happen on `number` and delivers its webhook. */
export async function inbound(state: SimState, number: SimNumber, spec: InboundSpec): Promise<InboundResult> {
  if (spec.type === 'channel') {
    const httpStatus = await report(
      state,
      number,
      { kind: 'channel', id: number.id },
      channelHook(number, spec),
    );
    return { id: number.id, httpStatus };
  }
  if (spec.type === 'chat') {
    const hook = whapiEnvelope(number, 'chats', 'post', {
      chats: [
        {
          id: `${spec.peer}@s.whatsapp.net`,
          type: 'contact',
          ...(spec.name ? { name: spec.name } : {}),
          ...(spec.picture_url ? { chat_pic: spec.picture_url } : {}),
        },
      ],
    });
    return { id: spec.peer, httpStatus: await report(state, number, { kind: 'chat', id: spec.peer }, hook) };
  }
  const id = number.format === 'cloud' ? newId('wamid.SIMIN') : `${newId('', 8)}-${newId('', 3)}`;
  const mediaType = (MEDIA_TYPES as readonly string[]).includes(spec.type)
    ? (spec.type as MediaType)
    : undefined;
  const media = mediaType
    ? addMedia(
        state,
        number,
        mediaType,
        (spec as { mime_type?: string }).mime_type ?? DEFAULT_MIME[mediaType],
      )
    : undefined;
  if ('from' in spec && !['reaction', 'edit', 'revoke'].includes(spec.type)) {
    state.lastInbound.set(`${number.id}:${spec.from}`, Date.now());
  }
  const kind = ['reaction', 'edit', 'revoke'].includes(spec.type) ? 'change' : 'message';
  const hook =
    number.format === 'cloud'
      ? messageWebhook(
          { displayPhoneNumber: number.displayPhoneNumber },
          number.id,
          cloudMessage(spec, id, media),
          (spec as { name?: string }).name,
        )
      : whapiEnvelope(number, 'messages', 'post', { messages: [whapiEventMessage(number, spec, id, media)] });
  const httpStatus = await report(state, number, { kind, id }, hook);
  return { id, httpStatus, ...(media ? { media_id: media.id } : {}) };
}
