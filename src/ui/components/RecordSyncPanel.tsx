import { createSignal, createUniqueId, For, type JSX, Show } from 'solid-js';
import type { ConflictSide, FieldConflict, MarkedCollection } from '../../features/record-sync/api.ts';
import { classes } from '../class-names.ts';
import { useServices } from '../services-context.ts';
import controls from './controls.module.css';
import styles from './RecordSyncPanel.module.css';

const SIDES: readonly ConflictSide[] = ['mine', 'theirs'];
const SIDE_NAMES: Record<ConflictSide, string> = { mine: 'Yours', theirs: 'Theirs' };

/**
 * On a record's page: why the server refused it (with Retry), that an edit brought it back after
 * a delete, and each field a merge decided between this device's edit and another's, with both
 * values and one click to keep either (the choice is an edit, synced like any other).
 */
export function RecordSyncPanel(props: {
  collection: MarkedCollection;
  id: string | undefined;
  /** What the page calls each field; others are named from the field's key. */
  labels?: Readonly<Record<string, string>>;
}): JSX.Element {
  const { recordSync } = useServices();
  const mark = recordSync.mark(props.collection, () => props.id);
  const [error, setError] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);
  // Unique: a list (groups) shows one panel per record.
  const headingId = createUniqueId();

  const act = async (run: () => Promise<{ ok: boolean; error?: string }>) => {
    setBusy(true);
    setError(undefined);
    const result = await run();
    setBusy(false);
    if (!result.ok) setError(result.error);
  };
  const keep = (conflict: FieldConflict, side: ConflictSide) =>
    act(() => recordSync.keep(props.collection, props.id ?? '', conflict.field, side));
  const label = (field: string) =>
    props.labels?.[field] ?? field.replace(/^custom_fields\./, '').replaceAll('_', ' ');

  return (
    <Show when={props.id !== undefined && mark().state !== 'synced' && mark().state !== 'pending'}>
      <div class={styles.panel}>
        <Show when={mark().error}>
          {(reason) => (
            <div class={classes(styles.box, styles.refused)} role="alert">
              <p>
                <strong>Not synced.</strong> The server refused this change: {reason()}
              </p>
              <button
                type="button"
                class={classes(controls.button, controls.small)}
                disabled={busy()}
                onClick={() => act(() => recordSync.retry(props.collection, props.id ?? ''))}
              >
                Retry
              </button>
            </div>
          )}
        </Show>
        <Show when={mark().restored}>
          {(restored) => (
            <div class={classes(styles.box, styles.merged)} role="status">
              <p>
                {restored().deletedHere
                  ? 'You deleted this on this device while it was edited on another: that edit came later, so it is back.'
                  : 'This was deleted on another device while you edited it here: your edit came later, so it is back.'}
              </p>
              <button
                type="button"
                class={classes(controls.button, controls.small)}
                onClick={() => void recordSync.dismissRestored(props.collection, props.id ?? '')}
              >
                OK
              </button>
            </div>
          )}
        </Show>
        <Show when={mark().conflicts.length > 0}>
          <section class={classes(styles.box, styles.merged)} aria-labelledby={headingId}>
            <h2 id={headingId} class={styles.heading}>
              Changed on another device
            </h2>
            <p class={styles.hint}>
              You and someone else changed the same field before either saw the other's change. The later
              change was kept; choose the value you want.
            </p>
            <For each={mark().conflicts}>
              {(conflict) => (
                <div class={styles.conflict}>
                  <h3 class={styles.field}>{label(conflict.field)}</h3>
                  <dl class={styles.values}>
                    <For each={SIDES}>
                      {(side) => (
                        <div>
                          <dt>
                            {SIDE_NAMES[side]}
                            {conflict.kept === side && <span class={styles.kept}> · kept</span>}
                          </dt>
                          <dd>{shown(side === 'mine' ? conflict.mine : conflict.theirs)}</dd>
                        </div>
                      )}
                    </For>
                  </dl>
                  <div class={styles.actions}>
                    <For each={SIDES}>
                      {(side) => (
                        <button
                          type="button"
                          class={classes(controls.button, controls.small)}
                          disabled={busy()}
                          aria-label={`Keep ${SIDE_NAMES[side].toLowerCase()} for ${label(conflict.field)}`}
                          onClick={() => keep(conflict, side)}
                        >
                          Keep {SIDE_NAMES[side].toLowerCase()}
                        </button>
                      )}
                    </For>
                  </div>
                </div>
              )}
            </For>
          </section>
        </Show>
        <Show when={error()}>
          <p class={styles.failed} role="alert">
            {error()}
          </p>
        </Show>
      </div>
    </Show>
  );
}

/** A field's value as text: lists joined, nothing as "(empty)". */
function shown(value: unknown): string {
  if (value === undefined || value === null || value === '') return '(empty)';
  if (Array.isArray(value)) return value.length > 0 ? value.join(', ') : '(empty)';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
