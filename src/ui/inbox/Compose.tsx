import { createEffect, createMemo, createSignal, For, type JSX, on, Show } from 'solid-js';
import { parseTemplate, renderTemplate } from '../../domain/template.ts';
import type { Template } from '../../domain/types.ts';
import type { InboxChat } from '../../features/inbox/api.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { FormError } from '../components/FormError.tsx';
import { ClosedWindowCompose, useReplyWindow } from '../messages/ReplyWindowGate.tsx';
import { useServices } from '../services-context.ts';
import styles from './Compose.module.css';

type Mode = 'reply' | 'note';

/**
 * The box under a conversation. Enter sends, Shift+Enter starts a new line; what is typed is
 * kept per chat on this device. A reply goes out through the outbox (offline too, exactly
 * once); a note stays with the team. Typing `/` offers the templates, filled from the contact.
 * Outside a Meta channel's 24-hour window a reply can only be an approved template: the box
 * gives way to the templates (notes stay free text).
 */
export function Compose(props: { chat: InboxChat }): JSX.Element {
  const { inbox, messages, templates, contacts } = useServices();
  const [mode, setMode] = createSignal<Mode>('reply');
  const [text, setText] = createSignal('');
  const [error, setError] = createSignal<string>();
  const [picked, setPicked] = createSignal(0);
  const allTemplates = templates.list();
  const contact = contacts.get(() => props.chat.contactId ?? undefined);
  const replyWindow = useReplyWindow(() =>
    props.chat.provider
      ? { provider: props.chat.provider, lastInboundAt: props.chat.lastInboundAt }
      : undefined,
  );
  const closedWindow = () =>
    mode() === 'reply' && replyWindow()?.open === false ? replyWindow() : undefined;
  let box: HTMLTextAreaElement | undefined;

  // Each chat has its own draft; switching chats brings its draft back.
  createEffect(
    on(
      () => props.chat.id,
      (id) => setText(messages.draft(id)),
    ),
  );
  createEffect(on(text, (value) => messages.saveDraft(props.chat.id, value), { defer: true }));

  const query = () =>
    mode() === 'reply' && text().startsWith('/') ? text().slice(1).toLowerCase() : undefined;
  const suggestions = createMemo(() => {
    const q = query();
    if (q === undefined) return [];
    return allTemplates()
      .filter((t) => t.name.toLowerCase().includes(q))
      .slice(0, 6);
  });

  const useTemplate = (template: Template) => {
    const person = contact() ?? {
      name: props.chat.name,
      phone: props.chat.phone,
      email: '',
      custom_fields: {},
    };
    setText(renderTemplate(parseTemplate(template.body), person).text);
    setPicked(0);
    box?.focus();
  };

  const submit = async () => {
    const body = text();
    if (body.trim() === '') return;
    setError(undefined);
    // Cleared at once: what is typed while the send is written locally belongs to the next one.
    setText('');
    const result =
      mode() === 'note'
        ? await inbox.addNote(props.chat.id, body)
        : await messages.send({
            phone: props.chat.phone,
            contactId: props.chat.contactId,
            body,
            channelId: props.chat.channelId,
          });
    if (!result.ok) {
      if (text() === '') setText(body);
      setError(result.error);
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const list = suggestions();
    if (list.length > 0 && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      event.preventDefault();
      setPicked((i) => (i + (event.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length);
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      const chosen = list[picked()];
      if (chosen) useTemplate(chosen);
      else void submit();
    }
  };

  return (
    <div class={classes(styles.compose, mode() === 'note' && styles.noteMode)}>
      <div class={styles.modes} role="radiogroup" aria-label="Write">
        <For each={['reply', 'note'] as const}>
          {(m) => (
            <label class={classes(styles.mode, mode() === m && styles.modeOn)}>
              <input type="radio" name="compose-mode" checked={mode() === m} onChange={() => setMode(m)} />
              {m === 'reply' ? 'Reply' : 'Internal note'}
            </label>
          )}
        </For>
      </div>
      <Show
        when={closedWindow()}
        fallback={
          <form
            class={styles.box}
            aria-label="Write a message"
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            <Show when={suggestions().length > 0}>
              <ul class={styles.suggestions} aria-label="Quick replies">
                <For each={suggestions()}>
                  {(t, i) => (
                    <li>
                      <button
                        type="button"
                        aria-current={i() === picked() ? 'true' : undefined}
                        class={classes(styles.suggestion, i() === picked() && styles.suggestionOn)}
                        onMouseDown={(e) => e.preventDefault()}
                        onClick={() => useTemplate(t)}
                      >
                        <strong>{t.name}</strong> <span>{t.body}</span>
                      </button>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
            <div class={styles.row}>
              <label class={styles.field}>
                <span class="visually-hidden">{mode() === 'note' ? 'Note' : 'Message'}</span>
                <textarea
                  ref={box}
                  rows={2}
                  maxLength={4096}
                  placeholder={
                    mode() === 'note'
                      ? 'A note for the team (never sent)…'
                      : 'Write a reply… (/ for quick replies)'
                  }
                  value={text()}
                  onInput={(e) => {
                    setText(e.currentTarget.value);
                    setPicked(0);
                  }}
                  onKeyDown={onKeyDown}
                />
              </label>
              <button
                type="submit"
                class={classes(controls.button, controls.primary)}
                disabled={text().trim() === ''}
              >
                {mode() === 'note' ? 'Add note' : 'Send'}
              </button>
            </div>
            <FormError error={error()} />
          </form>
        }
      >
        {(closed) => (
          <div class={styles.templates}>
            <ClosedWindowCompose
              window={closed()}
              channelId={props.chat.channelId}
              phone={props.chat.phone}
              contactId={props.chat.contactId}
            />
          </div>
        )}
      </Show>
    </div>
  );
}
