// The WhatsApp Cloud API (Meta), as documented on the Graph API: a Bearer access token, an
// API version in the path, appsecret_proof (HMAC-SHA256 of the token under the app secret)
// on every call when the app secret is known, and Graph error bodies whose `code` decides
// what Pigeon does (README: provider adapters). Both Meta channels and the embedded
// simulator speak it, so the simulator exercises this very code. Web-standard fetch only.
import { hmacHex } from './hmac.ts';
import {
  type CheckResult,
  DEGRADED_PAUSE_SECONDS,
  type ProviderSender,
  type SendFailure,
  type SendOutcome,
  type SendRequest,
  type TemplateMessage,
} from './provider.ts';
import { callProvider, isObject, type ProviderAnswer } from './provider-http.ts';
import { parseRetryAfter } from './retry-after.ts';

export const GRAPH_API_VERSION = 'v21.0';
export const GRAPH_API_URL = 'https://graph.facebook.com';

/** The request body of a text message. */
export interface CloudTextMessage {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  /** The recipient's number: digits, with or without the leading +. */
  to: string;
  type: 'text';
  text: { body: string; preview_url?: boolean };
}

/** The request body of a template message. */
export interface CloudTemplateMessage {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to: string;
  type: 'template';
  template: TemplateMessage;
}

