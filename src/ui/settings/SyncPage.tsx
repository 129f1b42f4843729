import { A } from '@solidjs/router';
import { createResource, createSignal, For, type JSX, Show } from 'solid-js';
import type { CollectionFacts, SyncEvent } from '../../features/diagnostics/api.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import page from '../components/page.module.css';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import { plural } from '../text.ts';
import { SendQueue } from './SendQueue.tsx';
// The same facts list as the workspace's on the settings page.
import settings from './SettingsPage.module.css';
import styles from './SyncPage.module.css';

const time = (at: number) => new Date(at).toLocaleTimeString();
const bytes = (n: number) =>
  n >= 1e9
    ? `${(n / 1e9).toFixed(1)} GB`
    : n >= 1e6
      ? `${(n / 1e6).toFixed(1)} MB`
      : `${Math.round(n / 1e3)} kB`;

/** Settings → Sync: what this device holds, what the sync did, and a report to send a developer. */
export function SyncPage(): JSX.Element {
  const services = useServices();
  usePageTitle(() => 'Sync');
  // Read once the workspace is known (a reload opens this page before it is).
  const [collections, { refetch }] = createResource(
    () => services.workspace()?.id,
    () => services.diagnostics.collections(),
  );
  const [usage] = createResource(() => services.storage.usage());
  const { waiting, retryNow, problem } = services.messages.outbox;
  // Newest first: the last thing that happened is what the user is looking for.
  const events = () => [...services.diagnostics.events()].reverse();
  const tables = () => services.diagnostics.tables();
  // Live pending counts and trace over the counts read at load (a collection this device only pulls has no pending).
  const facts = () =>
    (collections() ?? []).map(
      (c): CollectionFacts => ({
        ...c,
        ...tables()[c.table],
        ...(c.pending === undefined ? {} : { pending: services.diagnostics.pending()[c.table] ?? 0 }),
      }),
    );

  return (
    <div class={page.narrow}>
      <A class={page.backLink} href="/settings">
        ← Settings
      </A>
      <h1>Sync</h1>
      <section class={classes(page.card, page.panel)} aria-labelledby="sync-device-heading">
        <h2 id="sync-device-heading">This device</h2>
        <dl class={settings.facts}>
          <dt>Connection</dt>
          <dd>{services.online() ? 'Online' : 'Offline'}</dd>
          <dt>Waiting to sync</dt>
          <dd>{plural(services.sync.pending(), 'change', 'changes')}</dd>
          <dt>Waiting to send</dt>
          <dd>
            {plural(waiting(), 'request', 'requests')} in the offline queue
            <Show when={problem()}>{(why) => <span class={page.muted}> · {why()}</span>}</Show>
            <Show when={waiting() > 0}>
              <button
                type="button"
                class={classes(controls.button, controls.small, styles.inline)}
                onClick={retryNow}
              >
                Retry now
              </button>
            </Show>
          </dd>
          <dt>Storage</dt>
          <dd>
            <Show when={usage()} fallback="Unknown">
              {(u) => (
                <>
                  {bytes(u().usage)} used of {bytes(u().quota)}
                </>
              )}
            </Show>
            {' · '}
            {services.storage.persisted()
              ? 'kept by the browser'
              : 'may be cleared by the browser when space is short'}
          </dd>
        </dl>
      </section>

      <SendQueue />

      <section class={classes(page.card, page.panel)} aria-labelledby="sync-collections-heading">
        <div class={styles.heading}>
          <h2 id="sync-collections-heading">Collections</h2>
          <button
            type="button"
            class={classes(controls.button, controls.small)}
            onClick={() => void refetch()}
          >
            Refresh
          </button>
        </div>
        <div class={styles.scroll}>
          <table class={styles.table} aria-label="Collections">
            <thead>
              <tr>
                <th scope="col">Collection</th>
                <th scope="col">On this device</th>
                <th scope="col">To push</th>
                <th scope="col">Last pull</th>
                <th scope="col">Last push</th>
              </tr>
            </thead>
            <tbody>
              <For each={facts()}>
                {(c) => (
                  <>
                    <tr>
                      <th scope="row">{c.table}</th>
                      {/* data-label: the column's name beside each value when rows stack on a phone. */}
                      <td data-label="On this device">{c.local}</td>
                      <td data-label="To push">{c.pending ?? '—'}</td>
                      <td data-label="Last pull">
                        {c.lastPull
                          ? `${time(c.lastPull.at)} · ${c.lastPull.rows} rows · ${c.lastPull.ms} ms`
                          : '—'}
                        {/* Under the last pull, where the next one starts: a column of its own ran off the card. */}
                        <Show when={checkpointOf(c.checkpoint)}>
                          {(checkpoint) => (
                            <span
                              class={styles.checkpoint}
                              title={`${checkpoint().modified} · ${checkpoint().id}`}
                            >
                              next from {time(Date.parse(checkpoint().modified))} ·{' '}
                              {checkpoint().id.slice(0, 8)}
                            </span>
                          )}
                        </Show>
                      </td>
                      <td data-label="Last push">
                        {c.lastPush
                          ? `${time(c.lastPush.at)} · ${c.lastPush.rows} rows · ${c.lastPush.ms} ms`
                          : '—'}
                      </td>
                    </tr>
                    {/* Under its collection, across the table: an error is read whole, at any width. */}
                    <Show when={c.lastError}>
                      {(error) => (
                        <tr>
                          <td colSpan={5} class={styles.error}>
                            Last error of {c.table}: {time(error().at)} · {error().message}
                          </td>
                        </tr>
                      )}
                    </Show>
                  </>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </section>

      <section class={classes(page.card, page.panel)} aria-labelledby="sync-events-heading">
        <h2 id="sync-events-heading">Sync events</h2>
        <p class={page.muted}>
          The last {events().length} of at most 500, newest first, kept on this device.
        </p>
        <ol class={styles.events} aria-label="Sync events">
          <For each={events()}>{(event) => <EventLine event={event} />}</For>
        </ol>
      </section>

      <DiagnosticsSection />
    </div>
  );
}

function EventLine(props: { event: SyncEvent }): JSX.Element {
  const e = () => props.event;
  return (
    <li class={styles.event}>
      <span class={styles.code}>{time(e().at)}</span>
      <span class={styles.kind}>{e().kind}</span>
      <span>
        {[
          e().table,
          e().rows === undefined ? undefined : `${e().rows} rows`,
          e().ms === undefined ? undefined : `${e().ms} ms`,
          e().detail,
        ]
          .filter(Boolean)
          .join(' · ')}
      </span>
    </li>
  );
}

/** The checkpoint RxDB keeps for the next pull: the last pulled row's version and id (none yet: undefined). */
function checkpointOf(checkpoint: unknown): { modified: string; id: string } | undefined {
  const data =
    (checkpoint as { checkpoint?: { modified?: string; id?: string } } | undefined)?.checkpoint ??
    (checkpoint as { modified?: string; id?: string } | undefined);
  return data?.modified ? { modified: data.modified, id: data.id ?? '' } : undefined;
}

function DiagnosticsSection(): JSX.Element {
  const { diagnostics } = useServices();
  const [withText, setWithText] = createSignal(false);
  const [status, setStatus] = createSignal<string>();

  const copy = async () => {
    setStatus(undefined);
    const report = await diagnostics.report({ includeMessageText: withText() });
    try {
      await navigator.clipboard.writeText(report);
      setStatus('Copied. Paste it into your message to support.');
    } catch {
      setStatus("Couldn't copy: your browser did not allow it.");
    }
  };

  return (
    <section class={classes(page.card, page.panel)} aria-labelledby="sync-diagnostics-heading">
      <h2 id="sync-diagnostics-heading">Diagnostics</h2>
      <p class={page.muted}>
        A report of this device's sync for a developer: counts, timings and errors. It never holds passwords
        or tokens.
      </p>
      <label class={controls.checkbox}>
        <input
          type="checkbox"
          checked={withText()}
          onChange={(event) => setWithText(event.currentTarget.checked)}
        />
        Include the text of messages waiting or failed
      </label>
      <div class={styles.actions}>
        <button type="button" class={controls.button} onClick={() => void copy()}>
          Copy diagnostics
        </button>
        <Show when={status()}>{(text) => <span role="status">{text()}</span>}</Show>
      </div>
    </section>
  );
}
