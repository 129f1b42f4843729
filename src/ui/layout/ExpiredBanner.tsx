import { A, useLocation } from '@solidjs/router';
import { type JSX, Show } from 'solid-js';
import { useServices } from '../services-context.ts';

/** The refresh token was refused: work goes on locally, syncing waits for a new sign-in. */
export function ExpiredBanner(): JSX.Element {
  const { session } = useServices();
  const location = useLocation();
  const next = () => encodeURIComponent(location.pathname + location.search);
  return (
    <Show when={session().status === 'expired'}>
      <div class="banner banner-warning" role="alert">
        <span>Your session has expired. Sign in again to sync — your changes on this device are kept.</span>
        <A class="button button-small" href={`/sign-in?next=${next()}`}>
          Sign in again
        </A>
      </div>
    </Show>
  );
}
