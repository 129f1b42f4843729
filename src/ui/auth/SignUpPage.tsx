import { A, useLocation } from '@solidjs/router';
import { createSignal, type JSX } from 'solid-js';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { TextField } from '../components/Field.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import { AuthLayout } from './AuthLayout.tsx';

export function SignUpPage(): JSX.Element {
  const services = useServices();
  const location = useLocation();
  usePageTitle(() => 'Create an account');

  const [email, setEmail] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [workspaceName, setWorkspaceName] = createSignal('');
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string>();

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    try {
      const workspace = workspaceName().trim();
      const result = await services.signUp(
        email().trim(),
        password(),
        workspace === '' ? undefined : workspace,
      );
      if (!result.ok) setError(result.error);
    } finally {
      setPending(false);
    }
  };

  return (
    <AuthLayout
      title="Create your account"
      footer={
        <>
          Already have an account? <A href={`/sign-in${location.search}`}>Sign in</A>
        </>
      }
    >
      <form class={forms.form} onSubmit={submit}>
        <TextField
          label="Email"
          type="email"
          name="email"
          autocomplete="email"
          required
          value={email()}
          onValue={setEmail}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autocomplete="new-password"
          required
          value={password()}
          onValue={setPassword}
        />
        <label class={forms.field}>
          <span class={forms.label}>Workspace name</span>
          <input
            type="text"
            name="workspace"
            autocomplete="organization"
            placeholder="e.g. Acme Bakery"
            aria-describedby="workspace-hint"
            value={workspaceName()}
            onInput={(event) => setWorkspaceName(event.currentTarget.value)}
          />
          <span class={forms.hint} id="workspace-hint">
            Your team's space in Pigeon. Invited to a team already? Leave it empty.
          </span>
        </label>
        <FormError error={error()} />
        <button
          type="submit"
          class={classes(controls.button, controls.primary, controls.block)}
          disabled={pending()}
        >
          {pending() ? 'Creating account…' : 'Create account'}
        </button>
      </form>
    </AuthLayout>
  );
}
