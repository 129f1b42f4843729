import { createVirtualizer } from '@tanstack/solid-virtual';
import { createEffect, createMemo, createSignal, For, type JSX, on, Show } from 'solid-js';
import {
  filterReport,
  REPORT_STATUSES,
  type ReportFilter,
  type ReportRow,
  reportCounts,
  reportCsv,
} from '../../domain/campaign-report.ts';
import { formatPhone } from '../../domain/phone.ts';
import type { MessageStatus } from '../../domain/types.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import forms from '../components/forms.module.css';
import page from '../components/page.module.css';
import { usePhoneLayout } from '../media.ts';
import styles from './CampaignReport.module.css';
import pills from './StatusPill.module.css';

/** A row's height before it is measured: the steps take two lines on a phone. */
const ROW_HEIGHT = 84;
const PHONE_ROW_HEIGHT = 108;

export const MESSAGE_STATUS_LABELS: Record<MessageStatus, string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Failed',
};

const PILL: Record<MessageStatus, string | undefined> = {
  queued: pills.scheduled,
  sending: pills.launching,
  sent: pills.running,
  delivered: pills.completed,
  read: pills.completed,
  failed: pills.blocked,
};

const STEPS = [
  ['queuedAt', 'Queued'],
  ['sentAt', 'Sent'],
  ['deliveredAt', 'Delivered'],
  ['readAt', 'Read'],
  ['failedAt', 'Failed'],
] as const satisfies readonly (readonly [keyof ReportRow, string])[];

/**
 * Every recipient of a campaign with its status, the time of each step and why it failed:
 * filtered by status, exported as CSV from this device's data (offline too), and the failed
 * ones retried. Only the rows in view are rendered (100,000 recipients cost what 15 do).
 */
export function CampaignReport(props: {
  rows: ReportRow[];
  campaignName: string;
  timeZone: string;
  /** Present when this member may retry now (owners and admins, a completed campaign with failures). */
  onRetry?: () => void;
  retrying: boolean;
}): JSX.Element {
  const [filter, setFilter] = createSignal<ReportFilter>('all');
  const counts = createMemo(() => reportCounts(props.rows));
  const shown = createMemo(() => filterReport(props.rows, filter()));
  const time = createMemo(
    () =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone: props.timeZone,
        day: 'numeric',
        month: 'short',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }),
  );
  /** The shown rows as a CSV file, made here: no request, so it works offline. */
  function exportCsv() {
    const url = URL.createObjectURL(new Blob([reportCsv(shown())], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = csvFileName(props.campaignName, filter());
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  return (
    <section class={styles.report} aria-labelledby="report-heading">
      <div class={styles.toolbar}>
        <h2 id="report-heading">Recipients</h2>
        <label class={styles.filter}>
          <span class={forms.label}>Status</span>
          <select
            value={filter()}
            onChange={(event) => setFilter(event.currentTarget.value as ReportFilter)}
            aria-label="Show recipients by status"
          >
            <option value="all">All ({props.rows.length})</option>
            <For each={REPORT_STATUSES}>
              {(status) => (
                <option value={status}>
                  {MESSAGE_STATUS_LABELS[status]} ({counts()[status]})
                </option>
              )}
            </For>
          </select>
        </label>
        <button type="button" class={controls.button} onClick={exportCsv} disabled={shown().length === 0}>
          Export CSV
        </button>
        <Show when={props.onRetry}>
          {(retry) => (
            <button
              type="button"
              class={classes(controls.button, controls.primary)}
              onClick={() => retry()()}
              disabled={props.retrying}
            >
              Retry failed ({counts().failed})
            </button>
          )}
        </Show>
      </div>
      <p class={page.muted}>
        {filter() === 'all'
          ? `${props.rows.length} recipients`
          : `${shown().length} of ${props.rows.length} recipients`}
        {` · times in ${props.timeZone}`}
      </p>
      <Show
        when={shown().length > 0}
        fallback={
          <p class={page.muted}>
            {props.rows.length === 0
              ? 'No messages have reached this device yet.'
              : 'No recipient has this status.'}
          </p>
        }
      >
        <RecipientRows rows={shown()} time={time()} />
      </Show>
    </section>
  );
}

/** The rows in view only, in a scroller of its own: mounted once there are rows to show. */
function RecipientRows(props: { rows: readonly ReportRow[]; time: Intl.DateTimeFormat }): JSX.Element {
  let scroller!: HTMLDivElement;
  const phone = usePhoneLayout();
  const height = () => (phone() ? PHONE_ROW_HEIGHT : ROW_HEIGHT);
  const virtualizer = createVirtualizer({
    get count() {
      return props.rows.length;
    },
    getScrollElement: () => scroller,
    estimateSize: height,
    overscan: 6,
  });
  createEffect(on(phone, () => virtualizer.measure(), { defer: true }));
  // A list that shrank under the scroll position (a filter) starts again at the top.
  createEffect(() => {
    if (props.rows.length * height() < (scroller?.scrollTop ?? 0)) virtualizer.scrollToOffset(0);
  });
  return (
    <div class={styles.scroller} ref={scroller}>
      <ul class={styles.list} aria-label="Recipients" style={{ height: `${virtualizer.getTotalSize()}px` }}>
        <For each={virtualizer.getVirtualItems()}>
          {(item) => (
            <Show when={props.rows[item.index]}>
              {(row) => (
                // Measured once shown: an error wraps onto as many lines as it needs.
                <li
                  class={styles.item}
                  data-index={item.index}
                  ref={(el) => queueMicrotask(() => virtualizer.measureElement(el))}
                  style={{ transform: `translateY(${item.start}px)` }}
                >
                  <div class={styles.top}>
                    <span class={styles.who}>
                      <span class={styles.name}>{row().name || formatPhone(row().phone)}</span>
                      <Show when={row().name}>
                        <span class={styles.phone}>{formatPhone(row().phone)}</span>
                      </Show>
                    </span>
                    <span class={classes(pills.pill, PILL[row().status])}>
                      {MESSAGE_STATUS_LABELS[row().status]}
                    </span>
                  </div>
                  <ol class={styles.steps} aria-label="Steps">
                    <For each={STEPS.filter(([key]) => row()[key])}>
                      {([key, label]) => (
                        <li>
                          {label}{' '}
                          <time datetime={row()[key] ?? undefined}>
                            {props.time.format(Date.parse(row()[key] ?? ''))}
                          </time>
                        </li>
                      )}
                    </For>
                  </ol>
                  <Show when={row().error}>{(error) => <p class={styles.error}>{error()}</p>}</Show>
                </li>
              )}
            </Show>
          )}
        </For>
      </ul>
    </div>
  );
}

/** "Autumn sale-failed.csv": the campaign's name, safe as a file name, and the filter. */
function csvFileName(name: string, filter: ReportFilter): string {
  const base = name.replace(/[\\/:*?"<>|\p{Cc}]+/gu, ' ').trim() || 'campaign';
  return `${base}-${filter === 'all' ? 'recipients' : filter}.csv`;
}
