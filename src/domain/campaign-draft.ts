/**
 * Checks of a campaign draft's fields before they are written locally, mirroring the
 * campaigns table's checks (supabase/migrations/20261202000500_campaigns.sql): a draft the
 * server would refuse must be refused here, naming the field, or its push would block.
 */
import { validate as isUuid } from 'uuid';
import type { CAMPAIGN_DRAFT_KEYS } from './campaign-commands.ts';
import { checkTemplateBody, checkText } from './field-checks.ts';
import type { Result } from './result.ts';
import type { Campaign, IsoWeekday, TemplateParameters } from './types.ts';

/** What a user drafts; every other field of a campaign is the server's. */
export type CampaignDraftFields = Pick<Campaign, (typeof CAMPAIGN_DRAFT_KEYS)[number]>;

const fail = (field: string, message: string) => ({ ok: false, error: `${field}: ${message}` }) as const;

/** Checks the fields given; `whole` (the draft as it would be saved) for the cross-field rules. */
export function checkCampaignDraft(
  patch: Partial<CampaignDraftFields>,
  whole: CampaignDraftFields,
): Result<Partial<CampaignDraftFields>> {
  const out: Partial<CampaignDraftFields> = { ...patch };
  if (patch.name !== undefined) {
    const name = checkText('Name', patch.name, { min: 1, max: 200 });
    if (!name.ok) return name;
    out.name = name.value;
  }
  if (patch.body !== undefined && patch.body.trim() !== '') {
    const body = checkTemplateBody(patch.body);
    if (!body.ok) return { ok: false, error: body.error.replace(/^[^:]*:/, 'Message:') };
    out.body = body.value;
  }
  for (const [field, label] of [
    ['channel_id', 'Channel'],
    ['template_id', 'Template'],
  ] as const) {
    const id = patch[field];
    if (id !== undefined && id !== null && !isUuid(id)) return fail(label, `"${id}" is not an id`);
  }
  for (const [field, label, max] of [
    ['group_ids', 'Groups', 1000],
    ['contact_ids', 'Contacts', 20000],
  ] as const) {
    const ids = patch[field];
    if (ids === undefined) continue;
    const bad = ids.find((id) => !isUuid(id));
    if (bad !== undefined) return fail(label, `"${bad}" is not an id`);
    if (ids.length > max) return fail(label, `at most ${max}`);
    out[field] = [...new Set(ids)];
  }
  if (patch.template_parameters !== undefined && patch.template_parameters !== null) {
    const values = checkTemplateParameters(patch.template_parameters);
    if (!values.ok) return values;
    out.template_parameters = values.value;
  }
  if (patch.tags !== undefined) {
    const tags = [...new Set(patch.tags.map((t) => t.trim()).filter((t) => t !== ''))];
    if (tags.length > 1000) return fail('Tags', 'at most 1000');
    out.tags = tags;
  }
  if (patch.start_at !== undefined && patch.start_at !== null && Number.isNaN(Date.parse(patch.start_at))) {
    return fail('Start', `"${patch.start_at}" is not a date and time`);
  }
  if (patch.time_zone !== undefined && !isTimeZone(patch.time_zone)) {
    return fail('Time zone', `"${patch.time_zone}" is not a time zone (e.g. Europe/Paris)`);
  }
  return checkWhole(whole) ?? { ok: true, value: out };
}

/**
 * A Meta template's mapped values: Pigeon template texts (variables with fallbacks, or fixed
 * text), each 1 to 1024 characters as Meta takes a parameter, at most 20 header and 100 body
 * values (the campaigns table's check).
 */
function checkTemplateParameters(p: TemplateParameters): Result<TemplateParameters> {
  const out: TemplateParameters = { header: [], body: [] };
  for (const [part, max] of [
    ['header', 20],
    ['body', 100],
  ] as const) {
    const values = p[part];
    if (!Array.isArray(values) || values.length > max)
      return fail('Template values', `at most ${max} ${part} values`);
    for (const [i, value] of values.entries()) {
      const label = `Template ${part} {{${i + 1}}}`;
      if (typeof value !== 'string' || value.trim() === '')
        return fail(label, 'choose a variable or type a value');
      const text = checkTemplateBody(value);
      if (!text.ok) return { ok: false, error: text.error.replace(/^[^:]*:/, `${label}:`) };
      if (text.value.length > 1024) return fail(label, 'at most 1024 characters');
      out[part].push(text.value);
    }
  }
  return { ok: true, value: out };
}

function checkWhole(c: CampaignDraftFields): { ok: false; error: string } | undefined {
  const { window_start_minute: start, window_end_minute: end } = c;
  for (const [label, minute] of [
    ['Window start', start],
    ['Window end', end],
  ] as const) {
    if (minute !== null && !(Number.isInteger(minute) && minute >= 0 && minute <= 1439)) {
      return fail(label, 'a time of day from 00:00 to 23:59');
    }
  }
  if ((start === null) !== (end === null)) return fail('Window', 'give both a start and an end, or neither');
  if (start !== null && start === end) return fail('Window', 'the start and the end must differ');
  if (c.window_days.length === 0) return fail('Days', 'choose at least one day');
  if (c.window_days.some((d) => !isWeekday(d))) return fail('Days', 'weekdays are 1 (Monday) to 7 (Sunday)');
  for (const [label, ms] of [
    ['Minimum delay', c.min_delay_ms],
    ['Maximum delay', c.max_delay_ms],
  ] as const) {
    if (!(Number.isInteger(ms) && ms >= 0 && ms <= 3_600_000)) return fail(label, '0 to 3600 seconds');
  }
  if (c.min_delay_ms > c.max_delay_ms) return fail('Maximum delay', 'at least the minimum delay');
  if (!(Number.isInteger(c.rate_per_minute) && c.rate_per_minute >= 1 && c.rate_per_minute <= 6000)) {
    return fail('Rate', '1 to 6000 messages a minute');
  }
  return undefined;
}

function isWeekday(day: number): day is IsoWeekday {
  return Number.isInteger(day) && day >= 1 && day <= 7;
}

function isTimeZone(zone: string): boolean {
  if (zone.length < 1 || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
