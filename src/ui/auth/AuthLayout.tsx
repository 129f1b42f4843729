import type { JSX } from 'solid-js';
import { classes } from '../class-names.ts';
import page from '../components/page.module.css';
import { Logo } from '../layout/Logo.tsx';
import styles from './AuthLayout.module.css';

/** The frame of the pages seen before signing in: the brand above a single card. */
export function AuthLayout(props: {
  title: string;
  children: JSX.Element;
  footer: JSX.Element;
}): JSX.Element {
  return (
    <main class={styles.page} id="main">
      <div class={styles.brand}>
        <Logo size={40} class={styles.logo} />
        <span>Pigeon</span>
      </div>
      <section class={classes(page.card, styles.card)}>
        <h1>{props.title}</h1>
        {props.children}
      </section>
      <p class={styles.footer}>{props.footer}</p>
    </main>
  );
}
