import { A, useLocation, useNavigate, useParams } from '@solidjs/router';
import { createEffect, createMemo, createSignal, For, type JSX, on, Show } from 'solid-js';
import { parseTemplate, renderTemplate, WHATSAPP_TEXT_LIMIT } from '../../domain/template.ts';
import type { Template, TemplateCategory } from '../../domain/types.ts';
import type { TemplateContact } from '../../domain/variables.ts';
import { classes } from '../class-names.ts';
import chips from '../components/Chips.module.css';
import controls from '../components/controls.module.css';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { TextField } from '../components/Field.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import { LeaveGuard } from '../components/LeaveGuard.tsx';
import page from '../components/page.module.css';
import { RecordSyncPanel } from '../components/RecordSyncPanel.tsx';
import { SyncMark } from '../components/SyncMark.tsx';
import { useSettled } from '../hooks.ts';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import { insertAt, lineAndColumn } from '../text.ts';
import { PreviewContactPicker } from './PreviewContactPicker.tsx';
import styles from './TemplateEditorPage.module.css';
import { CATEGORY_LABELS } from './TemplatesPage.tsx';
import { VariablesHelper } from './VariablesHelper.tsx';

type Draft = Pick<Template, 'name' | 'body' | 'language' | 'category'>;

const NEW_TEMPLATE: Draft = { name: '', body: '', language: 'en', category: 'marketing' };
const LANGUAGES = [
  'en',
  'en-GB',
  'en-US',
  'es',
  'pt-BR',
  'pt-PT',
  'fr',
  'de',
  'it',
  'nl',
  'ar',
  'hi',
  'id',
  'tr',
];
// Renders placeholders as missing (or their fallbacks) while there is no contact to preview.
const NOBODY: TemplateContact = { name: '', phone: '', email: '', custom_fields: {} };

// The preview contact outlives one editor: saving a new template reopens it at its own address,
// and coming back to Templates later keeps the contact the user was checking against.
const [previewId, setPreviewId] = createSignal<string>();

/** /templates/new (no id) and /templates/:id. */
export function TemplateEditorPage(): JSX.Element {
  const { templates } = useServices();
  const params = useParams<{ id?: string }>();
  const template = templates.get(() => params.id);

  const waited = useSettled(() => params.id);

  return (
    <Show when={params.id} fallback={<TemplateEditor />}>
      <Show
        when={template()}
        fallback={
          <Show when={waited()}>
            <section class={page.card}>
              <h2>Template not found</h2>
              <p>This template doesn't exist in this workspace, or it was deleted.</p>
            </section>
          </Show>
        }
      >
        {(current) => <TemplateEditor template={current()} />}
      </Show>
    </Show>
  );
}

const TEMPLATE_LABELS = { name: 'Name', body: 'Message', language: 'Language', category: 'Category' };

