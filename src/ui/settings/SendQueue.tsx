import { createSignal, For, type JSX, Show } from 'solid-js';
import { formatPhone } from '../../domain/phone.ts';
import type { QueuedSend } from '../../features/messages/api.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { ConfirmDialog } from '../components/Dialog.tsx';
import page from '../components/page.module.css';
import { useServices } from '../services-context.ts';
import { plural } from '../text.ts';
import styles from './SendQueue.module.css';

const time = (at: number) => new Date(at).toLocaleTimeString();
/** A message's text as the list quotes it: one short line. */
const EXCERPT_CHARS = 60;

/** What a queued request is, in the words of the one who sent it. */
export function describeSend(item: QueuedSend): string {
  if (item.kind === 'launch') {
    const name = item.campaignName ? `“${item.campaignName}”` : 'a campaign';
    return `Launch of ${name} · ${plural(item.messages, 'message', 'messages')}`;
  }
  const to = item.recipient;
  const who = to ? (to.name ? `${to.name} (${formatPhone(to.phone)})` : formatPhone(to.phone)) : 'a contact';
  return item.messages > 1 ? `${item.messages} messages to ${who}` : `Message to ${who}`;
}

/** When the worker tries it next, as people read it. */
function nextTryText(item: QueuedSend): string {
  if (item.parked) return 'when you are signed in here';
  if (item.waitsForNetwork) return 'as soon as the connection is back';
  return item.nextTry <= Date.now() ? 'now' : `at ${time(item.nextTry)}`;
}

function lastAnswerText(item: QueuedSend): string {
  const answer = item.lastAnswer;
  if (!answer) return 'not tried yet';
  return `${answer.status === undefined ? '' : `${answer.status} · `}${answer.reason} (${time(answer.at)})`;
}

function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS - 1)}…` : text;
}

/** Sync page: the service worker's queue of send requests, each with Retry now and Discard. */
export function SendQueue(): JSX.Element {
  const { messages } = useServices();
  const requests = messages.outbox.requests();
  const [confirming, setConfirming] = createSignal<QueuedSend>();
  const [busy, setBusy] = createSignal(false);
  const [status, setStatus] = createSignal<string>();
  // The item being tried now (its first key): its button says so until the try is over.
  const [retrying, setRetrying] = createSignal<string>();

  const retry = async (item: QueuedSend) => {
    setStatus(undefined);
    setRetrying(item.keys[0]);
    try {
      await messages.outbox.retryRequest(item);
    } finally {
      setRetrying(undefined);
    }
  };

  const discard = async (item: QueuedSend) => {
    setBusy(true);
    const result = await messages.outbox.discardRequest(item);
    setBusy(false);
    setConfirming(undefined);
    if (!result.ok) setStatus(result.error);
    else if (result.value === 0) setStatus('It had been sent before it could be discarded.');
    else setStatus(`Discarded: ${describeSend(item)}.`);
  };

  return (
    <section class={classes(page.card, page.panel)} aria-labelledby="sync-queue-heading">
      <h2 id="sync-queue-heading">Send queue</h2>
      <p class={page.muted}>
        Messages and campaign launches this device keeps until the server takes them, oldest first.
      </p>
      <Show when={requests().length > 0} fallback={<p class={styles.empty}>Nothing waits to be sent.</p>}>
        <ul class={styles.list} aria-label="Send queue">
          <For each={requests()}>
            {(item) => (
              <li class={styles.item} aria-label={describeSend(item)}>
                <div class={styles.what}>
                  <strong>{describeSend(item)}</strong>
                  <Show when={item.text}>
                    {(text) => <span class={page.muted}>“{excerpt(text())}”</span>}
                  </Show>
                </div>
                <dl class={styles.facts}>
                  <Fact label="Queued" value={time(item.createdAt)} />
                  <Fact label="Attempts" value={String(item.attempts)} />
                  <Fact label="Next try" value={nextTryText(item)} />
                  <Fact label="Last answer" value={lastAnswerText(item)} />
                </dl>
                <div class={styles.actions}>
                  <button
                    type="button"
                    class={classes(controls.button, controls.small)}
                    disabled={retrying() !== undefined}
                    onClick={() => void retry(item)}
                  >
                    {retrying() === item.keys[0] ? 'Sending…' : 'Retry now'}
                  </button>
                  <button
                    type="button"
                    class={classes(controls.button, controls.small, controls.dangerOutline)}
                    onClick={() => setConfirming(item)}
                  >
                    Discard
                  </button>
                </div>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={status()}>{(text) => <p role="status">{text()}</p>}</Show>
      <ConfirmDialog
        open={confirming() !== undefined}
        title={confirming()?.kind === 'launch' ? 'Discard this campaign launch?' : 'Discard this message?'}
        message={<Show when={confirming()}>{(item) => <DiscardMessage item={item()} />}</Show>}
        confirmLabel="Discard"
        danger
        busy={busy()}
        onConfirm={() => {
          const item = confirming();
          if (item) void discard(item);
        }}
        onCancel={() => setConfirming(undefined)}
      />
    </section>
  );
}

/** A label and its value, kept together when the facts wrap. */
function Fact(props: { label: string; value: string }): JSX.Element {
  return (
    <div class={styles.fact}>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}

/** What a discard loses, named. */
function DiscardMessage(props: { item: QueuedSend }): JSX.Element {
  return (
    <Show
      when={props.item.kind === 'launch'}
      fallback={
        <p>
          {describeSend(props.item)}
          <Show when={props.item.text}>{(text) => <>: “{excerpt(text())}”</>}</Show> will not be sent. It
          stays in the conversation marked “Not sent”, with Retry.
        </p>
      }
    >
      <p>
        {describeSend(props.item)} will not be sent from this device. The campaign goes back to draft; any of
        its messages the server already has stay there.
      </p>
    </Show>
  );
}
