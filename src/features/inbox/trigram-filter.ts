/**
 * A chat's trigram filter (a Bloom filter over the three-character pieces of its messages):
 * whether a chat may contain a query is a few bit tests, so a search reads the text of only
 * the chats that may hold it instead of every message (a scan of 500,000 messages costs
 * ≈ 100 ms in the storage worker; the filters of 10,000 chats ≈ 1 ms).
 *
 * A filter only ever gains bits: an edited or deleted message leaves its pieces set, which
 * makes a chat a candidate the text then rules out — never a missed match. 4,096 bits a chat
 * (512 bytes) keep a chat of a few thousand distinct pieces at about one bit in three set, so
 * a query of several pieces rarely lets a chat through that does not hold it.
 */

const WORDS = 128;
const MASK = WORDS * 32 - 1;

export type TrigramFilter = Uint32Array;

export const newTrigramFilter = (): TrigramFilter => new Uint32Array(WORDS);

/** The bit of the piece starting at `i` (three UTF-16 units). */
function bit(text: string, i: number): number {
  const h =
    Math.imul(text.charCodeAt(i), 0x9e3779b1) ^
    Math.imul(text.charCodeAt(i + 1), 0x85ebca77) ^
    Math.imul(text.charCodeAt(i + 2), 0xc2b2ae3d);
  return (h ^ (h >>> 15)) & MASK;
}

export function addTrigrams(filter: TrigramFilter, text: string): void {
  for (let i = 0; i + 3 <= text.length; i++) {
    const b = bit(text, i);
    filter[b >>> 5]! |= 1 << (b & 31);
  }
}

/** The bits of `query`'s pieces; empty for a query shorter than a piece (any chat may hold it). */
export function trigramBits(query: string): number[] {
  const bits: number[] = [];
  for (let i = 0; i + 3 <= query.length; i++) bits.push(bit(query, i));
  return bits;
}

export function mayContain(filter: TrigramFilter, bits: readonly number[]): boolean {
  for (const b of bits) if ((filter[b >>> 5]! & (1 << (b & 31))) === 0) return false;
  return true;
}