function TemplateEditor(props: { template?: Template }): JSX.Element {
  const { templates, contacts, recordSync } = useServices();
  const navigate = useNavigate();
  const location = useLocation();
  let textarea!: HTMLTextAreaElement;

  const [base, setBase] = createSignal<Draft>(NEW_TEMPLATE);
  const [baseId, setBaseId] = createSignal<string>();
  const syncMark = recordSync.mark('templates', baseId);
  const [name, setName] = createSignal('');
  const [language, setLanguage] = createSignal('');
  const [category, setCategory] = createSignal<TemplateCategory>('marketing');
  const [body, setBody] = createSignal('');
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string>();
  // A new template is saved, then reopened at /templates/:id with { saved: true } to say so.
  const [saved, setSaved] = createSignal(savedState(location.state));
  const [confirmDelete, setConfirmDelete] = createSignal(false);
  const previewContact = contacts.get(previewId);

  const load = (draft: Draft, id: string | undefined) => {
    const clean = { name: draft.name, body: draft.body, language: draft.language, category: draft.category };
    setBase(clean);
    setBaseId(id);
    setName(clean.name);
    setLanguage(clean.language);
    setCategory(clean.category);
    setBody(clean.body);
  };
  load(props.template ?? NEW_TEMPLATE, props.template?.id);

  const patch = createMemo(() => {
    const from = base();
    const changes: Partial<Draft> = {};
    if (name().trim() !== from.name) changes.name = name().trim();
    if (language().trim() !== from.language) changes.language = language().trim();
    if (category() !== from.category) changes.category = category();
    if (body() !== from.body) changes.body = body();
    return changes;
  });
  const dirty = () => Object.keys(patch()).length > 0;

  // Same rule as the contact form: follow changes from elsewhere unless mid-edit.
  createEffect(
    on(
      () => props.template,
      (template) => {
        if (!template) return;
        if (template.id !== baseId() || !dirty()) load(template, template.id);
      },
      { defer: true },
    ),
  );

  usePageTitle(() => (props.template ? name() || 'Untitled template' : 'New template'));

  const parsed = createMemo(() => parseTemplate(body()));
  const rendered = createMemo(() => renderTemplate(parsed(), previewContact() ?? NOBODY));

  const insert = (placeholder: string) => {
    const start = textarea.selectionStart;
    // The user may have typed "{{" already and then reached for the helper: complete it.
    const typedOpen = start === textarea.selectionEnd && body().slice(0, start).endsWith('{{');
    const text = typedOpen ? placeholder.slice(2) : placeholder;
    const next = insertAt(body(), start, textarea.selectionEnd, text);
    setBody(next.text);
    textarea.focus();
    textarea.setSelectionRange(next.caret, next.caret);
  };

  const showError = (offset: number) => {
    textarea.focus();
    textarea.setSelectionRange(offset, Math.min(offset + 2, body().length));
  };

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    setSaved(false);
    try {
      const id = baseId();
      const result = id
        ? await templates.update(id, patch())
        : await templates.add({
            name: name().trim(),
            body: body(),
            language: language().trim(),
            category: category(),
          });
      if (!result.ok) {
        setError(result.error);
        return;
      }
      load(result.value, result.value.id);
      setSaved(true);
      if (!id) navigate(`/templates/${result.value.id}`, { replace: true, state: { saved: true } });
    } finally {
      setPending(false);
    }
  };

  const remove = async () => {
    const id = baseId();
    if (!id) return;
    setPending(true);
    try {
      const result = await templates.remove(id);
      setConfirmDelete(false);
      if (result.ok) navigate('/templates', { replace: true });
      else setError(result.error);
    } finally {
      setPending(false);
    }
  };

  return (
    <div class={styles.editor}>
      <A href="/templates" class={classes(page.backLink, styles.narrowOnly)}>
        ← All templates
      </A>
      <section class={page.card} aria-labelledby="editor-heading">
        <div class={styles.header}>
          <h2 id="editor-heading">{baseId() ? 'Edit template' : 'New template'}</h2>
          <SyncMark state={syncMark().state} />
          <Show when={baseId()}>
            <button
              type="button"
              class={classes(controls.button, controls.dangerOutline, controls.small)}
              onClick={() => setConfirmDelete(true)}
            >
              Delete template
            </button>
          </Show>
        </div>
        <RecordSyncPanel collection="templates" id={baseId()} labels={TEMPLATE_LABELS} />
        <form class={forms.form} onSubmit={save} aria-labelledby="editor-heading">
          <TextField
            label="Name"
            name="template-name"
            autocomplete="off"
            required
            value={name()}
            onValue={setName}
          />
          <div class={forms.grid}>
            <TextField
              label="Language"
              name="language"
              list="template-languages"
              autocomplete="off"
              required
              value={language()}
              onValue={setLanguage}
              hint="A language code such as en or pt-BR."
            />
            <label class={forms.field}>
              <span class={forms.label}>Category</span>
              <select
                name="category"
                value={category()}
                onChange={(event) => setCategory(event.currentTarget.value as TemplateCategory)}
              >
                <For each={Object.entries(CATEGORY_LABELS)}>
                  {([value, label]) => <option value={value}>{label}</option>}
                </For>
              </select>
            </label>
          </div>
          <datalist id="template-languages">
            <For each={LANGUAGES}>{(code) => <option value={code} />}</For>
          </datalist>
          <label class={forms.field}>
            <span class={forms.label}>Body</span>
            <textarea
              ref={textarea}
              name="body"
              rows={8}
              class={styles.body}
              spellcheck
              value={body()}
              aria-invalid={parsed().errors.length > 0 ? true : undefined}
              aria-describedby="body-count body-errors"
              onInput={(event) => setBody(event.currentTarget.value)}
            />
          </label>
          <p
            id="body-count"
            class={classes(styles.count, body().length > WHATSAPP_TEXT_LIMIT && styles.over)}
          >
            {body().length.toLocaleString('en')} / {WHATSAPP_TEXT_LIMIT.toLocaleString('en')} characters
          </p>
          <div id="body-errors">
            <Show when={parsed().errors.length > 0}>
              <ul class={styles.problems} aria-label="Problems in the body">
                <For each={parsed().errors}>
                  {(problem) => {
                    const at = () => lineAndColumn(body(), problem.offset);
                    return (
                      <li>
                        <button
                          type="button"
                          class={styles.problem}
                          onClick={() => showError(problem.offset)}
                        >
                          Line {at().line}, column {at().column}: {problem.message}
                        </button>
                      </li>
                    );
                  }}
                </For>
              </ul>
            </Show>
          </div>
          <VariablesHelper contact={previewContact() ?? NOBODY} onInsert={insert} />
          <FormError error={error()} />
          <div class={forms.actions}>
            <button
              type="submit"
              class={classes(controls.button, controls.primary)}
              disabled={pending() || (!dirty() && !!baseId())}
            >
              Save template
            </button>
            <span class={page.muted} aria-live="polite">
              {dirty() ? 'Unsaved changes' : saved() ? 'Saved' : ''}
            </span>
          </div>
        </form>
      </section>

      <section class={classes(page.card, styles.preview)} aria-labelledby="preview-heading">
        <h2 id="preview-heading">Preview</h2>
        <PreviewContactPicker selectedId={previewId()} onSelect={setPreviewId} />
        <div class={styles.chat}>
          <figure class={styles.bubble} aria-label="Message preview">
            <Show
              when={rendered().text !== ''}
              fallback={<span class={page.muted}>The message appears here as you type.</span>}
            >
              {rendered().text}
            </Show>
          </figure>
        </div>
        <p class={classes(styles.count, rendered().tooLong && styles.over)}>
          {rendered().length.toLocaleString('en')} / {WHATSAPP_TEXT_LIMIT.toLocaleString('en')} characters for
          this contact
          {rendered().tooLong ? ': too long for WhatsApp' : ''}
        </p>
        <Show when={rendered().missing.length > 0}>
          <div class={styles.missing}>
            <p>
              <strong>No value for this contact:</strong>{' '}
              <For each={rendered().missing}>
                {(variable) => <code class={classes(chips.chip, styles.variable)}>{`{{${variable}}}`}</code>}
              </For>
            </p>
            <p class={forms.hint}>
              The message has a gap there. Add a fallback, e.g.{' '}
              <code>{`{{${rendered().missing[0]}|…}}`}</code>.
            </p>
          </div>
        </Show>
      </section>

      <LeaveGuard when={dirty() && !pending()} />
      <ConfirmDialog
        open={confirmDelete()}
        title="Delete template?"
        message={<p>Delete the template “{name() || 'Untitled'}”? This can't be undone.</p>}
        confirmLabel="Delete"
        danger
        busy={pending()}
        onConfirm={() => void remove()}
        onCancel={() => setConfirmDelete(false)}
      />
    </div>
  );
}

function savedState(state: unknown): boolean {
  return typeof state === 'object' && state !== null && (state as { saved?: unknown }).saved === true;
}
