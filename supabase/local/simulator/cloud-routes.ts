// The simulator's WhatsApp Cloud API: POST /{version}/{phone-number-id}/messages (text and
// template messages), GET /{version}/{phone-number-id} (the number's fields), GET
// /{version}/{waba-id}/phone_numbers and /message_templates, GET /{version}/{media-id} and
// the media download. Bearer tokens are checked against the number's current token (a
// revoked one gets Meta's 190), and appsecret_proof, when sent, against its app secret.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudSendSuccess, GraphTemplate } from '../../functions/_shared/cloud-api.ts';
import { hmacHex } from '../../functions/_shared/hmac.ts';
import { answerFault } from './faults.ts';
import type { SimNumber } from './numbers.ts';
import { scheduleReports } from './reports.ts';
import { bearerOf, newId, respond, type SendRecord, type SimState } from './state.ts';

const WINDOW_MS = 24 * 3600 * 1000;

function graphError(res: ServerResponse, status: number, code: number, message: string) {
  respond(res, status, {
    error: { message, type: 'OAuthException', code, fbtrace_id: newId('sim', 5) },
  });
}

// Each (app secret, token) pair's proof, computed once: Meta's check costs it nothing, and
// an HMAC per send was a tenth of a many-channel benchmark's CPU.
const proofs = new Map<string, Promise<string>>();

function expectedProof(appSecret: string, token: string): Promise<string> {
  const key = `${appSecret}\u0000${token}`;
  let proof = proofs.get(key);
  if (!proof) {
    proof = hmacHex(appSecret, token);
    proofs.set(key, proof);
  }
  return proof;
}

/** The number a token may act for, or the Graph error that refuses the call (already sent). */
async function authorise(
  state: SimState,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  query: URLSearchParams,
) {
  const token = bearerOf(req);
  const registered = state.numbers.registered(id);
  const number = registered ?? (token === state.defaults.token ? state.numbers.get(id) : undefined);
  if (!token || !number || number.token !== token) {
    const known =
      token !== '' && (token === state.defaults.token || state.numbers.all().some((n) => n.token === token));
    if (known) {
      graphError(
        res,
        400,
        100,
        `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`,
      );
    } else {
      graphError(res, 401, 190, 'Invalid OAuth access token - Cannot parse access token');
    }
    return undefined;
  }
  const proof = query.get('appsecret_proof');
  if (proof !== null && proof !== (await expectedProof(number.appSecret, token))) {
    graphError(res, 400, 100, 'Invalid appsecret_proof provided in the API argument');
    return undefined;
  }
  return number;
}

function templateBody(template: GraphTemplate, type: 'BODY' | 'HEADER'): string {
  return (
    template.components?.find((c) => c.type === type && (type === 'BODY' || c.format === 'TEXT'))?.text ?? ''
  );
}

function parameterCount(text: string): number {
  return Math.max(0, ...[...text.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => Number(m[1])));
}

interface TemplateSend {
  name?: string;
  language?: { code?: string };
  components?: { type?: string; parameters?: { type?: string; text?: string }[] }[];
}

/** The body of an approved template with its parameters, or why Meta would refuse the send. */
function renderTemplate(
  number: SimNumber,
  t: TemplateSend,
): { body: string } | { code: number; reason: string } {
  const found = number.templates.find((x) => x.name === t.name && x.language === t.language?.code);
  if (found?.status !== 'APPROVED') {
    return { code: 132001, reason: '(#132001) Template name does not exist in the translation' };
  }
  const params = (type: string) =>
    t.components
      ?.find((c) => c.type === type)
      ?.parameters?.map((p) => (typeof p.text === 'string' ? p.text : '')) ?? [];
  const body = params('body');
  if (
    parameterCount(templateBody(found, 'BODY')) !== body.length ||
    parameterCount(templateBody(found, 'HEADER')) !== params('header').length
  ) {
    return {
      code: 132000,
      reason: '(#132000) Number of parameters does not match the expected number of params',
    };
  }
  return {
    body: templateBody(found, 'BODY').replace(/\{\{\s*(\d+)\s*\}\}/g, (_, n) => body[Number(n) - 1] ?? ''),
  };
}

async function send(
  state: SimState,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  raw: string,
  query: URLSearchParams,
) {
  const rec: SendRecord = {
    seq: state.sends.length + 1,
    at: Date.now(),
    format: 'cloud',
    phoneNumberId: id,
    to: '',
    body: '',
    type: 'text',
    outcome: '',
  };
  state.sends.push(rec);
  const reject = (reason: string, status = 400, code = 100) => {
    rec.outcome = `rejected: ${reason}`;
    graphError(res, status, code, reason);
  };
  const number = await authorise(state, req, res, id, query);
  if (!number) {
    rec.outcome = `rejected: HTTP ${res.statusCode}`;
    return;
  }
  let msg: {
    messaging_product?: string;
    to?: string;
    type?: string;
    text?: { body?: string };
    template?: TemplateSend;
  };
  try {
    msg = JSON.parse(raw);
  } catch {
    return reject('the body is not JSON');
  }
  rec.to = typeof msg.to === 'string' ? msg.to.replace(/^\+/, '') : '';
  if (msg.messaging_product !== 'whatsapp') return reject('messaging_product must be "whatsapp"');
  if (!/^[1-9]\d{6,14}$/.test(rec.to)) return reject('Invalid parameter: to must be a phone number');
  if (msg.type === 'template' && typeof msg.template === 'object' && msg.template) {
    const rendered = renderTemplate(number, msg.template);
    rec.type = 'template';
    rec.template = { name: String(msg.template.name), language: String(msg.template.language?.code) };
    if (msg.template.components !== undefined) rec.components = msg.template.components;
    if ('code' in rendered) return reject(rendered.reason, 400, rendered.code);
    rec.body = rendered.body;
  } else if (msg.type === 'text') {
    rec.body = typeof msg.text?.body === 'string' ? msg.text.body : '';
    if (rec.body.length < 1 || rec.body.length > 4096) {
      return reject('Invalid parameter: text.body must be 1 to 4096 characters');
    }
  } else {
    return reject('(#131051) Unsupported message type: only text and template are simulated', 400, 131051);
  }

  const fault = answerFault(state, res, rec, 'cloud');
  if (fault.answered) return;
  const wamid = `wamid.SIM${String(rec.seq).padStart(8, '0')}${newId('', 6)}`;
  rec.wamid = wamid;
  const lastWrote = state.lastInbound.get(`${number.id}:${rec.to}`) ?? 0;
  const outside = number.enforceWindow && rec.type === 'text' && Date.now() - lastWrote > WINDOW_MS;
  rec.outcome = fault.undeliverable ? 'undeliverable' : outside ? 'outside-window' : 'accepted';
  const answer: CloudSendSuccess = {
    messaging_product: 'whatsapp',
    contacts: [{ input: msg.to as string, wa_id: rec.to }],
    messages: [{ id: wamid }],
  };
  respond(res, 200, answer);
  scheduleReports(
    state,
    number,
    rec,
    wamid,
    fault.undeliverable ? 'undeliverable' : outside ? 'outside-window' : undefined,
  );
}

