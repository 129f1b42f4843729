import type { JSX } from 'solid-js';
import { Logo } from '../layout/Logo.tsx';

/** The frame of the pages seen before signing in: the brand above a single card. */
export function AuthLayout(props: {
  title: string;
  children: JSX.Element;
  footer: JSX.Element;
}): JSX.Element {
  return (
    <main class="auth-page" id="main">
      <div class="auth-brand">
        <Logo size={40} />
        <span>Pigeon</span>
      </div>
      <section class="card auth-card">
        <h1>{props.title}</h1>
        {props.children}
      </section>
      <p class="auth-footer">{props.footer}</p>
    </main>
  );
}
