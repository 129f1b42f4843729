import { type Accessor, createSignal, onCleanup } from 'solid-js';

/** The phone layout's width, as the CSS modules' `@media (max-width: 640px)`. */
const PHONE = '(max-width: 640px)';

/** Whether the window is phone-sized now, following rotations and resizes. */
export function usePhoneLayout(): Accessor<boolean> {
  const media = window.matchMedia(PHONE);
  const [phone, setPhone] = createSignal(media.matches);
  const onChange = () => setPhone(media.matches);
  media.addEventListener('change', onChange);
  onCleanup(() => media.removeEventListener('change', onChange));
  return phone;
}
