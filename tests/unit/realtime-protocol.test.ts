import { describe, expect, test } from 'vitest';
import {
  decodeBinary,
  decodeText,
  encodeText,
  encodeUserBroadcast,
  reply,
} from '../../supabase/local/realtime/protocol.ts';

/** A kind-3 frame laid out as realtime-js's serializer writes it. */
function userBroadcastPush(
  parts: { joinRef: string; ref: string; topic: string; event: string; meta: string },
  encoding: 0 | 1,
  body: Uint8Array,
) {
  const enc = new TextEncoder();
  const fields = [parts.joinRef, parts.ref, parts.topic, parts.event, parts.meta].map((p) => enc.encode(p));
  const header = [3, ...fields.map((f) => f.length), encoding];
  return Uint8Array.from([...header, ...fields.flatMap((f) => [...f]), ...body]);
}

describe('text frames', () => {
  test('vsn 2.0.0 arrays round-trip', () => {
    const frame = '["1","2","realtime:room","phx_join",{"config":{}}]';
    const decoded = decodeText(frame, '2.0.0');
    expect(decoded).toEqual({
      ok: true,
      message: { joinRef: '1', ref: '2', topic: 'realtime:room', event: 'phx_join', payload: { config: {} } },
    });
    if (decoded.ok) expect(encodeText(decoded.message, '2.0.0')).toBe(frame);
  });

  test('vsn 1.0.0 objects round-trip, join_ref optional', () => {
    const decoded = decodeText('{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"5"}', '1.0.0');
    expect(decoded).toEqual({
      ok: true,
      message: { joinRef: null, ref: '5', topic: 'phoenix', event: 'heartbeat', payload: {} },
    });
    if (decoded.ok) {
      expect(JSON.parse(encodeText(reply(decoded.message, 'ok', {}), '1.0.0'))).toEqual({
        join_ref: null,
        ref: '5',
        topic: 'phoenix',
        event: 'phx_reply',
        payload: { status: 'ok', response: {} },
      });
    }
  });

  test('bad frames say what is wrong and keep what can answer them', () => {
    expect(decodeText('{', '2.0.0')).toMatchObject({ ok: false, reason: 'frame is not valid JSON' });
    expect(decodeText('{"topic":"t"}', '2.0.0')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/arrays/),
    });
    expect(decodeText('[null,"1","t","e"]', '2.0.0')).toMatchObject({ ok: false });
    expect(decodeText('[1,"1","t","e",{}]', '2.0.0')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/join_ref/),
    });
    expect(decodeText('[null,"4","realtime:a","phx_join",[]]', '2.0.0')).toEqual({
      ok: false,
      reason: 'payload must be an object',
      topic: 'realtime:a',
      ref: '4',
      joinRef: null,
    });
    expect(decodeText('[null,"4","realtime:a","",{}]', '2.0.0')).toMatchObject({
      ok: false,
      topic: 'realtime:a',
    });
    expect(decodeText('[]', '1.0.0')).toMatchObject({ ok: false, reason: expect.stringMatching(/objects/) });
  });
});

describe('binary frames', () => {
  const parts = { joinRef: '3', ref: '9', topic: 'realtime:room', event: 'cursor', meta: '' };

  test('a JSON user broadcast push becomes a broadcast message', () => {
    const body = new TextEncoder().encode('{"x":1}');
    expect(decodeBinary(userBroadcastPush(parts, 1, body))).toEqual({
      ok: true,
      message: {
        joinRef: '3',
        ref: '9',
        topic: 'realtime:room',
        event: 'broadcast',
        payload: { type: 'broadcast', event: 'cursor', payload: { x: 1 } },
      },
    });
  });

  test('binary payloads and metadata are kept', () => {
    const decoded = decodeBinary(
      userBroadcastPush({ ...parts, meta: '{"persist":true}' }, 0, Uint8Array.from([1, 2, 3])),
    );
    expect(decoded.ok && decoded.message.payload).toEqual({
      type: 'broadcast',
      event: 'cursor',
      meta: { persist: true },
      payload: Uint8Array.from([1, 2, 3]),
    });
  });

  test('other kinds, truncation and bad JSON are refused', () => {
    expect(decodeBinary(Uint8Array.from([4, 0, 0, 0, 0]))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/kind 4/),
    });
    expect(decodeBinary(Uint8Array.from([3, 1, 1]))).toMatchObject({
      ok: false,
      reason: 'binary frame is too short',
    });
    expect(decodeBinary(Uint8Array.from([3, 0, 0, 50, 0, 0, 1, 65]))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/shorter/),
    });
    expect(decodeBinary(userBroadcastPush(parts, 1, new TextEncoder().encode('{nope')))).toMatchObject({
      ok: false,
      reason: 'binary frame carries invalid JSON',
      topic: 'realtime:room',
      ref: '9',
    });
    expect(decodeBinary(userBroadcastPush(parts, 1, new Uint8Array()).with(6, 7))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/encoding 7/),
    });
  });

  test('user broadcasts are encoded as realtime-js decodes them (kind 4)', () => {
    const frame = encodeUserBroadcast({ topic: 'realtime:r', event: 'ev', payload: { a: 'é' } });
    const dec = new TextDecoder();
    expect([...frame.subarray(0, 5)]).toEqual([4, 10, 2, 0, 1]);
    expect(dec.decode(frame.subarray(5, 15))).toBe('realtime:r');
    expect(dec.decode(frame.subarray(15, 17))).toBe('ev');
    expect(JSON.parse(dec.decode(frame.subarray(17)))).toEqual({ a: 'é' });
    const binary = encodeUserBroadcast({
      topic: 't',
      event: 'e',
      payload: Uint8Array.from([7]),
      meta: { id: 1 },
    });
    expect([...binary.subarray(0, 5)]).toEqual([4, 1, 1, 8, 0]);
    expect(binary.at(-1)).toBe(7);
  });
});
