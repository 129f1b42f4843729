import { createSignal, For, type JSX, Show } from 'solid-js';
import type { ContactGroup } from '../../domain/types.ts';
import { classes } from '../class-names.ts';
import chips from '../components/Chips.module.css';
import controls from '../components/controls.module.css';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { FormError } from '../components/FormError.tsx';
import page from '../components/page.module.css';
import { RecordSyncPanel } from '../components/RecordSyncPanel.tsx';
import { SyncMark } from '../components/SyncMark.tsx';
import { useGroupsById, useSortedGroups } from '../hooks.ts';
import { useServices } from '../services-context.ts';
import styles from './GroupsPanel.module.css';

// A readable set on white, each dark enough to tell apart as a dot beside dark text.
const PALETTE = ['#25d366', '#3b82f6', '#f59e0b', '#ef4444', '#8b5cf6', '#14b8a6', '#ec4899', '#64748b'];

const GROUP_LABELS = { name: 'Name', description: 'Description', color: 'Colour' };

export function GroupsPanel(): JSX.Element {
  const { groups } = useServices();
  const sorted = useSortedGroups();
  const byId = useGroupsById();
  const [error, setError] = createSignal<string>();
  const [deleting, setDeleting] = createSignal<ContactGroup>();

  const remove = async (group: ContactGroup) => {
    const result = await groups.remove(group.id);
    setDeleting(undefined);
    setError(result.ok ? undefined : result.error);
  };

  return (
    <section class={classes(page.card, page.panel)} id="groups" aria-labelledby="groups-heading">
      <h2 id="groups-heading">Groups</h2>
      <Show when={sorted().length > 0} fallback={<p class={page.muted}>No groups yet.</p>}>
        <ul class={styles.list}>
          {/* Keyed by id: a rename replaces the group object, and the row (with its focus) must stay. */}
          <For each={sorted().map((group) => group.id)}>
            {(id) => (
              <Show when={byId().get(id)}>
                {(group) => (
                  <GroupItem group={group()} onError={setError} onDelete={() => setDeleting(group())} />
                )}
              </Show>
            )}
          </For>
        </ul>
      </Show>
      <AddGroupForm nextColor={PALETTE[sorted().length % PALETTE.length] ?? '#25d366'} />
      <FormError error={error()} />
      <ConfirmDialog
        open={deleting() !== undefined}
        title="Delete group?"
        message={<p>Delete the group “{deleting()?.name}”? Its contacts stay; they just leave the group.</p>}
        confirmLabel="Delete group"
        danger
        onConfirm={() => {
          const group = deleting();
          if (group) void remove(group);
        }}
        onCancel={() => setDeleting(undefined)}
      />
    </section>
  );
}

function GroupItem(props: {
  group: ContactGroup;
  onError: (error?: string) => void;
  onDelete: () => void;
}): JSX.Element {
  const { groups, recordSync } = useServices();
  const syncMark = recordSync.mark('contact_groups', () => props.group.id);
  const [editing, setEditing] = createSignal(false);
  const [name, setName] = createSignal('');
  const [color, setColor] = createSignal('');
  let renameButton: HTMLButtonElement | undefined;

  const start = () => {
    setName(props.group.name);
    setColor(props.group.color ?? PALETTE[0] ?? '#25d366');
    setEditing(true);
  };
  const stop = () => {
    setEditing(false);
    // Back to where the user was, not to the top of the page.
    queueMicrotask(() => renameButton?.focus());
  };
  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    const result = await groups.update(props.group.id, { name: name().trim(), color: color() });
    props.onError(result.ok ? undefined : result.error);
    if (result.ok) stop();
  };

  return (
    <li class={styles.item}>
      <Show
        when={editing()}
        fallback={
          <>
            <span
              class={chips.dot}
              style={{ background: props.group.color ?? 'var(--muted)' }}
              aria-hidden="true"
            />
            <span class={styles.name}>{props.group.name}</span>
            <SyncMark state={syncMark().state} compact />
            <button
              type="button"
              class={classes(controls.button, controls.ghost, controls.small)}
              ref={renameButton}
              aria-label={`Rename ${props.group.name}`}
              onClick={start}
            >
              Rename
            </button>
            <button
              type="button"
              class={classes(controls.button, controls.ghost, controls.small)}
              aria-label={`Delete group ${props.group.name}`}
              onClick={() => props.onDelete()}
            >
              Delete
            </button>
          </>
        }
      >
        <form
          class={styles.inline}
          onSubmit={save}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.preventDefault();
              stop();
            }
          }}
        >
          <input
            type="color"
            class={styles.color}
            aria-label={`Colour of ${props.group.name}`}
            value={color()}
            onInput={(event) => setColor(event.currentTarget.value)}
          />
          <input
            type="text"
            aria-label={`Rename ${props.group.name} to`}
            required
            value={name()}
            onInput={(event) => setName(event.currentTarget.value)}
            ref={(element) =>
              queueMicrotask(() => {
                element.focus();
                element.select();
              })
            }
          />
          <button type="submit" class={classes(controls.button, controls.primary, controls.small)}>
            Save
          </button>
          <button type="button" class={classes(controls.button, controls.small)} onClick={stop}>
            Cancel
          </button>
        </form>
      </Show>
      {/* A group has no page of its own: its refusal or merged fields show under it. */}
      <Show when={syncMark().state === 'error' || syncMark().state === 'conflict'}>
        <div class={styles.sync}>
          <RecordSyncPanel collection="contact_groups" id={props.group.id} labels={GROUP_LABELS} />
        </div>
      </Show>
    </li>
  );
}

function AddGroupForm(props: { nextColor: string }): JSX.Element {
  const { groups } = useServices();
  const [name, setName] = createSignal('');
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string>();

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setPending(true);
    try {
      const result = await groups.add({ name: name().trim(), color: props.nextColor });
      setError(result.ok ? undefined : result.error);
      if (result.ok) setName('');
    } finally {
      setPending(false);
    }
  };

  return (
    <form class={styles.add} onSubmit={submit}>
      <div class={styles.inline}>
        <input
          type="text"
          aria-label="New group"
          placeholder="New group"
          required
          value={name()}
          onInput={(event) => setName(event.currentTarget.value)}
        />
        <button type="submit" class={classes(controls.button, controls.small)} disabled={pending()}>
          Add group
        </button>
      </div>
      <FormError error={error()} />
    </form>
  );
}
