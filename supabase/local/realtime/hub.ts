// What all connections share: the joined channels by topic (for broadcast, presence and
// postgres_changes fan-out) and presence state.
import type { LocalContext } from '../context.ts';
import type { PerRole } from './catalog.ts';
import type { Channel } from './channel.ts';
import { type PresenceDiff, PresenceTracker } from './presence.ts';

export class Hub {
  private readonly topics = new Map<string, Set<Channel>>();
  private readonly presence = new PresenceTracker<Channel>();

  constructor(
    readonly ctx: LocalContext,
    /** Which API roles RLS does not apply to; read from pg_roles at start. */
    readonly bypassRls: PerRole,
  ) {}

  add(channel: Channel): void {
    let members = this.topics.get(channel.topic);
    if (!members) {
      members = new Set();
      this.topics.set(channel.topic, members);
    }
    members.add(channel);
  }

  remove(channel: Channel): void {
    channel.dispose();
    const members = this.topics.get(channel.topic);
    if (!members?.delete(channel)) return;
    if (members.size === 0) this.topics.delete(channel.topic);
    const diff = this.presence.untrack(channel.topic, channel);
    if (diff) this.sendPresenceDiff(channel.topic, diff);
  }

  peers(topic: string): Channel[] {
    return [...(this.topics.get(topic) ?? [])];
  }

  /** Channels with postgres_changes bindings. */
  subscribers(): Channel[] {
    return [...this.topics.values()].flatMap((members) => [...members].filter((c) => c.bindings.length > 0));
  }

  presenceState(topic: string) {
    return this.presence.state(topic);
  }

  track(channel: Channel, fields: Record<string, unknown>): void {
    this.sendPresenceDiff(
      channel.topic,
      this.presence.track(channel.topic, channel, channel.settings.presenceKey, fields),
    );
  }

  untrack(channel: Channel): void {
    const diff = this.presence.untrack(channel.topic, channel);
    if (diff) this.sendPresenceDiff(channel.topic, diff);
  }

  private sendPresenceDiff(topic: string, diff: PresenceDiff): void {
    for (const peer of this.peers(topic)) {
      if (peer.settings.presenceEnabled) peer.push('presence_diff', { ...diff });
    }
  }
}
