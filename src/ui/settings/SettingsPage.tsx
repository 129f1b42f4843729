import { A } from '@solidjs/router';
import { getCountries } from 'libphonenumber-js/max';
import { createSignal, For, type JSX, Show } from 'solid-js';
import type { Workspace, WorkspaceRole } from '../../domain/types.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { TextField } from '../components/Field.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import page from '../components/page.module.css';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import { applyTheme, storedTheme, type ThemeChoice } from '../theme.ts';
import { BackupPanel } from './BackupPanel.tsx';
import { PasswordPanel } from './PasswordPanel.tsx';
import styles from './SettingsPage.module.css';
import { TeamPanel } from './TeamPanel.tsx';

const ROLE_LABELS: Record<WorkspaceRole, string> = { owner: 'Owner', admin: 'Admin', agent: 'Agent' };
const regions = new Intl.DisplayNames(['en'], { type: 'region' });

export function SettingsPage(): JSX.Element {
  const services = useServices();
  usePageTitle(() => 'Settings');

  return (
    <div class={page.narrow}>
      <h1>Settings</h1>
      <section class={classes(page.card, page.panel)} aria-labelledby="workspace-heading">
        <h2 id="workspace-heading">Workspace</h2>
        <Show when={services.workspace()} fallback={<p class={page.muted}>No workspace selected.</p>}>
          {(workspace) => (
            <Show when={services.role() === 'owner'} fallback={<WorkspaceFacts workspace={workspace()} />}>
              <WorkspaceForm workspace={workspace()} />
            </Show>
          )}
        </Show>
        <QuotaFacts />
      </section>
      <section class={classes(page.card, page.panel)} aria-labelledby="channels-heading">
        <h2 id="channels-heading">Channels</h2>
        <p class={page.muted}>
          The WhatsApp numbers this workspace sends from: <A href="/settings/channels">manage channels</A>.
        </p>
      </section>
      <section class={classes(page.card, page.panel)} aria-labelledby="sync-heading">
        <h2 id="sync-heading">Sync</h2>
        <p class={page.muted}>
          What this device holds and what it synced, storage, and a diagnostics report:{' '}
          <A href="/settings/sync">sync details</A>.
        </p>
      </section>
      <BackupPanel />
      <AppearanceSection />
      <TeamPanel />
      <PasswordPanel />
    </div>
  );
}

/** What members who are not owners see: the settings, read-only. */
function WorkspaceFacts(props: { workspace: Workspace }): JSX.Element {
  const services = useServices();
  return (
    <>
      <dl class={styles.facts}>
        <dt>Name</dt>
        <dd>{props.workspace.name}</dd>
        <dt>Default country</dt>
        <dd>
          {regionName(props.workspace.default_country)}
          <span class={forms.hint}> · phone numbers without a country code are read as this country's</span>
        </dd>
        <dt>Time zone</dt>
        <dd>{props.workspace.time_zone}</dd>
        <dt>Your role</dt>
        <dd>{ROLE_LABELS[services.role() ?? 'agent']}</dd>
      </dl>
      <p class={forms.hint}>Only the workspace's owners can change these settings.</p>
    </>
  );
}

/** The owners' form: name, time zone (searchable) and default country, saved on the server. */
function WorkspaceForm(props: { workspace: Workspace }): JSX.Element {
  const { workspaceSettings } = useServices();
  const [name, setName] = createSignal(props.workspace.name);
  const [timeZone, setTimeZone] = createSignal(props.workspace.time_zone);
  const [country, setCountry] = createSignal<string>(props.workspace.default_country);
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [saved, setSaved] = createSignal(false);
  const zones = [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])];
  const countries = getCountries()
    .map((code) => ({ code, name: regionName(code) }))
    .sort((a, b) => a.name.localeCompare(b.name));

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    setSaved(false);
    try {
      const result = await workspaceSettings.save({
        name: name(),
        time_zone: timeZone(),
        default_country: country(),
      });
      if (result.ok) setSaved(true);
      else setError(result.error);
    } finally {
      setPending(false);
    }
  };

  return (
    <form class={forms.form} onSubmit={submit} aria-label="Workspace settings">
      <TextField label="Workspace name" name="workspace-name" required value={name()} onValue={setName} />
      <div class={forms.grid}>
        <TextField
          label="Time zone"
          name="time-zone"
          list="time-zones"
          autocomplete="off"
          value={timeZone()}
          onValue={setTimeZone}
          hint="Type to search, e.g. Lisbon. Campaign windows and the monthly quota follow it."
        />
        <datalist id="time-zones">
          <For each={zones}>{(zone) => <option value={zone} />}</For>
        </datalist>
        <label class={forms.field}>
          <span class={forms.label}>Default country</span>
          <select value={country()} onChange={(event) => setCountry(event.currentTarget.value)}>
            <For each={countries}>{(entry) => <option value={entry.code}>{entry.name}</option>}</For>
          </select>
          <span class={forms.hint}>Phone numbers without a country code are read as this country's.</span>
        </label>
      </div>
      <FormError error={error()} />
      <Show when={saved()}>
        <p class={forms.success} role="status">
          Settings saved.
        </p>
      </Show>
      <div class={forms.actions}>
        <button type="submit" class={classes(controls.button, controls.primary)} disabled={pending()}>
          Save settings
        </button>
      </div>
    </form>
  );
}

const THEMES: readonly { value: ThemeChoice; label: string }[] = [
  { value: 'system', label: 'Same as the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** Light or dark, on this device: the system's setting unless the user picks one. */
function AppearanceSection(): JSX.Element {
  const [theme, setTheme] = createSignal(storedTheme());
  const choose = (choice: ThemeChoice) => {
    setTheme(choice);
    applyTheme(choice);
  };
  return (
    <section class={classes(page.card, page.panel)} aria-labelledby="appearance-heading">
      <h2 id="appearance-heading">Appearance</h2>
      <fieldset class={forms.field}>
        <legend class={forms.label}>Theme on this device</legend>
        <div class={controls.checkboxList}>
          <For each={THEMES}>
            {(option) => (
              <label class={controls.checkbox}>
                <input
                  type="radio"
                  name="theme"
                  value={option.value}
                  checked={theme() === option.value}
                  onChange={() => choose(option.value)}
                />
                {option.label}
              </label>
            )}
          </For>
        </div>
      </fieldset>
    </section>
  );
}

/** The month's message quota, as the server counts it. */
function QuotaFacts(): JSX.Element {
  const { quota } = useServices();
  return (
    <Show when={quota.status()}>
      {(q) => (
        <dl class={classes(styles.facts, styles.quota)} aria-label="Monthly quota">
          <dt>Monthly quota</dt>
          <dd>
            {q().limit.toLocaleString('en')} messages · {q().used.toLocaleString('en')} used,{' '}
            {q().reserved.toLocaleString('en')} reserved, {q().remaining.toLocaleString('en')} left
          </dd>
        </dl>
      )}
    </Show>
  );
}

const regionName = (code: string): string => regions.of(code) ?? code;
