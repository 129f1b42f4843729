import { createMemo, createSignal, For, type JSX, Show } from 'solid-js';
import { fillParameters, headerText, parameterCount } from '../../domain/provider-template.ts';
import type { Template, TemplateParameters } from '../../domain/types.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { TextField } from '../components/Field.tsx';
import forms from '../components/forms.module.css';
import page from '../components/page.module.css';

/**
 * Outside WhatsApp's 24-hour window (Meta): an approved template, the {{1}}.. values of its
 * text header and its body filled in, instead of free text. From local data, so it works
 * offline too.
 */
export function TemplateCompose(props: {
  templates: Template[];
  disabled: boolean;
  onSend: (template: Template, values: TemplateParameters) => Promise<boolean>;
}): JSX.Element {
  const [chosenId, setChosenId] = createSignal<string>();
  const [values, setValues] = createSignal<TemplateParameters>({ header: [], body: [] });
  const chosen = createMemo(() => props.templates.find((t) => t.id === chosenId()) ?? props.templates[0]);
  const sized = (count: number, given: readonly string[]) =>
    Array.from({ length: count }, (_, i) => given[i] ?? '');
  const filled = (): TemplateParameters => ({
    header: sized(parameterCount(headerText(chosen() ?? {})), values().header),
    body: sized(parameterCount(chosen()?.body ?? ''), values().body),
  });
  const set = (part: keyof TemplateParameters, i: number, value: string) => {
    const next = filled();
    next[part][i] = value;
    setValues(next);
  };
  const header = () => headerText(chosen() ?? {});

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const template = chosen();
    if (!template) return;
    if (await props.onSend(template, filled())) setValues({ header: [], body: [] });
  };

  return (
    <Show
      when={props.templates.length > 0}
      fallback={
        <p class={page.muted}>
          This number has no approved template yet: create one in WhatsApp Manager, then sync templates in
          Settings → Channels.
        </p>
      }
    >
      <form class={forms.form} aria-label="Send a template" onSubmit={submit}>
        <label class={forms.field}>
          <span class={forms.label}>Approved template</span>
          <select value={chosen()?.id ?? ''} onChange={(event) => setChosenId(event.currentTarget.value)}>
            <For each={props.templates}>
              {(t) => (
                <option value={t.id}>
                  {t.name} ({t.language})
                </option>
              )}
            </For>
          </select>
        </label>
        <For each={filled().header}>
          {(value, i) => (
            <TextField
              label={`Header {{${i() + 1}}}`}
              name={`header-parameter-${i() + 1}`}
              required
              value={value}
              onValue={(v) => set('header', i(), v)}
            />
          )}
        </For>
        <For each={filled().body}>
          {(value, i) => (
            <TextField
              label={`Body {{${i() + 1}}}`}
              name={`parameter-${i() + 1}`}
              required
              value={value}
              onValue={(v) => set('body', i(), v)}
            />
          )}
        </For>
        <p class={forms.templatePreview}>
          <Show when={header()}>
            <strong>
              {fillParameters(
                header(),
                filled().header.map((v) => v.trim() || '…'),
              )}
            </strong>
            <br />
          </Show>
          {fillParameters(
            chosen()?.body ?? '',
            filled().body.map((v) => v.trim() || '…'),
          )}
        </p>
        <div class={forms.actions}>
          <button
            type="submit"
            class={classes(controls.button, controls.primary)}
            disabled={props.disabled || [...filled().header, ...filled().body].some((v) => v.trim() === '')}
          >
            Send template
          </button>
        </div>
      </form>
    </Show>
  );
}
