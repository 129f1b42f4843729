/**
 * Send times for a campaign's recipients, in order: the first at the start (or when the first
 * window opens), each next one a random delay later (min..max ms, inclusive), never closer
 * than the rate allows, and moved into the next window when it falls outside one.
 *
 * The rate is kept by spacing: sends at least ceil(60,000 / rate) ms apart put at most `rate`
 * sends in any 60 seconds. The delay and the spacing are not added: the larger one wins, so a
 * 10–20 s delay under a rate of 10 per minute gives 10–20 s, and under 2 per minute 30 s.
 * The plan paces one campaign; the processor paces the channel across campaigns and replies.
 *
 * Linear and cheap per recipient: one random number, a few additions, and a zone lookup only
 * when the plan crosses into another window.
 */
import { nextWindow, type SendWindow, type WindowInterval, windowProblems } from './send-window.ts';
import { isTimeZone, zoneClock } from './send-zone.ts';

export interface Pacing {
  /** Epoch ms when sending may begin (launch time, or the scheduled start). */
  startAt: number;
  /** IANA zone the window is read in. */
  timeZone: string;
  /** Null = send at any hour. */
  window: SendWindow | null;
  minDelayMs: number;
  maxDelayMs: number;
  ratePerMinute: number;
}

/** A source of numbers in [0, 1), like Math.random; tests pass a seeded one. */
export type RandomSource = () => number;

export const MAX_DELAY_MS = 3_600_000;
export const MAX_RATE_PER_MINUTE = 6000;

/** What is wrong with the pacing, in words for the user; empty when it is usable. */
export function pacingProblems(pacing: Pacing): string[] {
  const problems: string[] = [];
  if (!Number.isFinite(pacing.startAt)) problems.push('the start time is not a valid time');
  if (!isTimeZone(pacing.timeZone)) {
    problems.push(
      `unknown time zone ${JSON.stringify(pacing.timeZone)}: use an IANA name such as Europe/Paris`,
    );
  }
  const delays = [pacing.minDelayMs, pacing.maxDelayMs];
  if (delays.some((d) => !Number.isInteger(d) || d < 0 || d > MAX_DELAY_MS)) {
    problems.push(`delays must be whole milliseconds from 0 to ${MAX_DELAY_MS} (one hour)`);
  } else if (pacing.minDelayMs > pacing.maxDelayMs) {
    problems.push('the minimum delay is longer than the maximum delay');
  }
  if (
    !Number.isInteger(pacing.ratePerMinute) ||
    pacing.ratePerMinute < 1 ||
    pacing.ratePerMinute > MAX_RATE_PER_MINUTE
  ) {
    problems.push(`the rate must be 1 to ${MAX_RATE_PER_MINUTE} messages per minute`);
  }
  if (pacing.window) problems.push(...windowProblems(pacing.window));
  return problems;
}

/** Minimum ms between two sends at this rate. */
export function rateSpacingMs(ratePerMinute: number): number {
  return Math.ceil(60_000 / ratePerMinute);
}

/**
 * A planner handing out one send time per call, in recipient order. Throws a RangeError
 * naming every problem when the pacing is unusable.
 */
export function sendPlanner(pacing: Pacing, random: RandomSource = Math.random): () => number {
  const problems = pacingProblems(pacing);
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  const { window, minDelayMs, maxDelayMs } = pacing;
  const clock = zoneClock(pacing.timeZone);
  const spacing = rateSpacingMs(pacing.ratePerMinute);
  const spread = maxDelayMs - minDelayMs + 1;
  let last: number | undefined;
  let open: WindowInterval | undefined;

  return () => {
    let at: number;
    if (last === undefined) {
      at = Math.ceil(pacing.startAt);
    } else {
      // min(…) keeps a source that returns 1 (out of contract) inside the bounds.
      const delay = minDelayMs + Math.min(Math.floor(random() * spread), spread - 1);
      at = last + Math.max(delay, spacing);
    }
    if (window) {
      if (!open || at >= open.close) open = nextWindow(clock, window, at);
      if (at < open.open) at = open.open;
    }
    last = at;
    return at;
  };
}

/** Send times for `count` recipients (epoch ms), as one typed array: cheap to post between threads. */
export function planSendTimes(
  count: number,
  pacing: Pacing,
  random: RandomSource = Math.random,
): Float64Array {
  const next = sendPlanner(pacing, random);
  const times = new Float64Array(count);
  for (let i = 0; i < count; i++) times[i] = next();
  return times;
}

/**
 * A small seeded random source (mulberry32): the same seed gives the same plan, for tests and
 * for a preview that does not reshuffle on every render.
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
