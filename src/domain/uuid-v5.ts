/**
 * Name-based UUIDs (version 5: SHA-1 of namespace + name, RFC 9562), as the uuid package makes
 * them, for names of ASCII characters: ids and phone numbers, one per imported row. The package's
 * browser build hashes with a general-purpose SHA-1 that allocates arrays per block and parses
 * the namespace text per call: it took a quarter of a 100,000-row import's reading. Here the
 * namespace is parsed once, and the hash runs over one reused buffer. Other names go to the
 * package, whose UTF-8 encoding (and its refusal of lone surrogates) stays as it is.
 */
import { parse, v5 } from 'uuid';

export type UuidV5Namespace = { text: string; bytes: Uint8Array };

/** A namespace uuid, parsed once for every name hashed in it. */
export function uuidV5Namespace(text: string): UuidV5Namespace {
  return { text, bytes: parse(text) };
}

let message = new Uint8Array(256);
let view = new DataView(message.buffer);
const words = new Int32Array(80);
const INITIAL_STATE = Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0);
const state = new Int32Array(5);
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

export function uuidV5(name: string, namespace: UuidV5Namespace): string {
  const length = 16 + name.length;
  // The message, a 0x80 byte, zeros up to 8 bytes short of a 64-byte block, the length in bits.
  const padded = Math.ceil((length + 9) / 64) * 64;
  if (message.length < padded) {
    message = new Uint8Array(padded * 2);
    view = new DataView(message.buffer);
  }
  message.set(namespace.bytes);
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code > 0x7f) return v5(name, namespace.text);
    message[16 + i] = code;
  }
  message.fill(0, length, padded);
  message[length] = 0x80;
  view.setUint32(padded - 8, Math.floor(length / 0x20000000));
  view.setUint32(padded - 4, (length * 8) >>> 0);
  state.set(INITIAL_STATE);
  for (let offset = 0; offset < padded; offset += 64) compress(offset);
  return format();
}

function compress(offset: number): void {
  for (let t = 0; t < 16; t++) words[t] = view.getInt32(offset + t * 4);
  for (let t = 16; t < 80; t++) {
    const x = words[t - 3]! ^ words[t - 8]! ^ words[t - 14]! ^ words[t - 16]!;
    words[t] = (x << 1) | (x >>> 31);
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e = state[4]!;
  for (let t = 0; t < 80; t++) {
    let f: number;
    let k: number;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6;
    }
    const next = (((a << 5) | (a >>> 27)) + f + e + k + words[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = next;
  }
  state[0] = state[0]! + a;
  state[1] = state[1]! + b;
  state[2] = state[2]! + c;
  state[3] = state[3]! + d;
  state[4] = state[4]! + e;
}

// The digest's first 16 bytes as a uuid, with the version (5) and the variant (10xx) set.
function format(): string {
  const byte = (i: number) => (state[i >> 2]! >>> (24 - (i & 3) * 8)) & 0xff;
  let text = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text += '-';
    if (i === 6) text += HEX[(byte(6) & 0x0f) | 0x50];
    else if (i === 8) text += HEX[(byte(8) & 0x3f) | 0x80];
    else text += HEX[byte(i)];
  }
  return text;
}
