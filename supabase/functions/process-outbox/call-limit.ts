// At most `max` provider calls at once per run. Sends whose slot came while the process was
// busy would otherwise all start together: hundreds of requests at once, answers later than
// the timeout, and each such send made again (the provider had taken it). Pacing only says
// "no earlier than", so a send that waits here for a free call keeps its spacing.
export function callLimit(max: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async function limited<T>(call: () => Promise<T>): Promise<T> {
    if (running >= max) await new Promise<void>((go) => waiting.push(go));
    else running++;
    try {
      return await call();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
