import { type Accessor, createEffect, createMemo, createSignal, on } from 'solid-js';
import type { ThreadMessage } from '../../features/messages/api.ts';
import { useServices } from '../services-context.ts';

export type HistoryState = 'idle' | 'loading' | 'complete' | 'failed';

/**
 * A chat's history beyond what this device holds: pages from the server, asked for when the
 * user scrolls up past the oldest message shown (a new device opening a chat its first sync
 * has not reached). The pages stay in memory; what the device pulled stays as it is, and a
 * message both hold shows once, the local (live) one.
 */
export function useOlderHistory(chatId: Accessor<string>, local: Accessor<ThreadMessage[]>) {
  const { messages } = useServices();
  const [older, setOlder] = createSignal<ThreadMessage[]>([]);
  const [state, setState] = createSignal<HistoryState>('idle');
  createEffect(
    on(chatId, () => {
      setOlder([]);
      setState('idle');
    }),
  );

  const all = createMemo(() => {
    const here = local();
    const known = new Set(here.map((m) => m.id));
    return [...older().filter((m) => !known.has(m.id)), ...here];
  });

  /** Loads the next older page; true when messages were added. */
  const load = async (): Promise<boolean> => {
    if (state() === 'loading' || state() === 'complete') return false;
    const id = chatId();
    setState('loading');
    const oldest = all().reduce<ThreadMessage | undefined>(
      (first, m) => (first && Date.parse(first.created_at) <= Date.parse(m.created_at) ? first : m),
      undefined,
    );
    const page = await messages.olderMessages(id, oldest);
    if (id !== chatId()) return false;
    if (!page.ok) {
      setState('failed');
      return false;
    }
    setOlder((shown) => [...page.value.messages, ...shown]);
    setState(page.value.more ? 'idle' : 'complete');
    return page.value.messages.length > 0;
  };

  /** After a failure (offline): pages may be asked for again. */
  const retry = () => {
    if (state() === 'failed') setState('idle');
  };

  return { messages: all, state, load, retry };
}
