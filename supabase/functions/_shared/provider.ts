// The provider adapter contract: one send, one outcome the outbox processor acts on
// (DESIGN.md: provider errors map to behaviour). Each provider's file maps its own error
// codes onto these actions; the processor knows nothing of any provider's codes.

/** A Cloud API template message as Meta takes it (messages.template, built at intake). */
export interface TemplateMessage {
  name: string;
  language: { code: string };
  components?: { type: 'header' | 'body'; parameters: { type: 'text'; text: string }[] }[];
}

export interface SendRequest {
  /** Recipient, E.164 (+ and digits). */
  to: string;
  /** The text; for a template message, its rendering (providers without templates send it). */
  body: string;
  /** Pigeon's message id, for the provider's logs and idempotency where it has any. */
  messageId: string;
  template?: TemplateMessage | null;
}

/** What a failed send means for the outbox. */
export type SendFailure =
  /** Transient (5xx, timeout, unreachable): back to the queue after the backoff; an attempt is spent. */
  | { ok: false; action: 'retry'; error: string }
  /** This message will not go through as it is: it fails with the provider's reason. */
  | { ok: false; action: 'fail'; error: string }
  /** The channel is over its throughput: the whole channel pauses; no attempt is spent. */
  | { ok: false; action: 'throttle'; error: string; retryAfterSeconds: number }
  /** Too many messages to this one recipient: only this message waits; no attempt is spent. */
  | { ok: false; action: 'defer'; error: string; retryAfterSeconds: number }
  /** The number is restricted (spam or plan limit): the channel degrades and pauses, its owner is told. */
  | { ok: false; action: 'degrade'; error: string; retryAfterSeconds: number }
  /** The credentials no longer work: the channel is disconnected and its queue held until reconnected. */
  | { ok: false; action: 'disconnect'; error: string };

export type SendOutcome = { ok: true; providerMessageId: string } | SendFailure;

export interface ProviderSender {
  send(req: SendRequest): Promise<SendOutcome>;
}

/** A credential check's verdict: what was learnt, or which field the provider refused. */
export type CheckResult<T> = { ok: true; facts: T } | { ok: false; field?: string; error: string };

/** How long a restricted number stays paused before Pigeon tries again by itself. */
export const DEGRADED_PAUSE_SECONDS = 3600;
