import { createEffect, createSignal, type JSX, Show } from 'solid-js';

interface Point {
  at: number;
  sent: number;
}

const WIDTH = 320;
const HEIGHT = 80;

/**
 * Sends over time while the page is open: each change of the live sent counter is a point.
 * (The counter is all the client replicates of a campaign's sends, so the line starts when
 * the page opens.)
 */
export function SendsChart(props: { sent: number; total: number }): JSX.Element {
  const [points, setPoints] = createSignal<Point[]>([]);
  createEffect(() => {
    const sent = props.sent;
    setPoints((all) => (all.at(-1)?.sent === sent ? all : [...all, { at: Date.now(), sent }]));
  });
  const path = () => {
    const all = points();
    const first = all[0]?.at ?? 0;
    const span = Math.max((all.at(-1)?.at ?? 0) - first, 1);
    const top = Math.max(props.total, 1);
    return all.map((p) => `${((p.at - first) / span) * WIDTH},${HEIGHT - (p.sent / top) * HEIGHT}`).join(' ');
  };
  return (
    <Show when={points().length > 1}>
      <svg
        class="sends-chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Sends over time: ${props.sent} of ${props.total} sent`}
      >
        <polyline points={path()} fill="none" stroke="currentColor" stroke-width="2" />
      </svg>
    </Show>
  );
}
