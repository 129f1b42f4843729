// Provider webhooks for one channel: /functions/v1/webhooks/<channel_id>.
//  GET  Meta's subscription handshake (hub.mode=subscribe, hub.verify_token, hub.challenge),
//       answered with the challenge when the token is the channel's verify token.
//  POST events: Cloud API deliveries (Meta and simulator channels) signed with
//       X-Hub-Signature-256 over the raw bytes under the channel's app secret; Whapi
//       deliveries carrying the channel's secret in a header. No JWT (config.toml
//       verify_jwt = false): the signature or secret is the authentication, checked before
//       anything is read or written.
// An unknown channel and a bad signature get the very same answer (401, or 403 for the
// handshake), after the same checks (against a decoy's secrets for an unknown channel), so
// neither the answer nor its timing tells anybody which channel ids exist. Answers: 200 applied
// (unknown event kinds acknowledged and counted); 400 a malformed body, which a retry will
// not fix; 413 too large; 502 the database failed, so the provider retries later
// (recording is idempotent).

import { type WebhookReading, WebhookShapeError } from '../_shared/channel-events.ts';
import {
  type ChannelAccess,
  channelAccess,
  decoyWebhookChecks,
  loadChannel,
} from '../_shared/channel-provider.ts';
import { ServiceApiError, serviceApi } from '../_shared/service-api.ts';

// Cloud API deliveries are a few kilobytes; a megabyte leaves room for batched events.
export const MAX_WEBHOOK_BYTES = 1_000_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function problem(status: number, message: string): Response {
  return Response.json({ error: message }, { status });
}

const UNAUTHENTICATED = 'missing or invalid signature';
const FORBIDDEN = 'hub.mode must be subscribe and hub.verify_token must match';

function channelIdOf(req: Request): string | undefined {
  return new URL(req.url).pathname.match(/\/webhooks\/([^/]+)\/?$/)?.[1];
}

export function createHandler(env: Record<string, string>) {
  const api = serviceApi(env);
  const decoy = decoyWebhookChecks(env);

  /** The channel's provider access, or undefined for any channel that cannot take webhooks. */
  async function accessOf(id: string | undefined): Promise<ChannelAccess | undefined> {
    if (!id || !UUID.test(id)) return undefined;
    const stored = await loadChannel(api, id);
    if (!stored || stored.channel._deleted) return undefined;
    const access = await channelAccess(stored, env);
    return 'unavailable' in access ? undefined : access;
  }

  async function handshake(req: Request): Promise<Response> {
    const params = new URL(req.url).searchParams;
    const access = await accessOf(channelIdOf(req));
    const token = params.get('hub.verify_token') ?? '';
    // The token is compared whatever the rest says: a refusal always costs the same.
    const verified = await (access ?? decoy).verifyHandshake(token);
    if (!access || !verified || params.get('hub.mode') !== 'subscribe') return problem(403, FORBIDDEN);
    return new Response(params.get('hub.challenge') ?? '', {
      status: 200,
      headers: { 'content-type': 'text/plain' },
    });
  }

  async function readBody(req: Request): Promise<Uint8Array | Response> {
    if (Number(req.headers.get('content-length') ?? 0) > MAX_WEBHOOK_BYTES) {
      return problem(413, `the body exceeds ${MAX_WEBHOOK_BYTES} bytes`);
    }
    const raw = new Uint8Array(await req.arrayBuffer());
    if (raw.byteLength > MAX_WEBHOOK_BYTES)
      return problem(413, `the body exceeds ${MAX_WEBHOOK_BYTES} bytes`);
    return raw;
  }

  async function events(req: Request): Promise<Response> {
    const raw = await readBody(req);
    if (raw instanceof Response) return raw;
    const channelId = channelIdOf(req);
    const access = await accessOf(channelId);
    const verified = await (access ?? decoy).verifyDelivery(raw, req.headers);
    if (!channelId || !access || !verified) return problem(401, UNAUTHENTICATED);

    let reading: WebhookReading;
    try {
      reading = access.readDelivery(JSON.parse(new TextDecoder().decode(raw)));
    } catch (err) {
      if (err instanceof SyntaxError) return problem(400, 'the body is not valid JSON');
      if (err instanceof WebhookShapeError) return problem(400, err.message);
      throw err;
    }
    try {
      const recorded = await api.rpc<Record<string, number>>('record_channel_events', {
        p_channel_id: channelId,
        p_events: reading.events,
        p_ignored: reading.ignored,
      });
      return Response.json(recorded);
    } catch (err) {
      if (err instanceof ServiceApiError && err.status === 400) return problem(400, err.message);
      return problem(502, `the events could not be recorded: ${(err as Error).message}`);
    }
  }

  return async (req: Request): Promise<Response> => {
    if (req.method === 'GET') return handshake(req);
    if (req.method === 'POST') return events(req);
    return new Response(JSON.stringify({ error: 'use GET or POST' }), {
      status: 405,
      headers: { allow: 'GET, POST', 'content-type': 'application/json' },
    });
  };
}
