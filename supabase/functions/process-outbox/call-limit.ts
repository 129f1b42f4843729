// At most `max` provider calls at once per run. Sends whose slot came while the process was
// busy would otherwise all start together: hundreds of requests at once, answers later than
// the timeout, and each such send made again (the provider had taken it). A place is taken
// before the pacer stamps a send (pacer.ts): a send that waited here for a place still keeps
// its spacing to the channel's next one.

/** Gives the place back; calling it again does nothing. */
export type Release = () => void;

export interface CallLimit {
  /** Resolves once a call may start; the caller releases when the call has finished. */
  acquire(): Promise<Release>;
}

export function callLimit(max: number): CallLimit {
  let running = 0;
  const waiting: (() => void)[] = [];

  function releaser(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = waiting.shift();
      // The place passes straight to the next waiter: `running` stays as it is.
      if (next) next();
      else running--;
    };
  }

  return {
    async acquire() {
      if (running >= max) await new Promise<void>((go) => waiting.push(go));
      else running++;
      return releaser();
    },
  };
}
