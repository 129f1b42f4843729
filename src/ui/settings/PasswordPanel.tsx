import { createSignal, type JSX, Show } from 'solid-js';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { TextField } from '../components/Field.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import page from '../components/page.module.css';
import { useServices } from '../services-context.ts';

/** Changing the password: the server asks for the current one (a stolen session is not enough). */
export function PasswordPanel(): JSX.Element {
  const { account } = useServices();
  const [current, setCurrent] = createSignal('');
  const [next, setNext] = createSignal('');
  const [repeat, setRepeat] = createSignal('');
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [done, setDone] = createSignal(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setError(undefined);
    setDone(false);
    if (next() !== repeat()) {
      setError('New password: the two entries differ.');
      return;
    }
    setPending(true);
    try {
      const result = await account.changePassword(next(), current());
      if (result.ok) {
        setDone(true);
        setCurrent('');
        setNext('');
        setRepeat('');
      } else {
        setError(result.error);
      }
    } finally {
      setPending(false);
    }
  };

  return (
    <section class={classes(page.card, page.panel)} aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <form class={forms.form} onSubmit={submit} aria-label="Change password">
        <TextField
          label="Current password"
          type="password"
          name="current-password"
          autocomplete="current-password"
          required
          value={current()}
          onValue={setCurrent}
        />
        <div class={forms.grid}>
          <TextField
            label="New password"
            type="password"
            name="new-password"
            autocomplete="new-password"
            minLength={6}
            required
            value={next()}
            onValue={setNext}
          />
          <TextField
            label="Repeat new password"
            type="password"
            name="repeat-password"
            autocomplete="new-password"
            minLength={6}
            required
            value={repeat()}
            onValue={setRepeat}
          />
        </div>
        <FormError error={error()} />
        <Show when={done()}>
          <p class={forms.success} role="status">
            Password changed. Your other devices are signed out.
          </p>
        </Show>
        <div class={forms.actions}>
          <button type="submit" class={classes(controls.button, controls.primary)} disabled={pending()}>
            Change password
          </button>
        </div>
      </form>
    </section>
  );
}
