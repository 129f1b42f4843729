// What the simulator's two APIs (Cloud API, Whapi), its control routes and its webhooks
// share: settings, numbers, the log of sends and webhook deliveries, pending faults, media
// files, and the timers of scheduled reports.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Fault } from './fault.ts';
import type { DefaultAccount, NumberRegistry, SimNumber } from './numbers.ts';
import type { WebhookDelivery } from './webhooks.ts';

/** Milliseconds after an accepted send at which each report goes out; null: never. */
export interface SimulatorDelays {
  sent: number | null;
  delivered: number | null;
  read: number | null;
  reply: number | null;
}

export interface SimulatorSettings {
  delays: SimulatorDelays;
  /** The text of the inbound reply sent `delays.reply` after each send; none when null. */
  replyText: string | null;
  /** Deliver every webhook twice, as providers may (they promise at least once). */
  duplicateWebhooks: boolean;
}

export const DEFAULT_DELAYS: SimulatorDelays = { sent: 200, delivered: 1000, read: 3000, reply: null };

export interface SendRecord {
  /** 1, 2, 3… in arrival order. */
  seq: number;
  /** Arrival time, ms since the epoch. */
  at: number;
  format: 'cloud' | 'whapi';
  /** The number sending: Cloud API phone_number_id, or Whapi channel id. */
  phoneNumberId: string;
  /** As sent: digits without +. */
  to: string;
  /** The text; for a template, its body with the parameters filled in. */
  body: string;
  type: 'text' | 'template';
  template?: { name: string; language: string };
  /** A template's components as the request carried them (Meta's wire format), for tests to read. */
  components?: unknown;
  /** accepted | undeliverable | http <status> | hang | rejected: <reason> */
  outcome: string;
  /** The message id returned, for accepted and undeliverable sends. */
  wamid?: string;
}

export interface MediaFile {
  bytes: Buffer;
  mimeType: string;
  /** The number whose token may download it. */
  number: string;
}

export interface SimState {
  settings: SimulatorSettings;
  numbers: NumberRegistry;
  defaults: DefaultAccount;
  sends: SendRecord[];
  deliveries: WebhookDelivery[];
  faults: Fault[];
  media: Map<string, MediaFile>;
  /** When each customer last wrote to each number: `${number}:${digits}` → ms. */
  lastInbound: Map<string, number>;
  /** The Cloud API server's own URL (media download URLs point at it). */
  cloudUrl(): string;
  /** Runs `fn` after `ms`, unless the simulator closes first. */
  later(ms: number, fn: () => Promise<unknown> | undefined): void;
  signal: AbortSignal;
}

export function newId(prefix: string, bytes = 8): string {
  return `${prefix}${randomBytes(bytes).toString('hex')}`;
}

export function respond(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export function bearerOf(req: IncomingMessage): string {
  return req.headers.authorization?.match(/^Bearer (\S+)$/)?.[1] ?? '';
}

/** Records a webhook delivery's outcome, posting it twice when duplicates are on. */
export async function deliver(
  state: SimState,
  number: SimNumber,
  entry: Omit<WebhookDelivery, 'at' | 'httpStatus' | 'phoneNumberId'>,
  post: () => Promise<number>,
): Promise<number> {
  if (!number.webhook) return 0;
  const once = async () => {
    const httpStatus = await post();
    state.deliveries.push({ at: Date.now(), phoneNumberId: number.id, ...entry, httpStatus });
    return httpStatus;
  };
  if (!state.settings.duplicateWebhooks) return once();
  const [first] = await Promise.all([once(), once()]);
  return first;
}
