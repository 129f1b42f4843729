// Presence per topic, in the shapes Phoenix.Presence sends: presence_state
// {key: {metas: [{phx_ref, ...}]}} and presence_diff {joins, leaves}. One tracked entry per
// member (channel); tracking again replaces it. In memory: one server, one process.
import { randomBytes } from 'node:crypto';

export interface PresenceMeta {
  phx_ref: string;
  phx_ref_prev?: string;
  [field: string]: unknown;
}
export type PresenceState = Record<string, { metas: PresenceMeta[] }>;
export interface PresenceDiff {
  joins: PresenceState;
  leaves: PresenceState;
}

const entry = (key: string, meta: PresenceMeta): PresenceState => ({ [key]: { metas: [meta] } });

export class PresenceTracker<Member> {
  private readonly topics = new Map<string, Map<Member, { key: string; meta: PresenceMeta }>>();

  state(topic: string): PresenceState {
    const state: PresenceState = {};
    for (const { key, meta } of this.topics.get(topic)?.values() ?? []) {
      const metas = state[key]?.metas;
      if (metas) metas.push(meta);
      else state[key] = { metas: [meta] };
    }
    return state;
  }

  track(topic: string, member: Member, key: string, fields: Record<string, unknown>): PresenceDiff {
    let members = this.topics.get(topic);
    if (!members) {
      members = new Map();
      this.topics.set(topic, members);
    }
    const previous = members.get(member);
    const meta: PresenceMeta = { ...fields, phx_ref: randomBytes(9).toString('base64url') };
    if (previous) meta.phx_ref_prev = previous.meta.phx_ref;
    members.set(member, { key, meta });
    return { joins: entry(key, meta), leaves: previous ? entry(previous.key, previous.meta) : {} };
  }

  /** Undefined when the member tracked nothing. */
  untrack(topic: string, member: Member): PresenceDiff | undefined {
    const members = this.topics.get(topic);
    const previous = members?.get(member);
    if (!members || !previous) return undefined;
    members.delete(member);
    if (members.size === 0) this.topics.delete(topic);
    return { joins: {}, leaves: entry(previous.key, previous.meta) };
  }
}
