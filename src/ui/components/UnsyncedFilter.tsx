import type { JSX } from 'solid-js';
import controls from './controls.module.css';

/** The "Not yet synced" switch of a list: only records waiting to sync or refused by the server. */
export function UnsyncedFilter(props: {
  checked: boolean;
  onChange: (checked: boolean) => void;
}): JSX.Element {
  return (
    <label class={controls.checkbox}>
      <input
        type="checkbox"
        checked={props.checked}
        onChange={(event) => props.onChange(event.currentTarget.checked)}
      />
      Not yet synced
    </label>
  );
}
