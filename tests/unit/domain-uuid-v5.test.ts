// Pigeon's UUID v5 against the uuid package's, which made every id stored so far: the same id for
// every name, whatever its length (messages of one to several SHA-1 blocks) or characters.
import { v5 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { uuidV5, uuidV5Namespace } from '../../src/domain/uuid-v5.ts';

const NAMESPACES = ['e75d4b1f-ff79-42b1-bb30-868dd9e5e702', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'];

// Fixed pseudo-random names, so a failure names an input that fails again.
function names(): string[] {
  let state = 7;
  const next = (below: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % below;
  };
  const ascii = (length: number) => Array.from({ length }, () => String.fromCharCode(32 + next(95))).join('');
  const list = ['', ':', 'e75d4b1f-ff79-42b1-bb30-868dd9e5e702:+447400123456', '491711234567@s.whatsapp.net'];
  // Around each block boundary: 55/56 bytes of message fit one block, 119/120 two.
  for (let length = 0; length <= 200; length++) list.push(ascii(length));
  for (let i = 0; i < 300; i++) list.push(ascii(next(400)));
  list.push('Zoë:+33612345678', '名前:+819012345678', '😀'.repeat(30), `${ascii(50)}é${ascii(20)}`);
  return list;
}

describe('uuidV5', () => {
  it('makes the uuid package’s id for every name and namespace', () => {
    for (const text of NAMESPACES) {
      const namespace = uuidV5Namespace(text);
      const differing = names().filter((name) => uuidV5(name, namespace) !== v5(name, text));
      expect(differing).toEqual([]);
    }
  });

  it('is a version 5 uuid in lower case', () => {
    expect(uuidV5('x', uuidV5Namespace(NAMESPACES[0]!))).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('refuses what the uuid package refuses: a name with a lone surrogate', () => {
    expect(() => uuidV5('a\uD800b', uuidV5Namespace(NAMESPACES[0]!))).toThrow(URIError);
  });
});
