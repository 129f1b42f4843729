// Phoenix channel frames as realtime-js speaks them. vsn 1.0.0: JSON objects; vsn 2.0.0:
// JSON arrays [join_ref, ref, topic, event, payload], plus binary frames that carry user
// broadcasts (kind 3 client -> server, kind 4 server -> client). Pure: no I/O.

export type Vsn = '1.0.0' | '2.0.0';
export const SUPPORTED_VSNS: readonly Vsn[] = ['1.0.0', '2.0.0'];
/** Phoenix's serializer when the client names none. */
export const DEFAULT_VSN: Vsn = '1.0.0';

export type Payload = Record<string, unknown>;

export interface Message {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: Payload;
}

/** A frame that could not be read; topic and ref are set when known, so the error can be a reply. */
export interface DecodeError {
  reason: string;
  topic?: string;
  ref?: string | null;
  joinRef?: string | null;
}

export type Decoded = { ok: true; message: Message } | ({ ok: false } & DecodeError);

const USER_BROADCAST_PUSH = 3;
const USER_BROADCAST = 4;
const BINARY_ENCODING = 0;
const JSON_ENCODING = 1;

function isPlainObject(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRef(value: unknown): value is string | null | undefined {
  return value === null || value === undefined || typeof value === 'string';
}

function fields(joinRef: unknown, ref: unknown, topic: unknown, event: unknown, payload: unknown): Decoded {
  if (!isRef(joinRef) || !isRef(ref))
    return { ok: false, reason: 'join_ref and ref must be strings or null' };
  const refs = { ref: ref ?? null, joinRef: joinRef ?? null };
  if (typeof topic !== 'string' || topic === '') {
    return { ok: false, reason: 'topic must be a non-empty string', ...refs };
  }
  if (typeof event !== 'string' || event === '') {
    return { ok: false, reason: 'event must be a non-empty string', topic, ...refs };
  }
  if (!isPlainObject(payload)) return { ok: false, reason: 'payload must be an object', topic, ...refs };
  return { ok: true, message: { joinRef: refs.joinRef, ref: refs.ref, topic, event, payload } };
}

/** Decodes a text frame. */
export function decodeText(text: string, vsn: Vsn): Decoded {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'frame is not valid JSON' };
  }
  if (vsn === '2.0.0') {
    if (!Array.isArray(data) || data.length !== 5) {
      return { ok: false, reason: 'vsn 2.0.0 frames are arrays [join_ref, ref, topic, event, payload]' };
    }
    return fields(data[0], data[1], data[2], data[3], data[4]);
  }
  if (!isPlainObject(data)) {
    return { ok: false, reason: 'vsn 1.0.0 frames are objects {topic, event, payload, ref, join_ref}' };
  }
  return fields(data.join_ref, data.ref, data.topic, data.event, data.payload);
}

export function encodeText(message: Message, vsn: Vsn): string {
  const { joinRef, ref, topic, event, payload } = message;
  return vsn === '2.0.0'
    ? JSON.stringify([joinRef, ref, topic, event, payload])
    : JSON.stringify({ join_ref: joinRef, ref, topic, event, payload });
}

/**
 * Decodes a binary frame: only the user broadcast push (kind 3) exists. The result is the
 * message realtime-js would have sent as JSON; a binary user payload stays a Uint8Array.
 */
export function decodeBinary(frame: Uint8Array): Decoded {
  const header = 7;
  if (frame[0] !== USER_BROADCAST_PUSH) {
    return { ok: false, reason: `binary frames of kind ${frame[0]} are not accepted` };
  }
  if (frame.length < header) return { ok: false, reason: 'binary frame is too short' };
  const sizes = [frame[1]!, frame[2]!, frame[3]!, frame[4]!, frame[5]!];
  const encoding = frame[6];
  if (encoding !== BINARY_ENCODING && encoding !== JSON_ENCODING) {
    return { ok: false, reason: `unknown payload encoding ${encoding}` };
  }
  const metaEnd = header + sizes.reduce((a, b) => a + b, 0);
  if (frame.length < metaEnd) return { ok: false, reason: 'binary frame is shorter than its header says' };
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parts: string[] = [];
  let offset = header;
  try {
    for (const size of sizes) {
      parts.push(decoder.decode(frame.subarray(offset, offset + size)));
      offset += size;
    }
  } catch {
    return { ok: false, reason: 'binary frame header is not UTF-8' };
  }
  const [joinRef, ref, topic, event, meta] = parts as [string, string, string, string, string];
  const refs = { joinRef: joinRef || null, ref: ref || null };
  if (!topic) return { ok: false, reason: 'binary frame has no topic', ...refs };
  const body = frame.slice(metaEnd);
  const payload: Payload = { type: 'broadcast', event };
  try {
    if (meta) payload.meta = JSON.parse(meta);
    payload.payload = encoding === JSON_ENCODING ? JSON.parse(decoder.decode(body)) : body;
  } catch {
    return { ok: false, reason: 'binary frame carries invalid JSON', topic, ...refs };
  }
  return { ok: true, message: { ...refs, topic, event: 'broadcast', payload } };
}

/** The user broadcast frame (kind 4) realtime-js decodes; the payload is JSON or raw bytes. */
export function encodeUserBroadcast(broadcast: {
  topic: string;
  event: string;
  payload: unknown;
  meta?: unknown;
}): Uint8Array {
  const encoder = new TextEncoder();
  const topic = encoder.encode(broadcast.topic);
  const event = encoder.encode(broadcast.event);
  const meta = encoder.encode(broadcast.meta === undefined ? '' : JSON.stringify(broadcast.meta));
  for (const [name, part] of [
    ['topic', topic],
    ['event', event],
    ['meta', meta],
  ] as const) {
    if (part.length > 255) throw new Error(`broadcast ${name} is longer than 255 bytes`);
  }
  const binary = broadcast.payload instanceof Uint8Array;
  const body = binary ? (broadcast.payload as Uint8Array) : encoder.encode(JSON.stringify(broadcast.payload));
  const frame = new Uint8Array(5 + topic.length + event.length + meta.length + body.length);
  frame.set([
    USER_BROADCAST,
    topic.length,
    event.length,
    meta.length,
    binary ? BINARY_ENCODING : JSON_ENCODING,
  ]);
  let offset = 5;
  for (const part of [topic, event, meta, body]) {
    frame.set(part, offset);
    offset += part.length;
  }
  return frame;
}

export function reply(
  to: { topic: string; ref: string | null; joinRef: string | null },
  status: 'ok' | 'error',
  response: Payload,
): Message {
  return {
    joinRef: to.joinRef,
    ref: to.ref,
    topic: to.topic,
    event: 'phx_reply',
    payload: { status, response },
  };
}
