// How the server reaches a channel's provider: its adapter with its opened credentials, the
// check of its webhook deliveries, and its media downloads. Simulator channels use the
// stack's simulator (SIMULATOR_URL, SIMULATOR_ACCESS_TOKEN, SIMULATOR_APP_SECRET,
// SIMULATOR_VERIFY_TOKEN) and speak the Cloud API with the channel id as phone_number_id;
// Meta and Whapi channels open their sealed credentials (channel_secrets) with the keyring.
import type { WebhookReading } from './channel-events.ts';
import { type ChannelCredentials, openCredentials, type SealedRow } from './channel-secrets.ts';
import {
  type CloudApiAccount,
  cloudApiSender,
  graphEndpoint,
  mediaHeaders,
  mediaLocation,
} from './cloud-api.ts';
import { readCloudWebhook } from './cloud-webhook.ts';
import { sameSecret, toHex } from './hmac.ts';
import type { ProviderSender } from './provider.ts';
import { keyringFromEnv, openNothing, SecretKeyError } from './secret-box.ts';
import type { ServiceApi } from './service-api.ts';
import { verifyWebhook } from './webhook-signature.ts';
import {
  WHAPI_SECRET_HEADER,
  type WhapiAccount,
  whapiEndpoint,
  whapiMediaRequest,
  whapiSender,
} from './whapi-api.ts';
import { readWhapiWebhook } from './whapi-webhook.ts';

export type Provider = 'simulator' | 'meta' | 'whapi';

/** The channel row fields the server functions read. */
export interface ChannelRow {
  id: string;
  workspace_id: string;
  name: string;
  provider: Provider;
  status: 'pending' | 'connected' | 'degraded' | 'disconnected';
  phone_number: string | null;
  settings: { phone_number_id?: string; waba_id?: string };
  _deleted: boolean;
}

/** A channel with its sealed credentials (public.channel_with_secret). */
export interface StoredChannel {
  channel: ChannelRow;
  secret: SealedRow | null;
}

export async function loadChannel(api: ServiceApi, channelId: string): Promise<StoredChannel | null> {
  return api.rpc<StoredChannel | null>('channel_with_secret', { p_channel_id: channelId });
}

export interface ChannelAccess {
  provider: Provider;
  sender(timeoutMs: number): ProviderSender;
  /** Whether a webhook delivery comes from the provider: its signature or shared secret. */
  verifyDelivery(raw: Uint8Array, headers: Headers): Promise<boolean>;
  /** Whether a GET subscription handshake carries the channel's verify token (Cloud API only). */
  verifyHandshake(token: string): Promise<boolean>;
  readDelivery(payload: unknown): WebhookReading;
  /** Where a media file of this channel is downloaded from, and with which headers. */
  mediaRequest(
    mediaId: string,
    timeoutMs: number,
  ): Promise<{ url: string; headers: Record<string, string> } | { error: string }>;
  /** The opened credentials (Meta and Whapi channels), for the channels function's checks. */
  credentials?: ChannelCredentials;
  cloudAccount?(timeoutMs: number): CloudApiAccount;
  whapiAccount?(timeoutMs: number): WhapiAccount;
}

type Env = Record<string, string | undefined>;

/** The checks of a channel's webhooks: a delivery's signature or secret, Meta's handshake token. */
export type WebhookChecks = Pick<ChannelAccess, 'verifyDelivery' | 'verifyHandshake'>;

/**
 * Stands in for a channel that does not exist or cannot take webhooks: the work a channel
 * costs (opening sealed credentials, then a Cloud API channel's HMAC over the raw body, a
 * Whapi channel's shared secret, the verify token, each compared in constant time) against
 * random secrets nobody has, so an unknown channel costs the work of a bad signature and the
 * answer is the same.
 */
export function decoyWebhookChecks(env: Env): WebhookChecks {
  const random = () => toHex(crypto.getRandomValues(new Uint8Array(32)));
  const appSecret = random();
  const webhookSecret = random();
  const verifyToken = random();
  const open = async () => {
    try {
      await openNothing(keyringFromEnv(env));
    } catch (err) {
      // Without a keyring no channel's credentials open either.
      if (!(err instanceof SecretKeyError)) throw err;
    }
  };
  return {
    verifyDelivery: async (raw, headers) => {
      await open();
      await verifyWebhook(appSecret, raw, headers.get('x-hub-signature-256'));
      await sameSecret(headers.get(WHAPI_SECRET_HEADER) ?? '', webhookSecret);
      return false;
    },
    verifyHandshake: async (token) => {
      await open();
      await sameSecret(token, verifyToken);
      return false;
    },
  };
}

