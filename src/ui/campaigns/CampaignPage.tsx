import { useParams } from '@solidjs/router';
import { createSignal, For, type JSX, Show } from 'solid-js';
import type { Result } from '../../domain/result.ts';
import type { Campaign } from '../../domain/types.ts';
import type { CampaignPreview, CampaignProgress } from '../../features/campaigns/api.ts';
import { classes } from '../class-names.ts';
import chips from '../components/Chips.module.css';
import controls from '../components/controls.module.css';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import page from '../components/page.module.css';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import { CampaignEditor, type DraftInput } from './CampaignEditor.tsx';
import styles from './CampaignPage.module.css';
import { STATUS_LABELS } from './CampaignsPage.tsx';
import { SendsChart } from './SendsChart.tsx';

const COUNTERS = [
  ['queued_count', 'Queued'],
  ['sent_count', 'Sent'],
  ['delivered_count', 'Delivered'],
  ['read_count', 'Read'],
  ['failed_count', 'Failed'],
  ['replied_count', 'Replied'],
] as const satisfies readonly (readonly [keyof Campaign, string])[];

/** One campaign: live counters, preview, launch with progress and Cancel, and the server actions. */
export function CampaignPage(): JSX.Element {
  const params = useParams<{ id: string }>();
  const { campaigns, messages } = useServices();
  const campaign = campaigns.get(() => params.id);
  const sends = messages.campaignSends(() => params.id);
  usePageTitle(() => campaign()?.name ?? 'Campaign');
  const [preview, setPreview] = createSignal<CampaignPreview>();
  const [progress, setProgress] = createSignal<CampaignProgress>();
  const [error, setError] = createSignal<string>();
  const [notice, setNotice] = createSignal<string>();
  const [queued, setQueued] = createSignal<number>();
  let running: AbortController | undefined;

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
  async function launch() {
    const outcome = await run((signal) => campaigns.launch(params.id, { signal, onProgress }));
    if (outcome?.status === 'queued') setQueued(outcome.messages);
  }
  const act = (action: (id: string) => Promise<Result>) => () => run(() => action(params.id));
  async function saveDraft(draft: DraftInput): Promise<Result<unknown>> {
    const result = await campaigns.updateDraft(params.id, draft);
    if (result.ok) {
      // The audience or text may have changed: an earlier preview no longer holds.
      setPreview(undefined);
      setNotice('Draft saved.');
    }
    return result;
  }
  const editable = () => campaign()?.status === 'draft' || campaign()?.status === 'blocked';

  return (
    <Show
      when={campaign()}
      fallback={<p class={classes(page.muted, page.emptyState)}>This campaign no longer exists.</p>}
    >
      {(c) => (
        // campaign-page, a plain class: the e2e tests find the status line under it.
        <section class={classes(page.card, 'campaign-page')} aria-labelledby="campaign-heading">
          <h1 id="campaign-heading">{c().name}</h1>
          <p>
            <span class={chips.badge}>{STATUS_LABELS[c().status]}</span>
            <Show when={c().blocked_reason}>{(reason) => <span class={forms.error}> {reason()}</span>}</Show>
          </p>
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
          <SendsChart times={sends().times} total={c().recipient_count} />
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
                onClick={launch}
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
              <button type="button" class={controls.button} onClick={act(campaigns.cancel)}>
                Cancel campaign
              </button>
            </Show>
            <Show when={c().failed_count > 0 && c().status === 'completed'}>
              <button type="button" class={controls.button} onClick={act(campaigns.retry)}>
                Retry failed
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
          <Show when={messages.outbox.waiting() > 0 && queued()}>
            {(count) => <p role="status">{count()} messages will go out when you are back online.</p>}
          </Show>
          <Show when={preview()}>{(p) => <PreviewPanel preview={p()} />}</Show>
        </section>
      )}
    </Show>
  );
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
