/**
 * biome-ignore-all lint/a11y/useSemanticElements: a virtual list positions each row on its own, which
 * <table> layout can't do, so the grid is divs with the ARIA grid roles.
 */
/**
 * biome-ignore-all lint/a11y/useFocusableInteractive: focus moves by row (roving tabindex on the rows),
 * so cells and column headers are not focus targets.
 */
import { createVirtualizer, defaultRangeExtractor, type Range } from '@tanstack/solid-virtual';
import { createEffect, createSignal, For, type JSX, onCleanup, onMount, Show } from 'solid-js';
import type { Contact, ContactGroup } from '../../domain/types.ts';
import type { RecordSyncState } from '../../features/record-sync/api.ts';
import { classes } from '../class-names.ts';
import chips from '../components/Chips.module.css';
import { GroupChips, TagChips } from '../components/Chips.tsx';
import { SyncMark } from '../components/SyncMark.tsx';
import styles from './ContactList.module.css';

const ROW_HEIGHT = 60;

// Where the list was when a contact was opened, so Back lands on the same rows with focus on the
// row the user left from, instead of at the top of 100,000 contacts.
const remembered = { active: 0, offset: 0, refocus: false };

interface ContactListProps {
  contacts: Contact[];
  groups: Map<string, ContactGroup>;
  label: string;
  onOpen: (id: string) => void;
  /** The contacts not synced, by id (the others show no mark). */
  syncStates?: ReadonlyMap<string, RecordSyncState>;
}

/**
 * A grid of contacts that renders only the rows in view, so 100,000 rows cost what 20 do.
 * Keyboard: one row is in the tab order (roving tabindex); arrows, Page Up/Down, Home and End
 * move focus, Enter opens. The focused row is always rendered (see rangeExtractor), so focus is
 * never lost when the user scrolls it out of view with the mouse.
 */
export function ContactList(props: ContactListProps): JSX.Element {
  let scroller!: HTMLDivElement;
  const [active, setActive] = createSignal(remembered.active);
  const count = () => props.contacts.length;

  createEffect(() => {
    if (active() > 0 && active() >= count()) setActive(Math.max(0, count() - 1));
  });

  const virtualizer = createVirtualizer({
    get count() {
      return count();
    },
    getScrollElement: () => scroller,
    initialOffset: remembered.offset,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
    // A new function whenever the active row changes, so the virtualizer recomputes its range.
    get rangeExtractor() {
      const keep = active();
      return (range: Range) => {
        const indexes = defaultRangeExtractor(range);
        if (keep < range.count && !indexes.includes(keep)) {
          indexes.push(keep);
          indexes.sort((a, b) => a - b);
        }
        return indexes;
      };
    },
  });

  const focusRow = (index: number) => {
    const target = Math.max(0, Math.min(index, count() - 1));
    setActive(target);
    virtualizer.scrollToIndex(target, { align: 'auto' });
    scroller.querySelector<HTMLElement>(`[data-index="${target}"]`)?.focus({ preventScroll: true });
  };

  const open = (index: number) => {
    const contact = props.contacts[index];
    if (!contact) return;
    Object.assign(remembered, { active: index, offset: scroller.scrollTop, refocus: true });
    props.onOpen(contact.id);
  };

  onMount(() => {
    if (!remembered.refocus) return;
    remembered.refocus = false;
    // The virtualizer renders its first rows once it has measured the scroller, a frame later.
    requestAnimationFrame(() => focusRow(active()));
  });
  onCleanup(() => {
    remembered.active = active();
  });

  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const page = Math.max(1, Math.floor(scroller.clientHeight / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + page,
      PageUp: index - page,
      Home: 0,
      End: count() - 1,
    };
    const to = moves[event.key];
    if (to !== undefined) {
      event.preventDefault();
      focusRow(to);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      open(index);
    }
  };

  return (
    <div
      class={styles.grid}
      role="grid"
      aria-label={props.label}
      aria-rowcount={count() + 1}
      aria-colcount={4}
    >
      <div class={styles.head} role="rowgroup">
        <div class={classes(styles.row, styles.headRow)} role="row" aria-rowindex={1}>
          <span role="columnheader">Name</span>
          <span role="columnheader">Phone</span>
          <span role="columnheader">Tags</span>
          <span role="columnheader">Groups</span>
        </div>
      </div>
      <div class={styles.body} role="rowgroup" ref={scroller}>
        <div class={styles.sizer} role="presentation" style={{ height: `${virtualizer.getTotalSize()}px` }}>
          <For each={virtualizer.getVirtualItems()}>
            {(item) => (
              <Show when={props.contacts[item.index]}>
                {(contact) => (
                  <div
                    class={classes(styles.row, contact().opted_out && styles.optedOut)}
                    role="row"
                    aria-rowindex={item.index + 2}
                    data-index={item.index}
                    tabIndex={item.index === active() ? 0 : -1}
                    style={{ height: `${ROW_HEIGHT}px`, transform: `translateY(${item.start}px)` }}
                    onClick={() => {
                      setActive(item.index);
                      open(item.index);
                    }}
                    onFocus={() => setActive(item.index)}
                    onKeyDown={(event) => onKeyDown(event, item.index)}
                  >
                    <span role="gridcell" class={styles.name}>
                      <span class={styles.avatar} aria-hidden="true">
                        {initials(contact().name)}
                      </span>
                      <span class={styles.text}>{contact().name || 'No name'}</span>
                      <Show when={contact().opted_out}>
                        <span class={classes(chips.badge, chips.badgeMuted)}>Opted out</span>
                      </Show>
                      <SyncMark state={props.syncStates?.get(contact().id)} compact />
                    </span>
                    <span role="gridcell" class={styles.phone}>
                      {contact().phone}
                    </span>
                    <span role="gridcell" class={styles.chips} title={contact().tags.join(', ')}>
                      <TagChips tags={contact().tags} />
                    </span>
                    <span
                      role="gridcell"
                      class={styles.chips}
                      title={contact()
                        .group_ids.map((id) => props.groups.get(id)?.name)
                        .filter(Boolean)
                        .join(', ')}
                    >
                      <GroupChips ids={contact().group_ids} groups={props.groups} />
                    </span>
                  </div>
                )}
              </Show>
            )}
          </For>
        </div>
      </div>
    </div>
  );
}

/** Two letters for the avatar: first and last word that start with a letter ("Ana Nguyen 2" → AN). */
function initials(name: string): string {
  const words = name.split(/\s+/).filter((word) => /^\p{L}/u.test(word));
  const first = words[0]?.[0] ?? '';
  const last = words.length > 1 ? (words.at(-1)?.[0] ?? '') : '';
  return (first + last).toUpperCase() || '#';
}
