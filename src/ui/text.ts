// Small text helpers for form fields: how the UI turns what is typed into input values.
// No rules about what is valid here; the services decide that.

/** "vip, lead ,, Lisbon" → ["vip", "lead", "Lisbon"]: trimmed, empties and repeats dropped. */
export function splitList(value: string): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return [...new Set(items)];
}

export function joinList(items: readonly string[]): string {
  return items.join(', ');
}

/** The text with `insert` replacing the selection, and where the caret goes after it. */
export function insertAt(
  text: string,
  selectionStart: number,
  selectionEnd: number,
  insert: string,
): { text: string; caret: number } {
  const start = Math.max(0, Math.min(selectionStart, text.length));
  const end = Math.max(start, Math.min(selectionEnd, text.length));
  return { text: text.slice(0, start) + insert + text.slice(end), caret: start + insert.length };
}

/** 1-based line and column of a UTF-16 offset, as people count them in an editor. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

export function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}

/** "3 messages and 1 campaign launch waiting to send": what waits in the outbox, each kind named. */
export function waitingToSendText(waiting: { messages: number; launches: number }): string {
  const parts = [
    waiting.messages > 0 ? plural(waiting.messages, 'message', 'messages') : '',
    waiting.launches > 0 ? plural(waiting.launches, 'campaign launch', 'campaign launches') : '',
  ].filter(Boolean);
  return `${parts.join(' and ') || 'Nothing'} waiting to send`;
}

/** A `next` value from the address bar, only if it is a path inside this app (no open redirect). */
export function safeNext(value: string | undefined): string | undefined {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  return value;
}
