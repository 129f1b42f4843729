/**
 * Meta's message templates as Pigeon holds them after a sync: a body with positional
 * parameters {{1}}, {{2}}… (Meta's syntax, not Pigeon's {{variable}}), sendable once APPROVED.
 */
import type { Template } from './types.ts';

const PARAMETER = /\{\{\s*([0-9]{1,3})\s*\}\}/g;

/** A message sent as an approved Meta template: its id and the values of its {{n}}. */
export interface TemplateSend {
  id: string;
  body_parameters: readonly string[];
  /** The values of a text header's {{n}}, when it has any. */
  header_parameters?: readonly string[];
}

/** The number of parameters a body takes: its highest {{n}}, as the server counts them. */
export function parameterCount(body: string): number {
  let highest = 0;
  for (const match of body.matchAll(PARAMETER)) highest = Math.max(highest, Number(match[1]));
  return highest;
}

/** The body with each {{n}} replaced by the n-th value (left as written where none is given). */
export function fillParameters(body: string, values: readonly string[]): string {
  return body.replace(PARAMETER, (whole, n: string) => values[Number(n) - 1] ?? whole);
}

/** The text of a template's text header, with its {{n}}; empty when it has none. */
export function headerText(template: Pick<Template, 'components'>): string {
  const header = template.components?.find(
    (c) => c.type?.toUpperCase() === 'HEADER' && c.format?.toUpperCase() === 'TEXT',
  );
  return header?.text ?? '';
}

/** A Meta template of `channelId` that may be sent now. */
export function isApprovedFor(template: Template, channelId: string): boolean {
  return (
    template.provider === 'meta' &&
    template.channel_id === channelId &&
    template.provider_status === 'APPROVED'
  );
}

/**
 * The templates a campaign through `channel` may use: on a Meta channel only its approved
 * Meta templates (anyone who has not written in 24 hours can be reached by nothing else);
 * elsewhere Pigeon's own, sent as text.
 */
export function templatesFor(
  templates: readonly Template[],
  channel: { id: string; provider: string } | undefined,
): Template[] {
  if (channel?.provider === 'meta') return templates.filter((t) => isApprovedFor(t, channel.id));
  return templates.filter((t) => !t.provider);
}
