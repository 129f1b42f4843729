/** What the UI gets for the shared inbox (PigeonServices.inbox). */
import type { Accessor } from 'solid-js';
import type { Result } from '../../domain/result.ts';
import type { Channel, ChannelProvider, ChatStatus, MessageStatus } from '../../domain/types.ts';

/** A chat as the list and the conversation's header show it. */
export interface InboxChat {
  id: string;
  channelId: string;
  channelName: string;
  provider: ChannelProvider | undefined;
  /** E.164 (the number of the customer). */
  phone: string;
  /** The contact's name, else the customer's WhatsApp profile name; '' when neither is known. */
  name: string;
  contactId: string | null;
  status: ChatStatus;
  assigneeId: string | null;
  preview: string;
  lastDirection: 'in' | 'out' | null;
  /** The ticks of the newest message when it is ours and on this device. */
  lastStatus: MessageStatus | undefined;
  lastMessageAt: string | null;
  lastInboundAt: string | null;
  /** Customer messages the signed-in member has not read. */
  unread: number;
}

export interface InboxMember {
  userId: string;
  /** "You" for the signed-in member. */
  label: string;
  initials: string;
  me: boolean;
}

export interface InboxNote {
  id: string;
  body: string;
  authorLabel: string;
  created_at: string;
}

/** How far a device's first sync of the chats got. */
export interface SyncProgress {
  stored: number;
  total: number;
}

export interface InboxApi {
  /** Every visible chat of the workspace, newest activity first, live. */
  chats(): Accessor<InboxChat[]>;
  /**
   * The list to show: `chats()`, or until it is read on a cold open (the database opening),
   * the first rows this device last listed.
   */
  listedChats(): Accessor<InboxChat[]>;
  /** Ids of chats with a message whose text contains the query (local, no server round trip). */
  searchMessages(query: Accessor<string>): Accessor<ReadonlySet<string>>;
  /** The workspace's channels, by name (the channel filter). */
  channels(): Accessor<Channel[]>;
  /** The workspace's members, the signed-in one first. */
  members(): Accessor<InboxMember[]>;
  /** The signed-in member's user id. */
  me(): string | undefined;
  /**
   * While this device holds fewer of the workspace's chats than the server has (its first
   * sync is running): how many of how many; undefined once it has them all, or offline.
   */
  syncProgress(): Accessor<SyncProgress | undefined>;
  /** Unread customer messages over every chat (the tab title and the app badge). */
  totalUnread(): Accessor<number>;
  notes(chatId: Accessor<string | undefined>): Accessor<InboxNote[]>;
  /** Assigns to a member, or to nobody with null. */
  assign(chatId: string, userId: string | null): Promise<Result>;
  setStatus(chatId: string, status: ChatStatus): Promise<Result>;
  addNote(chatId: string, body: string): Promise<Result>;
  /** The member has read every customer message of the chat (their other devices follow). */
  markRead(chatId: string): Promise<void>;
}
