import { createResource, createSignal, type JSX, Show } from 'solid-js';
import controls from '../components/controls.module.css';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import { useServices } from '../services-context.ts';
import styles from './KeepOnDevicesSetting.module.css';

const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

/**
 * The workspace's consent setting: keep contacts and templates on the members' devices only.
 * Owners and admins change it (the server enforces that); turning it off uploads what every
 * device kept, so it asks first.
 */
export function KeepOnDevicesSetting(): JSX.Element {
  const services = useServices();
  const on = () => services.workspace()?.contacts_local_only === true;
  const canChange = () => services.role() === 'owner' || services.role() === 'admin';
  const [confirming, setConfirming] = createSignal(false);
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string>();

  const apply = async (next: boolean) => {
    setPending(true);
    setError(undefined);
    try {
      const result = await services.workspaceSettings.keepOnDevices(next);
      if (!result.ok) setError(result.error);
    } finally {
      setPending(false);
      setConfirming(false);
    }
  };

  return (
    <section class={styles.setting} aria-labelledby="keep-on-devices-heading">
      <h3 id="keep-on-devices-heading" class={styles.heading}>
        Contacts and templates
      </h3>
      <label class={controls.checkbox}>
        <input
          type="checkbox"
          checked={on()}
          disabled={!canChange() || pending()}
          onChange={(event) => {
            const wanted = event.currentTarget.checked;
            // Shown as it is until the server agrees (and, to turn it off, the user confirms).
            event.currentTarget.checked = on();
            if (wanted) void apply(true);
            else setConfirming(true);
          }}
        />
        Keep contacts and templates on this device only
      </label>
      <p class={forms.hint}>
        {on()
          ? "On: contacts and templates stay on each member's device. They are never uploaded, so other devices and members don't get them; campaigns still send to them."
          : "Off: contacts and templates sync through the server to every member's devices."}
      </p>
      <ChangedBy />
      <Show when={!canChange()}>
        <p class={forms.hint}>Only the workspace's owners and admins can change this.</p>
      </Show>
      <FormError error={error()} />
      <ConfirmDialog
        open={confirming()}
        title="Sync contacts and templates?"
        message={
          <p>
            Every contact and template kept on this device, and on the devices of the other members, will be
            uploaded to the server and shared with the whole workspace.
          </p>
        }
        confirmLabel="Turn off and upload"
        busy={pending()}
        onConfirm={() => void apply(false)}
        onCancel={() => setConfirming(false)}
      />
    </section>
  );
}

/** Who turned it on or off last, and when (the server's record). */
function ChangedBy(): JSX.Element {
  const services = useServices();
  const me = () => {
    const session = services.session();
    return session.status === 'signed-in' || session.status === 'expired' ? session.user.id : undefined;
  };
  const stamp = () => {
    const w = services.workspace();
    return w?.contacts_local_only_at
      ? { on: w.contacts_local_only === true, at: w.contacts_local_only_at, by: w.contacts_local_only_by }
      : undefined;
  };
  // Another member's email, when the team list can be read (online).
  const [other] = createResource(
    () => {
      const by = stamp()?.by;
      return by && by !== me() ? by : undefined;
    },
    async (by) => {
      const members = await services.team.members();
      return members.ok ? members.value.find((m) => m.userId === by)?.email : undefined;
    },
  );
  const who = (by: string | null | undefined) => {
    if (!by) return 'the server';
    if (by === me()) return 'you';
    return other() ?? 'another member';
  };
  return (
    <Show when={stamp()}>
      {(s) => (
        <p class={forms.hint}>
          Turned {s().on ? 'on' : 'off'} by {who(s().by)} on {dateTime.format(new Date(s().at))}.
        </p>
      )}
    </Show>
  );
}
