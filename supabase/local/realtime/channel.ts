// One joined channel: its topic and join_ref, the subscriber's identity (from the channel's
// access token, refreshed by access_token messages and dropped when it expires), its
// postgres_changes bindings and broadcast/presence settings.
import { decodeJwt } from 'jose';
import type { LocalConfig } from '../config.ts';
import type { JwtClaims } from '../jwt.ts';
import { type ApiRole, callerFromToken } from '../request-auth.ts';
import type { Subscriber } from './fanout.ts';
import { encodeUserBroadcast, type Message, type Payload } from './protocol.ts';
import type { Binding } from './subscriptions.ts';

export interface ChannelCaller {
  role: ApiRole;
  claims: JwtClaims;
  token: string;
}

export interface ChannelSettings {
  broadcastSelf: boolean;
  broadcastAck: boolean;
  presenceKey: string;
  presenceEnabled: boolean;
}

/** What a channel writes to: its connection. */
export interface ChannelOutput {
  readonly binary: boolean;
  send(message: Message): void;
  sendBinary(frame: Uint8Array): void;
}

/** setTimeout's longest delay (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Verifies a channel's access token the way hosted Realtime words its refusals. */
export async function verifyChannelToken(
  token: string,
  config: LocalConfig,
): Promise<{ ok: true; caller: ChannelCaller } | { ok: false; message: string }> {
  const result = await callerFromToken(token, config);
  if (!result.ok) {
    if (result.error !== 'jwt_expired') return { ok: false, message: result.message };
    const exp = Number(decodeJwt(token).exp);
    return {
      ok: false,
      message: `Token has expired ${Math.max(0, Math.floor(Date.now() / 1000 - exp))} seconds ago`,
    };
  }
  if (typeof result.claims.exp !== 'number') {
    return { ok: false, message: 'Fields `role` and `exp` are required in JWT' };
  }
  return { ok: true, caller: { role: result.role, claims: result.claims, token } };
}

export class Channel implements Subscriber {
  readonly subTopic: string;
  private expiry: NodeJS.Timeout | undefined;
  /** False once the channel has left: a batch still in flight must not reach it. */
  private active = true;

  constructor(
    readonly topic: string,
    readonly joinRef: string | null,
    private readonly out: ChannelOutput,
    private caller: ChannelCaller,
    readonly bindings: readonly Binding[],
    readonly settings: ChannelSettings,
    private readonly onExpired: (channel: Channel, message: string) => void,
  ) {
    this.subTopic = topic.replace(/^realtime:/, '');
    this.scheduleExpiry();
  }

  get role(): ApiRole {
    return this.caller.role;
  }

  get claims(): JwtClaims {
    return this.caller.claims;
  }

  get token(): string {
    return this.caller.token;
  }

  setCaller(caller: ChannelCaller): void {
    this.caller = caller;
    this.scheduleExpiry();
  }

  push(event: string, payload: Payload): void {
    if (!this.active) return;
    this.out.send({ joinRef: this.joinRef, ref: null, topic: this.topic, event, payload });
  }

  deliver(data: Payload, ids: number[]): void {
    this.push('postgres_changes', { ids, data });
  }

  /** A broadcast payload {type, event, payload, meta?}; binary user payloads need vsn 2.0.0. */
  broadcast(payload: Payload): void {
    if (payload.payload instanceof Uint8Array) {
      if (this.active && this.out.binary) {
        const { event, meta } = payload;
        this.out.sendBinary(
          encodeUserBroadcast({ topic: this.topic, event: String(event), payload: payload.payload, meta }),
        );
      }
      return;
    }
    this.push('broadcast', payload);
  }

  /** Ends the channel for the client: phx_close answers the join (realtime-js matches its ref). */
  close(): void {
    clearTimeout(this.expiry);
    this.out.send({
      joinRef: this.joinRef,
      ref: this.joinRef,
      topic: this.topic,
      event: 'phx_close',
      payload: {},
    });
  }

  dispose(): void {
    this.active = false;
    clearTimeout(this.expiry);
  }

  private scheduleExpiry(): void {
    clearTimeout(this.expiry);
    const remaining = Number(this.caller.claims.exp) * 1000 - Date.now();
    this.expiry =
      remaining > MAX_TIMER_MS
        ? setTimeout(() => this.scheduleExpiry(), MAX_TIMER_MS)
        : setTimeout(() => this.onExpired(this, 'Token has expired 0 seconds ago'), Math.max(0, remaining));
    this.expiry.unref();
  }
}
