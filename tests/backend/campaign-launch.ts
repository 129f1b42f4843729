// A campaign launched at once (no window, no delays, 6,000 a minute) to chosen contacts, drafted
// and prepared as a device does it: the backend tests of the intake post its command chunks.
import { randomUUID } from 'node:crypto';
import type { LaunchDraft } from '../../src/domain/campaign-commands.ts';
import { type PreparedCampaign, prepareCampaign } from '../../src/domain/campaign-prepare.ts';
import { seededRandom } from '../../src/domain/send-plan.ts';
import type { Contact } from '../../src/domain/types.ts';

export interface ImmediateLaunch {
  workspace: string;
  channel: string;
  name: string;
  /** The send plan's random pauses (none here) and order are seeded: runs repeat. */
  seed: number;
}

export async function immediateLaunch(
  contacts: Contact[],
  at: ImmediateLaunch,
): Promise<{ id: string; draft: LaunchDraft; plan: PreparedCampaign }> {
  const id = randomUUID();
  const draft: LaunchDraft = {
    workspace_id: at.workspace,
    name: at.name,
    channel_id: at.channel,
    template_id: null,
    body: 'Olá {{first_name}}!',
    group_ids: [],
    tags: [],
    contact_ids: contacts.map((c) => c.id),
    start_at: null,
    time_zone: 'Europe/Lisbon',
    window_start_minute: null,
    window_end_minute: null,
    window_days: [1, 2, 3, 4, 5, 6, 7],
    min_delay_ms: 0,
    max_delay_ms: 0,
    rate_per_minute: 6000,
    updated_at: new Date().toISOString(),
  };
  const plan = await prepareCampaign(
    contacts,
    {
      campaignId: id,
      body: draft.body,
      audience: { group_ids: [], tags: [], contact_ids: draft.contact_ids },
      pacing: {
        startAt: Date.now(),
        timeZone: draft.time_zone,
        window: null,
        minDelayMs: 0,
        maxDelayMs: 0,
        ratePerMinute: 6000,
      },
    },
    { random: seededRandom(at.seed) },
  );
  return { id, draft, plan };
}
