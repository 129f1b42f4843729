// The simulator's interface: what the local stack and the tests hold (server.ts makes one).
import type { Fault } from './fault.ts';
import type { InboundResult, InboundSpec } from './inbound.ts';
import type { NumberSpec, SimNumber } from './numbers.ts';
import type { SendRecord, SimulatorDelays, SimulatorSettings } from './state.ts';
import type { WebhookDelivery } from './webhooks.ts';

export interface SimulatorOptions extends Partial<Omit<SimulatorSettings, 'delays'>> {
  port?: number;
  /** The Whapi server's port (any free one by default). */
  whapiPort?: number;
  host?: string;
  /** Base URL of simulator channels' webhooks: a number's events go to `${webhookUrl}/${phone_number_id}`. */
  webhookUrl?: string;
  /** Signs simulator channels' webhooks. */
  appSecret: string;
  /** The Bearer token of simulator channels (made here unless given). */
  accessToken?: string;
  /** Guards the control API (made here unless given). */
  controlSecret?: string;
  delays?: Partial<SimulatorDelays>;
  displayPhoneNumber?: string;
}

export interface Simulator {
  /** The Cloud API and the control API. */
  url: string;
  /** The Whapi API. */
  whapiUrl: string;
  /** Simulator channels' token. */
  accessToken: string;
  controlSecret: string;
  sends(): SendRecord[];
  /** Sends answered 200 (accepted, undeliverable, outside the window), in arrival order. */
  accepted(): SendRecord[];
  webhooks(): WebhookDelivery[];
  inject(...faults: Fault[]): void;
  configure(
    settings: Partial<Omit<SimulatorSettings, 'delays'>> & { delays?: Partial<SimulatorDelays> },
  ): void;
  /** The webhook target of simulator channels, settable once the receiving server knows its own URL. */
  setWebhookUrl(url: string): void;
  /** A new number of the given format, with fresh credentials. */
  addNumber(spec: NumberSpec): SimNumber;
  /** The number with this id (a simulator channel's implicit number when not registered). */
  number(id: string): SimNumber;
  /** Meta's "verify and save": the GET handshake against `url`, then webhooks go there. */
  setNumberWebhook(id: string, url: string, verifyToken: string): Promise<{ ok: boolean; error?: string }>;
  /** A new token for the number; the old one stops working. */
  rotateToken(id: string): string;
  /** The number's token stops working, as an expired or revoked token does. */
  revokeToken(id: string): void;
  /** Makes a customer (or the number itself) do something, delivered by webhook. */
  inbound(id: string, spec: InboundSpec): Promise<InboundResult>;
  reset(): void;
  close(): Promise<void>;
}
