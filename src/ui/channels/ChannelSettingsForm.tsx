import { createSignal, type JSX } from 'solid-js';
import type { Channel } from '../../domain/types.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { TextField } from '../components/Field.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import { useServices } from '../services-context.ts';

/** A channel's name and pacing, saved on the server (owners and admins). */
export function ChannelSettingsForm(props: { channel: Channel; onDone: () => void }): JSX.Element {
  const { channels } = useServices();
  const [name, setName] = createSignal(props.channel.name);
  const [rate, setRate] = createSignal(String(props.channel.rate_per_minute));
  const [minDelay, setMinDelay] = createSignal(String(props.channel.min_delay_ms));
  const [maxDelay, setMaxDelay] = createSignal(String(props.channel.max_delay_ms));
  const [error, setError] = createSignal<string>();
  const [pending, setPending] = createSignal(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    const result = await channels.update(props.channel.id, {
      name: name(),
      rate_per_minute: Number(rate()),
      min_delay_ms: Number(minDelay()),
      max_delay_ms: Number(maxDelay()),
    });
    setPending(false);
    if (result.ok) props.onDone();
    else setError(result.error);
  };

  return (
    <form class={forms.form} aria-label={`Settings of ${props.channel.name}`} onSubmit={submit}>
      <TextField label="Name" name="name" required maxLength={100} value={name()} onValue={setName} />
      <div class={forms.grid}>
        <TextField
          label="Messages per minute"
          name="rate"
          inputMode="numeric"
          value={rate()}
          onValue={setRate}
        />
        <TextField
          label="Minimum delay (ms)"
          name="min-delay"
          inputMode="numeric"
          value={minDelay()}
          onValue={setMinDelay}
        />
        <TextField
          label="Maximum delay (ms)"
          name="max-delay"
          inputMode="numeric"
          value={maxDelay()}
          onValue={setMaxDelay}
        />
      </div>
      <FormError error={error()} />
      <div class={forms.actions}>
        <button type="button" class={classes(controls.button, controls.ghost)} onClick={props.onDone}>
          Cancel
        </button>
        <button type="submit" class={classes(controls.button, controls.primary)} disabled={pending()}>
          Save
        </button>
      </div>
    </form>
  );
}
