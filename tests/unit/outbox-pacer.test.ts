// The processor's pacing (supabase/functions/process-outbox/pacer.ts) with its provider-call
// cap (call-limit.ts), on real timers: a channel's sends never go closer together than their
// reserved spacing, even when the cap holds one of them back, the process woke late or two
// claims' answers took unlike times, and turns handed in by two runs in the wrong order still
// go in slot order.
import { describe, expect, test } from 'vitest';
import { callLimit } from '../../supabase/functions/process-outbox/call-limit.ts';
import { channelPacer } from '../../supabase/functions/process-outbox/pacer.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const GAP = 50;

/**
 * Takes the channel's turn for `slot`, then "calls the provider" for `callMs`. Resolves with
 * when the call got its place: the moment the pacer stamps the send (a continuation after
 * it may run a moment later).
 */
async function send(
  pacer: ReturnType<typeof channelPacer>,
  calls: ReturnType<typeof callLimit>,
  channel: string,
  slot: number,
  callMs = 0,
  gap?: number,
): Promise<number> {
  let placed = Number.NaN;
  const release = await pacer.turn(channel, slot, gap, async () => {
    const place = await calls.acquire();
    placed = Date.now();
    return place;
  });
  await sleep(callMs);
  release();
  return placed;
}

describe('channel pacer under the provider-call cap', () => {
  test('a send the cap held back still keeps its gap to the next send of its channel', async () => {
    const pacer = channelPacer();
    const calls = callLimit(1);
    const t0 = Date.now() + 20;
    // Another channel's slow call holds the only place past both slots of channel "a".
    let blockerEnded = Number.POSITIVE_INFINITY;
    const blocker = pacer.turn('b', Date.now(), undefined, calls.acquire).then(async (release) => {
      await sleep(3 * GAP);
      blockerEnded = Date.now();
      release();
    });
    const first = send(pacer, calls, 'a', t0, 0, GAP);
    const second = send(pacer, calls, 'a', t0 + GAP, 0, GAP);
    const [, a1, a2] = await Promise.all([blocker, first, second]);
    expect(a1).toBeGreaterThanOrEqual(blockerEnded);
    expect(a1).toBeGreaterThanOrEqual(t0 + 2 * GAP);
    // Stamped before the cap, the second send would follow the first at once.
    expect(a2 - a1).toBeGreaterThanOrEqual(GAP);
  });

  test('turns handed in out of slot order go in slot order, each a gap after the one before', async () => {
    const pacer = channelPacer();
    const calls = callLimit(32);
    const t0 = Date.now() + 30;
    const order: number[] = [];
    const at = async (slot: number) => {
      const time = await send(pacer, calls, 'a', slot);
      order.push(slot);
      return time;
    };
    // A second run's claim (later slots) answered before the first run's.
    const late = [at(t0 + 2 * GAP), at(t0 + 3 * GAP)];
    const early = [at(t0), at(t0 + GAP)];
    const times = await Promise.all([...early, ...late]);
    expect(order).toEqual([t0, t0 + GAP, t0 + 2 * GAP, t0 + 3 * GAP]);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(GAP);
  });

  test('an earlier slot arriving after a later one went is spaced from it, not sent at once', async () => {
    const pacer = channelPacer();
    const calls = callLimit(32);
    const t0 = Date.now();
    const later = await send(pacer, calls, 'a', t0 + GAP);
    // Its slot has passed, but the channel sent a moment ago: it waits the reserved spacing.
    const earlier = await send(pacer, calls, 'a', t0);
    expect(earlier - later).toBeGreaterThanOrEqual(GAP);
  });

  test('a late process keeps each reserved spacing: later sends shift, never bunch', async () => {
    const pacer = channelPacer();
    const calls = callLimit(32);
    // One claim's slots, 2 gaps apart (the owner's random delays), each with its spacing.
    const t0 = Date.now() + 10;
    const sends = [0, 1, 2, 3].map((i) =>
      send(pacer, calls, 'a', t0 + i * 2 * GAP, 0, i === 0 ? undefined : 2 * GAP),
    );
    // The event loop is stuck past all four slots.
    while (Date.now() < t0 + 6 * GAP + 10) {}
    const times = await Promise.all(sends);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(2 * GAP);
  });

  test('a slot claimed alone, converted by a slower answer, still waits the spacing last reserved', async () => {
    const pacer = channelPacer();
    const calls = callLimit(32);
    const t0 = Date.now() + 10;
    const first = await send(pacer, calls, 'a', t0, 0, GAP);
    // The next claim's answer took longer to arrive: its slot reads only 5 ms after the last.
    const alone = await send(pacer, calls, 'a', t0 + 5);
    expect(alone - first).toBeGreaterThanOrEqual(GAP);
  });
});
