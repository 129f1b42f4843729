// How a channel reaches its provider, from its provider kind and the server's environment.
// Only the simulator is wired so far: it speaks the Cloud API, and a simulator channel's
// Cloud API phone_number_id is the channel's own id. Meta and Whapi channels need their
// per-channel credentials (channel_secrets), which no code reads yet.
import { cloudApiSender } from './cloud-api.ts';
import type { ProviderSender } from './provider.ts';

export interface ChannelProvider {
  /** The Cloud API phone_number_id that webhooks name the channel by. */
  phoneNumberId: string;
  /** The secret webhooks are signed with (X-Hub-Signature-256). */
  appSecret: string;
  /** The token of the GET subscription handshake; empty: no handshake succeeds. */
  verifyToken: string;
  sender(timeoutMs: number): ProviderSender;
}

/** The channel's provider, or why it cannot be used (for people: it becomes the message's error). */
export function channelProvider(
  provider: string,
  channelId: string,
  env: Record<string, string | undefined>,
): ChannelProvider | { unavailable: string } {
  if (provider !== 'simulator') {
    return { unavailable: `provider "${provider}" is not available on this server yet` };
  }
  const baseUrl = env.SIMULATOR_URL;
  const appSecret = env.SIMULATOR_APP_SECRET;
  if (!baseUrl || !appSecret) {
    return { unavailable: 'the simulator is not configured (SIMULATOR_URL and SIMULATOR_APP_SECRET)' };
  }
  return {
    phoneNumberId: channelId,
    appSecret,
    verifyToken: env.SIMULATOR_VERIFY_TOKEN ?? '',
    sender: (timeoutMs) =>
      cloudApiSender({ baseUrl, phoneNumberId: channelId, accessToken: 'simulator', timeoutMs }),
  };
}
