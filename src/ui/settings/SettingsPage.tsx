import { A } from '@solidjs/router';
import { createSignal, type JSX, Show } from 'solid-js';
import type { WorkspaceRole } from '../../domain/types.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { TextField } from '../components/Field.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import page from '../components/page.module.css';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import styles from './SettingsPage.module.css';

const ROLE_LABELS: Record<WorkspaceRole, string> = { owner: 'Owner', admin: 'Admin', agent: 'Agent' };
const regions = new Intl.DisplayNames(['en'], { type: 'region' });

export function SettingsPage(): JSX.Element {
  const services = useServices();
  usePageTitle(() => 'Settings');
  const canInvite = () => services.role() === 'owner' || services.role() === 'admin';

  return (
    <div class={page.narrow}>
      <h1>Settings</h1>
      <section class={classes(page.card, page.panel)} aria-labelledby="workspace-heading">
        <h2 id="workspace-heading">Workspace</h2>
        <Show when={services.workspace()} fallback={<p class={page.muted}>No workspace selected.</p>}>
          {(workspace) => (
            <dl class={styles.facts}>
              <dt>Name</dt>
              <dd>{workspace().name}</dd>
              <dt>Default country</dt>
              <dd>
                {regions.of(workspace().default_country) ?? workspace().default_country}
                <span class={forms.hint}>
                  {' '}
                  · phone numbers without a country code are read as this country's
                </span>
              </dd>
              <dt>Time zone</dt>
              <dd>{workspace().time_zone}</dd>
              <dt>Your role</dt>
              <dd>{ROLE_LABELS[services.role() ?? 'agent']}</dd>
            </dl>
          )}
        </Show>
      </section>
      <section class={classes(page.card, page.panel)} aria-labelledby="channels-heading">
        <h2 id="channels-heading">Channels</h2>
        <p class={page.muted}>
          The WhatsApp numbers this workspace sends from: <A href="/settings/channels">manage channels</A>.
        </p>
      </section>
      <section class={classes(page.card, page.panel)} aria-labelledby="members-heading">
        <h2 id="members-heading">Members</h2>
        <Show
          when={canInvite()}
          fallback={<p class={page.muted}>Only owners and admins can invite people to this workspace.</p>}
        >
          <InviteForm />
        </Show>
      </section>
    </div>
  );
}

function InviteForm(): JSX.Element {
  const { invite } = useServices();
  const [email, setEmail] = createSignal('');
  const [role, setRole] = createSignal<WorkspaceRole>('agent');
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [invited, setInvited] = createSignal<string>();

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    setInvited(undefined);
    try {
      const address = email().trim();
      const result = await invite(address, role());
      if (result.ok) {
        setInvited(address);
        setEmail('');
      } else {
        setError(result.error);
      }
    } finally {
      setPending(false);
    }
  };

  return (
    <form class={forms.form} onSubmit={submit} aria-label="Invite a member">
      <p class={page.muted}>
        Invite a teammate by email. They join when they sign up with that address, or at once if they already
        have an account.
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
            <option value="admin">Admin — also invites members</option>
            <option value="owner">Owner — full control</option>
          </select>
        </label>
      </div>
      <FormError error={error()} />
      <Show when={invited()}>
        {(address) => (
          <p class={forms.success} role="status">
            Invitation sent to {address()}.
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
