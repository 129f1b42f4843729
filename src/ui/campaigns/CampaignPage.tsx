import { useParams } from '@solidjs/router';
import { createEffect, createSignal, For, type JSX, on, onCleanup, Show } from 'solid-js';
import type { Result } from '../../domain/result.ts';
import type { Campaign } from '../../domain/types.ts';
import type { CampaignPreview, CampaignProgress } from '../../features/campaigns/api.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import page from '../components/page.module.css';
import { RecordSyncPanel } from '../components/RecordSyncPanel.tsx';
import { SyncMark } from '../components/SyncMark.tsx';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import { plural } from '../text.ts';
import { CampaignEditor, type DraftInput } from './CampaignEditor.tsx';
import styles from './CampaignPage.module.css';
import { CampaignReport } from './CampaignReport.tsx';
import { SendsChart } from './SendsChart.tsx';
import { StatusPill } from './StatusPill.tsx';

const COUNTERS = [
  ['queued_count', 'Queued'],
  ['sent_count', 'Sent'],
  ['delivered_count', 'Delivered'],
  ['read_count', 'Read'],
  ['failed_count', 'Failed'],
  ['replied_count', 'Replied'],
] as const satisfies readonly (readonly [keyof Campaign, string])[];

/** How long a launch may take before the page says what is missing and offers Retry or Cancel. */
export const LAUNCH_DEADLINE_MS = 2 * 60_000;

type Confirming = { kind: 'launch'; count: number } | { kind: 'cancel' };

