import { A } from '@solidjs/router';
import { createSignal, type JSX, Show } from 'solid-js';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { TextField } from '../components/Field.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import { AuthLayout } from './AuthLayout.tsx';

/** Asks for a reset link by mail; the answer never says whether the address has an account. */
export function ForgotPasswordPage(): JSX.Element {
  const { account } = useServices();
  usePageTitle(() => 'Reset your password');
  const [email, setEmail] = createSignal('');
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [sentTo, setSentTo] = createSignal<string>();

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    try {
      const address = email().trim();
      const result = await account.requestPasswordReset(address);
      if (result.ok) setSentTo(address);
      else setError(result.error);
    } finally {
      setPending(false);
    }
  };

  return (
    <AuthLayout
      title="Reset your password"
      footer={
        <>
          Remembered it? <A href="/sign-in">Sign in</A>
        </>
      }
    >
      <Show
        when={sentTo()}
        fallback={
          <form class={forms.form} onSubmit={submit}>
            <p>Enter the email address of your account: we send you a link to choose a new password.</p>
            <TextField
              label="Email"
              type="email"
              name="email"
              autocomplete="username"
              required
              value={email()}
              onValue={setEmail}
            />
            <FormError error={error()} />
            <button
              type="submit"
              class={classes(controls.button, controls.primary, controls.block)}
              disabled={pending()}
            >
              {pending() ? 'Sending…' : 'Send reset link'}
            </button>
          </form>
        }
      >
        {(address) => (
          <p class={forms.success} role="status">
            If an account exists for {address()}, a link to reset its password is on its way. It works once,
            for an hour.
          </p>
        )}
      </Show>
    </AuthLayout>
  );
}
