import { describe, expect, it } from 'vitest';
import { countExclusions, resolveAudience } from '../../src/domain/audience.ts';
import {
  CAMPAIGN_CHUNK_SIZE,
  CAMPAIGN_SERVER_DEFAULTS,
  campaignCommandChunks,
} from '../../src/domain/campaign-commands.ts';
import {
  CampaignInputError,
  campaignPlanInput,
  type PreparableContact,
  prepareCampaign,
} from '../../src/domain/campaign-prepare.ts';
import { campaignMessageId } from '../../src/domain/ids.ts';
import { type Pacing, seededRandom } from '../../src/domain/send-plan.ts';
import type { Campaign } from '../../src/domain/types.ts';

const CAMPAIGN = '0b9f3e4a-7c1d-4f2e-8a6b-5d4c3b2a1f0e';
const VIP = '11111111-1111-4111-8111-111111111111';
const LEADS = '22222222-2222-4222-8222-222222222222';

let serial = 0;
function contact(overrides: Partial<PreparableContact> = {}): PreparableContact {
  serial += 1;
  return {
    id: `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`,
    phone: `+4915112${String(serial).padStart(6, '0')}`,
    name: `Person ${serial}`,
    email: '',
    tags: [],
    group_ids: [],
    custom_fields: {},
    opted_out: false,
    _deleted: false,
    ...overrides,
  };
}

const pacing: Pacing = {
  startAt: Date.parse('2026-11-23T10:00:00Z'),
  timeZone: 'Europe/Berlin',
  window: null,
  minDelayMs: 1000,
  maxDelayMs: 2000,
  ratePerMinute: 60,
};
const none = { group_ids: [], tags: [], contact_ids: [] };

describe('audience', () => {
  it('unites groups, tags (ignoring case) and chosen contacts, once each, in the order given', () => {
    const inBoth = contact({ group_ids: [VIP], tags: ['Berlin'] });
    const tagged = contact({ tags: [' berlin '] });
    const other = contact({ group_ids: [LEADS] });
    const chosen = contact();
    const { recipients, excluded } = resolveAudience([inBoth, tagged, other, chosen], {
      group_ids: [VIP],
      tags: ['BERLIN'],
      contact_ids: [chosen.id],
    });
    expect(recipients.map((c) => c.id)).toEqual([inBoth.id, tagged.id, chosen.id]);
    expect(excluded).toEqual([]);
  });

  it('always leaves out opted-out contacts, and says who and why', () => {
    const out = contact({ group_ids: [VIP], opted_out: true, name: 'Olga' });
    const chosenOut = contact({ opted_out: true });
    const fine = contact({ group_ids: [VIP] });
    const { recipients, excluded } = resolveAudience([out, chosenOut, fine], {
      ...none,
      group_ids: [VIP],
      contact_ids: [chosenOut.id],
    });
    expect(recipients).toEqual([fine]);
    expect(excluded).toEqual([
      { contact_id: out.id, phone: out.phone, name: 'Olga', reason: 'opted_out' },
      { contact_id: chosenOut.id, phone: chosenOut.phone, name: chosenOut.name, reason: 'opted_out' },
    ]);
    expect(countExclusions(excluded)).toEqual({ opted_out: 2 });
  });

  it('one message per phone; deleted, unknown and malformed chosen contacts are reported', () => {
    const a = contact({ phone: '+14155550123', tags: ['x'] });
    const sameNumber = contact({ phone: '+14155550123', tags: ['x'] });
    const deletedInGroup = contact({ tags: ['x'], _deleted: true });
    const deletedChosen = contact({ _deleted: true });
    const bad = contact({ phone: '0151 123', tags: ['x'] });
    const missing = '99999999-9999-4999-8999-999999999999';
    const { recipients, excluded } = resolveAudience([a, sameNumber, deletedInGroup, deletedChosen, bad], {
      ...none,
      tags: ['x'],
      contact_ids: [deletedChosen.id, missing],
    });
    expect(recipients).toEqual([a]);
    expect(excluded.map((e) => [e.contact_id, e.reason])).toEqual([
      [sameNumber.id, 'duplicate_phone'],
      [deletedChosen.id, 'deleted'],
      [bad.id, 'invalid_phone'],
      [missing, 'not_found'],
    ]);
  });

  it('an empty audience selects nobody', () => {
    expect(resolveAudience([contact({ tags: ['x'] })], none)).toEqual({ recipients: [], excluded: [] });
  });
});

