/**
 * RxDB schemas of the replicated collections, following the tables of supabase/migrations
 * (lengths and shapes as the columns check them) and src/domain/types.ts, with `_modified`
 * stored as `server_modified` (documents.ts). Bumping a `version` needs a migration
 * strategy in migrations.ts.
 */
import type { RxJsonSchema } from 'rxdb';
import { CAMPAIGN_DRAFT_KEYS } from '../domain/campaign-commands.ts';
import type {
  CampaignDoc,
  ChannelDoc,
  ChatDoc,
  ChatNoteDoc,
  ChatReadDoc,
  ContactDoc,
  GroupDoc,
  MemberDoc,
  MessageDoc,
  OutgoingMessage,
  TemplateDoc,
  WorkspaceDoc,
} from './documents.ts';

const uuid = { type: 'string', maxLength: 36 } as const;
// ISO 8601 as Postgres prints it ("2026-11-23 10:00:00.123456+00:00" is 32) or JS does (24).
const timestamp = { type: 'string', maxLength: 40 } as const;

/** The columns every replicated document starts with (DESIGN.md, data rules). */
type Preamble = 'id' | 'workspace_id' | 'server_modified';

/**
 * A replicated collection's schema: `id` (the primary key), `workspace_id` and
 * `server_modified` come first, then the collection's own properties and required names.
 */
function replicatedSchema<D extends { id: string; workspace_id: string; server_modified?: string }>(spec: {
  version: number;
  properties: Omit<RxJsonSchema<D>['properties'], Preamble>;
  required: Exclude<keyof D & string, Preamble>[];
  indexes?: RxJsonSchema<D>['indexes'];
}): RxJsonSchema<D> {
  return {
    version: spec.version,
    primaryKey: 'id' as RxJsonSchema<D>['primaryKey'],
    type: 'object',
    additionalProperties: false,
    properties: {
      id: uuid,
      workspace_id: uuid,
      ...spec.properties,
      server_modified: timestamp,
    } as RxJsonSchema<D>['properties'],
    required: ['id', 'workspace_id', ...spec.required] as RxJsonSchema<D>['required'],
    ...(spec.indexes ? { indexes: spec.indexes } : {}),
  };
}

export const contactSchema = replicatedSchema<ContactDoc>({
  version: 0,
  properties: {
    phone: { type: 'string', maxLength: 16 },
    name: { type: 'string', maxLength: 200 },
    email: { type: 'string', maxLength: 320 },
    tags: { type: 'array', items: { type: 'string' } },
    group_ids: { type: 'array', items: { type: 'string' } },
    custom_fields: { type: 'object', additionalProperties: { type: 'string' } },
    opted_out: { type: 'boolean' },
    opted_out_at: { type: ['string', 'null'] },
    notes: { type: 'string', maxLength: 10000 },
    updated_at: timestamp,
  },
  required: [
    'phone',
    'name',
    'email',
    'tags',
    'group_ids',
    'custom_fields',
    'opted_out',
    'opted_out_at',
    'notes',
    'updated_at',
  ],
  // The contacts list: one workspace, sorted by name then phone.
  indexes: [['workspace_id', 'name', 'phone']],
});

export const groupSchema = replicatedSchema<GroupDoc>({
  version: 0,
  properties: {
    name: { type: 'string', maxLength: 100 },
    description: { type: 'string', maxLength: 1000 },
    color: { type: ['string', 'null'] },
    updated_at: timestamp,
  },
  required: ['name', 'description', 'color', 'updated_at'],
  indexes: [['workspace_id', 'name']],
});

export const templateSchema = replicatedSchema<TemplateDoc>({
  // 1: provider, channel_id, provider_status of templates synced from Meta (optional; migrations.ts).
  // 2: components, Meta's HEADER/BODY/FOOTER/BUTTONS (the header's {{n}} take values too).
  version: 2,
  properties: {
    name: { type: 'string', maxLength: 200 },
    body: { type: 'string', maxLength: 4096 },
    language: { type: 'string' },
    category: { type: 'string', enum: ['marketing', 'utility', 'authentication'] },
    updated_at: timestamp,
    provider: { type: ['string', 'null'] },
    channel_id: { type: ['string', 'null'] },
    provider_status: { type: ['string', 'null'] },
    components: { type: ['array', 'null'], items: { type: 'object' } },
  },
  required: ['name', 'body', 'language', 'category', 'updated_at'],
  indexes: [['workspace_id', 'name']],
});

export const workspaceSchema = replicatedSchema<WorkspaceDoc>({
  // 1: whether contacts and templates stay on the members' devices, who chose it and when
  // (optional: a server without them means off).
  version: 1,
  properties: {
    name: { type: 'string', maxLength: 100 },
    default_country: { type: 'string', maxLength: 2 },
    time_zone: { type: 'string', maxLength: 64 },
    contacts_local_only: { type: 'boolean' },
    contacts_local_only_by: { type: ['string', 'null'] },
    contacts_local_only_at: { type: ['string', 'null'] },
  },
  required: ['name', 'default_country', 'time_zone'],
});

