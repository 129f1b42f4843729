// The provider adapter contract: one send, one outcome the outbox processor can act on
// (complete, retry with backoff, pause the channel, or fail for good).
export interface SendRequest {
  /** Recipient, E.164 (+ and digits). */
  to: string;
  body: string;
  /** Pigeon's message id, for the provider's logs and idempotency where it has any. */
  messageId: string;
}

export type SendOutcome =
  | { ok: true; providerMessageId: string }
  | { ok: false; retryable: boolean; error: string; retryAfterSeconds?: number };

export interface ProviderSender {
  send(req: SendRequest): Promise<SendOutcome>;
}
