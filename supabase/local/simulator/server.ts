// The WhatsApp provider simulator, the embedded default provider, one server per wire format:
// the Cloud API (`url`: sends, phone numbers, templates, media; cloud-routes.ts) and
// Whapi.cloud (`whapiUrl`: sends, health, settings, media; whapi-routes.ts). After a send it
// reports sent, delivered and read (and optionally a reply) by webhook in the number's
// format, signed (Cloud API) or carrying the channel's secret header (Whapi). Tests inject
// faults, register numbers, make customers write (inbound.ts) and read what it received,
// in-process or through the control API (control.ts, on `url`), which only the holder of
// the control secret may use.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cloudRoute } from './cloud-routes.ts';
import { controlRoute } from './control.ts';
import { inbound } from './inbound.ts';
import { numberRegistry } from './numbers.ts';
import { DEFAULT_DELAYS, respond, type SimState } from './state.ts';
import { whapiRoute } from './whapi-routes.ts';

export type { SendRecord, SimulatorDelays, SimulatorSettings } from './state.ts';

import type { Simulator, SimulatorOptions } from './simulator.ts';

export { DEFAULT_DELAYS } from './state.ts';
export type { Simulator, SimulatorOptions };

const MAX_BODY_BYTES = 64 * 1024;

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** An HTTP server reading whole (bounded) bodies before `handle`. */
function bodyServer(
  handle: (req: IncomingMessage, res: ServerResponse, url: URL, raw: string) => Promise<void>,
) {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES)
        return respond(res, 413, { error: `the body exceeds ${MAX_BODY_BYTES} bytes` });
      const url = new URL(req.url ?? '/', 'http://simulator');
      handle(req, res, url, Buffer.concat(chunks).toString('utf8')).catch((err: Error) => {
        if (!res.headersSent) respond(res, 500, { error: err.message });
      });
    });
  });
}

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  const closing = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const controlSecret = opts.controlSecret ?? randomBytes(32).toString('hex');
  let cloudUrl = '';
  const state: SimState = {
    settings: {
      delays: { ...DEFAULT_DELAYS, ...opts.delays },
      replyText: opts.replyText ?? null,
      duplicateWebhooks: opts.duplicateWebhooks ?? false,
    },
    defaults: {
      token: opts.accessToken ?? randomBytes(24).toString('hex'),
      appSecret: opts.appSecret,
      webhookUrl: (opts.webhookUrl ?? '').replace(/\/$/, ''),
      displayPhoneNumber: opts.displayPhoneNumber ?? '15550000000',
    },
    numbers: undefined as unknown as SimState['numbers'],
    sends: [],
    deliveries: [],
    faults: [],
    media: new Map(),
    lastInbound: new Map(),
    cloudUrl: () => cloudUrl,
    later(ms, fn) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        void fn();
      }, ms);
      timers.add(timer);
    },
    signal: closing.signal,
  };
  state.numbers = numberRegistry(state.defaults);

  const cloud = bodyServer(async (req, res, url, raw) => {
    if (url.pathname.startsWith('/_simulator/')) {
      return controlRoute(state, simulator, controlSecret, req, res, url.pathname, raw);
    }
    if (!(await cloudRoute(state, req, res, url, raw))) {
      respond(res, 404, {
        error: {
          message: `Unknown path ${url.pathname}`,
          type: 'GraphMethodException',
          code: 100,
          fbtrace_id: 'sim',
        },
      });
    }
  });
  const whapi = bodyServer(async (req, res, url, raw) => {
    if (!(await whapiRoute(state, req, res, url, raw))) {
      respond(res, 404, { error: { code: 404, message: `Unknown path ${url.pathname}` } });
    }
  });
  const [cloudPort, whapiPort] = await Promise.all([
    listen(cloud, opts.port ?? 0, host),
    listen(whapi, opts.whapiPort ?? 0, host),
  ]);
  cloudUrl = `http://${host}:${cloudPort}`;

  const simulator: Simulator = {
    url: cloudUrl,
    whapiUrl: `http://${host}:${whapiPort}`,
    accessToken: state.defaults.token,
    controlSecret,
    sends: () => state.sends.map((s) => ({ ...s })),
    accepted: () =>
      state.sends
        .filter((s) => ['accepted', 'undeliverable', 'outside-window'].includes(s.outcome))
        .map((s) => ({ ...s })),
    webhooks: () => state.deliveries.map((d) => ({ ...d })),
    inject(...more) {
      state.faults.push(...more);
    },
    configure(next) {
      if (next.delays) state.settings.delays = { ...state.settings.delays, ...next.delays };
      if (next.replyText !== undefined) state.settings.replyText = next.replyText;
      if (next.duplicateWebhooks !== undefined) state.settings.duplicateWebhooks = next.duplicateWebhooks;
    },
    setWebhookUrl(url) {
      state.defaults.webhookUrl = url.replace(/\/$/, '');
    },
    addNumber: (spec) => state.numbers.add(spec),
    number: (id) => state.numbers.get(id),
    async setNumberWebhook(id, url, verifyToken) {
      const challenge = randomBytes(8).toString('hex');
      const target = new URL(url);
      target.searchParams.set('hub.mode', 'subscribe');
      target.searchParams.set('hub.verify_token', verifyToken);
      target.searchParams.set('hub.challenge', challenge);
      try {
        const res = await fetch(target, { signal: AbortSignal.timeout(10_000) });
        const body = await res.text();
        if (res.status !== 200 || body !== challenge) {
          return { ok: false, error: `the callback URL did not answer the challenge (HTTP ${res.status})` };
        }
      } catch (err) {
        return { ok: false, error: `the callback URL could not be reached: ${(err as Error).message}` };
      }
      state.numbers.get(id).webhook = { url, headers: {} };
      return { ok: true };
    },
    rotateToken: (id) => state.numbers.rotateToken(state.numbers.get(id)),
    revokeToken(id) {
      state.numbers.get(id).token = '';
    },
    inbound: (id, spec) => inbound(state, state.numbers.get(id), spec),
    reset() {
      state.sends = [];
      state.deliveries = [];
      state.faults = [];
    },
    async close() {
      closing.abort();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(
        [cloud, whapi].map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
  return simulator;
}