function cloudAccess(
  stored: StoredChannel,
  account: (timeoutMs: number) => CloudApiAccount,
  phoneNumberId: string,
  secrets: { appSecret: string; verifyToken: string },
): ChannelAccess {
  return {
    provider: stored.channel.provider,
    sender: (timeoutMs) => cloudApiSender(account(timeoutMs), phoneNumberId),
    verifyDelivery: (raw, headers) =>
      verifyWebhook(secrets.appSecret, raw, headers.get('x-hub-signature-256')),
    verifyHandshake: (token) => sameSecret(token, secrets.verifyToken),
    readDelivery: (payload) =>
      readCloudWebhook(payload, { phoneNumberId, phone: stored.channel.phone_number }),
    async mediaRequest(mediaId, timeoutMs) {
      const located = await mediaLocation(account(timeoutMs), mediaId);
      if (!located.ok) return { error: located.error };
      const base = new URL(account(timeoutMs).baseUrl);
      const url = new URL(located.facts.url);
      // The URL comes from the provider's answer: follow it only over HTTPS or to the API's own host.
      if (url.protocol !== 'https:' && url.origin !== base.origin) {
        return { error: 'the provider gave a media URL that is neither HTTPS nor on its own host' };
      }
      return { url: url.toString(), headers: mediaHeaders(account(timeoutMs)) };
    },
    cloudAccount: account,
  };
}

/**
 * The channel's provider access, or why it cannot be used (for people: it becomes the
 * message's or the request's error). Credentials are opened here and nowhere else.
 */
export async function channelAccess(
  stored: StoredChannel,
  env: Env,
): Promise<ChannelAccess | { unavailable: string }> {
  const { channel } = stored;
  if (channel.provider === 'simulator') {
    const {
      SIMULATOR_URL: baseUrl,
      SIMULATOR_APP_SECRET: appSecret,
      SIMULATOR_ACCESS_TOKEN: accessToken,
    } = env;
    if (!baseUrl || !appSecret || !accessToken) {
      return {
        unavailable:
          'the simulator is not configured (SIMULATOR_URL, SIMULATOR_ACCESS_TOKEN, SIMULATOR_APP_SECRET)',
      };
    }
    const account = (timeoutMs: number): CloudApiAccount => ({
      baseUrl,
      version: graphEndpoint(env).version,
      accessToken,
      appSecret,
      timeoutMs,
    });
    return cloudAccess(stored, account, channel.id, {
      appSecret,
      verifyToken: env.SIMULATOR_VERIFY_TOKEN ?? '',
    });
  }
  if (!stored.secret) return { unavailable: 'the channel has no credentials: connect it again' };
  let credentials: ChannelCredentials;
  try {
    credentials = await openCredentials(keyringFromEnv(env), stored.secret);
  } catch (err) {
    if (err instanceof SecretKeyError) return { unavailable: err.message };
    throw err;
  }
  if (credentials.provider === 'meta' && channel.provider === 'meta') {
    const phoneNumberId = channel.settings.phone_number_id ?? '';
    const account = (timeoutMs: number): CloudApiAccount => ({
      ...graphEndpoint(env),
      accessToken: credentials.access_token,
      appSecret: credentials.app_secret,
      timeoutMs,
    });
    return {
      ...cloudAccess(stored, account, phoneNumberId, {
        appSecret: credentials.app_secret,
        verifyToken: credentials.verify_token,
      }),
      credentials,
    };
  }
  if (credentials.provider === 'whapi' && channel.provider === 'whapi') {
    const account = (timeoutMs: number): WhapiAccount => ({
      baseUrl: whapiEndpoint(env),
      apiToken: credentials.api_token,
      timeoutMs,
    });
    return {
      provider: 'whapi',
      sender: (timeoutMs) => whapiSender(account(timeoutMs)),
      verifyDelivery: (_raw, headers) =>
        sameSecret(headers.get(WHAPI_SECRET_HEADER) ?? '', credentials.webhook_secret),
      verifyHandshake: async () => false,
      readDelivery: readWhapiWebhook,
      mediaRequest: async (mediaId, timeoutMs) => whapiMediaRequest(account(timeoutMs), mediaId),
      credentials,
      whapiAccount: account,
    };
  }
  return { unavailable: `the channel's credentials are not ${channel.provider} credentials` };
}
