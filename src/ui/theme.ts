/**
 * Light or dark: the system's setting by default, or the user's choice, kept on this device
 * (localStorage) and applied as data-theme on <html>, which tokens.css reads.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'pigeon-theme';

export function storedTheme(): ThemeChoice {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system'; // storage blocked: follow the system
  }
}

/** Applies `choice` to the page and remembers it. */
export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // Storage blocked: the choice holds for this page only.
  }
}
