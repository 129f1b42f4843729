// One websocket speaking the Phoenix protocol: heartbeats, joins and leaves, access token
// refreshes, broadcast and presence. Frames are handled one at a time, in order, so a join
// that waits on the database is complete before the next frame is looked at.
import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import { Channel, type ChannelOutput, type ChannelSettings, verifyChannelToken } from './channel.ts';
import type { Hub } from './hub.ts';
import {
  type DecodeError,
  decodeBinary,
  decodeText,
  encodeText,
  type Message,
  type Payload,
  reply,
  type Vsn,
} from './protocol.ts';
import { type Binding, prepareBinding } from './subscriptions.ts';

/** Hosted Realtime's default max_channels_per_client. */
const MAX_CHANNELS = 100;
/** Each binding costs catalog queries at join and work per change. */
const MAX_BINDINGS = 100;

const isObject = (v: unknown): v is Payload => typeof v === 'object' && v !== null && !Array.isArray(v);

function settingsOf(config: Payload): ChannelSettings {
  const broadcast = isObject(config.broadcast) ? config.broadcast : {};
  const presence = isObject(config.presence) ? config.presence : {};
  return {
    broadcastSelf: broadcast.self === true,
    broadcastAck: broadcast.ack === true,
    presenceKey: typeof presence.key === 'string' && presence.key !== '' ? presence.key : randomUUID(),
    presenceEnabled: presence.enabled === true,
  };
}

