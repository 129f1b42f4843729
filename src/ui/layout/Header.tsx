import { A } from '@solidjs/router';
import type { JSX } from 'solid-js';
import { QuotaIndicator } from '../campaigns/QuotaIndicator.tsx';
import { AccountControls } from './AccountControls.tsx';
import styles from './Header.module.css';
import { Logo } from './Logo.tsx';
import { SyncIndicator } from './SyncIndicator.tsx';

export function Header(): JSX.Element {
  return (
    <header class={styles.header}>
      <div class={styles.row}>
        <A href="/contacts" class={styles.brand} end>
          <Logo />
          <span>Pigeon</span>
        </A>
        <nav class={styles.nav} aria-label="Main">
          <A href="/contacts" activeClass={styles.active}>
            Contacts
          </A>
          <A href="/templates" activeClass={styles.active}>
            Templates
          </A>
          <A href="/campaigns" activeClass={styles.active}>
            Campaigns
          </A>
          <A href="/settings" activeClass={styles.active}>
            Settings
          </A>
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