async function phoneNumber(
  state: SimState,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  query: URLSearchParams,
) {
  const number = await authorise(state, req, res, id, query);
  if (!number) return;
  const all: Record<string, string> = {
    id: number.id,
    display_phone_number: `+${number.displayPhoneNumber}`,
    verified_name: number.verifiedName,
    quality_rating: number.qualityRating,
    code_verification_status: 'VERIFIED',
    name_status: 'APPROVED',
    platform_type: 'CLOUD_API',
  };
  const fields = (query.get('fields') ?? 'display_phone_number,verified_name,quality_rating').split(',');
  respond(
    res,
    200,
    Object.fromEntries([['id', number.id], ...fields.filter((f) => f in all).map((f) => [f, all[f]])]),
  );
}

/** The numbers of a WABA the token acts for, or refuses the call. */
function wabaOf(
  state: SimState,
  req: IncomingMessage,
  res: ServerResponse,
  wabaId: string,
): SimNumber[] | undefined {
  const token = bearerOf(req);
  const numbers = state.numbers.wabaNumbers(wabaId, token);
  if (numbers.length === 0) {
    const known = state.numbers.all().some((n) => n.token === token && token !== '');
    if (known)
      graphError(res, 400, 100, `Unsupported get request. Object with ID '${wabaId}' does not exist`);
    else graphError(res, 401, 190, 'Invalid OAuth access token - Cannot parse access token');
    return undefined;
  }
  return numbers;
}

function templates(res: ServerResponse, numbers: SimNumber[], query: URLSearchParams) {
  const all = numbers[0]!.templates;
  const limit = Math.min(Number(query.get('limit') ?? 25) || 25, 100);
  const start = Number(query.get('after') ?? 0) || 0;
  const page = all.slice(start, start + limit);
  const next = start + limit < all.length ? String(start + limit) : undefined;
  respond(res, 200, {
    data: page,
    paging: {
      cursors: { before: String(start), after: String(start + page.length) },
      ...(next ? { next: `?after=${next}` } : {}),
    },
  });
}

/** Handles a Cloud API request; false when the path is not one. */
export async function cloudRoute(
  state: SimState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  raw: string,
): Promise<boolean> {
  const path = url.pathname;
  const method = req.method ?? '';
  const download = path.match(/^\/media-download\/([^/]+)$/);
  if (download && method === 'GET') {
    const file = state.media.get(decodeURIComponent(download[1]!));
    const owner = file ? state.numbers.get(file.number) : undefined;
    if (!file || !owner || bearerOf(req) !== owner.token) {
      graphError(res, 404, 100, 'Media not found or access denied');
      return true;
    }
    res.writeHead(200, { 'content-type': file.mimeType, 'content-length': String(file.bytes.length) });
    res.end(file.bytes);
    return true;
  }
  const sendPath = path.match(/^\/v\d+\.\d+\/([^/]+)\/messages$/);
  if (sendPath && method === 'POST') {
    await send(state, req, res, decodeURIComponent(sendPath[1]!), raw, url.searchParams);
    return true;
  }
  const waba = path.match(/^\/v\d+\.\d+\/([^/]+)\/(phone_numbers|message_templates)$/);
  if (waba && method === 'GET') {
    const numbers = wabaOf(state, req, res, decodeURIComponent(waba[1]!));
    if (!numbers) return true;
    if (waba[2] === 'phone_numbers')
      respond(res, 200, {
        data: numbers.map((n) => ({ id: n.id, display_phone_number: `+${n.displayPhoneNumber}` })),
      });
    else templates(res, numbers, url.searchParams);
    return true;
  }
  const node = path.match(/^\/v\d+\.\d+\/([^/]+)$/);
  if (node && method === 'GET') {
    const id = decodeURIComponent(node[1]!);
    const file = state.media.get(id);
    if (file) {
      if (!(await authorise(state, req, res, file.number, url.searchParams))) return true;
      respond(res, 200, {
        messaging_product: 'whatsapp',
        url: `${state.cloudUrl()}/media-download/${encodeURIComponent(id)}`,
        mime_type: file.mimeType,
        file_size: file.bytes.length,
        id,
      });
      return true;
    }
    await phoneNumber(state, req, res, id, url.searchParams);
    return true;
  }
  return false;
}
