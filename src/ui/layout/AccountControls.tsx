import { createSignal, createUniqueId, For, type JSX, Show } from 'solid-js';
import type { QueuedOnSignOut, SignOutOutcome } from '../../app/services.ts';
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
  // Set when signOut() stopped to ask: changes it could not push, messages waiting to send.
  const [question, setQuestion] = createSignal<SignOutOutcome>();
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

  /** Without a choice the first time; after the question, with the user's answer to it. */
  const signOut = async (choice?: { queued?: QueuedOnSignOut }) => {
    if (signingOut()) return;
    setSigningOut(true);
    try {
      const outcome = await services.signOut(choice ? { discardUnsynced: true, ...choice } : undefined);
      setQuestion(outcome.signedOut ? undefined : outcome);
    } finally {
      setSigningOut(false);
    }
  };
  const queued = () => question()?.queued ?? 0;
  const unsynced = () => question()?.unsynced ?? 0;

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
      {/* Messages waiting to send stay on this device for this user only: kept for their next
          sign-in here (never sent under whoever signs in next), or discarded. */}
      <ConfirmDialog
        open={question() !== undefined}
        title="Sign out?"
        message={
          <>
            <Show when={queued() > 0}>
              <p>
                {plural(queued(), 'message is', 'messages are')} waiting to send from this device. Keep{' '}
                {queued() === 1 ? 'it' : 'them'} here to send when you sign in again, or discard{' '}
                {queued() === 1 ? 'it' : 'them'}?
              </p>
            </Show>
            <Show when={unsynced() > 0}>
              <p>
                {plural(unsynced(), "change hasn't", "changes haven't")} synced. Sign out anyway and lose
                {unsynced() === 1 ? ' it' : ' them'}?
              </p>
            </Show>
            <Show when={question()?.error}>{(error) => <p role="alert">{error()}</p>}</Show>
          </>
        }
        confirmLabel={queued() > 0 ? 'Keep and sign out' : 'Sign out anyway'}
        cancelLabel="Stay signed in"
        danger={queued() === 0}
        busy={signingOut()}
        onConfirm={() => void signOut({ queued: 'keep' })}
        onCancel={() => setQuestion(undefined)}
        alternative={
          queued() > 0
            ? { label: 'Discard and sign out', onChoose: () => void signOut({ queued: 'drop' }) }
            : undefined
        }
      />
    </div>
  );
}
