// The WhatsApp provider simulator, the embedded default provider: a small HTTP server that
// speaks the Cloud API send (POST /{version}/{phone_number_id}/messages) so the real adapter
// talks to it, then reports sent, delivered and read (and optionally a reply) by signed
// webhook. For tests it takes faults to inject and keeps a log of every send it received.
//
// Control API (JSON), beside the Cloud API:
//   GET  /_simulator/sends     {sends: SendRecord[]} in arrival order
//   GET  /_simulator/webhooks  {webhooks: WebhookDelivery[]}
//   POST /_simulator/faults    {faults: Fault[]} answer the next sends with these, in order
//   POST /_simulator/config    {delays?, replyText?, duplicateWebhooks?}
//   POST /_simulator/reset     forget sends, webhooks and pending faults
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudSendSuccess, CloudTextMessage } from '../../functions/_shared/cloud-api.ts';
import { type Fault, faultBody, isFault } from './faults.ts';
import {
  postWebhook,
  replyWebhook,
  statusWebhook,
  type WebhookDelivery,
  type WebhookTarget,
} from './webhooks.ts';

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

export interface SimulatorOptions extends Partial<Omit<SimulatorSettings, 'delays'>> {
  port?: number;
  host?: string;
  /** Base URL of the webhooks; a number's events go to `${webhookUrl}/${phone_number_id}`. */
  webhookUrl?: string;
  appSecret: string;
  delays?: Partial<SimulatorDelays>;
  displayPhoneNumber?: string;
}

export interface SendRecord {
  /** 1, 2, 3… in arrival order. */
  seq: number;
  /** Arrival time, ms since the epoch. */
  at: number;
  phoneNumberId: string;
  /** As sent: digits without +. */
  to: string;
  body: string;
  /** accepted | undeliverable | http <status> | hang | rejected: <reason> */
  outcome: string;
  /** The wamid returned, for accepted and undeliverable sends. */
  wamid?: string;
}

