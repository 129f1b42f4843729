/**
 * A prepared campaign as outbox commands (POST /functions/v1/outbox, {commands: [...]}), in
 * chunks the intake accepts. The server checks each command against the campaign: its
 * channel, message_id = campaignMessageId(campaign_id, contact_id), and no more messages than
 * the launch reserved quota for. Every command carries the recipient count, so the first one
 * to arrive launches a draft (reserving that quota) when launch_campaign was not called
 * first: an offline launch is only queued commands.
 */
import type { PreparedMessage } from './campaign-prepare.ts';

/** The intake's batch limit (MAX_COMMANDS in supabase/functions/outbox/handler.ts). */
export const CAMPAIGN_CHUNK_SIZE = 500;

export interface CampaignOutboxCommand {
  message_id: string;
  channel_id: string;
  to: string;
  body: string;
  contact_id: string;
  campaign_id: string;
  /** ISO 8601: the processor does not send it earlier. */
  scheduled_at: string;
  /** Messages in the whole campaign: the quota its launch reserves. */
  recipient_count: number;
}

export function* campaignCommandChunks(
  messages: readonly PreparedMessage[],
  campaign: { id: string; channel_id: string },
  size = CAMPAIGN_CHUNK_SIZE,
): Generator<CampaignOutboxCommand[]> {
  if (!Number.isInteger(size) || size < 1 || size > CAMPAIGN_CHUNK_SIZE) {
    throw new RangeError(`chunk size must be 1 to ${CAMPAIGN_CHUNK_SIZE}, got ${size}`);
  }
  for (let start = 0; start < messages.length; start += size) {
    yield messages.slice(start, start + size).map((m) => ({
      message_id: m.message_id,
      channel_id: campaign.channel_id,
      to: m.phone,
      body: m.body,
      contact_id: m.contact_id,
      campaign_id: campaign.id,
      scheduled_at: new Date(m.send_at).toISOString(),
      recipient_count: messages.length,
    }));
  }
}
