import { A, useLocation } from '@solidjs/router';
import { createSignal, type JSX, Show } from 'solid-js';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { TextField } from '../components/Field.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import { AuthLayout } from './AuthLayout.tsx';
import styles from './SignInPage.module.css';

export function SignInPage(): JSX.Element {
  const services = useServices();
  const location = useLocation();
  usePageTitle(() => 'Sign in');

  const session = services.session();
  const expired = session.status === 'expired';
  const [email, setEmail] = createSignal(expired ? session.user.email : '');
  const [password, setPassword] = createSignal('');
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string>();

  // Why the user was signed out (e.g. the session was revoked), said once above the form.
  const reason = () => {
    const current = services.session();
    return current.status === 'signed-out' ? current.reason : undefined;
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    try {
      const result = await services.signIn(email().trim(), password());
      // On success the session changes and the app routes away from this page.
      if (!result.ok) setError(result.error);
    } finally {
      setPending(false);
    }
  };

  return (
    <AuthLayout
      title={expired ? 'Sign in again' : 'Sign in to Pigeon'}
      footer={
        <>
          New to Pigeon? <A href={`/sign-up${location.search}`}>Create an account</A>
        </>
      }
    >
      <Show when={expired}>
        <p class={styles.notice}>
          Your session expired. Your changes on this device are kept and sync once you sign in.
        </p>
      </Show>
      <Show when={reason()}>{(text) => <p class={styles.notice}>{text()}</p>}</Show>
      <form class={forms.form} onSubmit={submit}>
        <TextField
          label="Email"
          type="email"
          name="email"
          autocomplete="username"
          required
          value={email()}
          onValue={setEmail}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autocomplete="current-password"
          required
          value={password()}
          onValue={setPassword}
        />
        <p class={styles.forgot}>
          <A href="/forgot-password">Forgot password?</A>
        </p>
        <FormError error={error()} />
        <button
          type="submit"
          class={classes(controls.button, controls.primary, controls.block)}
          disabled={pending()}
        >
          {pending() ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </AuthLayout>
  );
}
