import type { JSX } from 'solid-js';
import { DisconnectedBanner } from '../channels/DisconnectedBanner.tsx';
import styles from './AppShell.module.css';
import { ExpiredBanner } from './ExpiredBanner.tsx';
import { Header } from './Header.tsx';
import { StorageFullBanner } from './StorageFullBanner.tsx';

/** Every signed-in page: the header, the banners (expired session, disconnected channel, full storage), then the page itself. */
export function AppShell(props: { children?: JSX.Element }): JSX.Element {
  return (
    <div class={styles.shell}>
      <a class={styles.skipLink} href="#main">
        Skip to content
      </a>
      <Header />
      <ExpiredBanner />
      <DisconnectedBanner />
      <StorageFullBanner />
      <main id="main" class={styles.main} tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}
