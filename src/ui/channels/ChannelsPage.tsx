import { A } from '@solidjs/router';
import { createMemo, createSignal, For, type JSX, Show } from 'solid-js';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import page from '../components/page.module.css';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import { AddChannelWizard } from './AddChannelWizard.tsx';
import { ChannelCard } from './ChannelCard.tsx';
import styles from './channels.module.css';

/** Settings → Channels: the workspace's WhatsApp numbers (owners and admins manage them, agents see them). */
export function ChannelsPage(): JSX.Element {
  const { channels, online } = useServices();
  usePageTitle(() => 'Channels');
  const [adding, setAdding] = createSignal(false);
  const ids = createMemo(() => channels.list().map((c) => c.id), [], {
    equals: (a, b) => a.length === b.length && a.every((id, i) => id === b[i]),
  });

  return (
    <div class={page.narrow}>
      <A class={page.backLink} href="/settings">
        ← Settings
      </A>
      <div class={styles.heading}>
        <h1>Channels</h1>
        <Show when={channels.canManage() && !adding()}>
          <button
            type="button"
            class={classes(controls.button, controls.primary)}
            disabled={!online()}
            onClick={() => setAdding(true)}
          >
            Add a channel
          </button>
        </Show>
      </div>
      <p class={page.muted}>The WhatsApp numbers this workspace sends from and receives on.</p>
      <Show when={!online()}>
        <p class={styles.note} role="status">
          You're offline: this is the last known state of each channel. Connecting and changing channels needs
          the network.
        </p>
      </Show>
      <Show when={!channels.canManage()}>
        <p class={styles.note}>Only owners and admins can add or change channels; you can see them here.</p>
      </Show>
      <Show when={adding()}>
        <div class={page.card}>
          <AddChannelWizard onClose={() => setAdding(false)} />
        </div>
      </Show>
      <Show
        when={channels.list().length > 0}
        fallback={
          <div class={classes(page.card, page.emptyState)}>
            <p class={page.emptyTitle}>No WhatsApp number is connected yet</p>
            <p class={page.muted}>Add a Meta Cloud API or Whapi.cloud number to send and receive messages.</p>
          </div>
        }
      >
        <ul class={styles.list} aria-label="Channels">
          {/* Keyed by id: a channel's new revision (a test connection's result) keeps its card and what it shows. */}
          <For each={ids()}>
            {(id) => (
              <Show when={channels.list().find((c) => c.id === id)}>
                {(channel) => <ChannelCard channel={channel()} manage={channels.canManage()} />}
              </Show>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}