export interface CloudSendSuccess {
  messaging_product: 'whatsapp';
  contacts: { input: string; wa_id: string }[];
  messages: { id: string; message_status?: string }[];
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

/** Where and as whom a channel calls the Graph API. */
export interface CloudApiAccount {
  /** e.g. https://graph.facebook.com, or the simulator's URL (META_GRAPH_URL). */
  baseUrl: string;
  /** e.g. v21.0 (META_GRAPH_VERSION). */
  version: string;
  accessToken: string;
  /** Signs appsecret_proof; absent: calls go without it. */
  appSecret?: string;
  timeoutMs: number;
}

/** The Graph API's address and version from the environment. */
export function graphEndpoint(env: Record<string, string | undefined>): { baseUrl: string; version: string } {
  const version = env.META_GRAPH_VERSION || GRAPH_API_VERSION;
  if (!/^v\d+\.\d+$/.test(version))
    throw new Error(`META_GRAPH_VERSION must look like v21.0, got ${version}`);
  return { baseUrl: (env.META_GRAPH_URL || GRAPH_API_URL).replace(/\/$/, ''), version };
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

/** The message body Meta takes for a send: a template when the message has one. */
export function messageBody(req: SendRequest): CloudTextMessage | CloudTemplateMessage {
  if (!req.template) return textMessage(req);
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: req.to.replace(/^\+/, ''),
    type: 'template',
    template: req.template,
  };
}

function graphErrorOf(body: unknown): GraphError['error'] | undefined {
  const err = isObject(body) ? body.error : undefined;
  return isObject(err) ? (err as unknown as GraphError['error']) : undefined;
}

/** The people-readable reason of a Graph error body, or the HTTP status when there is none. */
export function graphErrorText(status: number, body: unknown): string {
  const err = graphErrorOf(body);
  if (err && typeof err.message === 'string' && err.message !== '') {
    const details = err.error_data?.details;
    const text = details && details !== err.message ? `${err.message}: ${details}` : err.message;
    return typeof err.code === 'number' ? `${text} (code ${err.code})` : text;
  }
  return `HTTP ${status}`;
}

// Graph error codes by what they mean for a send (Meta's error code reference).
/** The token expired, was revoked, or lost its permissions; the account is locked. */
const CREDENTIAL_CODES = new Set([0, 10, 190, 131031]);
/** Throughput of the app, the WABA or the number. */
const THROUGHPUT_CODES = new Set([4, 80007, 130429]);
/** Too many messages from this number to one recipient. */
const PAIR_RATE_CODE = 131056;
/** The number is restricted: spam rate limit, policy block, unpaid account. */
const RESTRICTED_CODES = new Set([131048, 368, 131042]);
/** Meta's own trouble: worth another try. */
const TRANSIENT_CODES = new Set([1, 2, 131000, 131016, 133004]);
/** The customer has not written within 24 hours: free text is refused, a template is needed. */
const REENGAGEMENT_CODE = 131047;

/** What people read of a 131047 refusal, sent back at once or reported by webhook. */
export function reengagementText(providerText: string): string {
  return `the customer has not written in the last 24 hours: send an approved template instead (${providerText})`;
}

export function isReengagement(code: unknown): boolean {
  return code === REENGAGEMENT_CODE;
}

function isPermissionCode(code: number): boolean {
  return code >= 200 && code <= 299;
}

/** What a Graph answer to a send means for the outbox (README: provider adapters). */
export function outcomeOf(status: number, headers: Headers, body: unknown, now = Date.now()): SendOutcome {
  if (status >= 200 && status < 300) {
    const id = isObject(body) ? (body as Partial<CloudSendSuccess>).messages?.[0]?.id : undefined;
    if (typeof id === 'string' && id !== '') return { ok: true, providerMessageId: id };
    // Accepted but untraceable: sending again could deliver it twice, so do not.
    return { ok: false, action: 'fail', error: `the provider answered ${status} without a message id` };
  }
  return failureOf(status, headers, body, now);
}

function failureOf(status: number, headers: Headers, body: unknown, now: number): SendFailure {
  const error = graphErrorText(status, body);
  const code = graphErrorOf(body)?.code;
  const wait = () => parseRetryAfter(headers.get('retry-after'), now);
  if (typeof code === 'number') {
    if (code === REENGAGEMENT_CODE) return { ok: false, action: 'fail', error: reengagementText(error) };
    if (CREDENTIAL_CODES.has(code) || isPermissionCode(code))
      return { ok: false, action: 'disconnect', error };
    if (THROUGHPUT_CODES.has(code))
      return { ok: false, action: 'throttle', error, retryAfterSeconds: wait() };
    if (code === PAIR_RATE_CODE) return { ok: false, action: 'defer', error, retryAfterSeconds: wait() };
    if (RESTRICTED_CODES.has(code)) {
      return { ok: false, action: 'degrade', error, retryAfterSeconds: DEGRADED_PAUSE_SECONDS };
    }
    if (TRANSIENT_CODES.has(code)) return { ok: false, action: 'retry', error };
  }
  if (status === 401 || status === 403) return { ok: false, action: 'disconnect', error };
  if (status === 429) return { ok: false, action: 'throttle', error, retryAfterSeconds: wait() };
  if (status === 408 || status >= 500) return { ok: false, action: 'retry', error };
  return { ok: false, action: 'fail', error };
}

/** The URL of a Graph call, with appsecret_proof when the account knows its app secret. */
async function graphUrl(account: CloudApiAccount, path: string, query: Record<string, string> = {}) {
  const params = new URLSearchParams(query);
  if (account.appSecret) params.set('appsecret_proof', await hmacHex(account.appSecret, account.accessToken));
  const search = params.toString();
  return `${account.baseUrl}/${account.version}/${path}${search ? `?${search}` : ''}`;
}

function bearer(account: CloudApiAccount): Record<string, string> {
  return { authorization: `Bearer ${account.accessToken}` };
}

export function cloudApiSender(account: CloudApiAccount, phoneNumberId: string): ProviderSender {
  // Once per sender: the proof is the same for every send, and a send is timed to its slot.
  const url = graphUrl(account, `${encodeURIComponent(phoneNumberId)}/messages`);
  return {
    async send(req) {
      const answer = await callProvider(
        await url,
        {
          method: 'POST',
          headers: { ...bearer(account), 'content-type': 'application/json' },
          body: JSON.stringify(messageBody(req)),
        },
        account.timeoutMs,
      );
      if ('unanswered' in answer) return { ok: false, action: 'retry', error: answer.unanswered };
      return outcomeOf(answer.status, answer.headers, answer.body);
    },
  };
}

/** The fields of a business phone number that "test connection" reads. */
export interface PhoneNumberFacts {
  display_phone_number?: string;
  verified_name?: string;
  quality_rating?: string;
  code_verification_status?: string;
  name_status?: string;
  platform_type?: string;
}

export const PHONE_NUMBER_FIELDS =
  'display_phone_number,verified_name,quality_rating,code_verification_status,name_status,platform_type';

/** Which credential a Graph refusal of a check blames. */
function refusedField(answer: ProviderAnswer, idField: string): string {
  const err = graphErrorOf(answer.body);
  if (err?.code === 100 && /appsecret_proof/i.test(err.message)) return 'app_secret';
  if (answer.status === 401 || (err && (CREDENTIAL_CODES.has(err.code) || isPermissionCode(err.code)))) {
    return 'access_token';
  }
  return idField;
}

async function graphGet(account: CloudApiAccount, path: string, query: Record<string, string>) {
  return callProvider(await graphUrl(account, path, query), { headers: bearer(account) }, account.timeoutMs);
}

/** GET /{phone-number-id}: the number's display number, verified name and quality rating. */
export async function phoneNumberFacts(
  account: CloudApiAccount,
  phoneNumberId: string,
): Promise<CheckResult<PhoneNumberFacts>> {
  const answer = await graphGet(account, encodeURIComponent(phoneNumberId), { fields: PHONE_NUMBER_FIELDS });
  if ('unanswered' in answer) return { ok: false, error: answer.unanswered };
  if (answer.status !== 200 || !isObject(answer.body)) {
    const field = refusedField(answer, 'phone_number_id');
    return { ok: false, field, error: `${field}: ${graphErrorText(answer.status, answer.body)}` };
  }
  const facts: PhoneNumberFacts = {};
  for (const name of PHONE_NUMBER_FIELDS.split(',') as (keyof PhoneNumberFacts)[]) {
    const value = answer.body[name];
    if (typeof value === 'string') facts[name] = value;
  }
  return { ok: true, facts };
}

/** GET /{waba-id}/phone_numbers: whether the number belongs to the WhatsApp Business Account. */
export async function wabaHasNumber(
  account: CloudApiAccount,
  wabaId: string,
  phoneNumberId: string,
): Promise<CheckResult<true>> {
  const answer = await graphGet(account, `${encodeURIComponent(wabaId)}/phone_numbers`, { fields: 'id' });
  if ('unanswered' in answer) return { ok: false, error: answer.unanswered };
  if (answer.status !== 200 || !isObject(answer.body) || !Array.isArray(answer.body.data)) {
    const field = refusedField(answer, 'waba_id');
    return { ok: false, field, error: `${field}: ${graphErrorText(answer.status, answer.body)}` };
  }
  const ids = answer.body.data.map((n) => (isObject(n) ? n.id : undefined));
  if (!ids.includes(phoneNumberId)) {
    return {
      ok: false,
      field: 'phone_number_id',
      error: `phone_number_id: ${phoneNumberId} is not a phone number of WhatsApp Business Account ${wabaId}`,
    };
  }
  return { ok: true, facts: true };
}

/** A message template as GET /{waba-id}/message_templates lists it. */
export interface GraphTemplate {
  id?: string;
  name: string;
  language: string;
  category?: string;
  status?: string;
  rejected_reason?: string;
  components?: { type: string; format?: string; text?: string }[];
}

const TEMPLATE_FIELDS = 'id,name,language,category,status,rejected_reason,components';
const MAX_TEMPLATE_PAGES = 50;

/** Every message template of the WABA, following the paging cursors. */
export async function messageTemplates(
  account: CloudApiAccount,
  wabaId: string,
): Promise<CheckResult<GraphTemplate[]>> {
  const templates: GraphTemplate[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_TEMPLATE_PAGES; page++) {
    const answer = await graphGet(account, `${encodeURIComponent(wabaId)}/message_templates`, {
      fields: TEMPLATE_FIELDS,
      limit: '100',
      ...(after ? { after } : {}),
    });
    if ('unanswered' in answer) return { ok: false, error: answer.unanswered };
    if (answer.status !== 200 || !isObject(answer.body) || !Array.isArray(answer.body.data)) {
      const field = refusedField(answer, 'waba_id');
      return { ok: false, field, error: `${field}: ${graphErrorText(answer.status, answer.body)}` };
    }
    for (const t of answer.body.data) {
      if (isObject(t) && typeof t.name === 'string' && typeof t.language === 'string') {
        templates.push(t as unknown as GraphTemplate);
      }
    }
    const paging = isObject(answer.body.paging) ? answer.body.paging : {};
    const cursor = isObject(paging.cursors) ? paging.cursors.after : undefined;
    if (typeof paging.next !== 'string' || typeof cursor !== 'string') return { ok: true, facts: templates };
    after = cursor;
  }
  return { ok: false, error: `the WABA lists more than ${MAX_TEMPLATE_PAGES * 100} templates` };
}

/** GET /{media-id}: the short-lived URL of an inbound media file and its MIME type. */
export async function mediaLocation(
  account: CloudApiAccount,
  mediaId: string,
): Promise<CheckResult<{ url: string; mime_type?: string }>> {
  const answer = await graphGet(account, encodeURIComponent(mediaId), {});
  if ('unanswered' in answer) return { ok: false, error: answer.unanswered };
  const url = isObject(answer.body) ? answer.body.url : undefined;
  if (answer.status !== 200 || typeof url !== 'string') {
    return { ok: false, error: graphErrorText(answer.status, answer.body) };
  }
  const mime = isObject(answer.body) ? answer.body.mime_type : undefined;
  return { ok: true, facts: { url, ...(typeof mime === 'string' ? { mime_type: mime } : {}) } };
}

/** The headers a media download sends (the media URL takes the same Bearer token). */
export function mediaHeaders(account: CloudApiAccount): Record<string, string> {
  return bearer(account);
}
