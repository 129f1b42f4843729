/** What the UI gets for conversations and sending (PigeonServices.messages). */
import type { Accessor } from 'solid-js';
import type { TemplateSend } from '../../domain/provider-template.ts';
import type { LastAnswer, QueueItem } from '../../domain/queued-requests.ts';
import type { Result } from '../../domain/result.ts';
import type { MessageContent, MessageStatus, Template } from '../../domain/types.ts';
import type { OutboxWaiting } from '../../sync/outbox-protocol.ts';

export type { LastAnswer, OutboxWaiting };

/** A message of a conversation, as the UI shows it. */
export interface ThreadMessage {
  id: string;
  /** The number it went through or came in on. */
  channel_id: string;
  direction: 'in' | 'out';
  body: string;
  /** The server's status; `queued` too while only this device has the message. */
  status: MessageStatus;
  /** Why it failed, for people. */
  error: string | null;
  created_at: string;
  /** True while the server has not confirmed it. */
  local: boolean;
  /** Its kind, media, edits and deletion (a local message is text, never edited). */
  content: MessageContent;
}

/** A page of history from the server, oldest first. */
export interface OlderMessages {
  messages: ThreadMessage[];
  more: boolean;
}

/** A downloaded media file. */
export interface MediaFile {
  url: string;
  fileName: string;
}

/** One conversation: a chat's channel and customer. */
export interface ChatThread {
  chatId: string;
  channelId: string;
  phone: string;
}

/** What the messages of one campaign say of its sends, as the server last reported them. */
export interface CampaignSends {
  /**
   * For each message that left (sent, delivered or read), the time of its latest status
   * change (epoch ms), oldest first: the server keeps no separate send time, and its
   * reports follow a send within seconds.
   */
  times: number[];
  byStatus: Record<MessageStatus, number>;
}

/** A request waiting in the service worker's queue (a message, or a campaign's whole launch), as the sync panel lists it. */
export interface QueuedSend extends QueueItem {
  /** A message's recipient, as this device knows them (absent: the message is no longer here). */
  recipient?: { name: string | null; phone: string };
  /** A message's text. */
  text?: string;
  /** A launch's campaign name (absent: the campaign is no longer here). */
  campaignName?: string;
}

export interface OutboxStatus {
  /** Send requests waiting in the service worker for the network or the server. */
  waiting: Accessor<number>;
  /** What they carry: one-to-one messages, and campaign launches (each any number of requests). */
  waitingByKind: Accessor<OutboxWaiting>;
  /** Why they wait, after a replay that could not deliver them. */
  problem: Accessor<string | undefined>;
  retryNow(): void;
  /** Each request waiting, oldest first, live while the caller (a page) lives. */
  requests(): Accessor<QueuedSend[]>;
  /** Sends it now, with what this user queued before it (their order holds); resolves once tried. */
  retryRequest(item: QueuedSend): Promise<void>;
  /**
   * Removes it unsent: its messages then show as not sent (with Retry), a launch's campaign is a
   * draft again. Ok(n): requests removed — 0 when it had been sent meanwhile.
   */
  discardRequest(item: QueuedSend): Promise<Result<number>>;
}

export interface MessagesApi {
  /** The conversation with `phone` in the current workspace, oldest first, live. */
  thread(phone: Accessor<string | undefined>): Accessor<ThreadMessage[]>;
  /** One chat's messages (the inbox), with this device's unconfirmed ones to its customer, oldest first, live. */
  chatThread(chat: Accessor<ChatThread | undefined>): Accessor<ThreadMessage[]>;
  /**
   * A page of a chat's older messages from the server, newest first, before `before` (the
   * oldest one shown; the newest page without it): history this device has not pulled yet.
   * Shown, not stored. `more`: the server may have older ones still.
   */
  olderMessages(chatId: string, before: ThreadMessage | undefined): Promise<Result<OlderMessages>>;
  /**
   * A media message's file, fetched on demand through the server from the channel's provider
   * (nothing is stored): an object URL the caller revokes when done, and its file name.
   */
  mediaFile(message: ThreadMessage): Promise<Result<MediaFile>>;
  /** The messages a campaign sent, live: its history survives a reload. */
  campaignSends(campaignId: Accessor<string | undefined>): Accessor<CampaignSends>;
  /** The approved Meta templates of a channel, by name, live (offline too): what may be sent outside the 24-hour window. */
  replyTemplates(channelId: Accessor<string | undefined>): Accessor<Template[]>;
  /**
   * Writes the message locally (it shows at once, queued) and sends its command, through
   * `channelId` (a chat's, or the one picked; a disconnected one holds it until reconnected)
   * or else the workspace's first usable channel; as an approved template with its {{1}}..
   * values when `template` is given (body is then its rendered text).
   */
  send(input: {
    phone: string;
    contactId: string | null;
    body: string;
    channelId?: string;
    template?: TemplateSend;
  }): Promise<Result<ThreadMessage>>;
  /** The unsent text of a conversation (a phone, or a chat's id), kept on this device across reloads. */
  draft(key: string): string;
  saveDraft(key: string, text: string): void;
  outbox: OutboxStatus;
}
