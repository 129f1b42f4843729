// Holds each channel's sends to the spacing claim_outbox reserved, in local time, for every
// run of this process (one pacer per process: two runs holding slots of the same channel are
// spaced against each other too). Slots arrive as delays relative to each claim; a busy
// process can still wake late and fire several overdue sends at once, which a provider would
// see as a burst. So turns are taken in slot order per channel, and a turn comes at its slot
// but never sooner after the previous send than the spacing its claim reserved before it
// (lateness shifts the claim's later sends instead of bunching them; the next claim, spaced
// from its own slots, catches up). A turn is stamped only once its gate (the run's
// provider-call cap) let it through: a send held by the cap cannot end up closer to the
// channel's next send than the gap.
import type { Release } from './call-limit.ts';

interface Waiting {
  /** The reserved slot, ms since the epoch in local time. */
  slot: number;
  /** The spacing its claim reserved before this slot (ms), when known. */
  spacing: number | undefined;
  gate: () => Promise<Release>;
  go: (release: Release) => void;
  fail: (err: unknown) => void;
}

interface ChannelTurns {
  /** Turns not yet let go, in slot order. */
  queue: Waiting[];
  /** The last turn let go: its slot and when it went. */
  last?: { slot: number; sent: number };
  /** A turn is waiting for its gate: the next one waits for its stamp. */
  gating: boolean;
  /** The latest spacing a claim reserved (ms). */
  spacingSeen?: number;
  timer?: ReturnType<typeof setTimeout>;
}

export interface ChannelPacer {
  /**
   * Resolves when the channel's send with this slot may go, with the gate's release (the
   * caller calls it once the send finished). `spacingMs`: the spacing the claim reserved
   * before this slot (unknown for a slot claimed alone).
   */
  turn(
    channelId: string,
    slot: number,
    spacingMs: number | undefined,
    gate: () => Promise<Release>,
  ): Promise<Release>;
}

export function channelPacer(): ChannelPacer {
  // One entry per channel this process has sent on (a few numbers each).
  const channels = new Map<string, ChannelTurns>();

  function turnsOf(channelId: string): ChannelTurns {
    let ch = channels.get(channelId);
    if (!ch) {
      ch = { queue: [], gating: false };
      channels.set(channelId, ch);
    }
    return ch;
  }

  function next(ch: ChannelTurns) {
    if (ch.gating || ch.queue.length === 0) return;
    clearTimeout(ch.timer);
    ch.timer = undefined;
    const head = ch.queue[0]!;
    // A slot claimed alone comes with no spacing: then the spacing of the two slots, but never
    // less than the latest reserved, as slots of two claims are converted to local time by two
    // answers that may have taken unlike times.
    let due = head.slot;
    if (ch.last) {
      const spacing = head.spacing ?? Math.max(Math.abs(head.slot - ch.last.slot), ch.spacingSeen ?? 0);
      due = Math.max(head.slot, ch.last.sent + spacing);
    }
    const wait = due - Date.now();
    if (wait > 0) {
      // Woken early or by an earlier slot arriving, next() measures again.
      ch.timer = setTimeout(() => next(ch), wait);
      return;
    }
    ch.queue.shift();
    ch.gating = true;
    head.gate().then(
      (release) => {
        ch.last = { slot: head.slot, sent: Date.now() };
        ch.gating = false;
        head.go(release);
        next(ch);
      },
      (err: unknown) => {
        ch.gating = false;
        head.fail(err);
        next(ch);
      },
    );
  }

  return {
    turn(channelId, slot, spacingMs, gate) {
      const turns = turnsOf(channelId);
      if (spacingMs !== undefined) turns.spacingSeen = spacingMs;
      return new Promise<Release>((go, fail) => {
        const at = turns.queue.findIndex((w) => w.slot > slot);
        turns.queue.splice(at === -1 ? turns.queue.length : at, 0, {
          slot,
          spacing: spacingMs,
          gate,
          go,
          fail,
        });
        next(turns);
      });
    },
  };
}
