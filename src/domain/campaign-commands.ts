/**
 * A prepared campaign as outbox commands (POST /functions/v1/outbox, {commands: [...]}), in
 * chunks the intake accepts. The server checks each command against the campaign: its
 * channel, message_id = campaignMessageId(campaign_id, contact_id), and no more messages than
 * the launch reserved quota for. Every command carries the recipient count, so the first one
 * to arrive launches a draft (reserving that quota) when launch_campaign was not called
 * first: an offline launch is only queued commands. The first command of each chunk also
 * carries the draft, so a launch replayed after the tab closed, before the draft was pushed,
 * still finds its campaign whichever chunk arrives first: the intake creates it
 * (private.create_campaign_draft). Each command carries its contact's name too, so a contact
 * made on this device whose push has not reached the server yet is created by the intake
 * rather than refused (private.ensure_command_contact).
 */
import type { PreparedMessage, PreparedTemplate } from './campaign-prepare.ts';
import type { Campaign } from './types.ts';

/** The intake's batch limit (MAX_COMMANDS in supabase/functions/outbox/handler.ts). */
export const CAMPAIGN_CHUNK_SIZE = 500;

/** The fields of a campaign a client drafts; every other field is the server's. */
export const CAMPAIGN_DRAFT_KEYS = [
  'name',
  'channel_id',
  'template_id',
  'template_parameters',
  'body',
  'group_ids',
  'tags',
  'contact_ids',
  'start_at',
  'time_zone',
  'window_start_minute',
  'window_end_minute',
  'window_days',
  'min_delay_ms',
  'max_delay_ms',
  'rate_per_minute',
] as const satisfies readonly (keyof Campaign)[];

/** A new campaign's server-owned fields, as the table's defaults (its insert guard checks them). */
export const CAMPAIGN_SERVER_DEFAULTS = {
  status: 'draft',
  blocked_reason: null,
  recipient_count: 0,
  accepted_count: 0,
  retry_round: 0,
  queued_count: 0,
  sent_count: 0,
  delivered_count: 0,
  read_count: 0,
  failed_count: 0,
  cancelled_count: 0,
  replied_count: 0,
  launched_at: null,
  completed_at: null,
} as const satisfies Partial<Campaign>;

/**
 * The draft a launch carries: every drafted field, the template mapping included, so a
 * campaign launched before its draft reached the server keeps its mapping there (optional:
 * commands queued by an older app lack it; each command carries its rendered values anyway).
 */
export type LaunchDraft = Omit<
  Pick<Campaign, (typeof CAMPAIGN_DRAFT_KEYS)[number] | 'workspace_id' | 'updated_at'>,
  'template_parameters'
> &
  Partial<Pick<Campaign, 'template_parameters'>>;

export function launchDraft(campaign: Campaign): LaunchDraft {
  const draft: Partial<Record<string, unknown>> = {
    workspace_id: campaign.workspace_id,
    updated_at: campaign.updated_at,
  };
  for (const key of CAMPAIGN_DRAFT_KEYS) draft[key] = campaign[key];
  return draft as LaunchDraft;
}

export interface CampaignOutboxCommand {
  message_id: string;
  channel_id: string;
  to: string;
  body: string;
  contact_id: string;
  /** The contact's name: the intake creates the contact if its push has not arrived yet. */
  contact_name: string;
  campaign_id: string;
  /** ISO 8601: the processor does not send it earlier. */
  scheduled_at: string;
  /** Messages in the whole campaign: the quota its launch reserves. */
  recipient_count: number;
  /** A Meta template campaign: the approved template with this recipient's values. */
  template?: PreparedTemplate;
  /** On the first command of each chunk. */
  campaign?: LaunchDraft;
}

export function* campaignCommandChunks(
  messages: readonly PreparedMessage[],
  /** draft: what each chunk's first command carries (launchDraft), so a launch can create its campaign. */
  campaign: { id: string; channel_id: string; draft?: LaunchDraft },
  size = CAMPAIGN_CHUNK_SIZE,
): Generator<CampaignOutboxCommand[]> {
  if (!Number.isInteger(size) || size < 1 || size > CAMPAIGN_CHUNK_SIZE) {
    throw new RangeError(`chunk size must be 1 to ${CAMPAIGN_CHUNK_SIZE}, got ${size}`);
  }
  for (let start = 0; start < messages.length; start += size) {
    yield messages.slice(start, start + size).map((m, i) => ({
      message_id: m.message_id,
      channel_id: campaign.channel_id,
      to: m.phone,
      body: m.body,
      contact_id: m.contact_id,
      contact_name: m.name,
      campaign_id: campaign.id,
      scheduled_at: new Date(m.send_at).toISOString(),
      recipient_count: messages.length,
      ...(m.template ? { template: m.template } : {}),
      // Once a chunk: a chunk may arrive before the first (a request that failed is replayed later).
      ...(i === 0 && campaign.draft ? { campaign: campaign.draft } : {}),
    }));
  }
}
