import { A } from '@solidjs/router';
import { createEffect, createMemo, For, type JSX, Match, on, Show, Switch } from 'solid-js';
import { formatPhone } from '../../domain/phone.ts';
import type { InboxChat, InboxNote } from '../../features/inbox/api.ts';
import type { ThreadMessage } from '../../features/messages/api.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { MessageTicks } from '../messages/MessageTicks.tsx';
import { notSentText, RetryButton } from '../messages/NotSent.tsx';
import { useServices } from '../services-context.ts';
import { chatTitle } from './ChatList.tsx';
import styles from './ChatView.module.css';
import { Compose } from './Compose.tsx';
import { clockTime, dayKey, dayLabel } from './format.ts';
import { MediaDownload } from './MediaDownload.tsx';
import { useOlderHistory } from './older-history.ts';

type Entry =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'message'; key: string; message: ThreadMessage }
  | { kind: 'note'; key: string; note: InboxNote };

/** Messages and notes in time order, a day separator before each new day. */
function timeline(messages: readonly ThreadMessage[], notes: readonly InboxNote[]): Entry[] {
  const items = [
    ...messages.map((message) => ({
      at: message.created_at,
      entry: { kind: 'message', key: message.id, message } as Entry,
    })),
    ...notes.map((note) => ({ at: note.created_at, entry: { kind: 'note', key: note.id, note } as Entry })),
  ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const out: Entry[] = [];
  let day: number | undefined;
  for (const { at, entry } of items) {
    if (dayKey(at) !== day) {
      day = dayKey(at);
      out.push({ kind: 'day', key: `day-${day}`, label: dayLabel(at) });
    }
    out.push(entry);
  }
  return out;
}

/**
 * One conversation: who, its assignment and status, the history with the team's notes, and
 * the box to reply or note. Opening it marks the customer's messages read for this member.
 */
export function ChatView(props: { chat: InboxChat }): JSX.Element {
  const { inbox, messages, online } = useServices();
  const thread = messages.chatThread(() => ({
    chatId: props.chat.id,
    channelId: props.chat.channelId,
    phone: props.chat.phone,
  }));
  const history = useOlderHistory(() => props.chat.id, thread);
  const notes = inbox.notes(() => props.chat.id);
  const members = inbox.members();
  const entries = createMemo(() => timeline(history.messages(), notes()));
  let list: HTMLOListElement | undefined;

  // Older pages from the server keep the message the user was looking at in place.
  const loadOlder = async () => {
    const fromBottom = list ? list.scrollHeight - list.scrollTop : 0;
    if ((await history.load()) && list) list.scrollTop = list.scrollHeight - fromBottom;
  };
  const nearTop = () => (list ? list.scrollTop < 80 : false);
  const fits = () => (list ? list.scrollHeight <= list.clientHeight + 1 : false);

  // Read when opened and whenever the customer writes while it is open.
  createEffect(
    on([() => props.chat.id, () => props.chat.unread], ([id, unread]) => {
      if (unread > 0) void inbox.markRead(id);
    }),
  );
  // The newest message in view when one arrives (not when older ones are added above).
  createEffect(
    on(
      () => entries().at(-1)?.key,
      () => list?.lastElementChild?.scrollIntoView({ block: 'nearest' }),
    ),
  );
  // A history that does not fill the pane cannot be scrolled up: ask for more at once.
  createEffect(
    on([entries, history.state], ([, state]) => {
      if (state === 'idle' && online() && fits()) void loadOlder();
    }),
  );

  const retry = (message: ThreadMessage) =>
    messages.send({
      phone: props.chat.phone,
      contactId: props.chat.contactId,
      body: message.body,
      channelId: props.chat.channelId,
    });

  return (
    <section class={styles.view} aria-labelledby="chat-heading">
      <header class={styles.header}>
        <A href="/inbox" class={styles.back} aria-label="Back to chats">
          ←
        </A>
        <div class={styles.who}>
          <h2 id="chat-heading" class={styles.title}>
            {chatTitle(props.chat)}
          </h2>
          <p class={styles.sub}>
            {formatPhone(props.chat.phone)} · {props.chat.channelName}
          </p>
        </div>
        <div class={styles.actions}>
          <label class={styles.assign}>
            <span class="visually-hidden">Assignee</span>
            <select
              value={props.chat.assigneeId ?? ''}
              onChange={(e) => void inbox.assign(props.chat.id, e.currentTarget.value || null)}
            >
              <option value="">Unassigned</option>
              <For each={members()}>{(m) => <option value={m.userId}>{m.label}</option>}</For>
            </select>
          </label>
          <Show when={inbox.me() && props.chat.assigneeId !== inbox.me()}>
            <button
              type="button"
              class={classes(controls.button, controls.small)}
              onClick={() => void inbox.assign(props.chat.id, inbox.me() ?? null)}
            >
              Assign to me
            </button>
          </Show>
          <button
            type="button"
            class={classes(controls.button, controls.small)}
            onClick={() =>
              void inbox.setStatus(props.chat.id, props.chat.status === 'closed' ? 'open' : 'closed')
            }
          >
            {props.chat.status === 'closed' ? 'Reopen' : 'Close'}
          </button>
        </div>
      </header>
      <ol
        class={styles.thread}
        aria-label="Conversation"
        ref={list}
        onScroll={() => {
          if (history.state() === 'idle' && nearTop()) void loadOlder();
        }}
      >
        <Switch>
          <Match when={history.state() === 'loading'}>
            <li class={styles.history} role="status">
              Loading older messages…
            </li>
          </Match>
          <Match when={history.state() === 'failed'}>
            <li class={styles.history}>
              Older messages need the network.{' '}
              <button
                type="button"
                class={classes(controls.button, controls.small)}
                onClick={() => {
                  history.retry();
                  void loadOlder();
                }}
              >
                Load older messages
              </button>
            </li>
          </Match>
        </Switch>
        <For each={entries()}>
          {(entry) => (
            <Switch>
              <Match when={entry.kind === 'day' && entry}>
                {(day) => <li class={styles.day}>{day().label}</li>}
              </Match>
              <Match when={entry.kind === 'note' && entry}>
                {(note) => (
                  <li
                    class={styles.note}
                    aria-label={`Note by ${note().note.authorLabel}: ${note().note.body}`}
                  >
                    <p class={styles.noteLabel}>Internal note · {note().note.authorLabel}</p>
                    <p class={styles.body}>{note().note.body}</p>
                    <p class={styles.meta}>
                      <time datetime={note().note.created_at}>{clockTime(note().note.created_at)}</time>
                    </p>
                  </li>
                )}
              </Match>
              <Match when={entry.kind === 'message' && entry}>
                {(m) => <Bubble message={m().message} onRetry={() => void retry(m().message)} />}
              </Match>
            </Switch>
          )}
        </For>
      </ol>
      <Compose chat={props.chat} />
    </section>
  );
}

const MEDIA_LABEL: Record<string, string> = {
  image: 'Photo',
  video: 'Video',
  audio: 'Voice message',
  document: 'Document',
  sticker: 'Sticker',
  location: 'Location',
  contacts: 'Contact card',
};

function Bubble(props: { message: ThreadMessage; onRetry: () => void }): JSX.Element {
  const m = () => props.message;
  const revoked = () => m().content.revoked_at !== null;
  const media = () => (revoked() ? undefined : MEDIA_LABEL[m().content.kind]);
  const text = () => (revoked() ? 'This message was deleted' : m().body);
  return (
    <li
      class={classes(styles.bubble, m().direction === 'out' ? styles.out : styles.in)}
      aria-label={`${m().direction === 'out' ? 'You' : 'They'}: ${text()}`}
    >
      <Show when={media()}>
        {(label) => (
          <p class={styles.media}>
            {label()}
            <Show when={m().content.file_name}>{(name) => <span> · {name()}</span>}</Show>
            <Show when={m().content.media_id && !m().local}>
              <MediaDownload message={m()} label={label()} />
            </Show>
          </p>
        )}
      </Show>
      <Show when={text() !== ''}>
        <p class={classes(styles.body, revoked() && styles.revoked)}>{text()}</p>
      </Show>
      <p class={styles.meta}>
        <Show when={m().content.edited_at && !revoked()}>
          <span>edited</span>
        </Show>
        <time datetime={m().created_at}>{clockTime(m().created_at)}</time>
        <Show when={m().direction === 'out'}>
          <MessageTicks status={m().status} />
        </Show>
      </p>
      <Show when={m().status === 'failed'}>
        <p class={styles.failed} role="alert">
          {notSentText(m().error)} <RetryButton onRetry={props.onRetry} />
        </p>
      </Show>
    </li>
  );
}
