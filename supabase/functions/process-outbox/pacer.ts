// Holds each channel's sends to the spacing claim_outbox reserved, in local time. Slots
// arrive as delays relative to the claim; a busy process can still wake late and fire
// several overdue sends at once, which a provider would see as a burst. Turns are taken
// in slot order per channel, and a turn comes no sooner after the previous send than the
// reserved spacing, so lateness shifts later sends instead of bunching them.
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Turn {
  /** The reserved slot, ms since the epoch in local time. */
  slot: number;
  /** When the send was let go. */
  sent: number;
}

export function channelPacer() {
  const lastTurn = new Map<string, Promise<Turn>>();
  return {
    /** Resolves when the channel's send with this slot may go. Call in slot order per channel. */
    turn(channelId: string, slot: number): Promise<void> {
      const previous = lastTurn.get(channelId);
      const mine = (async (): Promise<Turn> => {
        const before = await previous;
        const due = before ? Math.max(slot, before.sent + (slot - before.slot)) : slot;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
        return { slot, sent: Date.now() };
      })();
      lastTurn.set(channelId, mine);
      return mine.then(() => undefined);
    },
  };
}
