import { useLocation, useNavigate } from '@solidjs/router';
import { createEffect, type JSX } from 'solid-js';
import type { InboxChat } from '../../features/inbox/api.ts';
import { setUnreadInTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import { chatTitle } from './ChatList.tsx';

type BadgingNavigator = Navigator & {
  setAppBadge?: (count?: number) => Promise<void>;
  clearAppBadge?: () => Promise<void>;
};

/**
 * What tells the member that customers wrote, wherever they are in the app: the total unread
 * in the tab title and on the installed app's icon (Badging API), and a desktop notification
 * for a new message in a chat assigned to them or to nobody (when they allowed notifications;
 * silent). Clicking it opens the chat.
 */
export function UnreadSignals(): JSX.Element {
  const { inbox } = useServices();
  const chats = inbox.chats();
  const total = inbox.totalUnread();
  const navigate = useNavigate();
  const location = useLocation();
  // Each chat as last seen: the list keeps a chat's object while it does not change, so an
  // update of 10,000 chats looks again only at those that changed.
  const seen = new Map<string, InboxChat>();
  let first = true;

  createEffect(() => {
    const count = total();
    setUnreadInTitle(count);
    const nav = navigator as BadgingNavigator;
    if (count > 0) void nav.setAppBadge?.(count).catch(() => {});
    else void nav.clearAppBadge?.().catch(() => {});
  });

  createEffect(() => {
    const me = inbox.me();
    for (const chat of chats()) {
      const last = seen.get(chat.id);
      if (last === chat) continue;
      seen.set(chat.id, chat);
      if (first || chat.unread <= (last?.unread ?? 0)) continue;
      const forMe = chat.assigneeId === null || chat.assigneeId === me;
      const looking = !document.hidden && location.pathname === `/inbox/${chat.id}`;
      if (!forMe || looking || typeof Notification === 'undefined' || Notification.permission !== 'granted')
        continue;
      const note = new Notification(chatTitle(chat), { body: chat.preview, tag: chat.id, silent: true });
      note.onclick = () => {
        window.focus();
        navigate(`/inbox/${chat.id}`);
        note.close();
      };
    }
    first = chats().length === 0 && first;
  });
  return null;
}
