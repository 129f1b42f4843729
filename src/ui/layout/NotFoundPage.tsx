import { A } from '@solidjs/router';
import type { JSX } from 'solid-js';
import page from '../components/page.module.css';
import { usePageTitle } from '../page-title.ts';

export function NotFoundPage(): JSX.Element {
  usePageTitle(() => 'Page not found');
  return (
    <section class={page.narrow}>
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
      <p>
        <A href="/contacts">Go to your contacts</A>
      </p>
    </section>
  );
}
