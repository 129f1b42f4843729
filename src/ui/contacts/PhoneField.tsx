import { createMemo, createSignal, type JSX } from 'solid-js';
import { normalizePhone } from '../../domain/phone.ts';
import { TextField } from '../components/Field.tsx';
import { useServices } from '../services-context.ts';

/**
 * The phone input with the domain's reading of it as the user types: the E.164 form it will be
 * saved as, or (once the user leaves the field) why it can't be. The service still decides on
 * submit; this only saves a round trip.
 */
export function PhoneField(props: {
  value: string;
  onValue: (value: string) => void;
  ref?: (element: HTMLInputElement) => void;
}): JSX.Element {
  const { workspace } = useServices();
  const [touched, setTouched] = createSignal(false);

  const reading = createMemo(() => {
    const country = workspace()?.default_country;
    if (!country || props.value.trim() === '') return undefined;
    return normalizePhone(props.value, country);
  });

  const hint = () => {
    const result = reading();
    if (result?.ok) return `Will be saved as ${result.e164}`;
    const country = workspace()?.default_country;
    return country ? `International (+…) or a ${regionName(country)} number` : undefined;
  };
  const problem = () => {
    const result = reading();
    return touched() && result && !result.ok ? result.message : undefined;
  };

  return (
    <TextField
      label="Phone"
      type="tel"
      name="phone"
      autocomplete="tel"
      inputMode="tel"
      required
      ref={props.ref}
      value={props.value}
      onValue={(value) => {
        props.onValue(value);
        if (value.trim() === '') setTouched(false);
      }}
      onBlur={() => setTouched(true)}
      hint={hint()}
      problem={problem()}
    />
  );
}

const regions = new Intl.DisplayNames(['en'], { type: 'region' });

function regionName(code: string): string {
  return regions.of(code) ?? code;
}
