/**
 * Opt-out replies: an inbound message is a stop request when, once normalized, the WHOLE
 * message equals one of the workspace's stop keywords (normalized alike).
 *
 * Normalizing ignores case, accents and punctuation: "Stop!", " stop ", "ARRÊT", "arret." and
 * "Stop 🛑" all read "stop"/"arret". The whole message, not its first word, because the
 * default keywords include everyday words (END, CANCEL, QUIT, BASTA, ALTO, PARE): "Cancel my
 * order" or "End of the week works" must not silently stop all messages to a customer. This
 * is the carriers' rule for SMS too (the message is exactly the keyword).
 *
 * private.normalize_stop_text in supabase/migrations/20261202000800_campaign_sending.sql applies the
 * same steps in SQL (a trigger on inbound messages); tests/backend/campaign-opt-out.test.ts
 * checks both agree on a shared table of cases.
 */

/** NFKD, drop combining accents (U+0300–U+036F), lower-case, punctuation/spaces/symbols → one space, trim. */
export function normalizeStopText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** A matcher for many messages against one workspace's keywords. */
export function stopMatcher(keywords: readonly string[]): (text: string) => boolean {
  const normalized = new Set(keywords.map(normalizeStopText).filter((k) => k !== ''));
  return (text) => normalized.has(normalizeStopText(text));
}

export function isStopMessage(text: string, keywords: readonly string[]): boolean {
  return stopMatcher(keywords)(text);
}
