import { createEffect, createMemo, createSignal, For, type JSX, on, Show } from 'solid-js';
import { lastInboundAt } from '../../domain/reply-window.ts';
import type { ThreadMessage } from '../../features/messages/api.ts';
import { ConnectChannelCta } from '../channels/ConnectChannelCta.tsx';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import page from '../components/page.module.css';
import { useServices } from '../services-context.ts';
import styles from './Conversation.module.css';
import { MessageTicks } from './MessageTicks.tsx';
import { RetryButton } from './NotSent.tsx';
import { ClosedWindowCompose, useReplyWindow } from './ReplyWindowGate.tsx';

const TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

/**
 * The conversation with one contact and a box to write to them. What is typed is kept as a
 * draft on this device (a reload, an app update or a crash keeps it); Send writes the
 * message at once, offline too, and it goes out when it can.
 */
export function Conversation(props: { phone: string; contactId: string; optedOut: boolean }): JSX.Element {
  const { messages, channels } = useServices();
  const thread = messages.thread(() => props.phone);
  // The channels it can go through; the first connected one unless the user picks another.
  const usable = () => channels.list().filter((c) => c.status !== 'disconnected');
  const [picked, setPicked] = createSignal<string>();
  const channel = createMemo(
    () => usable().find((c) => c.id === picked()) ?? channels.preferred() ?? usable()[0],
  );
  const replyState = useReplyWindow(() => {
    const c = channel();
    return c ? { provider: c.provider, lastInboundAt: lastInboundAt(thread(), c.id) } : undefined;
  });
  const [text, setText] = createSignal(messages.draft(props.phone));
  const [error, setError] = createSignal<string>();
  const [sending, setSending] = createSignal(false);
  let list: HTMLOListElement | undefined;

  createEffect(on(text, (value) => messages.saveDraft(props.phone, value), { defer: true }));
  // The newest message in view whenever one arrives.
  createEffect(
    on(
      () => thread().length,
      () => list?.lastElementChild?.scrollIntoView({ block: 'nearest' }),
    ),
  );

  const send = async (event: SubmitEvent) => {
    event.preventDefault();
    if (sending()) return;
    setSending(true);
    setError(undefined);
    try {
      const result = await messages.send({
        phone: props.phone,
        contactId: props.contactId,
        body: text(),
        ...(channel() ? { channelId: channel()?.id } : {}),
      });
      if (result.ok) setText('');
      else setError(result.error);
    } finally {
      setSending(false);
    }
  };

  // A message that was not sent (refused, or discarded from the send queue) goes again as a new one.
  const retry = async (message: ThreadMessage) => {
    const result = await messages.send({
      phone: props.phone,
      contactId: props.contactId,
      body: message.body,
      channelId: message.channel_id,
    });
    if (!result.ok) setError(result.error);
  };

  return (
    <section class={classes(page.card, styles.conversation)} aria-labelledby="conversation-heading">
      <h2 id="conversation-heading">Messages</h2>
      <Show
        when={thread().length > 0}
        fallback={<p class={page.muted}>No messages yet. Write the first one below.</p>}
      >
        <ol class={styles.thread} aria-label="Conversation" ref={list}>
          <For each={thread()}>
            {(message) => <Bubble message={message} onRetry={() => void retry(message)} />}
          </For>
        </ol>
      </Show>
      <Show when={props.optedOut}>
        <p class={styles.warning} role="note">
          This contact opted out of messages. Write only if they asked you to.
        </p>
      </Show>
      <Show when={usable().length > 1}>
        <label class={classes(forms.field, styles.channelPick)}>
          <span class={forms.label}>Send through</span>
          <select value={channel()?.id ?? ''} onChange={(event) => setPicked(event.currentTarget.value)}>
            <For each={usable()}>
              {(c) => (
                <option value={c.id}>
                  {c.name}
                  {c.phone_number ? ` (${c.phone_number})` : ''}
                </option>
              )}
            </For>
          </select>
        </label>
      </Show>
      <Show when={channel() === undefined}>
        <ConnectChannelCta what="write to this contact" />
      </Show>
      <Show when={channel() && replyState()?.open === false && replyState()}>
        {(closed) => (
          <ClosedWindowCompose
            window={closed()}
            channelId={channel()?.id ?? ''}
            phone={props.phone}
            contactId={props.contactId}
          />
        )}
      </Show>
      <Show when={channel() && replyState()?.open}>
        <form class={styles.compose} aria-label="Write a message" onSubmit={send}>
          <label class={classes(forms.field, styles.composeField)}>
            <span class="visually-hidden">Message</span>
            <textarea
              name="message"
              rows={3}
              maxLength={4096}
              placeholder="Write a message…"
              value={text()}
              onInput={(event) => setText(event.currentTarget.value)}
              onKeyDown={(event) => {
                // Enter sends, Shift+Enter starts a new line, as in WhatsApp.
                if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
                  event.preventDefault();
                  event.currentTarget.form?.requestSubmit();
                }
              }}
            />
          </label>
          <button
            type="submit"
            class={classes(controls.button, controls.primary)}
            disabled={sending() || text().trim() === ''}
          >
            Send
          </button>
        </form>
      </Show>
      <FormError error={error()} />
    </section>
  );
}

function Bubble(props: { message: ThreadMessage; onRetry: () => void }): JSX.Element {
  const m = () => props.message;
  return (
    <li
      class={classes(styles.bubble, m().direction === 'out' ? styles.out : styles.in)}
      aria-label={`${m().direction === 'out' ? 'You' : 'They'}: ${m().body}`}
    >
      <p class={styles.body}>{m().body}</p>
      <p class={styles.meta}>
        <time datetime={m().created_at}>{TIME.format(new Date(m().created_at))}</time>
        <Show when={m().direction === 'out'}>
          <MessageTicks status={m().status} />
        </Show>
      </p>
      <Show when={m().status === 'failed' && m().error}>
        {(reason) => (
          <p class={styles.error} role="alert">
            {reason()}{' '}
            <Show when={m().local}>
              <RetryButton onRetry={props.onRetry} />
            </Show>
          </p>
        )}
      </Show>
    </li>
  );
}