describe('prepareCampaign', () => {
  it('renders each message with fixed text, derives its id and plans its time; quota = messages', async () => {
    const anna = contact({ name: 'Anna Berg', custom_fields: { city: 'Köln' }, group_ids: [VIP] });
    const bob = contact({ name: 'Bob', group_ids: [VIP] });
    const plan = await prepareCampaign(
      [anna, bob],
      {
        campaignId: CAMPAIGN,
        body: 'Hi {{first_name}} from {{city|your city}}!',
        audience: { ...none, group_ids: [VIP] },
        pacing,
      },
      { random: seededRandom(3) },
    );
    expect(plan.messages.map((m) => [m.message_id, m.contact_id, m.phone, m.body])).toEqual([
      [campaignMessageId(CAMPAIGN, anna.id), anna.id, anna.phone, 'Hi Anna from Köln!'],
      [campaignMessageId(CAMPAIGN, bob.id), bob.id, bob.phone, 'Hi Bob from your city!'],
    ]);
    expect(plan.messages[0]!.send_at).toBe(pacing.startAt);
    expect(plan.messages[1]!.send_at - pacing.startAt).toBeGreaterThanOrEqual(1000);
    expect(plan).toMatchObject({
      quotaNeeded: 2,
      firstSendAt: pacing.startAt,
      lastSendAt: plan.messages[1]!.send_at,
    });
    expect(plan.missingVariables).toEqual([]);
  });

  it('lists contacts missing a variable with no fallback; skips them only when asked', async () => {
    const noCode = contact({ tags: ['t'], name: 'Carla' });
    const withCode = contact({ tags: ['t'], custom_fields: { code: 'X1' } });
    const input = {
      campaignId: CAMPAIGN,
      body: 'Code {{code}} for {{name}}',
      audience: { ...none, tags: ['t'] },
      pacing,
    };
    const sent = await prepareCampaign([noCode, withCode], input);
    expect(sent.missingVariables).toEqual([
      { contact_id: noCode.id, phone: noCode.phone, name: 'Carla', variables: ['code'] },
    ]);
    expect(sent.messages.map((m) => m.body)).toEqual(['Code  for Carla', `Code X1 for ${withCode.name}`]);

    const skipped = await prepareCampaign([noCode, withCode], { ...input, skipMissingVariables: true });
    expect(skipped.messages.map((m) => m.contact_id)).toEqual([withCode.id]);
    expect(skipped.excluded).toEqual([
      { contact_id: noCode.id, phone: noCode.phone, name: 'Carla', reason: 'missing_variables' },
    ]);
    expect(skipped.quotaNeeded).toBe(1);
  });

  it('a message that renders empty is left out', async () => {
    const c = contact({ tags: ['t'] });
    const plan = await prepareCampaign([c], {
      campaignId: CAMPAIGN,
      body: '{{nickname|}}',
      audience: { ...none, tags: ['t'] },
      pacing,
    });
    expect(plan.messages).toEqual([]);
    expect(plan.excluded.map((e) => e.reason)).toEqual(['empty_message']);
  });

  it('an empty audience prepares nothing and needs no quota', async () => {
    const plan = await prepareCampaign([contact()], {
      campaignId: CAMPAIGN,
      body: 'Hi',
      audience: none,
      pacing,
    });
    expect(plan).toEqual({
      messages: [],
      excluded: [],
      missingVariables: [],
      quotaNeeded: 0,
      firstSendAt: null,
      lastSendAt: null,
    });
  });

  it('refuses a broken template or unusable pacing with a clear message', async () => {
    const input = { campaignId: CAMPAIGN, body: 'Hi {{name', audience: none, pacing };
    await expect(prepareCampaign([], input)).rejects.toThrow(CampaignInputError);
    await expect(prepareCampaign([], input)).rejects.toThrow('"{{" is never closed');
    await expect(
      prepareCampaign([], { ...input, body: 'Hi', pacing: { ...pacing, timeZone: 'Nowhere' } }),
    ).rejects.toThrow('unknown time zone "Nowhere"');
  });

  // No timing assertion: the budget only keeps a loaded CI machine from failing it.
  it('prepares 100,000 recipients with progress, and chunks them for the intake', {
    timeout: 60_000,
  }, async () => {
    const contacts = Array.from({ length: 100_000 }, (_, i) =>
      contact({ group_ids: [VIP], name: `Kunde ${i}`, opted_out: i % 1000 === 0 }),
    );
    const progress: number[] = [];
    const plan = await prepareCampaign(
      contacts,
      {
        campaignId: CAMPAIGN,
        body: 'Hallo {{first_name}}, {{offer|10 % Rabatt}}',
        audience: { ...none, group_ids: [VIP] },
        pacing: {
          ...pacing,
          window: { startMinute: 540, endMinute: 1080, days: [1, 2, 3, 4, 5] },
          ratePerMinute: 30,
        },
      },
      { random: seededRandom(9), onProgress: (done) => progress.push(done), progressEvery: 10_000 },
    );
    expect(plan.quotaNeeded).toBe(99_900);
    expect(countExclusions(plan.excluded)).toEqual({ opted_out: 100 });
    expect(progress).toEqual([
      10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000, 90_000, 99_900,
    ]);
    let closest = Number.POSITIVE_INFINITY;
    for (let i = 1; i < plan.messages.length; i++) {
      closest = Math.min(closest, plan.messages[i]!.send_at - plan.messages[i - 1]!.send_at);
    }
    // 30 per minute: 2 s apart at least.
    expect(closest).toBe(2000);
    const chunks = [...campaignCommandChunks(plan.messages, { id: CAMPAIGN, channel_id: LEADS })];
    expect(chunks).toHaveLength(Math.ceil(99_900 / CAMPAIGN_CHUNK_SIZE));
    expect(chunks.at(-1)!.at(-1)).toEqual({
      message_id: plan.messages.at(-1)!.message_id,
      channel_id: LEADS,
      to: plan.messages.at(-1)!.phone,
      body: plan.messages.at(-1)!.body,
      contact_id: plan.messages.at(-1)!.contact_id,
      contact_name: plan.messages.at(-1)!.name,
      campaign_id: CAMPAIGN,
      scheduled_at: new Date(plan.lastSendAt!).toISOString(),
      recipient_count: 99_900,
    });
  });

  it('stops at the next check once cancelled', async () => {
    const contacts = Array.from({ length: 5000 }, () => contact({ tags: ['t'] }));
    const controller = new AbortController();
    const seen: number[] = [];
    const run = prepareCampaign(
      contacts,
      { campaignId: CAMPAIGN, body: 'Hi', audience: { ...none, tags: ['t'] }, pacing },
      {
        progressEvery: 1000,
        signal: controller.signal,
        onProgress: (done) => {
          seen.push(done);
          if (done === 2000) controller.abort(new Error('cancelled by the user'));
        },
      },
    );
    await expect(run).rejects.toThrow('cancelled by the user');
    expect(seen).toEqual([1000, 2000]);
  });
});

