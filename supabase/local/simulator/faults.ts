// Failure injection: the next sends the simulator receives are answered with these faults,
// one each, in order (a fault naming a number waits for a send of that number); after them
// it accepts again. The error bodies are each wire format's own.
import type { ServerResponse } from 'node:http';
import type { GraphError } from '../../functions/_shared/cloud-api.ts';
import type { Fault } from './fault.ts';
import type { WireFormat } from './numbers.ts';
import { respond, type SendRecord, type SimState } from './state.ts';

export function isFault(value: unknown): value is Fault {
  const f = value as Partial<Record<string, unknown>> | null;
  if (typeof f !== 'object' || f === null) return false;
  if (f.number !== undefined && typeof f.number !== 'string') return false;
  switch (f.kind) {
    case 'http':
      return (
        Number.isInteger(f.status) &&
        (f.status as number) >= 400 &&
        (f.status as number) <= 599 &&
        (f.code === undefined || Number.isInteger(f.code)) &&
        (f.message === undefined || typeof f.message === 'string') &&
        (f.retryAfter === undefined || typeof f.retryAfter === 'string')
      );
    case 'hang':
      return Number.isInteger(f.ms) && (f.ms as number) >= 0 && (f.ms as number) <= 600_000;
    case 'undeliverable':
      return true;
    default:
      return false;
  }
}

// Meta's titles of the codes the simulator is asked for most.
const GRAPH_TITLES: Record<number, string> = {
  1: 'An unknown error occurred',
  100: 'Invalid parameter',
  190: 'Error validating access token: Session has expired',
  130429: 'Rate limit hit',
  131026: 'Message undeliverable',
  131047: 'Re-engagement message',
  131048: 'Spam rate limit hit',
  131051: 'Unsupported message type',
  131056: '(Business Account, Consumer Account) pair rate limit hit',
};

function graphCode(status: number): number {
  if (status === 429) return 130429;
  if (status === 401) return 190;
  return status >= 500 ? 1 : 100;
}

/** The Graph API error body of a Cloud API fault. */
export function graphFaultBody(
  status: number,
  message: string | undefined,
  code = graphCode(status),
): GraphError {
  return {
    error: {
      message: message ?? `(#${code}) ${GRAPH_TITLES[code] ?? 'Invalid parameter'}`,
      type: 'OAuthException',
      code,
      ...(message
        ? {}
        : {
            error_data: { messaging_product: 'whatsapp', details: GRAPH_TITLES[code] ?? 'Invalid parameter' },
          }),
      fbtrace_id: `sim${Math.random().toString(36).slice(2, 12)}`,
    },
  };
}

const WHAPI_MESSAGES: Record<number, string> = {
  401: 'Need channel authorization for send message',
  402: 'Trial version limit exceeded',
  403: 'It is forbidden to send to this group/recipient',
  429: 'Too many requests',
};

/** The Whapi error body of a fault. */
export function whapiFaultBody(status: number, message: string | undefined) {
  return {
    error: {
      code: status,
      message:
        message ?? WHAPI_MESSAGES[status] ?? (status >= 500 ? 'Internal error' : 'Wrong request parameters'),
    },
  };
}

function faultBody(format: WireFormat, status: number, message: string | undefined, code?: number) {
  return format === 'cloud' ? graphFaultBody(status, message, code) : whapiFaultBody(status, message);
}

/**
 * Takes the send's fault, if any, and answers with it when it answers at once (an HTTP error,
 * or a hang then a 504 nobody waits for); true when the send is answered so. An
 * undeliverable fault is returned for the caller to accept the send and report its failure.
 */
export function answerFault(
  state: SimState,
  res: ServerResponse,
  rec: SendRecord,
  format: WireFormat,
): { answered: boolean; undeliverable: boolean } {
  const fault = takeFault(state.faults, rec.phoneNumberId);
  if (fault?.kind === 'http') {
    rec.outcome = `http ${fault.status}`;
    const headers: Record<string, string> = fault.retryAfter ? { 'retry-after': fault.retryAfter } : {};
    respond(res, fault.status, faultBody(format, fault.status, fault.message, fault.code), headers);
    return { answered: true, undeliverable: false };
  }
  if (fault?.kind === 'hang') {
    rec.outcome = 'hang';
    state.later(fault.ms, async () => {
      if (!res.writableEnded && !res.destroyed) respond(res, 504, faultBody(format, 504, 'timed out'));
    });
    return { answered: true, undeliverable: false };
  }
  return { answered: false, undeliverable: fault?.kind === 'undeliverable' };
}

/** Takes the first pending fault that applies to a send of `number`. */
function takeFault(faults: Fault[], number: string): Fault | undefined {
  const at = faults.findIndex((f) => f.number === undefined || f.number === number);
  return at < 0 ? undefined : faults.splice(at, 1)[0];
}
