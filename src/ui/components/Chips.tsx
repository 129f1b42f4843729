import { For, type JSX, Show } from 'solid-js';
import type { ContactGroup } from '../../domain/types.ts';
import { classes } from '../class-names.ts';
import styles from './Chips.module.css';

export function TagChips(props: { tags: readonly string[] }): JSX.Element {
  return <For each={props.tags}>{(tag) => <span class={classes(styles.chip, styles.tag)}>{tag}</span>}</For>;
}

/** Group ids as named chips; ids of groups deleted elsewhere are skipped, not shown raw. */
export function GroupChips(props: {
  ids: readonly string[];
  groups: Map<string, ContactGroup>;
}): JSX.Element {
  return (
    <For each={props.ids}>
      {(id) => (
        <Show when={props.groups.get(id)}>
          {(group) => (
            <span class={classes(styles.chip, styles.group)}>
              <span
                class={styles.dot}
                style={{ background: group().color ?? 'var(--muted)' }}
                aria-hidden="true"
              />
              {group().name}
            </span>
          )}
        </Show>
      )}
    </For>
  );
}
