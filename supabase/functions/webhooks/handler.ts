// Provider webhooks for one channel: /functions/v1/webhooks/<channel_id>.
//  GET  the subscription handshake (hub.mode=subscribe, hub.verify_token, hub.challenge).
//  POST events (Cloud API format), signed with X-Hub-Signature-256 under the channel's
//       provider app secret. No JWT (config.toml verify_jwt = false): providers have none,
//       so the signature is the authentication, checked before anything is read or written.
// Answers: 200 applied (or nothing to apply); 400 a malformed body, which a retry will not
// fix; 401 a missing or forged signature; 404 no such channel; 502 the database failed, so
// the provider retries later (recording is idempotent).
import { channelProvider } from '../_shared/channel-provider.ts';
import { readCloudWebhook, WebhookShapeError } from '../_shared/cloud-webhook.ts';
import { ServiceApiError, serviceApi } from '../_shared/service-api.ts';
import { verifyWebhook } from '../_shared/webhook-signature.ts';

// Cloud API deliveries are a few kilobytes; a megabyte leaves room for batched events.
export const MAX_WEBHOOK_BYTES = 1_000_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function problem(status: number, message: string): Response {
  return Response.json({ error: message }, { status });
}

export function createHandler(env: Record<string, string>) {
  const api = serviceApi(env);

  async function channelOf(req: Request) {
    const id = new URL(req.url).pathname.match(/\/webhooks\/([^/]+)\/?$/)?.[1];
    if (!id || !UUID.test(id)) return problem(404, 'the path must be /webhooks/<channel id>');
    const [channel] = await api.select<{ id: string; provider: string }>('channels', {
      select: 'id,provider',
      id: `eq.${id}`,
      _deleted: 'eq.false',
    });
    if (!channel) return problem(404, `no channel ${id}`);
    const provider = channelProvider(channel.provider, channel.id, env);
    if ('unavailable' in provider) return problem(404, provider.unavailable);
    return { channelId: channel.id, provider };
  }

  async function handshake(req: Request): Promise<Response> {
    const found = await channelOf(req);
    if (found instanceof Response) return found;
    const params = new URL(req.url).searchParams;
    const token = found.provider.verifyToken;
    if (params.get('hub.mode') !== 'subscribe' || token === '' || params.get('hub.verify_token') !== token) {
      return problem(403, 'hub.mode must be subscribe and hub.verify_token must match');
    }
    return new Response(params.get('hub.challenge') ?? '', {
      status: 200,
      headers: { 'content-type': 'text/plain' },
    });
  }

  async function events(req: Request): Promise<Response> {
    if (Number(req.headers.get('content-length') ?? 0) > MAX_WEBHOOK_BYTES) {
      return problem(413, `the body exceeds ${MAX_WEBHOOK_BYTES} bytes`);
    }
    const raw = await req.text();
    if (raw.length > MAX_WEBHOOK_BYTES) return problem(413, `the body exceeds ${MAX_WEBHOOK_BYTES} bytes`);
    const found = await channelOf(req);
    if (found instanceof Response) return found;
    if (!(await verifyWebhook(found.provider.appSecret, raw, req.headers.get('x-hub-signature-256')))) {
      return problem(401, 'missing or invalid X-Hub-Signature-256');
    }

    let events: ReturnType<typeof readCloudWebhook>;
    try {
      events = readCloudWebhook(JSON.parse(raw), found.provider.phoneNumberId);
    } catch (err) {
      if (err instanceof SyntaxError) return problem(400, 'the body is not valid JSON');
      if (err instanceof WebhookShapeError) return problem(400, err.message);
      throw err;
    }
    if (events.statuses.length === 0 && events.messages.length === 0) {
      return Response.json({ ignored: events.ignored });
    }
    try {
      const recorded = await api.rpc<Record<string, number>>('record_provider_events', {
        p_channel_id: found.channelId,
        p_statuses: events.statuses,
        p_messages: events.messages,
      });
      return Response.json({ ...recorded, ignored: events.ignored });
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
