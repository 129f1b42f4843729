import { type JSX, Show } from 'solid-js';
import styles from './SendsChart.module.css';

const WIDTH = 320;
const HEIGHT = 80;

/**
 * Sends over time: the running count of the campaign's messages that left, against the time
 * each one did (its messages, pulled like any other, so reopening the page shows the history).
 */
export function SendsChart(props: { times: readonly number[]; total: number }): JSX.Element {
  const path = () => {
    const times = props.times;
    const first = times[0] ?? 0;
    const span = Math.max((times.at(-1) ?? 0) - first, 1);
    const top = Math.max(props.total, times.length, 1);
    const y = (count: number) => (HEIGHT - (count / top) * HEIGHT).toFixed(1);
    const points = times.map((at, i) => `${(((at - first) / span) * WIDTH).toFixed(1)},${y(i + 1)}`);
    return [`0,${y(0)}`, ...points].join(' ');
  };
  return (
    <Show when={props.times.length > 0}>
      <svg
        class={styles.chart}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Sends over time: ${props.times.length} of ${props.total} sent`}
      >
        <polyline points={path()} fill="none" stroke="currentColor" stroke-width="2" />
      </svg>
    </Show>
  );
}
