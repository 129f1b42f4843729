import { A, type RouteSectionProps, useLocation } from '@solidjs/router';
import { createMemo, createSignal, For, type JSX, Show } from 'solid-js';
import { isUnsynced } from '../../domain/record-sync.ts';
import type { TemplateCategory } from '../../domain/types.ts';
import { classes } from '../class-names.ts';
import chips from '../components/Chips.module.css';
import controls from '../components/controls.module.css';
import { KeptOnDevicesNotice } from '../components/KeptOnDevicesNotice.tsx';
import page from '../components/page.module.css';
import { SyncMark } from '../components/SyncMark.tsx';
import { UnsyncedFilter } from '../components/UnsyncedFilter.tsx';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import styles from './TemplatesPage.module.css';

export const CATEGORY_LABELS: Record<TemplateCategory, string> = {
  marketing: 'Marketing',
  utility: 'Utility',
  authentication: 'Authentication',
};

/** The list of templates beside whichever one is open (the nested route). */
export function TemplatesPage(props: RouteSectionProps): JSX.Element {
  const { templates, recordSync } = useServices();
  const location = useLocation();
  const list = templates.list();
  const syncStates = recordSync.states('templates');
  const [unsyncedOnly, setUnsyncedOnly] = createSignal(false);
  const sorted = createMemo(() =>
    [...list()]
      .filter((t) => !unsyncedOnly() || isUnsynced(syncStates().get(t.id)))
      .sort((a, b) => a.name.localeCompare(b.name)),
  );
  // On a phone only one of list and editor fits: the editor wins when one is open.
  const editorOpen = () => location.pathname.replace(/\/$/, '') !== '/templates';

  return (
    <div class={classes(styles.page, editorOpen() && styles.editorOpen)}>
      <section class={classes(page.card, styles.list)} aria-labelledby="templates-heading">
        <div class={page.listToolbar}>
          <h1 id="templates-heading">Templates</h1>
          <A href="/templates/new" class={classes(controls.button, controls.primary, controls.small)} end>
            New template
          </A>
          <UnsyncedFilter checked={unsyncedOnly()} onChange={setUnsyncedOnly} />
        </div>
        <KeptOnDevicesNotice what="templates" />
        <Show
          when={sorted().length > 0}
          fallback={
            <p class={classes(page.muted, page.emptyState)}>
              {unsyncedOnly()
                ? 'Every template is synced.'
                : 'No templates yet. Write your first message template.'}
            </p>
          }
        >
          <ul class={styles.items}>
            <For each={sorted()}>
              {(template) => (
                <li>
                  <A href={`/templates/${template.id}`} class={styles.item} activeClass={styles.active}>
                    <span class={styles.itemName}>{template.name || 'Untitled'}</span>
                    <span class={styles.itemMeta}>
                      <span class={chips.badge}>{CATEGORY_LABELS[template.category]}</span>
                      <span class={classes(chips.badge, chips.badgeMuted)}>{template.language}</span>
                      <SyncMark state={syncStates().get(template.id)} />
                    </span>
                    <span class={styles.itemBody}>{template.body}</span>
                  </A>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </section>
      <div class={styles.editor}>{props.children}</div>
    </div>
  );
}

export function TemplatesPlaceholder(): JSX.Element {
  usePageTitle(() => 'Templates');
  return (
    <section class={classes(page.card, page.emptyState)}>
      <p class={page.emptyTitle}>Pick a template to edit</p>
      <p class={page.muted}>
        Or start a new one. Templates use placeholders like {'{{first_name}}'}, with fallbacks such as{' '}
        {'{{first_name|there}}'}.
      </p>
    </section>
  );
}
