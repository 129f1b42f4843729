// The simulator's control API (/_simulator/*), for the local stack and the tests only: every
// route needs `Authorization: Bearer <control secret>`, except GET /_simulator/sends with a
// number's own token, which lists that number's sends and nobody else's.
//   GET  /_simulator/sends                  {sends: SendRecord[]} in arrival order
//   GET  /_simulator/webhooks               {webhooks: WebhookDelivery[]}
//   POST /_simulator/faults                 {faults: Fault[]} answer the next sends with these
//   POST /_simulator/config                 {delays?, replyText?, duplicateWebhooks?}
//   POST /_simulator/reset                  forget sends, webhooks and pending faults
//   POST /_simulator/numbers                {format: cloud | whapi, …} a new number and its credentials
//   POST /_simulator/numbers/<id>/webhook   {url, verify_token} Meta's "verify and save" (handshake)
//   POST /_simulator/numbers/<id>/token     a new token; the old one stops working
//   POST /_simulator/numbers/<id>/revoke    the token stops working (Meta 190, Whapi 401)
//   POST /_simulator/numbers/<id>/inbound   an InboundSpec: a customer's message, edit, revoke…
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sameSecret } from '../../functions/_shared/hmac.ts';
import { isObject } from '../../functions/_shared/provider-http.ts';
import { isFault } from './faults.ts';
import { type InboundSpec, inboundProblem } from './inbound.ts';
import type { NumberSpec, SimNumber } from './numbers.ts';
import type { Simulator } from './simulator.ts';
import { bearerOf, DEFAULT_DELAYS, respond, type SimState } from './state.ts';

/** What is wrong with a config body, or null when nothing is. */
export function configProblem(input: Record<string, unknown>): string | null {
  const known = new Set(['delays', 'replyText', 'duplicateWebhooks']);
  const unknown = Object.keys(input).filter((key) => !known.has(key));
  if (unknown.length > 0) return `unknown settings: ${unknown.join(', ')}`;
  const { delays, replyText, duplicateWebhooks } = input;
  if (delays !== undefined) {
    if (typeof delays !== 'object' || delays === null) return 'delays must be an object';
    for (const [name, ms] of Object.entries(delays)) {
      if (!(name in DEFAULT_DELAYS))
        return `delays.${name} is not one of ${Object.keys(DEFAULT_DELAYS).join(', ')}`;
      if (ms !== null && !(Number.isInteger(ms) && (ms as number) >= 0 && (ms as number) <= 3_600_000)) {
        return `delays.${name} must be null or 0 to 3600000 ms`;
      }
    }
  }
  if (replyText !== undefined && replyText !== null) {
    if (typeof replyText !== 'string' || replyText.length < 1 || replyText.length > 4096) {
      return 'replyText must be null or 1 to 4096 characters';
    }
  }
  if (duplicateWebhooks !== undefined && typeof duplicateWebhooks !== 'boolean')
    return 'duplicateWebhooks must be a boolean';
  return null;
}

function numberProblem(input: Record<string, unknown>): string | null {
  if (input.format !== 'cloud' && input.format !== 'whapi') return 'format must be "cloud" or "whapi"';
  for (const key of ['display_phone_number', 'verified_name', 'quality_rating'] as const) {
    if (input[key] !== undefined && typeof input[key] !== 'string') return `${key} must be a string`;
  }
  if (
    input.display_phone_number !== undefined &&
    !/^[1-9]\d{6,14}$/.test(input.display_phone_number as string)
  ) {
    return 'display_phone_number must be digits';
  }
  if (input.templates !== undefined && !Array.isArray(input.templates)) return 'templates must be an array';
  if (input.enforce_window !== undefined && typeof input.enforce_window !== 'boolean')
    return 'enforce_window must be a boolean';
  return null;
}

