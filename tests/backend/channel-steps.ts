// Steps of the channel tests: numbers registered on the simulator as a provider's dashboard
// would create them, connected through the real channels function as an owner would.
import type { Backend, MintedUser } from './harness.ts';

export interface FunctionAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** A call of /functions/v1/<path> with a bearer token (a user's, or the service_role key). */
export async function callFunction<T = Record<string, unknown>>(
  backend: Backend,
  token: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<FunctionAnswer<T>> {
  const res = await fetch(`${backend.url}/functions/v1/${path}`, {
    method: init.method ?? 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      apikey: backend.config.anonKey,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export async function workspaceOf(backend: Backend, user: { id: string }): Promise<string> {
  const [row] = await backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [user.id],
  );
  return row!.workspace_id;
}

export interface ConnectedChannel {
  id: string;
  /** The number on the simulator (Cloud API phone_number_id, or Whapi channel id). */
  numberId: string;
  /** The credentials the provider issued, as the owner pasted them. */
  credentials: Record<string, string>;
  answer: FunctionAnswer;
}

/** A Meta number on the simulator, connected by `owner`, its webhook verified and saved. */
export async function connectMeta(
  backend: Backend,
  owner: Pick<MintedUser, 'accessToken'>,
  workspaceId: string,
  spec: { enforceWindow?: boolean; verifyWebhook?: boolean } = {},
): Promise<ConnectedChannel> {
  const sim = backend.simulator!;
  const number = sim.addNumber({ format: 'cloud', enforce_window: spec.enforceWindow ?? false });
  const credentials = {
    phone_number_id: number.id,
    waba_id: number.wabaId,
    access_token: number.token,
    app_secret: number.appSecret,
  };
  const answer = await callFunction(backend, owner.accessToken, 'channels/connect', {
    body: { workspace_id: workspaceId, name: 'Meta number', provider: 'meta', ...credentials },
  });
  if (answer.status !== 201)
    throw new Error(`connect answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  const channel = answer.body.channel as { id: string };
  const webhook = answer.body.webhook as { callback_url: string; verify_token: string };
  if (spec.verifyWebhook !== false) {
    const saved = await sim.setNumberWebhook(number.id, webhook.callback_url, webhook.verify_token);
    if (!saved.ok) throw new Error(`the webhook was not verified: ${saved.error}`);
  }
  return { id: channel.id, numberId: number.id, credentials, answer };
}

/** A Whapi number on the simulator, connected by `owner` (its webhook registered by Pigeon). */
export async function connectWhapi(
  backend: Backend,
  owner: Pick<MintedUser, 'accessToken'>,
  workspaceId: string,
): Promise<ConnectedChannel> {
  const number = backend.simulator!.addNumber({ format: 'whapi' });
  const credentials = { api_token: number.token };
  const answer = await callFunction(backend, owner.accessToken, 'channels/connect', {
    body: { workspace_id: workspaceId, name: 'Whapi number', provider: 'whapi', ...credentials },
  });
  if (answer.status !== 201)
    throw new Error(`connect answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return { id: (answer.body.channel as { id: string }).id, numberId: number.id, credentials, answer };
}

/** Polls `read` until `ok` holds (about 15 s at most). */
export async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`condition not met: ${JSON.stringify(await read()).slice(0, 500)}`);
}
