import { describe, expect, test } from 'vitest';
import {
  CAMPAIGN_SERVER_DEFAULTS,
  campaignCommandChunks,
  launchDraft,
} from '../../src/domain/campaign-commands.ts';
import { checkCampaignDraft } from '../../src/domain/campaign-draft.ts';
import { mergeCampaign } from '../../src/domain/merge.ts';
import type { Campaign } from '../../src/domain/types.ts';

function campaign(patch: Partial<Campaign> = {}): Campaign {
  return {
    id: '7a6b1f0e-58a5-4b5e-9d8f-0c1d2e3f4a5b',
    workspace_id: '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9',
    name: 'Spring sale',
    channel_id: null,
    template_id: null,
    template_parameters: null,
    body: 'Hello {{name}}',
    group_ids: [],
    tags: ['vip'],
    contact_ids: [],
    start_at: null,
    time_zone: 'UTC',
    window_start_minute: null,
    window_end_minute: null,
    window_days: [1, 2, 3, 4, 5, 6, 7],
    min_delay_ms: 0,
    max_delay_ms: 0,
    rate_per_minute: 20,
    ...CAMPAIGN_SERVER_DEFAULTS,
    updated_at: '2026-11-23T10:00:00.000Z',
    _deleted: false,
    ...patch,
  };
}

describe('mergeCampaign', () => {
  test('while the server holds a draft, the local edit of its fields wins', () => {
    const base = campaign();
    const local = campaign({
      body: 'Hi {{first_name}}',
      tags: ['vip', 'new'],
      updated_at: '2026-11-23T10:05:00.000Z',
    });
    const remote = campaign({ name: 'Spring sale 2026', updated_at: '2026-11-23T10:01:00.000Z' });
    expect(mergeCampaign({ base, local, remote })).toMatchObject({
      name: 'Spring sale 2026',
      body: 'Hi {{first_name}}',
      tags: ['vip', 'new'],
    });
  });

  test('once launched, status, counters and draft fields are the server’s; the name still merges', () => {
    const base = campaign();
    const local = campaign({
      name: 'Renamed',
      body: 'Changed offline',
      updated_at: '2026-11-23T10:05:00.000Z',
    });
    const remote = campaign({ status: 'running', recipient_count: 40, sent_count: 12 });
    expect(mergeCampaign({ base, local, remote })).toMatchObject({
      name: 'Renamed',
      body: 'Hello {{name}}',
      status: 'running',
      recipient_count: 40,
      sent_count: 12,
    });
  });
});

describe('checkCampaignDraft', () => {
  const whole = campaign();
  test.each([
    [{ window_start_minute: 540 }, 'Window: give both a start and an end, or neither'],
    [{ window_start_minute: 540, window_end_minute: 540 }, 'Window: the start and the end must differ'],
    [{ window_days: [] }, 'Days: choose at least one day'],
    [{ rate_per_minute: 0 }, 'Rate: 1 to 6000 messages a minute'],
    [{ channel_id: 'nope' }, 'Channel: "nope" is not an id'],
    [{ start_at: 'tomorrow' }, 'Start: "tomorrow" is not a date and time'],
  ] as const)('%j is refused: %s', (patch, error) => {
    expect(checkCampaignDraft(patch as Partial<Campaign>, { ...whole, ...patch } as Campaign)).toEqual({
      ok: false,
      error,
    });
  });

  test('a window crossing midnight on weekdays is accepted; tags are trimmed and deduplicated', () => {
    const patch = { window_start_minute: 1320, window_end_minute: 360, tags: [' vip', 'vip', ''] };
    expect(checkCampaignDraft(patch, { ...whole, ...patch })).toEqual({
      ok: true,
      value: { ...patch, tags: ['vip'] },
    });
  });
});

describe('a launch carries its draft', () => {
  test('the draft is the fields a client writes, on the first command of each chunk', () => {
    const c = campaign({
      channel_id: '0f0e0d0c-0b0a-4909-8807-060504030201',
      status: 'blocked',
      sent_count: 3,
    });
    const draft = launchDraft(c);
    // Every drafted field, the template mapping included: a launch that creates its campaign
    // on the server keeps the mapping there.
    expect(Object.keys(draft).sort()).toEqual(
      Object.keys(c)
        .filter((k) => k !== 'id' && k !== '_deleted' && !(k in CAMPAIGN_SERVER_DEFAULTS))
        .sort(),
    );
    expect(draft).toMatchObject({
      workspace_id: c.workspace_id,
      name: 'Spring sale',
      updated_at: c.updated_at,
    });
    const messages = [1, 2, 3].map((n) => ({
      message_id: `m${n}`,
      contact_id: `c${n}`,
      phone: `+4915100000${n}`,
      name: `Kunde ${n}`,
      body: 'Hi',
      send_at: 0,
    }));
    const chunks = [...campaignCommandChunks(messages, { id: c.id, channel_id: c.channel_id!, draft }, 2)];
    expect(chunks.flat().map((cmd) => cmd.campaign)).toEqual([draft, undefined, draft]);
    // Every command names its contact, so the intake can create one whose push is still on its way.
    expect(chunks.flat().map((cmd) => [cmd.contact_id, cmd.contact_name])).toEqual([
      ['c1', 'Kunde 1'],
      ['c2', 'Kunde 2'],
      ['c3', 'Kunde 3'],
    ]);
  });
});
