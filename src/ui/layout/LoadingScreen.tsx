import type { JSX } from 'solid-js';
import { Logo } from './Logo.tsx';

export function LoadingScreen(): JSX.Element {
  return (
    <div class="loading-screen" role="status" aria-label="Loading Pigeon">
      <Logo size={48} />
      <span class="loading-text">Loading…</span>
    </div>
  );
}