/** One campaign: live counters, preview, launch with progress and Cancel, and the server actions. */
export function CampaignPage(): JSX.Element {
  const params = useParams<{ id: string }>();
  const { campaigns, channels, messages, workspace, role, recordSync } = useServices();
  const campaign = campaigns.get(() => params.id);
  const syncMark = recordSync.mark('campaigns', () => params.id);
  const queuedSince = campaigns.queuedSince(() => params.id);
  // The campaign's own channel once chosen, else the one a launch would default to.
  const channel = () => channels.list().find((c) => c.id === campaign()?.channel_id) ?? channels.preferred();
  const zone = () => workspace()?.time_zone ?? 'UTC';
  const [now, setNow] = createSignal(Date.now());
  const clock = setInterval(() => setNow(Date.now()), 5_000);
  onCleanup(() => clearInterval(clock));
  const [confirming, setConfirming] = createSignal<Confirming>();
  const sends = messages.campaignSends(() => params.id);
  const report = campaigns.report(() => params.id);
  const [retrying, setRetrying] = createSignal(false);
  usePageTitle(() => campaign()?.name ?? 'Campaign');
  const [preview, setPreview] = createSignal<CampaignPreview>();
  const [progress, setProgress] = createSignal<CampaignProgress>();
  const [error, setError] = createSignal<string>();
  const [notice, setNotice] = createSignal<string>();
  const [queuedMessages, setQueuedMessages] = createSignal<number>();
  let running: AbortController | undefined;
  const editable = () =>
    (campaign()?.status === 'draft' && queuedSince() === undefined) || campaign()?.status === 'blocked';

  async function run<T>(task: (signal: AbortSignal) => Promise<Result<T>>): Promise<T | undefined> {
    running = new AbortController();
    setError(undefined);
    setNotice(undefined);
    try {
      const result = await task(running.signal);
      if (!result.ok) setError(result.error);
      return result.ok ? result.value : undefined;
    } finally {
      running = undefined;
      setProgress(undefined);
    }
  }

  const onProgress = (p: CampaignProgress) => setProgress(p);
  const showPreview = async () =>
    setPreview(await run((signal) => campaigns.prepare(params.id, { signal, onProgress })));
  // The draft page always shows its audience and schedule: planned again at every change.
  createEffect(
    on(
      () => (editable() ? campaign()?.updated_at : undefined),
      async (stamp) => {
        if (stamp === undefined) return;
        const plan = await campaigns.prepare(params.id);
        if (plan.ok) setPreview(plan.value);
      },
    ),
  );
  /** Launch asks first, naming how many people and which channel. */
  async function askLaunch() {
    const plan = await run((signal) => campaigns.prepare(params.id, { signal, onProgress }));
    if (!plan) return;
    setPreview(plan);
    if (plan.quotaNeeded === 0) return setError('Audience: nobody would receive this campaign.');
    setConfirming({ kind: 'launch', count: plan.quotaNeeded });
  }
  async function launch() {
    setConfirming(undefined);
    const outcome = await run((signal) => campaigns.launch(params.id, { signal, onProgress }));
    if (outcome?.status === 'queued') setQueuedMessages(outcome.messages);
  }
  async function resend() {
    const outcome = await run((signal) => campaigns.resend(params.id, { signal, onProgress }));
    if (outcome?.status === 'queued') setQueuedMessages(outcome.messages);
  }
  async function cancel() {
    setConfirming(undefined);
    const inFlight = await run(() => campaigns.cancel(params.id));
    if (inFlight)
      setNotice(
        `${plural(inFlight, 'message was', 'messages were')} already being sent and may still arrive.`,
      );
  }
  const act = (action: (id: string) => Promise<Result>) => () => run(() => action(params.id));
  /** Retry failed: owners and admins, once the campaign has completed with failures (the server checks both). */
  const mayRetry = (c: Campaign) =>
    c.failed_count > 0 && c.status === 'completed' && (role() === 'owner' || role() === 'admin');
  async function retryFailed() {
    setRetrying(true);
    try {
      const retried = await run(() => campaigns.retry(params.id));
      if (retried !== undefined)
        setNotice(
          retried === 0
            ? 'No failed recipient can be retried (opted out, deleted, or reached since).'
            : `${plural(retried, 'failed recipient is', 'failed recipients are')} queued again.`,
        );
    } finally {
      setRetrying(false);
    }
  }
  /** A launch still waiting past its deadline: queued here, or held incompletely by the server. */
  const overdue = (c: Campaign) => {
    const since = c.status === 'launching' ? Date.parse(c.launched_at ?? '') : queuedSince();
    return since !== undefined && !Number.isNaN(since) && now() - since > LAUNCH_DEADLINE_MS;
  };
  const queued = () => campaign()?.status === 'draft' && queuedSince() !== undefined;
  const channelName = () => channel()?.name ?? 'your WhatsApp channel';
  async function saveDraft(draft: DraftInput): Promise<Result<unknown>> {
    const result = await campaigns.updateDraft(params.id, draft);
    if (result.ok) {
      // The audience or text may have changed: an earlier preview no longer holds.
      setPreview(undefined);
      setNotice('Draft saved.');
    }
    return result;
  }

  return (
    <Show
      when={campaign()}
      fallback={<p class={classes(page.muted, page.emptyState)}>This campaign no longer exists.</p>}
    >
      {(c) => (
        // campaign-page, a plain class: the e2e tests find the status line under it.
        <section class={classes(page.card, 'campaign-page')} aria-labelledby="campaign-heading">
          <h1 id="campaign-heading">{c().name}</h1>
          <RecordSyncPanel collection="campaigns" id={c().id} />
          <p>
            <StatusPill status={c().status} label={queued() ? 'Launch queued' : undefined} />{' '}
            <SyncMark state={syncMark().state} />
            <Show when={c().blocked_reason}>{(reason) => <span class={forms.error}> {reason()}</span>}</Show>
          </p>
          <Show when={queued() && !overdue(c())}>
            <p role="status">Launch queued — waiting for the network.</p>
          </Show>
          <Show when={overdue(c())}>
            <div class={styles.overdue} role="alert">
              <p>
                {c().status === 'launching'
                  ? `The launch is incomplete: ${c().accepted_count} of ${c().recipient_count} messages have reached the server. Retry sends the missing ones; Cancel ends the campaign and gives its quota back.`
                  : 'The launch has not reached the server yet: it waits in this device’s queue for the network. Retry sends it again; Cancel ends the campaign.'}
              </p>
              <div class={styles.actions}>
                <button
                  type="button"
                  class={classes(controls.button, controls.primary)}
                  onClick={() => (c().status === 'launching' ? resend() : launch())}
                  disabled={Boolean(progress())}
                >
                  Retry
                </button>
                <button
                  type="button"
                  class={controls.button}
                  onClick={() => setConfirming({ kind: 'cancel' })}
                >
                  Cancel
                </button>
              </div>
            </div>
          </Show>
          <Show when={editable() && preview()}>
            {(p) => (
              <p class={styles.summary}>
                {p().quotaNeeded === 0
                  ? 'Nobody would receive this campaign yet.'
                  : `${plural(p().quotaNeeded, 'person', 'people')} through ${channelName()}: first message ${when(p().firstSendAt, zone())}, last about ${when(p().lastSendAt, zone())} (${zone()}).`}
              </p>
            )}
          </Show>
          <Show when={c().status === 'scheduled' && c().start_at}>
            {(start) => (
              <p class={styles.summary}>
                Sends from {when(Date.parse(start()), zone())} ({zone()}).
              </p>
            )}
          </Show>
          <dl class={styles.counters} aria-label="Progress">
            <For each={COUNTERS}>
              {([key, label]) => (
                <div>
                  <dt>{label}</dt>
                  <dd>{c()[key]}</dd>
                </div>
              )}
            </For>
          </dl>
          <SendsChart times={sends().times} total={c().recipient_count} timeZone={zone()} />
          <Show when={progress()}>
            {(p) => (
              <div class={styles.actions}>
                <label>
                  {p().phase === 'preparing' ? 'Preparing' : 'Sending'} {p().done} of {p().total}
                  <progress max={p().total} value={p().done} />
                </label>
                <button type="button" class={controls.button} onClick={() => running?.abort()}>
                  Cancel
                </button>
              </div>
            )}
          </Show>
          <div class={styles.actions}>
            <Show when={editable()}>
              <button
                type="button"
                class={controls.button}
                onClick={showPreview}
                disabled={Boolean(progress())}
              >
                Preview
              </button>
              <button
                type="button"
                class={classes(controls.button, controls.primary)}
                onClick={askLaunch}
                disabled={Boolean(progress())}
              >
                Launch
              </button>
            </Show>
            <Show when={c().status === 'scheduled' || c().status === 'running'}>
              <button type="button" class={controls.button} onClick={act(campaigns.pause)}>
                Pause
              </button>
            </Show>
            <Show when={c().status === 'paused'}>
              <button type="button" class={controls.button} onClick={act(campaigns.resume)}>
                Resume
              </button>
            </Show>
            <Show when={['launching', 'scheduled', 'running', 'paused'].includes(c().status)}>
              <button type="button" class={controls.button} onClick={() => setConfirming({ kind: 'cancel' })}>
                Cancel campaign
              </button>
            </Show>
          </div>
          <Show when={editable()}>
            <details>
              <summary>Edit draft</summary>
              <CampaignEditor initial={c()} label="Edit campaign" submit="Save draft" onSave={saveDraft} />
            </details>
          </Show>
          <FormError error={error()} />
          <Show when={notice()}>{(text) => <p role="status">{text()}</p>}</Show>
          {/* Only while the launch waits in the outbox: once it went out, the counters say the rest. */}
          <Show when={messages.outbox.waiting() > 0 && queuedMessages()}>
            {(count) => <p role="status">{count()} messages will go out when you are back online.</p>}
          </Show>
          <Show when={preview()}>{(p) => <PreviewPanel preview={p()} />}</Show>
          <Show when={!editable() && !queued()}>
            <CampaignReport
              rows={report()}
              campaignName={c().name}
              timeZone={zone()}
              onRetry={mayRetry(c()) ? retryFailed : undefined}
              retrying={retrying()}
            />
          </Show>
          <ConfirmDialog
            open={confirming()?.kind === 'launch'}
            title={`Launch “${c().name}”?`}
            message={
              <p>
                {plural(launchCount(confirming()), 'person', 'people')} will get this message through{' '}
                {channelName()}. Once launched, the text and audience can no longer change.
              </p>
            }
            confirmLabel={`Send to ${plural(launchCount(confirming()), 'person', 'people')}`}
            onConfirm={launch}
            onCancel={() => setConfirming(undefined)}
          />
          <ConfirmDialog
            open={confirming()?.kind === 'cancel'}
            title={`Cancel “${c().name}”?`}
            message={
              <p>
                Messages not yet sent through {channelName()} will not go out
                {c().recipient_count > 0 ? ` (${c().sent_count} of ${c().recipient_count} sent so far)` : ''}.
                This cannot be undone.
              </p>
            }
            confirmLabel="Cancel campaign"
            cancelLabel="Keep it"
            danger
            onConfirm={cancel}
            onCancel={() => setConfirming(undefined)}
          />
        </section>
      )}
    </Show>
  );
}

const launchCount = (c: Confirming | undefined) => (c?.kind === 'launch' ? c.count : 0);

/** An instant in the workspace's time zone, or "—" when there is none. */
function when(at: number | null, timeZone: string): string {
  if (at === null || Number.isNaN(at)) return '—';
  return new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

function PreviewPanel(props: { preview: CampaignPreview }): JSX.Element {
  return (
    <section aria-labelledby="preview-heading">
      <h2 id="preview-heading">Preview</h2>
      <p>Quota needed: {props.preview.quotaNeeded} messages.</p>
      <ol>
        <For each={props.preview.sample}>
          {(m) => (
            <li>
              <strong>{m.phone}</strong>: {m.body}
            </li>
          )}
        </For>
      </ol>
      <Show when={props.preview.missingVariables.length > 0}>
        <h3>Missing variables</h3>
        <ul>
          <For each={props.preview.missingVariables}>
            {(m) => (
              <li>
                {m.name || m.phone}: {m.variables.join(', ')}
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={props.preview.excluded.length > 0}>
        <h3>Left out</h3>
        <ul>
          <For each={props.preview.excluded}>
            {(e) => (
              <li>
                {e.name || e.phone || e.contact_id}: {e.reason.replaceAll('_', ' ')}
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}
