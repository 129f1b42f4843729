import { type JSX, Show } from 'solid-js';
import styles from './SendsChart.module.css';

const WIDTH = 360;
const HEIGHT = 140;
// Room for the axis labels: the count on the left, the times below.
const LEFT = 40;
const BOTTOM = 22;
const TOP = 8;
const RIGHT = 12;

/**
 * Sends over time: the running count of the campaign's messages that left, against the time
 * each one did (its messages, pulled like any other, so reopening the page shows the history),
 * with a count axis (0 to the recipients) and a time axis (first to last send, in `timeZone`).
 */
export function SendsChart(props: {
  times: readonly number[];
  total: number;
  timeZone: string;
}): JSX.Element {
  const top = () => Math.max(props.total, props.times.length, 1);
  const first = () => props.times[0] ?? 0;
  const last = () => props.times.at(-1) ?? 0;
  const x = (at: number) => LEFT + ((at - first()) / Math.max(last() - first(), 1)) * (WIDTH - LEFT - RIGHT);
  const y = (count: number) => TOP + (1 - count / top()) * (HEIGHT - TOP - BOTTOM);
  const path = () =>
    [`${LEFT},${y(0)}`, ...props.times.map((at, i) => `${x(at).toFixed(1)},${y(i + 1).toFixed(1)}`)].join(
      ' ',
    );
  const clock = (at: number) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: props.timeZone, timeStyle: 'medium' }).format(at);
  return (
    <Show when={props.times.length > 0}>
      <svg
        class={styles.chart}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Sends over time: ${props.times.length} of ${props.total} sent`}
      >
        <line class={styles.axis} x1={LEFT} y1={TOP} x2={LEFT} y2={HEIGHT - BOTTOM} />
        <line class={styles.axis} x1={LEFT} y1={HEIGHT - BOTTOM} x2={WIDTH - RIGHT} y2={HEIGHT - BOTTOM} />
        <text class={styles.label} x={LEFT - 4} y={y(top()) + 4} text-anchor="end">
          {top()}
        </text>
        <text class={styles.label} x={LEFT - 4} y={y(0)} text-anchor="end">
          0
        </text>
        <text class={styles.label} x={LEFT} y={HEIGHT - 6} text-anchor="start">
          {clock(first())}
        </text>
        <text class={styles.label} x={WIDTH - RIGHT} y={HEIGHT - 6} text-anchor="end">
          {clock(last())}
        </text>
        <text class={styles.label} x={LEFT + 4} y={TOP + 10} text-anchor="start">
          sent
        </text>
        <polyline points={path()} fill="none" stroke="currentColor" stroke-width="2" />
      </svg>
    </Show>
  );
}
