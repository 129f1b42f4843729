import { createSignal, createUniqueId, For, type JSX, Show } from 'solid-js';
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
  // Set when signOut() could not push everything: the number it reported, for the question.
  const [unsynced, setUnsynced] = createSignal<number>();
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

  const signOut = async (discardUnsynced = false) => {
    if (signingOut()) return;
    setSigningOut(true);
    try {
      const outcome = await services.signOut(discardUnsynced ? { discardUnsynced } : undefined);
      setUnsynced(outcome.signedOut ? undefined : outcome.unsynced);
    } finally {
      setSigningOut(false);
    }
  };

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
        onClick={() => void signOut()}
      >
        Sign out
      </button>
      <ConfirmDialog
        open={unsynced() !== undefined}
        title="Sign out?"
        message={
          <p>
            {plural(unsynced() ?? 0, "change hasn't", "changes haven't")} synced. Sign out anyway and lose
            {(unsynced() ?? 0) === 1 ? ' it' : ' them'}?
          </p>
        }
        confirmLabel="Sign out anyway"
        cancelLabel="Stay signed in"
        danger
        busy={signingOut()}
        onConfirm={() => void signOut(true)}
        onCancel={() => setUnsynced(undefined)}
      />
    </div>
  );
}
