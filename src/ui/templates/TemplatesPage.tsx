import { A, type RouteSectionProps, useLocation } from '@solidjs/router';
import { createMemo, For, type JSX, Show } from 'solid-js';
import type { TemplateCategory } from '../../domain/types.ts';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';

export const CATEGORY_LABELS: Record<TemplateCategory, string> = {
  marketing: 'Marketing',
  utility: 'Utility',
  authentication: 'Authentication',
};

/** The list of templates beside whichever one is open (the nested route). */
export function TemplatesPage(props: RouteSectionProps): JSX.Element {
  const { templates } = useServices();
  const location = useLocation();
  const list = templates.list();
  const sorted = createMemo(() => [...list()].sort((a, b) => a.name.localeCompare(b.name)));
  // On a phone only one of list and editor fits: the editor wins when one is open.
  const editorOpen = () => location.pathname.replace(/\/$/, '') !== '/templates';

  return (
    <div class="templates-page" classList={{ 'editor-open': editorOpen() }}>
      <section class="card templates-list" aria-labelledby="templates-heading">
        <div class="list-toolbar">
          <h1 id="templates-heading">Templates</h1>
          <A href="/templates/new" class="button button-primary button-small" end>
            New template
          </A>
        </div>
        <Show
          when={sorted().length > 0}
          fallback={<p class="muted empty-state">No templates yet. Write your first message template.</p>}
        >
          <ul class="template-items">
            <For each={sorted()}>
              {(template) => (
                <li>
                  <A href={`/templates/${template.id}`} class="template-item">
                    <span class="template-item-name">{template.name || 'Untitled'}</span>
                    <span class="template-item-meta">
                      <span class="badge">{CATEGORY_LABELS[template.category]}</span>
                      <span class="badge badge-muted">{template.language}</span>
                    </span>
                    <span class="template-item-body">{template.body}</span>
                  </A>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </section>
      <div class="templates-editor">{props.children}</div>
    </div>
  );
}

export function TemplatesPlaceholder(): JSX.Element {
  usePageTitle(() => 'Templates');
  return (
    <section class="card empty-state templates-placeholder">
      <p class="empty-title">Pick a template to edit</p>
      <p class="muted">
        Or start a new one. Templates use placeholders like {'{{first_name}}'}, with fallbacks such as{' '}
        {'{{first_name|there}}'}.
      </p>
    </section>
  );
}
