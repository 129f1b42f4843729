import {
  type Accessor,
  createEffect,
  createMemo,
  createSignal,
  type JSX,
  on,
  onCleanup,
  Show,
} from 'solid-js';
import { fillParameters } from '../../domain/provider-template.ts';
import { type ReplyWindow, replyWindow } from '../../domain/reply-window.ts';
import type { ChannelProvider, Template, TemplateParameters } from '../../domain/types.ts';
import { classes } from '../class-names.ts';
import { FormError } from '../components/FormError.tsx';
import { usePhoneLayout } from '../media.ts';
import { useServices } from '../services-context.ts';
import styles from './Conversation.module.css';
import { TemplateCompose } from './TemplateCompose.tsx';

const TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

/**
 * The 24-hour window of a conversation on a channel (undefined: no channel), checked again
 * every minute because it closes with the clock, not with an event.
 */
export function useReplyWindow(
  of: () => { provider: ChannelProvider; lastInboundAt: string | null } | undefined,
): Accessor<ReplyWindow | undefined> {
  const [now, setNow] = createSignal(Date.now());
  const tick = setInterval(() => setNow(Date.now()), 60_000);
  onCleanup(() => clearInterval(tick));
  return createMemo(() => {
    const current = of();
    return current ? replyWindow(current.provider, current.lastInboundAt, now()) : undefined;
  });
}

/**
 * Outside the window: why free text cannot go, and the channel's approved templates (a field
 * per {{n}}) sent as that template. Used by the contact's conversation and the inbox alike.
 * On a phone it starts folded to one line, so the conversation keeps the screen.
 */
export function ClosedWindowCompose(props: {
  window: ReplyWindow;
  channelId: string;
  phone: string;
  contactId: string | null;
}): JSX.Element {
  const { messages } = useServices();
  const templates = messages.replyTemplates(() => props.channelId);
  const [sending, setSending] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const phone = usePhoneLayout();
  const [open, setOpen] = createSignal(!phone());
  createEffect(on(phone, (small) => setOpen(!small), { defer: true }));

  const send = async (template: Template, values: TemplateParameters) => {
    setSending(true);
    setError(undefined);
    try {
      const result = await messages.send({
        phone: props.phone,
        contactId: props.contactId,
        body: fillParameters(template.body, values.body),
        channelId: props.channelId,
        template: {
          id: template.id,
          body_parameters: values.body,
          ...(values.header.length > 0 ? { header_parameters: values.header } : {}),
        },
      });
      if (!result.ok) setError(result.error);
      return result.ok;
    } finally {
      setSending(false);
    }
  };

  return (
    <details class={styles.closedWindow} open={open()} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary class={classes(styles.warning, styles.closedSummary)}>
        24-hour window closed: send a template
      </summary>
      <p class={styles.warning} role="note">
        <Show when={props.window.closesAt} fallback="This contact has not written to this number yet: ">
          {(closed) => `The 24-hour window closed ${TIME.format(closed())}: `}
        </Show>
        WhatsApp only lets you send an approved template until they write again.
      </p>
      <TemplateCompose templates={templates()} disabled={sending()} onSend={send} />
      <FormError error={error()} />
    </details>
  );
}
