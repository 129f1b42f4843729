/**
 * A class attribute from CSS-module classes, without those that don't apply (`false`).
 * `undefined` is accepted because a module's classes are typed as possibly missing; the CSS
 * module test checks that every class used exists.
 */
export function classes(...names: (string | false | undefined)[]): string {
  return names.filter(Boolean).join(' ');
}
