import { createEffect } from 'solid-js';

/** Each page names the tab, so history, tab strips and screen readers say where the user is. */
export function usePageTitle(title: () => string): void {
  createEffect(() => {
    document.title = `${title()} · Pigeon`;
  });
}