export interface Simulator {
  url: string;
  sends(): SendRecord[];
  /** Sends answered 200 (accepted, and undeliverable ones), in arrival order. */
  accepted(): SendRecord[];
  webhooks(): WebhookDelivery[];
  inject(...faults: Fault[]): void;
  configure(
    settings: Partial<Omit<SimulatorSettings, 'delays'>> & { delays?: Partial<SimulatorDelays> },
  ): void;
  /** The webhook target, settable once the receiving server knows its own URL. */
  setWebhookUrl(url: string): void;
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_DELAYS: SimulatorDelays = { sent: 200, delivered: 1000, read: 3000, reply: null };
const MAX_BODY_BYTES = 64 * 1024;

/** What is wrong with a control API config body, or null when nothing is. */
function configProblem(input: Record<string, unknown>): string | null {
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

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const settings: SimulatorSettings = {
    delays: { ...DEFAULT_DELAYS, ...opts.delays },
    replyText: opts.replyText ?? null,
    duplicateWebhooks: opts.duplicateWebhooks ?? false,
  };
  const target: WebhookTarget = {
    url: opts.webhookUrl ?? '',
    appSecret: opts.appSecret,
    displayPhoneNumber: opts.displayPhoneNumber ?? '15550000000',
  };
  let sends: SendRecord[] = [];
  let deliveries: WebhookDelivery[] = [];
  let faults: Fault[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const closing = new AbortController();

  function later(ms: number, fn: () => Promise<unknown> | undefined): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      void fn();
    }, ms);
    timers.add(timer);
  }

  function report(
    phoneNumberId: string,
    kind: WebhookDelivery['kind'],
    id: string,
    hook: ReturnType<typeof statusWebhook>,
    status?: string,
  ) {
    if (!target.url) return undefined;
    const once = async () => {
      const httpStatus = await postWebhook(target, phoneNumberId, hook, closing.signal);
      deliveries.push({ at: Date.now(), phoneNumberId, kind, id, ...(status ? { status } : {}), httpStatus });
    };
    return settings.duplicateWebhooks ? Promise.all([once(), once()]) : once();
  }

  function scheduleReports(rec: SendRecord, wamid: string, undeliverable: boolean) {
    const { delays } = settings;
    const status =
      (name: string, extra: object = {}) =>
      () =>
        report(
          rec.phoneNumberId,
          'status',
          wamid,
          statusWebhook(target, rec.phoneNumberId, {
            id: wamid,
            status: name,
            recipient_id: rec.to,
            ...extra,
          }),
          name,
        );
    if (delays.sent !== null) later(delays.sent, status('sent'));
    if (undeliverable) {
      const error = {
        code: 131026,
        title: 'Message undeliverable',
        message: 'Message undeliverable',
        error_data: { details: 'The recipient is not a WhatsApp user' },
      };
      later((delays.sent ?? 0) + 1, status('failed', { errors: [error] }));
      return;
    }
    if (delays.delivered !== null) later(delays.delivered, status('delivered'));
    if (delays.read !== null) later(delays.read, status('read'));
    const replyText = settings.replyText;
    if (delays.reply !== null && replyText !== null) {
      const id = `wamid.SIMIN${randomBytes(8).toString('hex')}`;
      later(delays.reply, () =>
        report(
          rec.phoneNumberId,
          'message',
          id,
          replyWebhook(target, rec.phoneNumberId, { id, from: rec.to, body: replyText }),
        ),
      );
    }
  }

  function graph(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  async function handleSend(req: IncomingMessage, res: ServerResponse, phoneNumberId: string, raw: string) {
    const rec: SendRecord = {
      seq: sends.length + 1,
      at: Date.now(),
      phoneNumberId,
      to: '',
      body: '',
      outcome: '',
    };
    sends.push(rec);
    const reject = (reason: string, status = 400, code = 100) => {
      rec.outcome = `rejected: ${reason}`;
      graph(res, status, {
        error: { message: reason, type: 'OAuthException', code, fbtrace_id: `sim${rec.seq}` },
      });
    };
    if (!/^Bearer \S+$/.test(req.headers.authorization ?? ''))
      return reject('Invalid OAuth access token', 401, 190);
    let msg: Partial<CloudTextMessage>;
    try {
      msg = JSON.parse(raw) as Partial<CloudTextMessage>;
    } catch {
      return reject('the body is not JSON');
    }
    rec.to = typeof msg.to === 'string' ? msg.to.replace(/^\+/, '') : '';
    rec.body = typeof msg.text?.body === 'string' ? msg.text.body : '';
    if (msg.messaging_product !== 'whatsapp') return reject('messaging_product must be "whatsapp"');
    if (!/^[1-9]\d{6,14}$/.test(rec.to)) return reject('Invalid parameter: to must be a phone number');
    if (msg.type !== 'text') return reject('Invalid parameter: only type "text" is simulated');
    if (rec.body.length < 1 || rec.body.length > 4096)
      return reject('Invalid parameter: text.body must be 1 to 4096 characters');

    const fault = faults.shift();
    if (fault?.kind === 'http') {
      rec.outcome = `http ${fault.status}`;
      return graph(
        res,
        fault.status,
        faultBody(fault.status, fault.message),
        fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
      );
    }
    if (fault?.kind === 'hang') {
      rec.outcome = 'hang';
      return later(fault.ms, async () => {
        if (!res.writableEnded && !res.destroyed) graph(res, 504, faultBody(504, 'timed out'));
      });
    }
    const wamid = `wamid.SIM${String(rec.seq).padStart(8, '0')}${randomBytes(6).toString('hex')}`;
    rec.wamid = wamid;
    rec.outcome = fault?.kind === 'undeliverable' ? 'undeliverable' : 'accepted';
    const answer: CloudSendSuccess = {
      messaging_product: 'whatsapp',
      contacts: [{ input: msg.to as string, wa_id: rec.to }],
      messages: [{ id: wamid }],
    };
    graph(res, 200, answer);
    scheduleReports(rec, wamid, fault?.kind === 'undeliverable');
  }

  function handleControl(res: ServerResponse, method: string, action: string, raw: string) {
    let input: Record<string, unknown> = {};
    if (method === 'POST' && raw !== '') {
      try {
        input = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return graph(res, 400, { error: 'the body is not JSON' });
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        return graph(res, 400, { error: 'the body must be a JSON object' });
      }
    }
    const route = `${method} ${action}`;
    if (route === 'GET sends') return graph(res, 200, { sends });
    if (route === 'GET webhooks') return graph(res, 200, { webhooks: deliveries });
    if (route === 'POST reset') {
      simulator.reset();
      return graph(res, 200, { ok: true });
    }
    if (route === 'POST faults') {
      const list = input.faults;
      if (!Array.isArray(list) || !list.every(isFault)) {
        return graph(res, 400, {
          error:
            'faults must be an array of {kind: "http", status, message?, retryAfter?} | {kind: "hang", ms} | {kind: "undeliverable"}',
        });
      }
      simulator.inject(...list);
      return graph(res, 200, { pending: faults.length });
    }
    if (route === 'POST config') {
      const problem = configProblem(input);
      if (problem) return graph(res, 400, { error: problem });
      simulator.configure(input as Parameters<Simulator['configure']>[0]);
      return graph(res, 200, settings);
    }
    return graph(res, 404, { error: `no control route ${route}` });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES)
        return graph(res, 413, { error: `the body exceeds ${MAX_BODY_BYTES} bytes` });
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', 'http://simulator').pathname;
      const control = path.match(/^\/_simulator\/(\w+)$/);
      if (control) return handleControl(res, req.method ?? '', control[1]!, raw);
      const send = path.match(/^\/v\d+(?:\.\d+)?\/([^/]+)\/messages$/);
      if (send && req.method === 'POST') return void handleSend(req, res, decodeURIComponent(send[1]!), raw);
      graph(res, 404, {
        error: {
          message: `Unknown path ${path}`,
          type: 'GraphMethodException',
          code: 100,
          fbtrace_id: 'sim',
        },
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const simulator: Simulator = {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    sends: () => sends.map((s) => ({ ...s })),
    accepted: () =>
      sends.filter((s) => s.outcome === 'accepted' || s.outcome === 'undeliverable').map((s) => ({ ...s })),
    webhooks: () => deliveries.map((d) => ({ ...d })),
    inject(...more) {
      faults.push(...more);
    },
    configure(next) {
      if (next.delays) settings.delays = { ...settings.delays, ...next.delays };
      if (next.replyText !== undefined) settings.replyText = next.replyText;
      if (next.duplicateWebhooks !== undefined) settings.duplicateWebhooks = next.duplicateWebhooks;
    },
    setWebhookUrl(url) {
      target.url = url.replace(/\/$/, '');
    },
    reset() {
      sends = [];
      deliveries = [];
      faults = [];
    },
    async close() {
      closing.abort();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return simulator;
}
