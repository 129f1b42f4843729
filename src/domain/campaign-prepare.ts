/**
 * Preparing a campaign for launch, in the worker: resolve the audience, render each message
 * (its text is fixed here, not at send time), plan its send time, and derive its message id
 * from campaign + contact so any replay of the launch is harmless.
 *
 * Linear in the contacts, with the template parsed and the zone formatter made once. It is
 * async only to give the worker's event loop a turn every `progressEvery` recipients: that is
 * when progress is reported and a Cancel (an aborted signal) is seen.
 */
import { type AudienceContact, type CampaignAudience, type Exclusion, resolveAudience } from './audience.ts';
import { campaignMessageId } from './ids.ts';
import { fillParameters, parameterCount } from './provider-template.ts';
import { type Pacing, type RandomSource, sendPlanner } from './send-plan.ts';
import { type ParsedTemplate, parseTemplate, renderTemplate, WHATSAPP_TEXT_LIMIT } from './template.ts';
import type { Campaign, Contact, TemplateParameters } from './types.ts';

export type PreparableContact = AudienceContact & Pick<Contact, 'email' | 'custom_fields'>;

export interface CampaignPlanInput {
  campaignId: string;
  /** The campaign's template snapshot (a Meta template's body when `template` is set). */
  body: string;
  /** A Meta template campaign: the template and the Pigeon text mapped to each {{n}}. */
  template?: { id: string; parameters: TemplateParameters };
  audience: CampaignAudience;
  pacing: Pacing;
  /**
   * Leave out recipients whose message would miss a variable with no fallback. Off: they are
   * sent with nothing in its place. Either way they are listed in `missingVariables`.
   */
  skipMissingVariables?: boolean;
}

export interface PreparedMessage {
  message_id: string;
  contact_id: string;
  phone: string;
  /** The contact's name, carried by the launch so the server can create a contact not pushed yet. */
  name: string;
  body: string;
  /** Epoch ms. */
  send_at: number;
  /** Sent as this approved Meta template (body is then its rendering, for people). */
  template?: PreparedTemplate;
}

/** A template message as the outbox intake takes it (supabase/functions/outbox/handler.ts). */
export interface PreparedTemplate {
  id: string;
  header_parameters: string[];
  body_parameters: string[];
}

/** The longest value Meta takes for a template parameter (as the intake checks it). */
export const TEMPLATE_PARAMETER_LIMIT = 1024;

export interface MissingVariables {
  contact_id: string;
  phone: string;
  name: string;
  variables: string[];
}

export interface PreparedCampaign {
  /** In send order. */
  messages: PreparedMessage[];
  excluded: Exclusion[];
  missingVariables: MissingVariables[];
  /** Quota to reserve at launch: one per message. */
  quotaNeeded: number;
  firstSendAt: number | null;
  lastSendAt: number | null;
}

export interface PrepareOptions {
  random?: RandomSource;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Recipients between two progress reports and cancel checks. */
  progressEvery?: number;
}

export class CampaignInputError extends Error {}

/**
 * What to plan for a campaign document: its body, audience and pacing. Sending starts at
 * start_at, or at `now` when that is unset or already past (a launch queued offline).
 */
export function campaignPlanInput(campaign: Campaign, now: number): CampaignPlanInput {
  const start = campaign.start_at === null ? Number.NaN : Date.parse(campaign.start_at);
  const { window_start_minute: startMinute, window_end_minute: endMinute } = campaign;
  return {
    campaignId: campaign.id,
    body: campaign.body,
    ...(campaign.template_parameters && campaign.template_id
      ? { template: { id: campaign.template_id, parameters: campaign.template_parameters } }
      : {}),
    audience: { group_ids: campaign.group_ids, tags: campaign.tags, contact_ids: campaign.contact_ids },
    pacing: {
      startAt: Number.isNaN(start) ? now : Math.max(start, now),
      timeZone: campaign.time_zone,
      window:
        startMinute === null || endMinute === null
          ? null
          : { startMinute, endMinute, days: campaign.window_days },
      minDelayMs: campaign.min_delay_ms,
      maxDelayMs: campaign.max_delay_ms,
      ratePerMinute: campaign.rate_per_minute,
    },
  };
}

