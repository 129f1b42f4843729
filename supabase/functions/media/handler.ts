// Media of a message, on demand: GET /functions/v1/media/<message id>. The message is read
// with the caller's own token, so only members of its workspace get anything (anyone else:
// 404, as for a message that does not exist). The file is fetched from the channel's
// provider with the channel's credentials (Meta: GET /{media-id} for a short-lived URL, then
// that URL with the token; Whapi: GET /media/{id}) and streamed through, never stored.
import { channelAccess, loadChannel } from '../_shared/channel-provider.ts';
import { CORS_HEADERS, problem } from '../_shared/http.ts';
import { fetchProviderStream } from '../_shared/provider-http.ts';
import { callerApi, ServiceApiError, serviceApi } from '../_shared/service-api.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PROVIDER_TIMEOUT_MS = 15_000;
// Shown in the page; anything else is offered as a download.
const INLINE_TYPES = /^(image|audio|video)\//;

interface MediaMessage {
  id: string;
  channel_id: string;
  media_id: string | null;
  mime_type: string | null;
  file_name: string | null;
}

function disposition(message: MediaMessage, type: string): string {
  const name = message.file_name ?? `${message.id}`;
  return `${INLINE_TYPES.test(type) ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function createHandler(env: Record<string, string>) {
  const api = serviceApi(env);

  async function download(req: Request, authorization: string): Promise<Response> {
    const id = new URL(req.url).pathname.match(/\/media\/([^/]+)\/?$/)?.[1];
    if (!id || !UUID.test(id)) return problem(404, 'the path must be /media/<message id>');
    let found: MediaMessage[];
    try {
      found = await callerApi(env, authorization).select<MediaMessage>('messages', {
        select: 'id,channel_id,media_id,mime_type,file_name',
        id: `eq.${id}`,
      });
    } catch (err) {
      if (err instanceof ServiceApiError && err.status === 401)
        return problem(401, 'a signed-in user token is required');
      throw err;
    }
    const message = found[0];
    if (!message) return problem(404, `no message ${id}`);
    if (!message.media_id) return problem(404, `message ${id} has no media (or it was deleted)`);

    const stored = await loadChannel(api, message.channel_id);
    const access = stored
      ? await channelAccess(stored, env)
      : { unavailable: 'the channel no longer exists' };
    if ('unavailable' in access) return problem(409, access.unavailable);
    const located = await access.mediaRequest(message.media_id, PROVIDER_TIMEOUT_MS);
    if ('error' in located) return problem(502, `the provider did not give the media: ${located.error}`);
    const res = await fetchProviderStream(located.url, { headers: located.headers }, PROVIDER_TIMEOUT_MS);
    if ('unanswered' in res) return problem(502, res.unanswered);
    if (res.status !== 200 || !res.body) {
      await res.body?.cancel();
      return problem(502, `the provider answered the media download with HTTP ${res.status}`);
    }
    const type = message.mime_type ?? res.headers.get('content-type') ?? 'application/octet-stream';
    const length = res.headers.get('content-length');
    return new Response(res.body, {
      status: 200,
      headers: {
        ...CORS_HEADERS,
        'content-type': type,
        ...(length ? { 'content-length': length } : {}),
        'content-disposition': disposition(message, type),
        'cache-control': 'private, max-age=3600',
        'x-content-type-options': 'nosniff',
        // A file someone sent is never a page of this origin.
        'content-security-policy': "sandbox; default-src 'none'",
      },
    });
  }

  return async (req: Request): Promise<Response> => {
    if (req.method === 'OPTIONS') return new Response(null, { status: 204, headers: CORS_HEADERS });
    if (req.method !== 'GET') return problem(405, 'use GET');
    const authorization = req.headers.get('authorization') ?? '';
    if (!authorization.startsWith('Bearer ')) return problem(401, 'a signed-in user token is required');
    return download(req, authorization);
  };
}
