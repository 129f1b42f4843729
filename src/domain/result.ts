/** The outcome of anything a user asked for: a value, or why not, for people (naming the field or row). */
export type Result<T = void> = { ok: true; value: T } | { ok: false; error: string };
