// The WhatsApp Cloud API send, as Meta documents it: POST {base}/{version}/{phone_number_id}/messages
// with a Bearer token. Both the real Meta provider and the simulator speak it, so the
// simulator exercises this very code. Web-standard fetch only (Deno and Node).
import type { ProviderSender, SendOutcome, SendRequest } from './provider.ts';
import { parseRetryAfter } from './retry-after.ts';

export const GRAPH_API_VERSION = 'v21.0';

/** The request body of a text message. */
export interface CloudTextMessage {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  /** The recipient's number: digits, with or without the leading +. */
  to: string;
  type: 'text';
  text: { body: string; preview_url?: boolean };
}

export interface CloudSendSuccess {
  messaging_product: 'whatsapp';
  contacts: { input: string; wa_id: string }[];
  messages: { id: string }[];
}

/** A Graph API error answer. */
export interface GraphError {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product?: string; details?: string };
    fbtrace_id: string;
  };
}

export interface CloudApiOptions {
  /** e.g. https://graph.facebook.com, or the simulator's URL. */
  baseUrl: string;
  phoneNumberId: string;
  accessToken: string;
  /** How long a send may take before it counts as lost (retryable). */
  timeoutMs: number;
  version?: string;
}

export function textMessage(req: SendRequest): CloudTextMessage {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: req.to.replace(/^\+/, ''),
    type: 'text',
    text: { body: req.body },
  };
}

/** The people-readable reason of a Graph error body, or the HTTP status when there is none. */
export function graphErrorText(status: number, body: unknown): string {
  const err = (body as Partial<GraphError> | null)?.error;
  if (err && typeof err.message === 'string' && err.message !== '') {
    const details = err.error_data?.details;
    const text = details && details !== err.message ? `${err.message}: ${details}` : err.message;
    return typeof err.code === 'number' ? `${text} (code ${err.code})` : text;
  }
  return `HTTP ${status}`;
}

/**
 * What an HTTP answer means for the outbox: 2xx sent; 429 wait for Retry-After; 408 and 5xx
 * try again later; any other 4xx is the request's own fault and will not get better.
 */
export function outcomeOf(status: number, headers: Headers, body: unknown, now = Date.now()): SendOutcome {
  if (status >= 200 && status < 300) {
    const id = (body as Partial<CloudSendSuccess> | null)?.messages?.[0]?.id;
    if (typeof id === 'string' && id !== '') return { ok: true, providerMessageId: id };
    // Accepted but untraceable: sending again could deliver it twice, so do not.
    return { ok: false, retryable: false, error: `the provider answered ${status} without a message id` };
  }
  const error = graphErrorText(status, body);
  if (status === 429) {
    return {
      ok: false,
      retryable: true,
      error,
      retryAfterSeconds: parseRetryAfter(headers.get('retry-after'), now),
    };
  }
  return { ok: false, retryable: status === 408 || status >= 500, error };
}

export function cloudApiSender(opts: CloudApiOptions): ProviderSender {
  const url = `${opts.baseUrl.replace(/\/$/, '')}/${opts.version ?? GRAPH_API_VERSION}/${encodeURIComponent(opts.phoneNumberId)}/messages`;
  return {
    async send(req) {
      try {
        // The timeout covers the body too: a provider may stall after the headers.
        const res = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${opts.accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(textMessage(req)),
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
        const text = await res.text();
        let body: unknown = null;
        try {
          body = JSON.parse(text);
        } catch {
          // Not JSON (a proxy's error page): the status alone decides.
        }
        return outcomeOf(res.status, res.headers, body);
      } catch (err) {
        const name = (err as Error).name;
        if (name === 'TimeoutError' || name === 'AbortError') {
          return {
            ok: false,
            retryable: true,
            error: `no answer from the provider within ${opts.timeoutMs} ms`,
          };
        }
        return {
          ok: false,
          retryable: true,
          error: `could not reach the provider: ${(err as Error).message}`,
        };
      }
    },
  };
}
