// Group reports: outcomes that come while one report is on its way wait and go together in
// the next, so a busy processor records hundreds of sends per database call and an idle one
// still records a lone send at once. One report of a kind is in flight at a time per run.

export interface GroupReport<T, R> {
  /** Resolves once `item` was part of a report, with the report's answer for it (undefined: none). */
  add(item: T): Promise<R | undefined>;
}

/**
 * `report` gets at most `max` items a call and answers one result per item, in their order
 * (undefined when the report was not taken); it handles its own errors (it must not throw).
 */
export function groupReport<T, R = void>(
  report: (items: T[]) => Promise<readonly R[] | undefined>,
  max: number,
): GroupReport<T, R> {
  let waiting: { item: T; done: (result: R | undefined) => void }[] = [];
  let running = false;

  async function pump() {
    running = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting.slice(0, max);
        waiting = waiting.slice(batch.length);
        let results: readonly R[] | undefined;
        try {
          results = await report(batch.map((w) => w.item));
        } finally {
          for (const [i, w] of batch.entries()) w.done(results?.[i]);
        }
      }
    } finally {
      running = false;
    }
  }

  return {
    add(item) {
      return new Promise<R | undefined>((done) => {
        waiting.push({ item, done });
        if (!running) void pump();
      });
    },
  };
}
