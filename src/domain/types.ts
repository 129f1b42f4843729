/**
 * Document shapes replicated between the browser (RxDB) and Postgres. Property names are the
 * Postgres column names, so a row and a document are the same object.
 */
import type { CountryCode } from 'libphonenumber-js/max';

/** An ISO 8601 timestamp, e.g. `2025-03-01T09:30:00.000Z` (Postgres may answer with `+00:00`). */
export type IsoTimestamp = string;

/** Columns every replicated table carries (DESIGN.md, data rules). */
export interface ReplicatedDocument {
  id: string;
  workspace_id: string;
  /** Soft delete: clients never hard-delete rows. */
  _deleted: boolean;
  /** Set by a server trigger on every write; absent on a document never pushed yet. */
  _modified?: IsoTimestamp;
}

/** A row users edit: the client stamps `updated_at` on every local edit, merges compare it. */
export interface EditableDocument extends ReplicatedDocument {
  updated_at: IsoTimestamp;
}

export interface Contact extends EditableDocument {
  /** Derived from `workspace_id` + `phone` (UUID v5), see ids.ts. */
  id: string;
  /** E.164, e.g. `+447400123456`. */
  phone: string;
  name: string;
  /** '' when unknown (the column is NOT NULL DEFAULT ''). */
  email: string;
  tags: string[];
  /** Ids of ContactGroup rows. */
  group_ids: string[];
  custom_fields: Record<string, string>;
  opted_out: boolean;
  opted_out_at: IsoTimestamp | null;
  notes: string;
}

export interface ContactGroup extends EditableDocument {
  name: string;
  description: string;
  /** A CSS colour, e.g. `#3b82f6`. */
  color: string | null;
}

export type TemplateCategory = 'marketing' | 'utility' | 'authentication';

export interface Template extends EditableDocument {
  name: string;
  /** Text with `{{variable}}` / `{{variable|fallback}}` placeholders, see template.ts. */
  body: string;
  /** BCP 47, e.g. `en`, `pt-BR`. */
  language: string;
  category: TemplateCategory;
  /**
   * 'meta' for a template synced from a channel's WhatsApp Business Account (read-only, body
   * with {{1}}.. parameters); absent or null for Pigeon's own.
   */
  provider?: 'meta' | null;
  channel_id?: string | null;
  /** Meta's review status: APPROVED, PENDING, REJECTED… Only APPROVED ones can be sent. */
  provider_status?: string | null;
  /** Meta's components as the WABA lists them (HEADER, BODY, FOOTER, BUTTONS); null on Pigeon's own. */
  components?: TemplateComponent[] | null;
}

/** One component of a Meta template (GET /{waba-id}/message_templates). */
export interface TemplateComponent {
  type: string;
  /** HEADER: TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION. */
  format?: string;
  text?: string;
}

/** Read-only on the client. Its `workspace_id` is its own id, so it is filtered like any row. */
export interface Workspace extends ReplicatedDocument {
  name: string;
  /** ISO 3166-1 alpha-2; national phone numbers are read as this country's. */
  default_country: CountryCode;
  /** IANA, e.g. `Europe/Berlin`. */
  time_zone: string;
  /**
   * Contacts and templates stay on the members' devices: never pushed, and the server refuses
   * them (owners and admins choose; absent means off).
   */
  contacts_local_only?: boolean;
  /** Who turned it on or off last, and when (the server stamps both). */
  contacts_local_only_by?: string | null;
  contacts_local_only_at?: string | null;
}

export type WorkspaceRole = 'owner' | 'admin' | 'agent';

/** Read-only on the client. */
export interface WorkspaceMember extends ReplicatedDocument {
  user_id: string;
  role: WorkspaceRole;
}

export type ChannelProvider = 'simulator' | 'whapi' | 'meta';
export type ChannelStatus = 'pending' | 'connected' | 'degraded' | 'disconnected';

/**
 * A WhatsApp number the workspace sends from. Read-only on the client: owners and admins
 * change it on the server (src/features/channels), which replicates it back.
 */
export interface Channel extends ReplicatedDocument {
  name: string;
  provider: ChannelProvider;
  /** E.164, or null until the provider reports it. */
  phone_number: string | null;
  status: ChannelStatus;
  /** Set by the server while the provider throttles the channel (HTTP 429). */
  paused_until: IsoTimestamp | null;
  degraded_reason: string | null;
  /** Pacing: at most this many sends a minute, a random pause of min..max ms between two. */
  rate_per_minute: number;
  min_delay_ms: number;
  max_delay_ms: number;
  /** What the provider said of the number at the last test connection (Meta: GREEN/YELLOW/RED). */
  verified_name: string | null;
  quality_rating: string | null;
  /** The last problem owners must know of, and when. */
  last_error: string | null;
  last_error_at: IsoTimestamp | null;
}

/** Delivery status: only moves forward (queued < sending < sent < delivered < read), or fails. */
export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed';

/** A message as the server holds it; written by the server only (clients send commands). */
export interface Message extends ReplicatedDocument, MessageContent {
  channel_id: string;
  chat_id: string;
  contact_id: string | null;
  direction: 'in' | 'out';
  /** The other party, E.164. */
  phone: string;
  body: string;
  status: MessageStatus;
  /** Why it failed, for people. */
  error: string | null;
  /** The campaign that sent it; null for a conversation's messages. */
  campaign_id: string | null;
  /** When an outbound message was first seen sent (set by the server); null before, and inbound. */
  sent_at: IsoTimestamp | null;
  /** When it was first reported delivered, read, failed (set by the server; the campaign report). */
  delivered_at: IsoTimestamp | null;
  read_at: IsoTimestamp | null;
  failed_at: IsoTimestamp | null;
  created_at: IsoTimestamp;
}

