/** Speed and time left of an import, from what is done so far. Pure, for the progress bar. */

/** Items per second since `startedAt`; 0 before any time has passed. */
export function perSecond(done: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
}

/**
 * Seconds left at the pace so far, given the fraction done (bytes of the file read: the only
 * total known before the end). Undefined until there is enough to go on.
 */
export function secondsLeft(fractionDone: number, elapsedMs: number): number | undefined {
  if (!(fractionDone > 0.01) || elapsedMs < 500) return undefined;
  if (fractionDone >= 1) return 0;
  return Math.ceil(((elapsedMs / fractionDone) * (1 - fractionDone)) / 1000);
}