/** A number's credentials, as the provider's dashboard shows them. */
export function credentialsOf(number: SimNumber) {
  return number.format === 'cloud'
    ? {
        id: number.id,
        format: number.format,
        phone_number_id: number.id,
        waba_id: number.wabaId,
        access_token: number.token,
        app_secret: number.appSecret,
        display_phone_number: number.displayPhoneNumber,
      }
    : {
        id: number.id,
        format: number.format,
        channel_id: number.id,
        api_token: number.token,
        display_phone_number: number.displayPhoneNumber,
      };
}

async function numberRoute(
  sim: Simulator,
  res: ServerResponse,
  id: string,
  action: string,
  input: Record<string, unknown>,
) {
  const number = sim.number(id);
  if (action === 'webhook') {
    if (typeof input.url !== 'string' || typeof input.verify_token !== 'string') {
      return respond(res, 400, { error: 'webhook needs url and verify_token' });
    }
    const verified = await sim.setNumberWebhook(id, input.url, input.verify_token);
    return respond(res, verified.ok ? 200 : 400, verified);
  }
  if (action === 'token') return respond(res, 200, credentialsOf({ ...number, token: sim.rotateToken(id) }));
  if (action === 'revoke') {
    sim.revokeToken(id);
    return respond(res, 200, { revoked: true });
  }
  if (action === 'inbound') {
    const problem = inboundProblem(input, number.format);
    if (problem) return respond(res, 400, { error: problem });
    return respond(res, 200, await sim.inbound(id, input as unknown as InboundSpec));
  }
  return respond(res, 404, { error: `no control route for numbers/${action}` });
}

export async function controlRoute(
  state: SimState,
  sim: Simulator,
  controlSecret: string,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  raw: string,
) {
  const method = req.method ?? '';
  const token = bearerOf(req);
  if (!(await sameSecret(token, controlSecret))) {
    // A number's own token may list its own sends; nothing else without the control secret.
    const own = token === '' ? undefined : state.numbers.all().find((n) => n.token === token && !n.implicit);
    if (method === 'GET' && path === '/_simulator/sends' && own) {
      return respond(res, 200, { sends: sim.sends().filter((s) => s.phoneNumberId === own.id) });
    }
    return respond(res, 401, {
      error: 'the simulator control API needs its control secret (Authorization: Bearer …)',
    });
  }
  let input: Record<string, unknown> = {};
  if (method === 'POST' && raw !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return respond(res, 400, { error: 'the body is not JSON' });
    }
    if (!isObject(parsed)) return respond(res, 400, { error: 'the body must be a JSON object' });
    input = parsed;
  }
  const numberPath = path.match(/^\/_simulator\/numbers\/([^/]+)\/(\w+)$/);
  if (numberPath && method === 'POST')
    return numberRoute(sim, res, decodeURIComponent(numberPath[1]!), numberPath[2]!, input);
  const route = `${method} ${path.replace(/^\/_simulator\//, '')}`;
  switch (route) {
    case 'GET sends':
      return respond(res, 200, { sends: sim.sends() });
    case 'GET webhooks':
      return respond(res, 200, { webhooks: sim.webhooks() });
    case 'POST reset':
      sim.reset();
      return respond(res, 200, { ok: true });
    case 'POST faults': {
      const list = input.faults;
      if (!Array.isArray(list) || !list.every(isFault)) {
        return respond(res, 400, {
          error:
            'faults must be an array of {kind: "http", status, code?, message?, retryAfter?, number?} | {kind: "hang", ms, number?} | {kind: "undeliverable", number?}',
        });
      }
      sim.inject(...list);
      return respond(res, 200, { pending: state.faults.length });
    }
    case 'POST config': {
      const problem = configProblem(input);
      if (problem) return respond(res, 400, { error: problem });
      sim.configure(input as Parameters<Simulator['configure']>[0]);
      return respond(res, 200, state.settings);
    }
    case 'POST numbers': {
      const problem = numberProblem(input);
      if (problem) return respond(res, 400, { error: problem });
      return respond(res, 201, credentialsOf(sim.addNumber(input as unknown as NumberSpec)));
    }
    default:
      return respond(res, 404, { error: `no control route ${route}` });
  }
}