export async function prepareCampaign(
  contacts: Iterable<PreparableContact>,
  input: CampaignPlanInput,
  options: PrepareOptions = {},
): Promise<PreparedCampaign> {
  const { signal, onProgress, progressEvery = 5000, random = Math.random } = options;
  if (input.body.trim() === '') throw new CampaignInputError('the campaign has no message text');
  const render = input.template ? metaRenderer(input.body, input.template) : textRenderer(input.body);
  let nextSendAt: () => number;
  try {
    nextSendAt = sendPlanner(input.pacing, random);
  } catch (err) {
    throw new CampaignInputError((err as Error).message);
  }
  signal?.throwIfAborted();

  const { recipients, excluded } = resolveAudience(contacts, input.audience);
  const total = recipients.length;
  const messages: PreparedMessage[] = [];
  const missingVariables: MissingVariables[] = [];

  for (let i = 0; i < total; i++) {
    if (i > 0 && i % progressEvery === 0) {
      onProgress?.(i, total);
      await yieldToEventLoop();
      signal?.throwIfAborted();
    }
    const contact = recipients[i]!;
    const rendered = render(contact);
    const text = rendered.text.trim();
    const leaveOut = (reason: Exclusion['reason']) =>
      excluded.push({ contact_id: contact.id, phone: contact.phone, name: contact.name, reason });
    if (rendered.missing.length > 0) {
      missingVariables.push({
        contact_id: contact.id,
        phone: contact.phone,
        name: contact.name,
        variables: rendered.missing,
      });
      if (input.skipMissingVariables) {
        leaveOut('missing_variables');
        continue;
      }
    }
    if (text === '' || rendered.emptyParameter) {
      leaveOut(rendered.missing.length > 0 ? 'missing_variables' : 'empty_message');
      continue;
    }
    if (text.length > WHATSAPP_TEXT_LIMIT || rendered.longParameter) {
      leaveOut('too_long');
      continue;
    }
    messages.push({
      message_id: campaignMessageId(input.campaignId, contact.id),
      contact_id: contact.id,
      phone: contact.phone,
      name: contact.name,
      body: text,
      send_at: nextSendAt(),
      ...(rendered.template ? { template: rendered.template } : {}),
    });
  }
  onProgress?.(total, total);

  return {
    messages,
    excluded,
    missingVariables,
    quotaNeeded: messages.length,
    firstSendAt: messages[0]?.send_at ?? null,
    lastSendAt: messages.at(-1)?.send_at ?? null,
  };
}

/** One recipient's message: its text, what it misses, and its template values if any. */
interface Rendering {
  text: string;
  missing: string[];
  template?: PreparedTemplate;
  /** A template value came out empty or too long: Meta refuses the send. */
  emptyParameter?: boolean;
  longParameter?: boolean;
}

function parsedOrThrow(text: string, what: string): ParsedTemplate {
  const parsed = parseTemplate(text);
  if (parsed.errors.length > 0) {
    throw new CampaignInputError(`${what} has errors: ${parsed.errors.map((e) => e.message).join('; ')}`);
  }
  return parsed;
}

function textRenderer(body: string): (contact: PreparableContact) => Rendering {
  const template = parsedOrThrow(body, 'the template');
  return (contact) => renderTemplate(template, contact);
}

/**
 * A Meta template: each {{n}} takes its mapped Pigeon text rendered for the recipient; the
 * text is Meta's body filled in, as the intake renders it.
 */
function metaRenderer(
  body: string,
  { id, parameters }: { id: string; parameters: TemplateParameters },
): (contact: PreparableContact) => Rendering {
  const needed = parameterCount(body);
  if (parameters.body.length !== needed) {
    throw new CampaignInputError(
      `the template takes ${needed} body value(s), but ${parameters.body.length} are mapped`,
    );
  }
  const parse = (texts: string[], part: string) =>
    texts.map((text, i) => parsedOrThrow(text, `the ${part} value for {{${i + 1}}}`));
  const header = parse(parameters.header, 'header');
  const bodyValues = parse(parameters.body, 'body');
  return (contact) => {
    const missing = new Set<string>();
    const values = (parsed: ParsedTemplate[]) =>
      parsed.map((p) => {
        const rendered = renderTemplate(p, contact);
        for (const name of rendered.missing) missing.add(name);
        return rendered.text.trim();
      });
    const template = { id, header_parameters: values(header), body_parameters: values(bodyValues) };
    const all = [...template.header_parameters, ...template.body_parameters];
    return {
      text: fillParameters(body, template.body_parameters),
      missing: [...missing],
      template,
      emptyParameter: all.some((v) => v === ''),
      longParameter: all.some((v) => v.length > TEMPLATE_PARAMETER_LIMIT),
    };
  };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
