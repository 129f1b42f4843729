import { createSignal, createUniqueId, For, type JSX, Show } from 'solid-js';
import type { SignOutOptions, SignOutOutcome } from '../../app/services.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { useServices } from '../services-context.ts';
import { plural } from '../text.ts';
import styles from './AccountControls.module.css';

/** Who is signed in, in which workspace, and the way out. */
export function AccountControls(): JSX.Element {
  const services = useServices();
  const [switching, setSwitching] = createSignal(false);
  const [signingOut, setSigningOut] = createSignal(false);
  // The dialog: asked to choose keep or remove; or, when removing would lose what waits to
  // sync or send, the count of it (the outcome that stopped the sign-out).
  const [asking, setAsking] = createSignal(false);
  const [lossy, setLossy] = createSignal<SignOutOutcome>();
  const workspaceId = createUniqueId();

  const email = () => {
    const session = services.session();
    return session.status === 'signed-in' || session.status === 'expired' ? session.user.email : '';
  };

  const switchWorkspace = async (id: string) => {
    setSwitching(true);
    try {
      await services.switchWorkspace(id);
    } finally {
      setSwitching(false);
    }
  };

  const signOut = async (opts: SignOutOptions) => {
    if (signingOut()) return;
    setSigningOut(true);
    try {
      const outcome = await services.signOut(opts);
      setLossy(outcome.signedOut ? undefined : outcome);
      if (outcome.signedOut) setAsking(false);
    } finally {
      setSigningOut(false);
    }
  };
  const close = () => {
    setAsking(false);
    setLossy(undefined);
  };
  const queued = () => lossy()?.queued ?? 0;
  const unsynced = () => lossy()?.unsynced ?? 0;
  // What still waits, for the first question (kept with the data on a plain sign-out).
  const waiting = () => services.sync.pending() + services.messages.outbox.waiting();

  return (
    <div class={styles.account}>
      {/* The plain workspace-name and workspace-select classes: the e2e tests wait for them to fill. */}
      <Show
        when={services.workspaces().length > 1}
        fallback={
          <span class={classes(styles.workspaceName, 'workspace-name')}>{services.workspace()?.name}</span>
        }
      >
        <label class="visually-hidden" for={workspaceId}>
          Workspace
        </label>
        <select
          id={workspaceId}
          class={classes(styles.workspaceSelect, 'workspace-select')}
          value={services.workspace()?.id ?? ''}
          disabled={switching()}
          onChange={(event) => void switchWorkspace(event.currentTarget.value)}
        >
          <For each={services.workspaces()}>
            {(workspace) => <option value={workspace.id}>{workspace.name}</option>}
          </For>
        </select>
      </Show>
      {/* A fresh sign-up's workspace is named after its email: say it once. */}
      <Show when={email() !== services.workspace()?.name || services.workspaces().length > 1}>
        <span class={styles.email} title="Signed in as">
          {email()}
        </span>
      </Show>
      {/* aria-disabled, not disabled: a disabled button drops focus, and the dialog returns it here. */}
      <button
        type="button"
        class={classes(controls.button, controls.small)}
        aria-disabled={signingOut()}
        onClick={() => setAsking(true)}
      >
        Sign out
      </button>
      {/* A plain sign-out keeps this device's data (and the user's waiting messages, parked for
          them alone); on a shared computer the user removes it, told first what that loses. */}
      <ConfirmDialog
        open={asking() && lossy() === undefined}
        title="Sign out?"
        message={
          <>
            <p>Your data stays on this device for your next sign-in here.</p>
            <Show when={waiting() > 0}>
              <p>What is waiting to sync or send goes up when you sign in here again.</p>
            </Show>
            <p>On a shared computer, remove it from this device.</p>
          </>
        }
        confirmLabel="Sign out"
        cancelLabel="Stay signed in"
        busy={signingOut()}
        onConfirm={() => void signOut({})}
        onCancel={close}
        alternative={{
          label: 'Sign out and remove data from this device',
          onChoose: () => void signOut({ removeData: true }),
        }}
      />
      <ConfirmDialog
        open={lossy() !== undefined}
        title="Remove data that hasn't synced?"
        message={
          <>
            <Show when={unsynced() > 0}>
              <p>{plural(unsynced(), "change hasn't", "changes haven't")} reached the server.</p>
            </Show>
            <Show when={queued() > 0}>
              <p>{plural(queued(), 'message is', 'messages are')} waiting to send from this device.</p>
            </Show>
            <p>Removing this device's data loses {unsynced() + queued() === 1 ? 'it' : 'them'}.</p>
            <Show when={lossy()?.error}>{(error) => <p role="alert">{error()}</p>}</Show>
          </>
        }
        confirmLabel="Remove anyway"
        cancelLabel="Stay signed in"
        danger
        busy={signingOut()}
        onConfirm={() => void signOut({ removeData: true, discardWaiting: true })}
        onCancel={close}
      />
    </div>
  );
}
