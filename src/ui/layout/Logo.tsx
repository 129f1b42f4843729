import type { JSX } from 'solid-js';

/** The mark: a paper bird in a chat bubble. Decorative; the text "Pigeon" beside it names it. */
export function Logo(props: { size?: number; class?: string | undefined }): JSX.Element {
  return (
    <svg
      class={props.class}
      width={props.size ?? 28}
      height={props.size ?? 28}
      viewBox="0 0 32 32"
      aria-hidden="true"
    >
      <path
        d="M16 2C8.3 2 2 7.9 2 15.2c0 3.1 1.1 5.9 3 8.1L3.6 30l6.8-2.9c1.7.6 3.6 1 5.6 1 7.7 0 14-5.9 14-13.2S23.7 2 16 2Z"
        fill="#008069"
      />
      <path d="M8.5 15.8 23.5 9l-4.2 14.2-4.6-4.1-2.8 2.6.3-4-3.7-1.9Zm6.2 3.3 6.5-8.2-8.6 6.3" fill="#fff" />
    </svg>
  );
}
