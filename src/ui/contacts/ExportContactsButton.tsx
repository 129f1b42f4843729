import { createSignal, type JSX } from 'solid-js';
import type { ContactSelection } from '../../features/contacts/api.ts';
import controls from '../components/controls.module.css';
import { FormError } from '../components/FormError.tsx';
import { saveFile } from '../save-file.ts';
import { useServices } from '../services-context.ts';

/** Saves the list as CSV: every contact, or (while searching or filtering) those shown. */
export function ExportContactsButton(props: { selection: ContactSelection; filtered: boolean }): JSX.Element {
  const { contacts } = useServices();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();

  const save = async () => {
    setBusy(true);
    setError(undefined);
    const csv = await contacts.exportCsv(props.selection);
    setBusy(false);
    if (!csv.ok) return setError(csv.error);
    const day = new Date().toISOString().slice(0, 10);
    saveFile(
      [csv.value.text],
      `contacts${props.filtered ? '-filtered' : ''}-${day}.csv`,
      'text/csv;charset=utf-8',
    );
  };

  return (
    <>
      <button
        type="button"
        class={controls.button}
        disabled={busy()}
        title={props.filtered ? 'The contacts this search and these filters show' : 'Every contact'}
        onClick={() => void save()}
      >
        {busy() ? 'Exporting…' : props.filtered ? 'Export these as CSV' : 'Export CSV'}
      </button>
      <FormError error={error()} />
    </>
  );
}
