/**
 * Ids derived from natural keys (UUID v5), so two offline devices that create the same contact,
 * chat or campaign message make the same row: their meeting is a replication conflict to merge
 * or a replay to ignore, never a duplicate (DESIGN.md, data rules).
 */
import { validate } from 'uuid';
import { isE164 } from './phone.ts';
import { uuidV5, uuidV5Namespace } from './uuid-v5.ts';

// One namespace per kind of row, generated once at random for Pigeon. Changing any of them
// changes every id derived from it: never do.
const CONTACT_NAMESPACE = uuidV5Namespace('e75d4b1f-ff79-42b1-bb30-868dd9e5e702');
const CHAT_NAMESPACE = uuidV5Namespace('597a5c32-6f2e-49b7-82ac-894b612eae9a');
const CAMPAIGN_MESSAGE_NAMESPACE = uuidV5Namespace('fd34233e-cf5f-4076-afb6-0f26a0fab9f0');
const CHAT_READ_NAMESPACE = uuidV5Namespace('0d6f3c55-3f0e-4a1c-9d57-6b8e2a41c7f3');

/** A contact's id: one row per phone number per workspace. */
export function contactId(workspaceId: string, e164: string): string {
  if (!isE164(e164)) throw new TypeError(`contactId: phone must be E.164, got ${JSON.stringify(e164)}`);
  return uuidV5(`${canonicalUuid(workspaceId, 'workspaceId')}:${e164}`, CONTACT_NAMESPACE);
}

/**
 * A chat's id: one row per WhatsApp chat (e.g. `491711234567@s.whatsapp.net`) per channel.
 * The WhatsApp id is used as the provider sent it: only uuids are case-insensitive.
 */
export function chatId(channelId: string, waChatId: string): string {
  if (waChatId === '' || /\s/.test(waChatId)) {
    throw new TypeError(`chatId: not a WhatsApp chat id: ${JSON.stringify(waChatId)}`);
  }
  return uuidV5(`${canonicalUuid(channelId, 'channelId')}:${waChatId}`, CHAT_NAMESPACE);
}

/** A campaign message's id: one per recipient, so replaying a launch never sends twice. */
export function campaignMessageId(campaignId: string, contactId: string): string {
  const name = `${canonicalUuid(campaignId, 'campaignId')}:${canonicalUuid(contactId, 'contactId')}`;
  return uuidV5(name, CAMPAIGN_MESSAGE_NAMESPACE);
}

/** A member's read marker on a chat: one row per chat and member, shared by their devices. */
export function chatReadId(chatId: string, userId: string): string {
  return uuidV5(`${canonicalUuid(chatId, 'chatId')}:${canonicalUuid(userId, 'userId')}`, CHAT_READ_NAMESPACE);
}

// Postgres prints uuids in lower case while users and other systems may not.
function canonicalUuid(value: string, what: string): string {
  if (!validate(value)) throw new TypeError(`${what} must be a uuid, got ${JSON.stringify(value)}`);
  return value.toLowerCase();
}
