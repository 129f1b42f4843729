import { createResource, createSignal, For, type JSX, Show } from 'solid-js';
import type { Result } from '../../domain/result.ts';
import type { WorkspaceRole } from '../../domain/types.ts';
import type { InviteOutcome, PendingInvite, TeamMember } from '../../features/team/api.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { TextField } from '../components/Field.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import page from '../components/page.module.css';
import { useServices } from '../services-context.ts';
import styles from './TeamPanel.module.css';

const ROLE_LABELS: Record<WorkspaceRole, string> = { owner: 'Owner', admin: 'Admin', agent: 'Agent' };
const dates = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** The team of the workspace: members and roles, pending invitations, inviting. */
export function TeamPanel(): JSX.Element {
  const services = useServices();
  const role = () => services.role();
  const manages = () => role() === 'owner' || role() === 'admin';
  const me = () => {
    const session = services.session();
    return session.status === 'signed-in' || session.status === 'expired' ? session.user.id : undefined;
  };
  const unwrap = <T,>(result: Result<T[]>) => (result.ok ? result.value : []);
  // Re-read when the workspace changes.
  const [members, { refetch: refetchMembers }] = createResource(
    () => services.workspace()?.id,
    async () => {
      const result = await services.team.members();
      if (!result.ok) throw new Error(result.error);
      return result.value;
    },
  );
  const [invites, { refetch: refetchInvites }] = createResource(
    () => (manages() ? services.workspace()?.id : undefined),
    async () => unwrap(await services.team.invitations()),
  );
  const [error, setError] = createSignal<string>();
  const [notice, setNotice] = createSignal<string>();

  async function act(run: () => Promise<Result>, done: string) {
    setError(undefined);
    setNotice(undefined);
    const result = await run();
    if (result.ok) setNotice(done);
    else setError(result.error);
    void refetchMembers();
    void refetchInvites();
  }

  /** Owners manage anyone; admins everyone but owners. */
  const canManage = (member: TeamMember) =>
    member.userId !== me() && (role() === 'owner' || (role() === 'admin' && member.role !== 'owner'));
  const assignable = (): WorkspaceRole[] =>
    role() === 'owner' ? ['owner', 'admin', 'agent'] : ['admin', 'agent'];

  return (
    <section class={classes(page.card, page.panel)} aria-labelledby="team-heading">
      <h2 id="team-heading">Team</h2>
      <Show when={members.error}>
        <FormError error={`Could not load the team: ${String(members.error?.message ?? members.error)}`} />
      </Show>
      <ul class={styles.list} aria-label="Members">
        <For each={members() ?? []}>
          {(member) => (
            <li class={styles.row}>
              <span class={styles.who}>
                <span class={styles.email}>
                  {member.email}
                  <Show when={member.userId === me()}>
                    <span class={page.muted}> (you)</span>
                  </Show>
                </span>
              </span>
              <Show
                when={canManage(member)}
                fallback={<span class={styles.role}>{ROLE_LABELS[member.role]}</span>}
              >
                <select
                  class={styles.role}
                  aria-label={`Role of ${member.email}`}
                  value={member.role}
                  onChange={(event) => {
                    const next = event.currentTarget.value as WorkspaceRole;
                    void act(
                      () => services.team.changeRole(member.id, next),
                      `${member.email} is now ${ROLE_LABELS[next]}.`,
                    );
                  }}
                >
                  <For
                    each={assignable().includes(member.role) ? assignable() : [member.role, ...assignable()]}
                  >
                    {(r) => <option value={r}>{ROLE_LABELS[r]}</option>}
                  </For>
                </select>
                <RemoveButton
                  member={member}
                  onRemove={() => act(() => services.team.remove(member.id), `${member.email} was removed.`)}
                />
              </Show>
            </li>
          )}
        </For>
      </ul>
      <FormError error={error()} />
      <Show when={notice()}>
        {(text) => (
          <p class={forms.success} role="status">
            {text()}
          </p>
        )}
      </Show>
      <Show
        when={manages()}
        fallback={<p class={page.muted}>Only owners and admins can invite people and change the team.</p>}
      >
        <Show when={(invites() ?? []).length > 0}>
          <h3 class={styles.subheading}>Pending invitations</h3>
          <ul class={styles.list} aria-label="Pending invitations">
            <For each={invites()}>
              {(invite: PendingInvite) => (
                <li class={styles.row}>
                  <span class={styles.who}>
                    <span class={styles.email}>{invite.email}</span>
                    <span class={classes(forms.hint, styles.sent)}>
                      {ROLE_LABELS[invite.role]} ·{' '}
                      {invite.expired ? 'expired' : `sent ${dates.format(new Date(invite.sentAt))}`}
                    </span>
                  </span>
                  <span class={styles.actions}>
                    <button
                      type="button"
                      class={classes(controls.button, controls.small)}
                      onClick={() =>
                        act(
                          () => services.team.resend(invite.id),
                          `A new invitation was sent to ${invite.email}.`,
                        )
                      }
                    >
                      Resend
                    </button>
                    <button
                      type="button"
                      class={classes(controls.button, controls.small, controls.dangerOutline)}
                      onClick={() =>
                        act(
                          () => services.team.revoke(invite.id),
                          `The invitation to ${invite.email} was revoked.`,
                        )
                      }
                    >
                      Revoke
                    </button>
                  </span>
                </li>
              )}
            </For>
          </ul>
        </Show>
        <InviteForm onInvited={() => void refetchInvites()} />
      </Show>
    </section>
  );
}

