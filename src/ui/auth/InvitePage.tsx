import { A, useLocation, useNavigate, useSearchParams } from '@solidjs/router';
import { createResource, createSignal, type JSX, Match, Show, Switch } from 'solid-js';
import type { WorkspaceRole } from '../../domain/types.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import { AuthLayout } from './AuthLayout.tsx';

const ROLE_LABELS: Record<WorkspaceRole, string> = {
  owner: 'an owner',
  admin: 'an admin',
  agent: 'an agent',
};

/**
 * Where the mailed invitation link lands (/invite?token=…): signed out, it offers to sign in
 * or create an account and comes back here; signed in, it shows what the invitation is for
 * and joins only when the user accepts.
 */
export function InvitePage(): JSX.Element {
  const services = useServices();
  const location = useLocation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  usePageTitle(() => 'Invitation');
  const token = () => (typeof params.token === 'string' ? params.token : '');
  const signedIn = () => services.session().status === 'signed-in';
  const back = () => `?next=${encodeURIComponent(location.pathname + location.search)}`;
  const [details] = createResource(
    () => (signedIn() && token() ? token() : undefined),
    (t) => services.team.inviteDetails(t),
  );
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string>();

  const accept = async () => {
    setPending(true);
    setError(undefined);
    try {
      const result = await services.team.accept(token());
      if (!result.ok) {
        setError(result.error);
        return;
      }
      await services.sync.syncNow();
      if (services.workspaces().some((w) => w.id === result.value))
        await services.switchWorkspace(result.value);
      navigate('/contacts', { replace: true });
    } finally {
      setPending(false);
    }
  };

  return (
    <AuthLayout title="You're invited" footer={<A href="/contacts">Go to Pigeon</A>}>
      <Switch>
        <Match when={!token()}>
          <FormError error="This invitation link is incomplete: open it from the invitation email." />
        </Match>
        <Match when={!signedIn()}>
          <p>Sign in, or create an account, to see and accept this invitation.</p>
          <div class={forms.actions}>
            <A href={`/sign-in${back()}`} class={classes(controls.button, controls.primary)}>
              Sign in
            </A>
            <A href={`/sign-up${back()}`} class={controls.button}>
              Create an account
            </A>
          </div>
        </Match>
        <Match when={details()}>
          {(result) => {
            const r = result();
            if (!r.ok) return <FormError error={r.error} />;
            return (
              <div class={forms.form}>
                <p>
                  {r.value.invitedBy ?? 'Someone'} invites you to join{' '}
                  <strong>{r.value.workspaceName}</strong> as {ROLE_LABELS[r.value.role]}.
                </p>
                <Show when={r.value.alreadyMember}>
                  <p class={forms.hint}>You are already a member of this workspace.</p>
                </Show>
                <FormError error={error()} />
                <div class={forms.actions}>
                  <button
                    type="button"
                    class={classes(controls.button, controls.primary)}
                    disabled={pending()}
                    onClick={() => void accept()}
                  >
                    {pending() ? 'Joining…' : `Join ${r.value.workspaceName}`}
                  </button>
                  <A href="/contacts" class={controls.button}>
                    Not now
                  </A>
                </div>
              </div>
            );
          }}
        </Match>
        <Match when={true}>
          <p aria-busy="true">Opening the invitation…</p>
        </Match>
      </Switch>
    </AuthLayout>
  );
}
