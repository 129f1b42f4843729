import { type JSX, Show } from 'solid-js';
import type { WorkspaceRole } from '../../domain/types.ts';
import { classes } from '../class-names.ts';
import forms from '../components/forms.module.css';
import page from '../components/page.module.css';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
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
      <TeamPanel />
      <PasswordPanel />
    </div>
  );
}