export const memberSchema = replicatedSchema<MemberDoc>({
  version: 0,
  properties: {
    user_id: uuid,
    role: { type: 'string', enum: ['owner', 'admin', 'agent'] },
  },
  required: ['user_id', 'role'],
  indexes: ['user_id'],
});

const e164 = { type: 'string', maxLength: 16 } as const;
const messageBody = { type: 'string', maxLength: 4096 } as const;

export const channelSchema = replicatedSchema<ChannelDoc>({
  // 1: pacing, the provider's facts and the last error (the channels screen; migrations.ts).
  version: 1,
  properties: {
    name: { type: 'string', maxLength: 100 },
    provider: { type: 'string', enum: ['simulator', 'whapi', 'meta'] },
    phone_number: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['pending', 'connected', 'degraded', 'disconnected'] },
    paused_until: { type: ['string', 'null'] },
    degraded_reason: { type: ['string', 'null'] },
    rate_per_minute: { type: 'integer' },
    min_delay_ms: { type: 'integer' },
    max_delay_ms: { type: 'integer' },
    verified_name: { type: ['string', 'null'] },
    quality_rating: { type: ['string', 'null'] },
    last_error: { type: ['string', 'null'] },
    last_error_at: { type: ['string', 'null'] },
  },
  required: [
    'name',
    'provider',
    'phone_number',
    'status',
    'paused_until',
    'degraded_reason',
    'rate_per_minute',
    'min_delay_ms',
    'max_delay_ms',
    'verified_name',
    'quality_rating',
    'last_error',
    'last_error_at',
  ],
});

export const messageSchema = replicatedSchema<MessageDoc>({
  // 1: campaign_id and sent_at; 2: what the inbox shows (kind, media, edits, deletions) and the
  // chat index (migrations.ts); 3: the times of delivery, read and failure (the campaign report).
  version: 3,
  properties: {
    channel_id: uuid,
    chat_id: uuid,
    contact_id: { type: ['string', 'null'] },
    direction: { type: 'string', enum: ['in', 'out'] },
    phone: e164,
    body: messageBody,
    status: { type: 'string', enum: ['queued', 'sending', 'sent', 'delivered', 'read', 'failed'] },
    error: { type: ['string', 'null'] },
    campaign_id: { type: ['string', 'null'], maxLength: 36 },
    sent_at: { type: ['string', 'null'] },
    delivered_at: { type: ['string', 'null'] },
    read_at: { type: ['string', 'null'] },
    failed_at: { type: ['string', 'null'] },
    created_at: timestamp,
    kind: {
      type: 'string',
      enum: [
        'text',
        'image',
        'video',
        'audio',
        'document',
        'sticker',
        'location',
        'contacts',
        'interactive',
        'button',
      ],
    },
    media_id: { type: ['string', 'null'] },
    file_name: { type: ['string', 'null'] },
    edited_at: { type: ['string', 'null'] },
    revoked_at: { type: ['string', 'null'] },
  },
  required: [
    'kind',
    'media_id',
    'file_name',
    'edited_at',
    'revoked_at',
    'channel_id',
    'chat_id',
    'contact_id',
    'direction',
    'phone',
    'body',
    'status',
    'error',
    'campaign_id',
    'sent_at',
    'delivered_at',
    'read_at',
    'failed_at',
    'created_at',
  ],
  // A conversation: one workspace, one phone, in time order; one chat (the inbox), in time order.
  indexes: [
    ['workspace_id', 'phone', 'created_at'],
    ['chat_id', 'created_at'],
  ],
});

/** A message written on this device whose command the server has not confirmed (src/features/messages). */
export const outgoingMessageSchema: RxJsonSchema<OutgoingMessage> = {
  // 1: template (optional; migrations.ts).
  version: 1,
  primaryKey: 'id',
  type: 'object',
  additionalProperties: false,
  properties: {
    id: uuid,
    workspace_id: uuid,
    channel_id: uuid,
    contact_id: { type: ['string', 'null'] },
    phone: e164,
    body: messageBody,
    status: { type: 'string', enum: ['queued', 'accepted', 'failed'] },
    error: { type: ['string', 'null'] },
    created_at: timestamp,
    template: {
      type: 'object',
      properties: { id: uuid, body_parameters: { type: 'array', items: { type: 'string' } } },
      required: ['id', 'body_parameters'],
    },
  },
  required: [
    'id',
    'workspace_id',
    'channel_id',
    'contact_id',
    'phone',
    'body',
    'status',
    'error',
    'created_at',
  ],
  indexes: [['workspace_id', 'phone', 'created_at']],
};