describe('campaignPlanInput', () => {
  const doc: Campaign = {
    id: CAMPAIGN,
    workspace_id: VIP,
    _deleted: false,
    updated_at: '2026-11-23T10:00:00.000Z',
    name: 'Sale',
    channel_id: LEADS,
    template_id: null,
    template_parameters: null,
    body: 'Hi {{name}}',
    group_ids: [VIP],
    tags: ['berlin'],
    contact_ids: [],
    start_at: '2026-12-01T08:00:00.000Z',
    time_zone: 'Europe/Berlin',
    window_start_minute: 540,
    window_end_minute: 1080,
    window_days: [1, 2, 3, 4, 5],
    min_delay_ms: 1000,
    max_delay_ms: 5000,
    rate_per_minute: 30,
    ...CAMPAIGN_SERVER_DEFAULTS,
  };
  const now = Date.parse('2026-11-23T10:00:00Z');

  it('reads body, audience and pacing from the document', () => {
    expect(campaignPlanInput(doc, now)).toEqual({
      campaignId: CAMPAIGN,
      body: 'Hi {{name}}',
      audience: { group_ids: [VIP], tags: ['berlin'], contact_ids: [] },
      pacing: {
        startAt: Date.parse('2026-12-01T08:00:00.000Z'),
        timeZone: 'Europe/Berlin',
        window: { startMinute: 540, endMinute: 1080, days: [1, 2, 3, 4, 5] },
        minDelayMs: 1000,
        maxDelayMs: 5000,
        ratePerMinute: 30,
      },
    });
  });

  it('starts now when no start is set or the start has passed; no window means any time', () => {
    const later = Date.parse('2026-12-05T00:00:00Z');
    expect(campaignPlanInput(doc, later).pacing.startAt).toBe(later);
    const anyTime = campaignPlanInput(
      { ...doc, start_at: null, window_start_minute: null, window_end_minute: null },
      now,
    );
    expect(anyTime.pacing).toMatchObject({ startAt: now, window: null });
  });
});

