// A channel's provider credentials in channel_secrets: sealed here (secret-box.ts) before
// they are written, opened here after they are read, through service_role RPCs that carry
// the bytes as base64 (supabase/migrations/20261202100000_channel_secrets.sql). Nothing in
// this module logs, returns or throws a credential.
import { type Kdf, openSecret, type SealedSecret, type SecretKeyring, sealSecret } from './secret-box.ts';
import type { ServiceApi } from './service-api.ts';

export interface MetaCredentials {
  provider: 'meta';
  access_token: string;
  app_secret: string;
  /** Made by Pigeon: the token of Meta's GET subscription handshake. */
  verify_token: string;
}

export interface WhapiCredentials {
  provider: 'whapi';
  api_token: string;
  /** Made by Pigeon: Whapi sends it back in a header on every delivery. */
  webhook_secret: string;
}

export type ChannelCredentials = MetaCredentials | WhapiCredentials;

/** A sealed row as the RPCs carry it. */
export interface SealedRow {
  channel_id: string;
  ciphertext: string;
  iv: string;
  salt: string;
  key_version: number;
  kdf_iterations: number;
  kdf: Kdf;
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function sealedOf(row: SealedRow): SealedSecret {
  return {
    ciphertext: fromBase64(row.ciphertext),
    iv: fromBase64(row.iv),
    salt: fromBase64(row.salt),
    keyVersion: row.key_version,
    iterations: row.kdf_iterations,
    kdf: row.kdf,
  };
}

export async function openCredentials(keyring: SecretKeyring, row: SealedRow): Promise<ChannelCredentials> {
  return JSON.parse(await openSecret(keyring, row.channel_id, sealedOf(row))) as ChannelCredentials;
}

/**
 * Seals and stores `credentials`. With `replacesIv`, only over the row that was read (a
 * rotation never overwrites credentials a reconnect stored meanwhile); false when it changed.
 */
export async function storeCredentials(
  api: ServiceApi,
  keyring: SecretKeyring,
  channelId: string,
  credentials: ChannelCredentials,
  replacesIv?: string,
): Promise<boolean> {
  const sealed = await sealSecret(keyring, channelId, JSON.stringify(credentials));
  return api.rpc<boolean>('seal_channel_secret', {
    p_channel_id: channelId,
    p_ciphertext: toBase64(sealed.ciphertext),
    p_iv: toBase64(sealed.iv),
    p_salt: toBase64(sealed.salt),
    p_key_version: sealed.keyVersion,
    p_kdf_iterations: sealed.iterations,
    p_kdf: sealed.kdf,
    p_replaces_iv: replacesIv ?? null,
  });
}

export interface RotationSummary {
  /** Rows re-sealed under the current key. */
  resealed: number;
  /** Rows a reconnect re-sealed meanwhile (already current). */
  skipped: number;
}

/** Re-seals every row sealed under another key version than the keyring's current one, or the legacy way. */
export async function rotateCredentials(api: ServiceApi, keyring: SecretKeyring): Promise<RotationSummary> {
  const summary: RotationSummary = { resealed: 0, skipped: 0 };
  for (;;) {
    const rows = await api.rpc<SealedRow[]>('channel_secrets_to_rotate', {
      p_key_version: keyring.current,
      p_limit: 100,
    });
    if (rows.length === 0) return summary;
    for (const row of rows) {
      const credentials = await openCredentials(keyring, row);
      if (await storeCredentials(api, keyring, row.channel_id, credentials, row.iv)) summary.resealed++;
      else summary.skipped++;
    }
  }
}