function RemoveButton(props: { member: TeamMember; onRemove: () => Promise<void> }): JSX.Element {
  const [confirming, setConfirming] = createSignal(false);
  return (
    <Show
      when={confirming()}
      fallback={
        <button
          type="button"
          class={classes(controls.button, controls.small, controls.dangerOutline)}
          onClick={() => setConfirming(true)}
        >
          Remove
        </button>
      }
    >
      <button
        type="button"
        class={classes(controls.button, controls.small, controls.danger)}
        aria-label={`Confirm removing ${props.member.email}`}
        onClick={() => void props.onRemove().finally(() => setConfirming(false))}
      >
        Confirm remove
      </button>
    </Show>
  );
}

const OUTCOME_TEXT: Record<InviteOutcome, (address: string) => string> = {
  invited: (a) => `Invitation sent to ${a}. They join when they accept it from the email.`,
  already_member: (a) => `${a} is already a member of this workspace.`,
  self: () => 'That is your own address: you are already in this workspace.',
};

function InviteForm(props: { onInvited: () => void }): JSX.Element {
  const { team } = useServices();
  const [email, setEmail] = createSignal('');
  const [role, setRole] = createSignal<WorkspaceRole>('agent');
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [outcome, setOutcome] = createSignal<{ text: string; sent: boolean }>();

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    setOutcome(undefined);
    try {
      const address = email().trim();
      const result = await team.invite(address, role());
      if (result.ok) {
        setOutcome({ text: OUTCOME_TEXT[result.value](address), sent: result.value === 'invited' });
        if (result.value === 'invited') {
          setEmail('');
          props.onInvited();
        }
      } else {
        setError(result.error);
      }
    } finally {
      setPending(false);
    }
  };

  return (
    <form class={forms.form} onSubmit={submit} aria-label="Invite a member">
      <h3 class={styles.subheading}>Invite</h3>
      <p class={page.muted}>
        Invite a teammate by email. They get a link that works once, for 7 days, and join when they accept it.
      </p>
      <div class={classes(forms.grid, styles.invite)}>
        <TextField
          label="Email"
          type="email"
          name="invite-email"
          required
          value={email()}
          onValue={setEmail}
        />
        <label class={forms.field}>
          <span class={forms.label}>Role</span>
          <select value={role()} onChange={(event) => setRole(event.currentTarget.value as WorkspaceRole)}>
            <option value="agent">Agent — contacts, templates and chats</option>
            <option value="admin">Admin — also manages the team</option>
            <option value="owner">Owner — full control</option>
          </select>
        </label>
      </div>
      <FormError error={error()} />
      <Show when={outcome()}>
        {(o) => (
          <p class={o().sent ? forms.success : styles.notice} role="status">
            {o().text}
          </p>
        )}
      </Show>
      <div class={forms.actions}>
        <button type="submit" class={classes(controls.button, controls.primary)} disabled={pending()}>
          Send invite
        </button>
      </div>
    </form>
  );
}