/** What kind of message it is (media are kept by the provider and downloaded on demand). */
export type MessageKind =
  | 'text'
  | 'image'
  | 'video'
  | 'audio'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contacts'
  | 'interactive'
  | 'button';

/** The parts of a message an inbox shows beyond its text (issue 13's columns). */
export interface MessageContent {
  kind: MessageKind;
  /** The provider's media id: a placeholder with a download. */
  media_id: string | null;
  file_name: string | null;
  /** The sender edited it (body holds the latest). */
  edited_at: IsoTimestamp | null;
  /** The sender deleted it for everyone (body is empty). */
  revoked_at: IsoTimestamp | null;
}

export type ChatStatus = 'open' | 'pending' | 'closed';

/**
 * One conversation with one customer on one channel (supabase/migrations/20261203100000_inbox.sql).
 * The server writes the summary; members change only `status` and `assignee_id` (with their stamps).
 */
export interface Chat extends EditableDocument {
  channel_id: string;
  /** e.g. `491711234567@s.whatsapp.net`. */
  wa_chat_id: string;
  contact_id: string | null;
  /** The customer's WhatsApp profile name. */
  name: string | null;
  status: ChatStatus;
  assignee_id: string | null;
  /** When a member last assigned it (their device's clock): the later assignment wins. */
  assigned_at: IsoTimestamp | null;
  status_at: IsoTimestamp | null;
  last_message_at: IsoTimestamp | null;
  /** When the customer last wrote (Meta's 24-hour window). */
  last_inbound_at: IsoTimestamp | null;
  last_message_id: string | null;
  last_message_direction: 'in' | 'out' | null;
  last_message_preview: string | null;
  /** Customer messages ever received; a member's unread count is this minus their marker's. */
  inbound_count: number;
}

/** An internal note of the team on a chat: never sent to the customer. */
export interface ChatNote extends EditableDocument {
  chat_id: string;
  author_id: string;
  body: string;
  created_at: IsoTimestamp;
}

/** One member's read marker on one chat (id: chatReadId), shared by their devices only. */
export interface ChatRead extends EditableDocument {
  chat_id: string;
  user_id: string;
  /** The chat's inbound_count when the member last read it. */
  read_count: number;
  read_at: IsoTimestamp | null;
}

/**
 * Where a campaign is. Clients create and edit `draft` (and `blocked`) campaigns; every other
 * status is set by the server (launch_campaign and the RPCs after it, see
 * supabase/migrations/20261202000800_campaign_sending.sql).
 */
export type CampaignStatus =
  | 'draft'
  | 'launching'
  | 'scheduled'
  | 'running'
  | 'paused'
  | 'completed'
  | 'cancelled'
  | 'blocked';

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/**
 * A Meta template's {{1}}.. values as a campaign maps them: one Pigeon template text per
 * parameter (`{{first_name|there}}`, or fixed text), rendered for each recipient.
 */
export interface TemplateParameters {
  header: string[];
  body: string[];
}

export interface Campaign extends EditableDocument {
  name: string;
  channel_id: string | null;
  template_id: string | null;
  /**
   * Set when the template is a Meta template: each recipient gets it as a template message
   * with these values, not as text (body then holds Meta's body, for the preview).
   */
  template_parameters: TemplateParameters | null;
  /** The template's body when the campaign was drafted: edits to the template do not reach it. */
  body: string;
  /** Audience: contacts in any of these groups, or with any of these tags, or listed. */
  group_ids: string[];
  tags: string[];
  contact_ids: string[];
  /** When sending may start; null = at launch. */
  start_at: IsoTimestamp | null;
  /** IANA zone the window is read in (the workspace's when drafted). */
  time_zone: string;
  /** Minutes after local midnight; both null = send at any time. An end at or before the start crosses midnight. */
  window_start_minute: number | null;
  window_end_minute: number | null;
  /** The days a window may open on (a window crossing midnight belongs to the day it opens). */
  window_days: IsoWeekday[];
  min_delay_ms: number;
  max_delay_ms: number;
  rate_per_minute: number;
  // Server-owned from here on: clients never write them.
  status: CampaignStatus;
  blocked_reason: string | null;
  /** Recipients the launch reserved quota for, and messages the intake accepted for them. */
  recipient_count: number;
  accepted_count: number;
  /** 0 for the launch, then one more per "retry failed recipients". */
  retry_round: number;
  /** Messages not sent yet (queued, sending or paused). */
  queued_count: number;
  /** Funnel counters: sent ⊇ delivered ⊇ read. */
  sent_count: number;
  delivered_count: number;
  read_count: number;
  /** Failed sends of the latest attempt; a retry moves them back to queued. */
  failed_count: number;
  /** Messages stopped by cancel before they were sent. */
  cancelled_count: number;
  /** Recipients who wrote back after their campaign message was sent. */
  replied_count: number;
  launched_at: IsoTimestamp | null;
  completed_at: IsoTimestamp | null;
}