describe('a Meta template campaign', () => {
  const TEMPLATE = '33333333-3333-4333-8333-333333333333';
  const meta = (parameters: { header: string[]; body: string[] }) => ({
    campaignId: CAMPAIGN,
    body: 'Hello {{1}}, your order is on its way to {{2}}.',
    template: { id: TEMPLATE, parameters },
    audience: { ...none, tags: ['meta'] },
    pacing,
  });

  it('renders each mapped value per recipient into the template command; the text is Meta body filled in', async () => {
    const ada = contact({
      name: 'Ada Lovelace',
      tags: ['meta'],
      custom_fields: { city: 'London', order: 'A-17' },
    });
    const alan = contact({ name: 'Alan Turing', tags: ['meta'], custom_fields: { order: 'C-3' } });
    const plan = await prepareCampaign(
      [ada, alan],
      meta({ header: ['{{order}}'], body: ['{{first_name}}', '{{city|your town}}'] }),
      { random: seededRandom(1) },
    );
    expect(plan.messages.map((m) => [m.body, m.template])).toEqual([
      [
        'Hello Ada, your order is on its way to London.',
        { id: TEMPLATE, header_parameters: ['A-17'], body_parameters: ['Ada', 'London'] },
      ],
      [
        'Hello Alan, your order is on its way to your town.',
        { id: TEMPLATE, header_parameters: ['C-3'], body_parameters: ['Alan', 'your town'] },
      ],
    ]);
    const [chunk] = campaignCommandChunks(plan.messages, { id: CAMPAIGN, channel_id: LEADS });
    expect(chunk![0]!.template).toEqual(plan.messages[0]!.template);
  });

  it('leaves out a recipient whose value would be empty (Meta refuses an empty parameter), whatever skipMissingVariables says', async () => {
    const noCity = contact({ name: 'Grace Hopper', tags: ['meta'] });
    const plan = await prepareCampaign([noCity], meta({ header: [], body: ['{{first_name}}', '{{city}}'] }));
    expect(plan.messages).toEqual([]);
    expect(plan.excluded).toEqual([
      { contact_id: noCity.id, phone: noCity.phone, name: 'Grace Hopper', reason: 'missing_variables' },
    ]);
  });

  it('refuses a mapping that does not fill every {{n}} of the body, or a value that does not parse', async () => {
    await expect(prepareCampaign([], meta({ header: [], body: ['{{first_name}}'] }))).rejects.toThrow(
      new CampaignInputError('the template takes 2 body value(s), but 1 are mapped'),
    );
    await expect(
      prepareCampaign([], meta({ header: [], body: ['{{first_name}}', '{{city'] })),
    ).rejects.toThrow(/the body value for \{\{2\}\} has errors/);
  });

  it('campaignPlanInput carries the mapping of a campaign that has one', () => {
    const base = { ...CAMPAIGN_SERVER_DEFAULTS } as unknown as Campaign;
    const input = campaignPlanInput(
      {
        ...base,
        id: CAMPAIGN,
        template_id: TEMPLATE,
        template_parameters: { header: [], body: ['{{name}}'] },
        body: 'Hi {{1}}',
        group_ids: [],
        tags: [],
        contact_ids: [],
        start_at: null,
        time_zone: 'UTC',
        window_start_minute: null,
        window_end_minute: null,
        window_days: [1],
        min_delay_ms: 0,
        max_delay_ms: 0,
        rate_per_minute: 60,
      },
      0,
    );
    expect(input.template).toEqual({ id: TEMPLATE, parameters: { header: [], body: ['{{name}}'] } });
  });
});