export class Connection implements ChannelOutput {
  lastSeen = Date.now();
  private readonly channels = new Map<string, Channel>();
  private queue: Promise<void> = Promise.resolve();
  /** The socket closed: a join still waiting on the database must not register. */
  private gone = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly hub: Hub,
    readonly vsn: Vsn,
    /** The socket's apikey: the channel token when a join carries none. */
    private readonly apikey: string,
  ) {}

  get binary(): boolean {
    return this.vsn === '2.0.0';
  }

  send(message: Message): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(encodeText(message, this.vsn));
  }

  sendBinary(frame: Uint8Array): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(frame);
  }

  receive(data: Buffer, isBinary: boolean): void {
    this.lastSeen = Date.now();
    const decoded = isBinary
      ? this.binary
        ? decodeBinary(data)
        : ({ ok: false, reason: 'binary frames need vsn 2.0.0' } as const)
      : decodeText(data.toString('utf8'), this.vsn);
    this.queue = this.queue.then(async () => {
      if (!decoded.ok) return this.refuse(decoded);
      try {
        await this.handle(decoded.message);
      } catch (err) {
        console.error('realtime: message failed:', err);
        this.send(
          reply(decoded.message, 'error', { reason: `UnknownErrorOnChannel: ${(err as Error).message}` }),
        );
      }
    });
  }

  /** The socket is gone: its channels leave their topics. */
  closed(): void {
    this.gone = true;
    for (const channel of this.channels.values()) this.hub.remove(channel);
    this.channels.clear();
  }

  private refuse(error: DecodeError): void {
    const to = error.topic
      ? { topic: error.topic, ref: error.ref ?? null, joinRef: error.joinRef ?? null }
      : { topic: 'phoenix', ref: error.ref ?? null, joinRef: null };
    this.send(reply(to, 'error', { reason: `malformed message: ${error.reason}` }));
  }

  private async handle(message: Message): Promise<void> {
    const { topic, event } = message;
    if (topic === 'phoenix') {
      return event === 'heartbeat'
        ? this.send(reply(message, 'ok', {}))
        : this.send(reply(message, 'error', { reason: `unknown event "${event}" on topic phoenix` }));
    }
    if (event === 'phx_join') return this.join(message);
    const channel = this.channels.get(topic);
    if (!channel) return this.send(reply(message, 'error', { reason: 'unmatched topic' }));
    switch (event) {
      case 'phx_leave':
        this.leave(channel);
        return this.send(reply(message, 'ok', {}));
      case 'access_token':
        return this.refreshToken(channel, message.payload.access_token);
      case 'broadcast':
        return this.broadcast(channel, message);
      case 'presence':
        return this.presence(channel, message);
      default:
        return this.send(reply(message, 'error', { reason: `unknown event "${event}"` }));
    }
  }

  private async join(message: Message): Promise<void> {
    const { topic, payload } = message;
    const fail = (reason: string) => this.send(reply(message, 'error', { reason }));
    if (!topic.startsWith('realtime:')) return fail('unmatched topic');
    if (topic === 'realtime:') return fail('TopicNameRequired: You must provide a topic name');
    const config = payload.config ?? {};
    if (!isObject(config)) return fail('InvalidJoinPayload: config must be an object');
    if (config.private === true) {
      return fail(
        'PrivateChannelsUnsupported: the local realtime server has no private channels (realtime.messages)',
      );
    }
    if (!this.channels.has(topic) && this.channels.size >= MAX_CHANNELS) {
      return fail('ChannelRateLimitReached: Too many channels');
    }
    const offered = payload.access_token;
    const token = typeof offered === 'string' && !offered.startsWith('sb_') ? offered : this.apikey;
    const auth = await verifyChannelToken(token, this.hub.ctx.config);
    if (!auth.ok) return fail(`InvalidJWTToken: ${auth.message}`);
    const wanted = config.postgres_changes ?? [];
    if (!Array.isArray(wanted)) return fail('InvalidJoinPayload: postgres_changes must be an array');
    if (wanted.length > MAX_BINDINGS) {
      return fail(`InvalidJoinPayload: at most ${MAX_BINDINGS} postgres_changes entries per channel`);
    }
    const bindings: Binding[] = [];
    for (const params of wanted) {
      const prepared = await prepareBinding(this.hub.ctx.db, params, auth.caller.role, this.hub.bypassRls);
      if (!prepared.ok) return fail(`RealtimeDisabledForConfiguration: ${prepared.reason}`);
      bindings.push(prepared.binding);
    }
    if (this.gone) return;
    // A second join of a topic replaces the first, as Phoenix does.
    const previous = this.channels.get(topic);
    if (previous) {
      this.leave(previous);
      previous.close();
    }
    const channel = new Channel(
      topic,
      message.joinRef,
      this,
      auth.caller,
      bindings,
      settingsOf(config),
      (c, why) => this.shutdown(c, why),
    );
    this.channels.set(topic, channel);
    this.hub.add(channel);
    this.send(reply(message, 'ok', { postgres_changes: bindings.map((b) => ({ ...b.echo, id: b.id })) }));
    if (bindings.length > 0) {
      channel.push('system', {
        status: 'ok',
        extension: 'postgres_changes',
        message: 'Subscribed to PostgreSQL',
        channel: channel.subTopic,
      });
    }
    if (channel.settings.presenceEnabled) channel.push('presence_state', this.hub.presenceState(topic));
  }

  private leave(channel: Channel): void {
    this.channels.delete(channel.topic);
    this.hub.remove(channel);
  }

  /** Ends a channel for a reason the client is told, as hosted Realtime does. */
  private shutdown(channel: Channel, message: string): void {
    if (this.channels.get(channel.topic) !== channel) return;
    channel.push('system', { status: 'error', extension: 'system', message, channel: channel.subTopic });
    this.leave(channel);
    channel.close();
  }

  private async refreshToken(channel: Channel, token: unknown): Promise<void> {
    // Same rules as hosted Realtime: nothing to do for no token, an API key, or the same token.
    if (typeof token !== 'string' || token.startsWith('sb_') || token === channel.token) return;
    const auth = await verifyChannelToken(token, this.hub.ctx.config);
    if (!auth.ok) return this.shutdown(channel, auth.message);
    channel.setCaller(auth.caller);
  }

  private broadcast(channel: Channel, message: Message): void {
    const { payload } = message;
    if (typeof payload.event !== 'string') {
      this.send(reply(message, 'error', { reason: 'a broadcast needs an event name' }));
      return;
    }
    const out: Payload = { type: 'broadcast', event: payload.event, payload: payload.payload ?? {} };
    if (payload.meta !== undefined) out.meta = payload.meta;
    for (const peer of this.hub.peers(channel.topic)) {
      if (peer !== channel || channel.settings.broadcastSelf) peer.broadcast(out);
    }
    if (channel.settings.broadcastAck) this.send(reply(message, 'ok', {}));
  }

  private presence(channel: Channel, message: Message): void {
    const { event, payload } = message.payload;
    if (event === 'track') {
      if (!isObject(payload)) {
        this.send(reply(message, 'error', { reason: 'Presence track payload must be a map' }));
        return;
      }
      // Tracking turns presence on for a channel that joined without it, as hosted does.
      if (!channel.settings.presenceEnabled) {
        channel.settings.presenceEnabled = true;
        channel.push('presence_state', this.hub.presenceState(channel.topic));
      }
      this.hub.track(channel, payload);
    } else if (event === 'untrack') {
      this.hub.untrack(channel);
    } else {
      this.send(reply(message, 'error', { reason: `unknown presence event "${String(event)}"` }));
      return;
    }
    this.send(reply(message, 'ok', {}));
  }
}
