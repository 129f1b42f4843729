// Group reports: sends accepted while one report is on its way wait and go together in the
// next, so a busy processor records hundreds of sends per database call and an idle one
// still records a lone send at once. One report is in flight at a time per run.

export interface GroupReport<T> {
  /** Resolves once `item` was part of a report (whatever that report answered). */
  add(item: T): Promise<void>;
}

/** `report` gets at most `max` items a call; it handles its own errors (it must not throw). */
export function groupReport<T>(report: (items: T[]) => Promise<void>, max: number): GroupReport<T> {
  let waiting: { item: T; done: () => void }[] = [];
  let running = false;

  async function pump() {
    running = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting.slice(0, max);
        waiting = waiting.slice(batch.length);
        try {
          await report(batch.map((w) => w.item));
        } finally {
          for (const w of batch) w.done();
        }
      }
    } finally {
      running = false;
    }
  }

  return {
    add(item) {
      return new Promise<void>((done) => {
        waiting.push({ item, done });
        if (!running) void pump();
      });
    },
  };
}
