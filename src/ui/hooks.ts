import { type Accessor, createEffect, createMemo, createSignal, on, onCleanup } from 'solid-js';
import type { ContactGroup } from '../domain/types.ts';
import { useServices } from './services-context.ts';

/**
 * The value `ms` after it last changed: a search over 100,000 contacts runs once the user
 * pauses, not on every keystroke. An empty value passes at once, so clearing feels instant.
 */
export function createDebounced<T>(
  source: Accessor<T>,
  ms: number,
  immediate?: (value: T) => boolean,
): Accessor<T> {
  const [value, setValue] = createSignal(source());
  createEffect(
    on(source, (next) => {
      if (immediate?.(next)) {
        setValue(() => next);
        return;
      }
      const timer = setTimeout(() => setValue(() => next), ms);
      onCleanup(() => clearTimeout(timer));
    }),
  );
  return value;
}

/** The workspace's groups by id, for chips and pickers. */
export function useGroupsById(): Accessor<Map<string, ContactGroup>> {
  const { groups } = useServices();
  const list = groups.list();
  return createMemo(() => new Map(list().map((group) => [group.id, group])));
}

/** Groups sorted by name for display; the services give no order promise for groups. */
export function useSortedGroups(): Accessor<ContactGroup[]> {
  const { groups } = useServices();
  const list = groups.list();
  return createMemo(() => [...list()].sort((a, b) => a.name.localeCompare(b.name)));
}

/**
 * True once `key` has stayed the same for `ms`. A live `get()` answers undefined both while a
 * document loads and when there is none: pages wait this long before saying "not found", so a
 * slow open doesn't flash an error.
 */
export function useSettled(key: Accessor<unknown>, ms = 600): Accessor<boolean> {
  const [settled, setSettled] = createSignal(false);
  createEffect(
    on(key, () => {
      setSettled(false);
      const timer = setTimeout(() => setSettled(true), ms);
      onCleanup(() => clearTimeout(timer));
    }),
  );
  return settled;
}
