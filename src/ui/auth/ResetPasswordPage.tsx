import { A, useNavigate } from '@solidjs/router';
import { createSignal, type JSX, onMount, Show } from 'solid-js';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { TextField } from '../components/Field.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import { AuthLayout } from './AuthLayout.tsx';

/**
 * Where the mailed reset link lands (/reset-password#access_token=…): signs in from the
 * link, then asks for the new password. The fragment is read once and removed from the
 * address bar, so the tokens are not left in history.
 */
export function ResetPasswordPage(): JSX.Element {
  const services = useServices();
  const navigate = useNavigate();
  usePageTitle(() => 'Choose a new password');
  const [linkError, setLinkError] = createSignal<string>();
  const [password, setPassword] = createSignal('');
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const signedIn = () => services.session().status === 'signed-in';

  onMount(() => {
    const fragment = window.location.hash;
    if (!fragment) {
      if (!signedIn()) setLinkError('Open this page from the link in the reset email.');
      return;
    }
    history.replaceState(null, '', window.location.pathname);
    void services.account.openResetLink(fragment).then((result) => {
      if (!result.ok) setLinkError(result.error);
    });
  });

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    try {
      const result = await services.account.changePassword(password());
      if (result.ok) navigate('/contacts', { replace: true });
      else setError(result.error);
    } finally {
      setPending(false);
    }
  };

  return (
    <AuthLayout
      title="Choose a new password"
      footer={
        <>
          Need a new link? <A href="/forgot-password">Reset your password</A>
        </>
      }
    >
      <Show when={!linkError()} fallback={<FormError error={linkError()} />}>
        <Show when={signedIn()} fallback={<p aria-busy="true">Checking the link…</p>}>
          <form class={forms.form} onSubmit={submit}>
            <TextField
              label="New password"
              type="password"
              name="new-password"
              autocomplete="new-password"
              minLength={6}
              required
              value={password()}
              onValue={setPassword}
            />
            <FormError error={error()} />
            <button
              type="submit"
              class={classes(controls.button, controls.primary, controls.block)}
              disabled={pending()}
            >
              {pending() ? 'Saving…' : 'Save new password'}
            </button>
          </form>
        </Show>
      </Show>
    </AuthLayout>
  );
}
