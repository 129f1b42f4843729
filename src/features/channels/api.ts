/** What the UI gets for the workspace's WhatsApp numbers (PigeonServices.channels). */
import type { Accessor } from 'solid-js';
import type { Channel } from '../../domain/types.ts';

/** Why a channel request did not go through, naming the field it concerns where there is one. */
export type ChannelResult<T = void> = { ok: true; value: T } | { ok: false; error: string; field?: string };

/** Credentials as the owner pastes them; sent once to the server, which seals them, and never kept here. */
export type ConnectInput =
  | {
      provider: 'meta';
      name: string;
      phone_number_id: string;
      waba_id: string;
      access_token: string;
      app_secret: string;
    }
  | { provider: 'whapi'; name: string; api_token: string };

export type ReconnectInput = { access_token: string; app_secret?: string } | { api_token: string };

/**
 * How the provider reaches Pigeon's webhook. Meta: the callback URL and verify token to paste
 * into the app dashboard. Whapi: registered by Pigeon, or (registered false) the URL, header
 * and secret to set by hand.
 */
export interface WebhookSetup {
  callback_url: string;
  verify_token?: string;
  registered?: boolean;
  secret_header?: string;
  secret?: string;
  error?: string;
}

/** A test connection's verdict: the provider answered as hoped, or why not (the field it refused). */
export interface ConnectionCheck {
  ok: boolean;
  field?: string;
  error?: string;
}

export interface ConnectOutcome {
  channelId: string;
  webhook: WebhookSetup | null;
  check: ConnectionCheck;
}

/** What owners and admins change themselves (the rest is the server's). */
export interface ChannelChanges {
  name?: string;
  rate_per_minute?: number;
  min_delay_ms?: number;
  max_delay_ms?: number;
}

export interface ChannelsApi {
  /** The workspace's channels (not deleted), by name, live; offline, the last known state. */
  list: Accessor<Channel[]>;
  /** The channel sends go through by default: the first connected one by name. */
  preferred: Accessor<Channel | undefined>;
  /** Owners and admins manage channels; agents only see them (the server enforces it too). */
  canManage: Accessor<boolean>;
  /** Every request below needs the network: it answers at once, offline, saying so. */
  connect(input: ConnectInput): Promise<ChannelResult<ConnectOutcome>>;
  test(id: string): Promise<ChannelResult<ConnectionCheck>>;
  reconnect(id: string, credentials: ReconnectInput): Promise<ChannelResult<ConnectionCheck>>;
  webhook(id: string): Promise<ChannelResult<WebhookSetup>>;
  /** Meta: copies the WABA's message templates; answers what the server counted. */
  syncTemplates(id: string): Promise<ChannelResult<Record<string, number>>>;
  update(id: string, changes: ChannelChanges): Promise<ChannelResult>;
  /** Stops sending through it (its queue is held until it is connected again). */
  disconnect(id: string): Promise<ChannelResult>;
  /** Soft delete: the channel leaves the list; its messages stay. */
  remove(id: string): Promise<ChannelResult>;
}
