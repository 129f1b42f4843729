/**
 * The inbox's pure rules: a member's unread count, which chats a filter shows, and the local
 * search over names, numbers and message text.
 */
import type { Chat, ChatStatus } from './types.ts';

/** Customer messages the member has not read: the chat's count past their marker. */
export function unreadCount(chat: Pick<Chat, 'inbound_count'>, readCount: number | undefined): number {
  return Math.max(0, chat.inbound_count - (readCount ?? 0));
}

export type AssigneeFilter = 'mine' | 'unassigned' | 'all';

export interface InboxFilter {
  assignee: AssigneeFilter;
  /** A channel id, or undefined for every channel. */
  channel: string | undefined;
  status: ChatStatus;
  /** Free text: matches the name, the number's digits or any message of the chat. */
  search: string;
}

export interface FilterableChat {
  id: string;
  channelId: string;
  status: ChatStatus;
  assigneeId: string | null;
  name: string;
  phone: string;
}

const PHONE_LIKE = /^[\d\s()+./-]+$/;

/** The chats a filter shows, in the order given. `textMatches` holds chats whose messages match. */
export function filterChats<C extends FilterableChat>(
  chats: readonly C[],
  filter: InboxFilter,
  me: string | undefined,
  textMatches: ReadonlySet<string> = new Set(),
): C[] {
  const query = filter.search.trim().toLowerCase();
  // Only a query written like a number ("+44 20", "(0171) 12") looks in numbers: the digits of
  // "order 12" are no phone.
  const digits = PHONE_LIKE.test(query) ? query.replace(/\D/g, '') : '';
  return chats.filter((chat) => {
    if (chat.status !== filter.status) return false;
    if (filter.channel && chat.channelId !== filter.channel) return false;
    if (filter.assignee === 'mine' && (me === undefined || chat.assigneeId !== me)) return false;
    if (filter.assignee === 'unassigned' && chat.assigneeId !== null) return false;
    if (query === '') return true;
    return (
      chat.name.toLowerCase().includes(query) ||
      (digits.length > 0 && chat.phone.includes(digits)) ||
      textMatches.has(chat.id)
    );
  });
}

/** The E.164 number of a one-to-one WhatsApp chat id (`491711234567@s.whatsapp.net`). */
export function chatPhone(waChatId: string): string {
  const digits = waChatId.split('@')[0] ?? '';
  return waChatId.endsWith('@s.whatsapp.net') && /^\d{7,15}$/.test(digits) ? `+${digits}` : waChatId;
}

/** Up to two initials of a label ("Ana Lima" → "AL"). */
export function initials(label: string): string {
  const words = label.trim().split(/\s+/).filter(Boolean);
  return words
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
}
