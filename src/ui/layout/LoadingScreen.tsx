import type { JSX } from 'solid-js';
import styles from './LoadingScreen.module.css';
import { Logo } from './Logo.tsx';

export function LoadingScreen(): JSX.Element {
  return (
    <div class={styles.screen} role="status" aria-label="Loading Pigeon">
      <Logo size={48} class={styles.logo} />
      <span>Loading…</span>
    </div>
  );
}
