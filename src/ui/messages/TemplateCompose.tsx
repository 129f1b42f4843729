import { createMemo, createSignal, For, type JSX, Show } from 'solid-js';
import { fillParameters, parameterCount } from '../../domain/provider-template.ts';
import type { Template } from '../../domain/types.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { TextField } from '../components/Field.tsx';
import forms from '../components/forms.module.css';
import page from '../components/page.module.css';
import styles from './Conversation.module.css';

/**
 * Outside WhatsApp's 24-hour window (Meta): an approved template, its {{1}}.. values filled
 * in, instead of free text. From local data, so it works offline too.
 */
export function TemplateCompose(props: {
  templates: Template[];
  disabled: boolean;
  onSend: (template: Template, values: string[]) => Promise<boolean>;
}): JSX.Element {
  const [chosenId, setChosenId] = createSignal<string>();
  const [values, setValues] = createSignal<string[]>([]);
  const chosen = createMemo(() => props.templates.find((t) => t.id === chosenId()) ?? props.templates[0]);
  const count = () => parameterCount(chosen()?.body ?? '');
  const filled = () => Array.from({ length: count() }, (_, i) => values()[i] ?? '');

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const template = chosen();
    if (!template) return;
    if (await props.onSend(template, filled())) setValues([]);
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
        <For each={filled()}>
          {(value, i) => (
            <TextField
              label={`Value of {{${i() + 1}}}`}
              name={`parameter-${i() + 1}`}
              required
              value={value}
              onValue={(v) => {
                const next = filled();
                next[i()] = v;
                setValues(next);
              }}
            />
          )}
        </For>
        <p class={styles.templatePreview}>
          {fillParameters(
            chosen()?.body ?? '',
            filled().map((v) => v.trim() || '…'),
          )}
        </p>
        <div class={forms.actions}>
          <button
            type="submit"
            class={classes(controls.button, controls.primary)}
            disabled={props.disabled || filled().some((v) => v.trim() === '')}
          >
            Send template
          </button>
        </div>
      </form>
    </Show>
  );
}
