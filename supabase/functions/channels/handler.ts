// Connecting WhatsApp numbers (issue 13). Owners and admins of the channel's workspace only
// (checked here with the caller's own token: has_role), except rotate-key, which is the
// operator's (service_role key). Credentials come in once and are sealed at once
// (channel_secrets); no answer, log line or error carries them back.
//
//  POST /channels/connect            {workspace_id, name, provider: "meta", phone_number_id,
//                                     waba_id, access_token, app_secret, id?}
//                                    {workspace_id, name, provider: "whapi", api_token, id?}
//       201 {channel, webhook, check}: Meta's webhook is the callback URL and the verify token
//       Pigeon made, to paste into Meta's app dashboard; Whapi's is registered with Whapi's
//       settings API (PATCH /settings), or, when that failed, its URL and secret header for
//       manual setup. check is the test connection's verdict.
//  POST /channels/<id>/test          {channel, check}: 200 when the provider answered as
//       hoped, 422 naming the refused field, 502 when the provider could not be reached.
//  POST /channels/<id>/reconnect     {access_token, app_secret?} | {api_token}: new
//       credentials; a disconnected channel whose check passes is connected again and its
//       held queue goes out. Answers as test.
//  POST /channels/<id>/sync-templates  Meta: the WABA's message templates into templates.
//  GET  /channels/<id>/webhook       the webhook setup again (callback URL and verify token
//       or secret), for an owner who did not copy it the first time.
//  POST /channels/rotate-key         service_role: re-seal every secret under the current key.
import {
  type ChannelAccess,
  type ChannelRow,
  channelAccess,
  loadChannel,
} from '../_shared/channel-provider.ts';
import { type ChannelCredentials, rotateCredentials, storeCredentials } from '../_shared/channel-secrets.ts';
import { messageTemplates } from '../_shared/cloud-api.ts';
import { sameSecret } from '../_shared/hmac.ts';
import { CORS_HEADERS, json, problem } from '../_shared/http.ts';
import { keyringFromEnv, SecretKeyError } from '../_shared/secret-box.ts';
import { callerApi, ServiceApiError, serviceApi } from '../_shared/service-api.ts';
import { registerWhapiWebhook, WHAPI_SECRET_HEADER } from '../_shared/whapi-api.ts';
import { type CheckOutcome, checkConnection } from './checks.ts';
import {
  type ConnectInput,
  connectInput,
  InputError,
  metaCredentials,
  objectBody,
  whapiCredentials,
} from './input.ts';

const MAX_BODY_BYTES = 16_384;
// Provider calls made while a person waits for the answer.
const PROVIDER_TIMEOUT_MS = 15_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function randomSecret(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}

