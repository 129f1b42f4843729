import { createEffect, createSignal } from 'solid-js';

// The inbox's total unread, shown before every page's title ("(3) Inbox · Pigeon").
const [unread, setUnread] = createSignal(0);
export const setUnreadInTitle = setUnread;

/** Each page names the tab, so history, tab strips and screen readers say where the user is. */
export function usePageTitle(title: () => string): void {
  createEffect(() => {
    document.title = `${unread() > 0 ? `(${unread()}) ` : ''}${title()} · Pigeon`;
  });
}
