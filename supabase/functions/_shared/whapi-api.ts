// Whapi.cloud, as its API reference documents it: a Bearer API token per channel (one
// WhatsApp session), POST /messages/text, GET /health, PATCH /settings for the webhook, GET
// /media/{id}, and error bodies {error: {code, message, details}} whose HTTP status decides
// what Pigeon does (README: provider adapters). Whapi has no templates and no 24-hour window.
import {
  type CheckResult,
  DEGRADED_PAUSE_SECONDS,
  type ProviderSender,
  type SendFailure,
  type SendOutcome,
  type SendRequest,
} from './provider.ts';
import { callProvider, isObject } from './provider-http.ts';
import { parseRetryAfter } from './retry-after.ts';

export const WHAPI_API_URL = 'https://gate.whapi.cloud';
/** The header Whapi sends back on every webhook delivery, carrying the channel's secret. */
export const WHAPI_SECRET_HEADER = 'x-pigeon-webhook-secret';

export interface WhapiAccount {
  /** e.g. https://gate.whapi.cloud, or the simulator's URL (WHAPI_API_URL). */
  baseUrl: string;
  apiToken: string;
  timeoutMs: number;
}

export function whapiEndpoint(env: Record<string, string | undefined>): string {
  return (env.WHAPI_API_URL || WHAPI_API_URL).replace(/\/$/, '');
}

/** The body of POST /messages/text. */
export interface WhapiTextMessage {
  /** The recipient's number, digits only (or a chat id). */
  to: string;
  body: string;
}

export function whapiTextMessage(req: SendRequest): WhapiTextMessage {
  return { to: req.to.replace(/^\+/, ''), body: req.body };
}

/** The people-readable reason of a Whapi error body, or the HTTP status when there is none. */
export function whapiErrorText(status: number, body: unknown): string {
  const err = isObject(body) && isObject(body.error) ? body.error : undefined;
  if (err && typeof err.message === 'string' && err.message !== '') {
    const details = typeof err.details === 'string' && err.details !== err.message ? `: ${err.details}` : '';
    return `${err.message}${details}${typeof err.code === 'number' ? ` (code ${err.code})` : ''}`;
  }
  return `HTTP ${status}`;
}

/** What a Whapi answer to a send means for the outbox (README: provider adapters). */
export function whapiOutcomeOf(
  status: number,
  headers: Headers,
  body: unknown,
  now = Date.now(),
): SendOutcome {
  if (status >= 200 && status < 300) {
    const message = isObject(body) && isObject(body.message) ? body.message : undefined;
    if (isObject(body) && body.sent === true && typeof message?.id === 'string' && message.id !== '') {
      return { ok: true, providerMessageId: message.id };
    }
    if (isObject(body) && body.sent === false) {
      return { ok: false, action: 'retry', error: 'the provider answered that the message was not sent' };
    }
    return { ok: false, action: 'fail', error: `the provider answered ${status} without a message id` };
  }
  return whapiFailureOf(status, headers, body, now);
}

function whapiFailureOf(status: number, headers: Headers, body: unknown, now: number): SendFailure {
  const error = whapiErrorText(status, body);
  switch (true) {
    // "Need channel authorization": a wrong or revoked token, or the session logged out.
    case status === 401:
      return { ok: false, action: 'disconnect', error };
    // "Trial version limit exceeded": nothing more goes out until the plan changes.
    case status === 402:
      return { ok: false, action: 'degrade', error, retryAfterSeconds: DEGRADED_PAUSE_SECONDS };
    // "It is forbidden to send to this group/recipient": this recipient only.
    case status === 403:
      return { ok: false, action: 'fail', error };
    case status === 429:
      return {
        ok: false,
        action: 'throttle',
        error,
        retryAfterSeconds: parseRetryAfter(headers.get('retry-after'), now),
      };
    case status === 408 || status >= 500:
      return { ok: false, action: 'retry', error };
    default:
      return { ok: false, action: 'fail', error };
  }
}

