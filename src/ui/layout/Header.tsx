import { A } from '@solidjs/router';
import { For, type JSX } from 'solid-js';
import { QuotaIndicator } from '../campaigns/QuotaIndicator.tsx';
import { UnreadSignals } from '../inbox/UnreadSignals.tsx';
import { AccountControls } from './AccountControls.tsx';
import styles from './Header.module.css';
import { Logo } from './Logo.tsx';
import { SyncIndicator } from './SyncIndicator.tsx';

const SECTIONS = [
  ['/inbox', 'Inbox'],
  ['/contacts', 'Contacts'],
  ['/templates', 'Templates'],
  ['/campaigns', 'Campaigns'],
  ['/settings', 'Settings'],
] as const;

export function Header(): JSX.Element {
  return (
    <header class={styles.header}>
      <UnreadSignals />
      <div class={styles.row}>
        <A href="/contacts" class={styles.brand} end>
          <Logo />
          <span>Pigeon</span>
        </A>
        <nav class={styles.nav} aria-label="Main">
          <For each={SECTIONS}>
            {([href, label]) => (
              <A href={href} activeClass={styles.active}>
                {label}
              </A>
            )}
          </For>
        </nav>
        <div class={styles.status}>
          <QuotaIndicator />
          <SyncIndicator />
        </div>
        <AccountControls />
      </div>
    </header>
  );
}