export function createHandler(env: Record<string, string>) {
  const api = serviceApi(env);
  const serviceKey = env.SUPABASE_SERVICE_ROLE_KEY;
  const webhookBase = (env.PIGEON_WEBHOOK_BASE_URL || env.SUPABASE_URL || '').replace(/\/$/, '');
  const callbackUrl = (channelId: string) => `${webhookBase}/functions/v1/webhooks/${channelId}`;

  async function mayManage(authorization: string, workspaceId: string): Promise<boolean> {
    try {
      return await callerApi(env, authorization).rpc<boolean>('has_role', {
        ws: workspaceId,
        roles: ['owner', 'admin'],
      });
    } catch (err) {
      if (err instanceof ServiceApiError && err.status < 500) return false;
      throw err;
    }
  }

  async function readJson(req: Request): Promise<unknown> {
    const text = await req.text();
    if (new TextEncoder().encode(text).length > MAX_BODY_BYTES) {
      throw new InputError('body', `the request body exceeds ${MAX_BODY_BYTES} bytes`);
    }
    try {
      return text === '' ? {} : JSON.parse(text);
    } catch {
      throw new InputError('body', 'the request body is not valid JSON');
    }
  }

  function checkAnswer(check: CheckOutcome, extra: Record<string, unknown> = {}, okStatus = 200): Response {
    const status = check.ok ? okStatus : check.field ? 422 : 502;
    return json(
      {
        channel: check.channel,
        check: {
          ok: check.ok,
          ...(check.field ? { field: check.field } : {}),
          ...(check.error ? { error: check.error } : {}),
        },
        ...extra,
      },
      status,
    );
  }

  /** The channel's access with its current credentials, or the answer explaining why not. */
  async function openChannel(
    channelId: string,
  ): Promise<{ channel: ChannelRow; access: ChannelAccess } | Response> {
    const stored = await loadChannel(api, channelId);
    if (!stored || stored.channel._deleted) return problem(404, `no channel ${channelId}`);
    const access = await channelAccess(stored, env);
    if ('unavailable' in access) return problem(409, access.unavailable);
    return { channel: stored.channel, access };
  }

  /**
   * How the provider reaches the channel's webhook. Meta: the callback URL and verify token to
   * paste into the app dashboard. Whapi: registered through its settings API when `register`,
   * and the URL and secret header to set by hand when that is not done or failed.
   */
  async function webhookSetup(
    { channel, access }: { channel: ChannelRow; access: ChannelAccess },
    register: boolean,
  ) {
    const url = callbackUrl(channel.id);
    const credentials = access.credentials;
    if (credentials?.provider === 'meta')
      return { callback_url: url, verify_token: credentials.verify_token };
    if (credentials?.provider !== 'whapi') return null;
    const registered = register
      ? await registerWhapiWebhook(access.whapiAccount!(PROVIDER_TIMEOUT_MS), url, credentials.webhook_secret)
      : undefined;
    if (registered?.ok) return { callback_url: url, registered: true };
    return {
      callback_url: url,
      registered: false,
      ...(registered ? { error: registered.error } : {}),
      secret_header: WHAPI_SECRET_HEADER,
      secret: credentials.webhook_secret,
    };
  }

  async function connect(req: Request, authorization: string): Promise<Response> {
    const input: ConnectInput = connectInput(await readJson(req));
    if (!(await mayManage(authorization, input.workspace_id))) {
      return problem(403, 'only owners and admins of the workspace connect channels');
    }
    const keyring = keyringFromEnv(env);
    const settings =
      input.provider === 'meta' ? { phone_number_id: input.phone_number_id, waba_id: input.waba_id } : {};
    const channel = await api.rpc<ChannelRow>('create_provider_channel', {
      p_id: input.id,
      p_workspace_id: input.workspace_id,
      p_name: input.name,
      p_provider: input.provider,
      p_settings: settings,
    });
    const credentials: ChannelCredentials =
      input.provider === 'meta'
        ? {
            provider: 'meta',
            access_token: input.access_token,
            app_secret: input.app_secret,
            verify_token: randomSecret(),
          }
        : { provider: 'whapi', api_token: input.api_token, webhook_secret: randomSecret() };
    await storeCredentials(api, keyring, channel.id, credentials);
    const opened = await openChannel(channel.id);
    if (opened instanceof Response) return opened;
    const webhook = await webhookSetup(opened, true);
    const check = await checkConnection(api, opened.access, opened.channel, PROVIDER_TIMEOUT_MS);
    return checkAnswer(check, { webhook }, 201);
  }

  async function reconnect(req: Request, channel: ChannelRow, access: ChannelAccess): Promise<Response> {
    const body = objectBody(await readJson(req));
    const previous = access.credentials;
    let credentials: ChannelCredentials;
    if (previous?.provider === 'meta') {
      const given = metaCredentials({ app_secret: previous.app_secret, ...body });
      credentials = { ...previous, ...given };
    } else if (previous?.provider === 'whapi') {
      credentials = { ...previous, ...whapiCredentials(body) };
    } else {
      return problem(409, `a ${channel.provider} channel has no credentials to renew`);
    }
    const keyring = keyringFromEnv(env);
    await storeCredentials(api, keyring, channel.id, credentials);
    const opened = await openChannel(channel.id);
    if (opened instanceof Response) return opened;
    // New credentials the provider refuses do not replace the ones that were there.
    const kept = previous;
    const check = await checkConnection(api, opened.access, opened.channel, PROVIDER_TIMEOUT_MS, async () => {
      await storeCredentials(api, keyring, channel.id, kept);
    });
    // Whapi: the webhook is registered again, in case the old token's settings were lost with it.
    const webhook =
      channel.provider === 'whapi' && check.ok ? { webhook: await webhookSetup(opened, true) } : {};
    return checkAnswer(check, webhook);
  }

  async function syncTemplates(channel: ChannelRow, access: ChannelAccess): Promise<Response> {
    if (channel.provider !== 'meta' || !access.cloudAccount || !channel.settings.waba_id) {
      return problem(409, 'templates come from Meta: only a Meta channel syncs them');
    }
    const listed = await messageTemplates(access.cloudAccount(PROVIDER_TIMEOUT_MS), channel.settings.waba_id);
    if (!listed.ok)
      return problem(listed.field ? 422 : 502, listed.error, listed.field ? { field: listed.field } : {});
    const templates = await api.rpc<Record<string, number>>('sync_provider_templates', {
      p_channel_id: channel.id,
      p_templates: listed.facts,
    });
    return json({ templates }, 200);
  }

  async function rotateKey(req: Request): Promise<Response> {
    if (!serviceKey || !(await sameSecret(req.headers.get('authorization') ?? '', `Bearer ${serviceKey}`))) {
      return problem(401, 'rotate-key needs the service_role key');
    }
    const keyring = keyringFromEnv(env);
    return json({ key_version: keyring.current, ...(await rotateCredentials(api, keyring)) }, 200);
  }

  async function route(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname.replace(/\/$/, '');
    const authorization = req.headers.get('authorization') ?? '';
    if (req.method === 'POST' && path.endsWith('/channels/rotate-key')) return rotateKey(req);
    if (!authorization.startsWith('Bearer ')) return problem(401, 'a signed-in user token is required');
    if (req.method === 'POST' && path.endsWith('/channels/connect')) return connect(req, authorization);

    const match = path.match(/\/channels\/([^/]+)\/(test|reconnect|sync-templates|webhook)$/);
    if (!match) return problem(404, 'no such route: see supabase/functions/channels/handler.ts');
    const [, channelId, action] = match as unknown as [string, string, string];
    if ((action === 'webhook') !== (req.method === 'GET')) {
      return json({ error: `use ${action === 'webhook' ? 'GET' : 'POST'}` }, 405);
    }
    if (!UUID.test(channelId)) return problem(404, 'the path must name a channel id');
    const stored = await loadChannel(api, channelId);
    // A channel of another workspace is as absent as a channel that does not exist.
    if (
      !stored ||
      stored.channel._deleted ||
      !(await mayManage(authorization, stored.channel.workspace_id))
    ) {
      return problem(404, `no channel ${channelId} you manage`);
    }
    const opened = await openChannel(channelId);
    if (opened instanceof Response) return opened;
    const { channel, access } = opened;
    if (action === 'test')
      return checkAnswer(await checkConnection(api, access, channel, PROVIDER_TIMEOUT_MS));
    if (action === 'reconnect') return reconnect(req, channel, access);
    if (action === 'sync-templates') return syncTemplates(channel, access);
    const webhook = await webhookSetup(opened, false);
    return webhook ? json({ webhook }, 200) : problem(409, 'a simulator channel needs no webhook setup');
  }

  return async (req: Request): Promise<Response> => {
    if (req.method === 'OPTIONS') return new Response(null, { status: 204, headers: CORS_HEADERS });
    try {
      return await route(req);
    } catch (err) {
      if (err instanceof InputError) return problem(400, err.message, { field: err.field });
      if (err instanceof SecretKeyError) return problem(503, err.message);
      if (err instanceof ServiceApiError && err.status < 500) return problem(err.status, err.message);
      // Never the error itself: it could quote a request that carried a credential.
      console.error('channels: request failed:', (err as Error).name);
      return problem(500, 'the channel request failed');
    }
  };
}
