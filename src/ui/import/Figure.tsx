import type { JSX } from 'solid-js';

/** One labelled number of the progress and the report (a <dl> entry, kept together in the grid). */
export function Figure(props: { label: string; testId?: string; children: JSX.Element }): JSX.Element {
  return (
    <div>
      <dt>{props.label}</dt>
      <dd data-testid={props.testId}>{props.children}</dd>
    </div>
  );
}
