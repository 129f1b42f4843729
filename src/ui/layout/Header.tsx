import { A } from '@solidjs/router';
import type { JSX } from 'solid-js';
import { QuotaIndicator } from '../campaigns/QuotaIndicator.tsx';
import { AccountControls } from './AccountControls.tsx';
import { Logo } from './Logo.tsx';
import { SyncIndicator } from './SyncIndicator.tsx';

export function Header(): JSX.Element {
  return (
    <header class="app-header">
      <div class="header-row">
        <A href="/contacts" class="brand" end>
          <Logo />
          <span>Pigeon</span>
        </A>
        <nav class="main-nav" aria-label="Main">
          <A href="/contacts">Contacts</A>
          <A href="/templates">Templates</A>
          <A href="/campaigns">Campaigns</A>
          <A href="/settings">Settings</A>
        </nav>
        <div class="header-status">
          <QuotaIndicator />
          <SyncIndicator />
        </div>
        <AccountControls />
      </div>
    </header>
  );
}
