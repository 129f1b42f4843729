import { useParams } from '@solidjs/router';
import { createMemo, createSignal, For, type JSX, Show } from 'solid-js';
import { type AssigneeFilter, filterChats, type InboxFilter } from '../../domain/inbox.ts';
import type { ChatStatus } from '../../domain/types.ts';
import { classes } from '../class-names.ts';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import { ChatList } from './ChatList.tsx';
import { ChatView } from './ChatView.tsx';
import styles from './InboxPage.module.css';
import { NotificationsButton } from './NotificationsButton.tsx';

const ASSIGNEE: [AssigneeFilter, string][] = [
  ['mine', 'Mine'],
  ['unassigned', 'Unassigned'],
  ['all', 'All'],
];

const COUNT = new Intl.NumberFormat();

/**
 * Every conversation of every channel, from local data: the list (filters, search) beside the
 * open chat on wide screens; on phones one or the other, full screen.
 */
export function InboxPage(): JSX.Element {
  const { inbox } = useServices();
  const params = useParams<{ chatId?: string }>();
  const chats = inbox.listedChats();
  const members = inbox.members();
  const channels = inbox.channels();
  const progress = inbox.syncProgress();
  const [filter, setFilter] = createSignal<InboxFilter>({
    assignee: 'all',
    channel: undefined,
    status: 'open',
    search: '',
  });
  const matches = inbox.searchMessages(() => filter().search);
  const shown = createMemo(() => filterChats(chats(), filter(), inbox.me(), matches()));
  const open = createMemo(() => chats().find((c) => c.id === params.chatId));
  const update = (patch: Partial<InboxFilter>) => setFilter((f) => ({ ...f, ...patch }));
  usePageTitle(() => 'Inbox');

  return (
    <div class={classes(styles.inbox, params.chatId && styles.chatOpen)}>
      <section class={styles.listPane} aria-labelledby="inbox-heading">
        <div class={styles.toolbar}>
          <div class={styles.titleRow}>
            <h1 id="inbox-heading" class={styles.heading}>
              Inbox
            </h1>
            <NotificationsButton />
          </div>
          <div class={styles.segments} role="radiogroup" aria-label="Assigned to">
            <For each={ASSIGNEE}>
              {([value, label]) => (
                <label class={classes(styles.segment, filter().assignee === value && styles.segmentOn)}>
                  <input
                    type="radio"
                    name="assignee"
                    checked={filter().assignee === value}
                    onChange={() => update({ assignee: value })}
                  />
                  {label}
                </label>
              )}
            </For>
          </div>
          <div class={styles.selects}>
            <label>
              <span class="visually-hidden">Status</span>
              <select
                value={filter().status}
                onChange={(e) => update({ status: e.currentTarget.value as ChatStatus })}
              >
                <option value="open">Open</option>
                <option value="pending">Pending</option>
                <option value="closed">Closed</option>
              </select>
            </label>
            <label>
              <span class="visually-hidden">Channel</span>
              <select
                value={filter().channel ?? ''}
                onChange={(e) => update({ channel: e.currentTarget.value || undefined })}
              >
                <option value="">All channels</option>
                <For each={channels()}>{(c) => <option value={c.id}>{c.name}</option>}</For>
              </select>
            </label>
          </div>
          <label class={styles.search}>
            <span class="visually-hidden">Search chats</span>
            <input
              type="search"
              placeholder="Search name, number or message"
              value={filter().search}
              onInput={(e) => update({ search: e.currentTarget.value })}
            />
          </label>
        </div>
        <Show when={progress()}>
          {(p) => (
            <p class={styles.progress} role="status">
              <span>
                Loading conversations: {COUNT.format(p().stored)} of {COUNT.format(p().total)}
              </span>
              <progress max={p().total} value={p().stored} aria-hidden="true" />
            </p>
          )}
        </Show>
        <Show
          when={shown().length > 0}
          fallback={
            <p class={styles.empty}>
              {progress()
                ? 'Conversations are on their way to this device…'
                : chats().length === 0
                  ? 'No conversations yet. When a customer writes, the chat shows here.'
                  : 'No chats match.'}
            </p>
          }
        >
          <ChatList chats={shown()} members={members()} selected={params.chatId} />
        </Show>
      </section>
      <div class={styles.chatPane}>
        <Show
          when={open()}
          fallback={
            <p class={styles.empty}>{params.chatId ? 'This chat is not here (any more).' : 'Pick a chat.'}</p>
          }
        >
          {(chat) => <ChatView chat={chat()} />}
        </Show>
      </div>
    </div>
  );
}