function bearer(account: WhapiAccount): Record<string, string> {
  return { authorization: `Bearer ${account.apiToken}` };
}

export function whapiSender(account: WhapiAccount): ProviderSender {
  return {
    async send(req) {
      const answer = await callProvider(
        `${account.baseUrl}/messages/text`,
        {
          method: 'POST',
          headers: { ...bearer(account), 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(whapiTextMessage(req)),
        },
        account.timeoutMs,
      );
      if ('unanswered' in answer) return { ok: false, action: 'retry', error: answer.unanswered };
      return whapiOutcomeOf(answer.status, answer.headers, answer.body);
    },
  };
}

/** What GET /health tells about the channel's WhatsApp session. */
export interface WhapiHealth {
  /** AUTH when the session is logged in; QR, LAUNCH, INIT, ERROR… otherwise. */
  status: string;
  /** The number's WhatsApp id (digits) and profile name, once logged in. */
  userId?: string;
  name?: string;
}

/** GET /health?wakeup=true: whether the token works and the session is logged in. */
export async function whapiHealth(account: WhapiAccount): Promise<CheckResult<WhapiHealth>> {
  const answer = await callProvider(
    `${account.baseUrl}/health?wakeup=true`,
    { headers: bearer(account) },
    account.timeoutMs,
  );
  if ('unanswered' in answer) return { ok: false, error: answer.unanswered };
  const body = isObject(answer.body) ? answer.body : {};
  const status = isObject(body.status) ? body.status.text : undefined;
  if (answer.status !== 200 || typeof status !== 'string') {
    const field = answer.status === 401 || answer.status === 403 ? 'api_token' : undefined;
    const error = whapiErrorText(answer.status, answer.body);
    return { ok: false, ...(field ? { field } : {}), error: field ? `${field}: ${error}` : error };
  }
  const user = isObject(body.user) ? body.user : {};
  const name = [user.name, user.pushname].find((n) => typeof n === 'string' && n !== '');
  return {
    ok: true,
    facts: {
      status,
      ...(typeof user.id === 'string' ? { userId: user.id } : {}),
      ...(typeof name === 'string' ? { name } : {}),
    },
  };
}

/** The webhook Pigeon asks Whapi to call: every event a multi-channel inbox needs. */
export function whapiWebhookSettings(url: string, secret: string) {
  return {
    webhooks: [
      {
        url,
        mode: 'body',
        headers: { [WHAPI_SECRET_HEADER]: secret },
        events: [
          { type: 'messages', method: 'post' },
          { type: 'messages', method: 'patch' },
          { type: 'messages', method: 'delete' },
          { type: 'statuses', method: 'post' },
          { type: 'statuses', method: 'put' },
          { type: 'chats', method: 'post' },
          { type: 'chats', method: 'patch' },
          { type: 'channel', method: 'post' },
          { type: 'channel', method: 'patch' },
        ],
      },
    ],
  };
}

/** PATCH /settings: points the channel's webhooks at Pigeon. */
export async function registerWhapiWebhook(
  account: WhapiAccount,
  url: string,
  secret: string,
): Promise<CheckResult<true>> {
  const answer = await callProvider(
    `${account.baseUrl}/settings`,
    {
      method: 'PATCH',
      headers: { ...bearer(account), 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(whapiWebhookSettings(url, secret)),
    },
    account.timeoutMs,
  );
  if ('unanswered' in answer) return { ok: false, error: answer.unanswered };
  if (answer.status === 200) return { ok: true, facts: true };
  const field = answer.status === 401 || answer.status === 403 ? 'api_token' : undefined;
  const error = whapiErrorText(answer.status, answer.body);
  return { ok: false, ...(field ? { field } : {}), error: field ? `${field}: ${error}` : error };
}

/** GET /media/{id}: the URL and headers of a media download. */
export function whapiMediaRequest(
  account: WhapiAccount,
  mediaId: string,
): { url: string; headers: Record<string, string> } {
  return { url: `${account.baseUrl}/media/${encodeURIComponent(mediaId)}`, headers: bearer(account) };
}