const count = { type: 'integer', minimum: 0 } as const;
const minute = { type: ['integer', 'null'], minimum: 0, maximum: 1439 } as const;
const delayMs = { type: 'integer', minimum: 0, maximum: 3600000 } as const;

/** A campaign (supabase/migrations/20261202000500_campaigns.sql); created_at stays on the server. */
export const campaignSchema = replicatedSchema<CampaignDoc>({
  // 1: template_parameters, the {{n}} values of a Meta template campaign (migrations.ts).
  version: 1,
  properties: {
    name: { type: 'string', maxLength: 200 },
    channel_id: { type: ['string', 'null'] },
    template_id: { type: ['string', 'null'] },
    template_parameters: {
      type: ['object', 'null'],
      properties: {
        header: { type: 'array', items: { type: 'string', maxLength: 1024 }, maxItems: 20 },
        body: { type: 'array', items: { type: 'string', maxLength: 1024 }, maxItems: 100 },
      },
      required: ['header', 'body'],
      additionalProperties: false,
    },
    body: messageBody,
    group_ids: { type: 'array', items: { type: 'string' } },
    tags: { type: 'array', items: { type: 'string' } },
    contact_ids: { type: 'array', items: { type: 'string' } },
    start_at: { type: ['string', 'null'] },
    time_zone: { type: 'string', maxLength: 64 },
    window_start_minute: minute,
    window_end_minute: minute,
    window_days: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 7 } },
    min_delay_ms: delayMs,
    max_delay_ms: delayMs,
    rate_per_minute: { type: 'integer', minimum: 1, maximum: 6000 },
    status: {
      type: 'string',
      enum: ['draft', 'launching', 'scheduled', 'running', 'paused', 'completed', 'cancelled', 'blocked'],
    },
    blocked_reason: { type: ['string', 'null'] },
    recipient_count: count,
    accepted_count: count,
    retry_round: count,
    queued_count: count,
    sent_count: count,
    delivered_count: count,
    read_count: count,
    failed_count: count,
    cancelled_count: count,
    replied_count: count,
    launched_at: { type: ['string', 'null'] },
    completed_at: { type: ['string', 'null'] },
    updated_at: timestamp,
  },
  required: [
    ...CAMPAIGN_DRAFT_KEYS,
    'status',
    'blocked_reason',
    'recipient_count',
    'accepted_count',
    'retry_round',
    'queued_count',
    'sent_count',
    'delivered_count',
    'read_count',
    'failed_count',
    'cancelled_count',
    'replied_count',
    'launched_at',
    'completed_at',
    'updated_at',
  ],
  indexes: [['workspace_id', 'name']],
});

const nullableTime = { type: ['string', 'null'] } as const;

/** A chat (supabase/migrations/20261203100000_inbox.sql); members change status and assignee. */
export const chatSchema = replicatedSchema<ChatDoc>({
  version: 0,
  properties: {
    channel_id: uuid,
    wa_chat_id: { type: 'string', maxLength: 200 },
    contact_id: { type: ['string', 'null'] },
    name: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['open', 'pending', 'closed'] },
    assignee_id: { type: ['string', 'null'] },
    assigned_at: nullableTime,
    status_at: nullableTime,
    last_message_at: nullableTime,
    last_inbound_at: nullableTime,
    last_message_id: { type: ['string', 'null'] },
    last_message_direction: { type: ['string', 'null'] },
    last_message_preview: { type: ['string', 'null'] },
    inbound_count: count,
    updated_at: timestamp,
  },
  required: [
    'channel_id',
    'wa_chat_id',
    'contact_id',
    'name',
    'status',
    'assignee_id',
    'assigned_at',
    'status_at',
    'last_message_at',
    'last_inbound_at',
    'last_message_id',
    'last_message_direction',
    'last_message_preview',
    'inbound_count',
    'updated_at',
  ],
});

/** The team's notes on a chat. */
export const chatNoteSchema = replicatedSchema<ChatNoteDoc>({
  version: 0,
  properties: {
    chat_id: uuid,
    author_id: uuid,
    body: messageBody,
    created_at: timestamp,
    updated_at: timestamp,
  },
  required: ['chat_id', 'author_id', 'body', 'created_at', 'updated_at'],
  indexes: [['chat_id', 'created_at']],
});

/** The signed-in member's read markers (the server sends no one else's). */
export const chatReadSchema = replicatedSchema<ChatReadDoc>({
  version: 0,
  properties: {
    chat_id: uuid,
    user_id: uuid,
    read_count: count,
    read_at: nullableTime,
    updated_at: timestamp,
  },
  required: ['chat_id', 'user_id', 'read_count', 'read_at', 'updated_at'],
});
