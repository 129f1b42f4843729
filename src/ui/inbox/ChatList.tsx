import { createVirtualizer } from '@tanstack/solid-virtual';
import { createEffect, For, type JSX, Show } from 'solid-js';
import { formatPhone } from '../../domain/phone.ts';
import type { InboxChat, InboxMember } from '../../features/inbox/api.ts';
import { classes } from '../class-names.ts';
import { MessageTicks } from '../messages/MessageTicks.tsx';
import styles from './ChatList.module.css';
import { listTime } from './format.ts';

const ROW_HEIGHT = 72;

/** The name a chat goes by: its contact's or profile name, else its number, formatted. */
export const chatTitle = (chat: InboxChat) => chat.name || formatPhone(chat.phone);

/**
 * The chats, newest activity first, rendering only the rows in view (10,000 chats cost what
 * 15 do). Each row is a link: Tab reaches it, Enter opens it.
 */
export function ChatList(props: {
  chats: InboxChat[];
  members: InboxMember[];
  selected: string | undefined;
}): JSX.Element {
  let scroller!: HTMLDivElement;
  const virtualizer = createVirtualizer({
    get count() {
      return props.chats.length;
    },
    getScrollElement: () => scroller,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  // A list that shrank under the scroll position (a filter) starts again at the top. The
  // virtualizer's own offset, not the element's scrollTop: reading that forces a layout at each
  // keystroke of a search.
  createEffect(() => {
    if (props.chats.length * ROW_HEIGHT < (virtualizer.scrollOffset ?? 0)) virtualizer.scrollToOffset(0);
  });
  const assignee = (id: string | null) => props.members.find((m) => m.userId === id);

  return (
    <div class={styles.scroller} ref={scroller}>
      <ul class={styles.list} aria-label="Chats" style={{ height: `${virtualizer.getTotalSize()}px` }}>
        <For each={virtualizer.getVirtualItems()}>
          {(item) => {
            const chat = () => props.chats[item.index]!;
            return (
              <Show when={props.chats[item.index]}>
                <li
                  class={styles.item}
                  style={{ transform: `translateY(${item.start}px)`, height: `${ROW_HEIGHT}px` }}
                >
                  {/* A plain link: the router follows it, without its <A>'s work per row. */}
                  <a
                    href={`/inbox/${chat().id}`}
                    class={classes(styles.row, chat().id === props.selected && styles.selected)}
                    aria-current={chat().id === props.selected ? 'page' : undefined}
                    aria-label={`${chatTitle(chat())}${chat().unread > 0 ? `, ${chat().unread} unread` : ''}`}
                  >
                    <span class={styles.top}>
                      <span class={styles.name}>{chatTitle(chat())}</span>
                      <time class={styles.time} datetime={chat().lastMessageAt ?? undefined}>
                        {listTime(chat().lastMessageAt)}
                      </time>
                    </span>
                    <span class={styles.bottom}>
                      <span class={styles.preview}>
                        <Show when={chat().lastDirection === 'out' && chat().lastStatus}>
                          {(status) => (
                            <span class={styles.tick}>
                              <MessageTicks status={status()} />
                            </span>
                          )}
                        </Show>
                        {chat().preview}
                      </span>
                      <Show when={chat().unread > 0}>
                        <span class={styles.unread} title={`${chat().unread} unread`}>
                          {chat().unread}
                        </span>
                      </Show>
                    </span>
                    <span class={styles.meta}>
                      <span class={styles.channel}>{chat().channelName}</span>
                      <Show when={chat().status !== 'open'}>
                        <span class={styles.status}>{chat().status === 'closed' ? 'Closed' : 'Pending'}</span>
                      </Show>
                      <Show when={assignee(chat().assigneeId)}>
                        {(member) => (
                          <span class={styles.avatar} title={`Assigned to ${member().label}`}>
                            {member().initials}
                          </span>
                        )}
                      </Show>
                    </span>
                  </a>
                </li>
              </Show>
            );
          }}
        </For>
      </ul>
    </div>
  );
}
