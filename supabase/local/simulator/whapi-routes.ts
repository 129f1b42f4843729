// The simulator's Whapi.cloud API: POST /messages/text, GET /health, GET and PATCH
// /settings (the webhook), GET /media/{id}. The Bearer token names the channel (one
// WhatsApp session per token); an unknown or revoked one is refused with 401, and so is a
// send while the session is logged out.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isObject } from '../../functions/_shared/provider-http.ts';
import { answerFault, whapiFaultBody } from './faults.ts';
import type { SimNumber } from './numbers.ts';
import { report, scheduleReports } from './reports.ts';
import { bearerOf, newId, respond, type SendRecord, type SimState } from './state.ts';
import { whapiEnvelope, whapiMessage } from './whapi-webhooks.ts';

const RECIPIENT = /^[\d-]{9,31}(@[\w.]{1,})?$/;

function refuse(res: ServerResponse, status: number, message?: string) {
  respond(res, status, whapiFaultBody(status, message));
}

function settingsOf(number: SimNumber) {
  return number.webhook
    ? {
        webhooks: [
          {
            url: number.webhook.url,
            mode: 'body',
            headers: number.webhook.headers,
            events: [{ type: 'messages', method: 'post' }],
          },
        ],
      }
    : { webhooks: [] };
}

function send(state: SimState, res: ServerResponse, number: SimNumber, raw: string) {
  const rec: SendRecord = {
    seq: state.sends.length + 1,
    at: Date.now(),
    format: 'whapi',
    phoneNumberId: number.id,
    to: '',
    body: '',
    type: 'text',
    outcome: '',
  };
  state.sends.push(rec);
  const reject = (reason: string, status = 400) => {
    rec.outcome = `rejected: ${reason}`;
    refuse(res, status, reason);
  };
  let msg: { to?: unknown; body?: unknown };
  try {
    msg = JSON.parse(raw);
  } catch {
    return reject('Wrong request parameters: the body is not JSON');
  }
  rec.to = typeof msg.to === 'string' ? msg.to.replace(/@s\.whatsapp\.net$/, '') : '';
  rec.body = typeof msg.body === 'string' ? msg.body : '';
  if (typeof msg.to !== 'string' || !RECIPIENT.test(msg.to)) return reject('Wrong request parameters: to');
  if (rec.body.length < 1 || rec.body.length > 4096) return reject('Wrong request parameters: body');
  if (number.session !== 'AUTH') return reject('Need channel authorization for send message', 401);

  const fault = answerFault(state, res, rec, 'whapi');
  if (fault.answered) return;
  const id = `${newId('', 8)}-${newId('', 3)}`;
  rec.wamid = id;
  rec.outcome = fault.undeliverable ? 'undeliverable' : 'accepted';
  const sent = whapiMessage(number, rec.to, true, {
    id,
    type: 'text',
    text: { body: rec.body },
    source: 'api',
  });
  respond(res, 200, { sent: true, message: { ...sent, status: 'pending' } });
  // Whapi echoes a message sent through the API on the messages webhook, as the business's own.
  state.later(0, () =>
    report(
      state,
      number,
      { kind: 'message', id },
      whapiEnvelope(number, 'messages', 'post', { messages: [sent] }),
    ),
  );
  scheduleReports(state, number, rec, id, fault.undeliverable ? 'undeliverable' : undefined);
}

/** What PATCH /settings may set here: the webhook (url, headers); other settings are ignored. */
function patchSettings(res: ServerResponse, number: SimNumber, raw: string) {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return refuse(res, 400, 'Wrong settings format');
  }
  const before = settingsOf(number);
  if (isObject(body) && body.webhooks !== undefined) {
    const hook = Array.isArray(body.webhooks) ? body.webhooks[0] : undefined;
    if (
      !isObject(hook) ||
      typeof hook.url !== 'string' ||
      !/^https?:\/\//.test(hook.url) ||
      (hook.headers !== undefined && !isObject(hook.headers))
    ) {
      return refuse(res, 400, 'Wrong settings format: webhooks[0] needs a url (and headers as an object)');
    }
    const headers = Object.fromEntries(
      Object.entries((hook.headers as Record<string, unknown>) ?? {}).filter(
        ([, v]) => typeof v === 'string',
      ),
    ) as Record<string, string>;
    if (Object.keys(headers).length > 5) return refuse(res, 400, 'Wrong settings format: at most 5 headers');
    number.webhook = { url: hook.url, headers };
  }
  respond(res, 200, { before_update: before, after_update: settingsOf(number), changes: ['webhooks'] });
}

/** Handles a Whapi request; false when the path is not one. */
export async function whapiRoute(
  state: SimState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  raw: string,
): Promise<boolean> {
  const route = `${req.method} ${url.pathname.replace(/\/$/, '')}`;
  const media = url.pathname.match(/^\/media\/([^/]+)$/);
  const known = ['POST /messages/text', 'GET /health', 'GET /settings', 'PATCH /settings'].includes(route);
  if (!known && !(media && req.method === 'GET')) return false;
  const number = state.numbers.whapiByToken(bearerOf(req));
  if (!number) {
    refuse(res, 401, 'Unauthorized: unknown token');
    return true;
  }
  if (media) {
    const file = state.media.get(decodeURIComponent(media[1]!));
    if (!file || file.number !== number.id) refuse(res, 404, 'Media with specified id not found');
    else {
      res.writeHead(200, { 'content-type': file.mimeType, 'content-length': String(file.bytes.length) });
      res.end(file.bytes);
    }
    return true;
  }
  if (route === 'POST /messages/text') send(state, res, number, raw);
  else if (route === 'GET /health') {
    respond(res, 200, {
      channel_id: number.id,
      start_at: Math.floor(Date.now() / 1000) - 3600,
      uptime: 3600,
      version: 'simulator',
      status: { code: number.session === 'AUTH' ? 4 : 2, text: number.session },
      ...(number.session === 'AUTH'
        ? { user: { id: number.displayPhoneNumber, name: number.verifiedName, is_business: true } }
        : {}),
    });
  } else if (route === 'GET /settings') respond(res, 200, settingsOf(number));
  else patchSettings(res, number, raw);
  return true;
}
