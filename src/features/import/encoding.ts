/**
 * Text encodings of exported contact files, detected from their first bytes, and a streaming
 * decoder: a 100,000-row file is decoded chunk by chunk, never held as one string.
 */

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DecodedChunk {
  text: string;
  /** Bytes of the file consumed so far, for progress. */
  bytesRead: number;
}

// Enough bytes to see a BOM, the NUL pattern of UTF-16 and a few non-ASCII letters.
const SAMPLE_BYTES = 16 * 1024;

/**
 * The encoding of a file from its first bytes. A BOM decides; without one, NULs in every other
 * byte mean UTF-16 (ASCII letters are `xx 00` in LE, `00 xx` in BE); bytes that are not valid
 * UTF-8 mean Windows-1252, what Excel on Windows saves as "CSV".
 */
export function detectEncoding(bytes: Uint8Array): TextEncodingName {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  const nulPattern = utf16ByNuls(bytes);
  if (nulPattern) return nulPattern;
  return isUtf8(bytes) ? 'utf-8' : 'windows-1252';
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    // `stream: true` so that a character cut at the end of the bytes is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

function utf16ByNuls(bytes: Uint8Array): TextEncodingName | null {
  const length = Math.min(bytes.length, SAMPLE_BYTES) & ~1;
  if (length < 4) return null;
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < length; i += 2) {
    if (bytes[i] === 0) evenNuls++;
    if (bytes[i + 1] === 0) oddNuls++;
  }
  const pairs = length / 2;
  // Mostly-ASCII text: most pairs carry one NUL, always on the same side.
  if (oddNuls > pairs * 0.4 && evenNuls < pairs * 0.05) return 'utf-16le';
  if (evenNuls > pairs * 0.4 && oddNuls < pairs * 0.05) return 'utf-16be';
  return null;
}

/**
 * Decodes a byte stream as text, detecting its encoding from the first bytes. The BOM is
 * dropped. Yields one text chunk per input chunk (after the sample), with the bytes read so far.
 * `onEncoding` hears the encoding, and once more if a file that began as ASCII turns out to be
 * Windows-1252. Bytes invalid in the chosen encoding become U+FFFD.
 */
export async function* decodeStream(
  stream: ReadableStream<Uint8Array>,
  onEncoding?: (encoding: TextEncodingName) => void,
): AsyncGenerator<DecodedChunk> {
  const reader = stream.getReader();
  try {
    const sample: Uint8Array[] = [];
    let bytesRead = 0;
    let done = false;
    while (!done && bytesRead < SAMPLE_BYTES) {
      const next = await reader.read();
      if (next.done) done = true;
      else {
        sample.push(next.value);
        bytesRead += next.value.byteLength;
      }
    }
    const sampleBytes = concat(sample);
    let encoding = detectEncoding(sampleBytes);
    onEncoding?.(encoding);
    let decoder = new TextDecoder(encoding);
    // An ASCII-only start cannot tell UTF-8 from Windows-1252 (an English export with one "Zoë"
    // far down): the first non-ASCII bytes decide. The decoder holds no partial character then.
    let undecided = encoding === 'utf-8' && isAscii(sampleBytes);
    let text = decoder.decode(sampleBytes, { stream: true });
    while (!done) {
      if (text !== '') yield { text, bytesRead };
      text = '';
      const next = await reader.read();
      if (next.done) done = true;
      else {
        bytesRead += next.value.byteLength;
        if (undecided && !isAscii(next.value)) {
          undecided = false;
          if (!isUtf8(next.value)) {
            encoding = 'windows-1252';
            onEncoding?.(encoding);
            decoder = new TextDecoder(encoding);
          }
        }
        text = decoder.decode(next.value, { stream: true });
      }
    }
    text += decoder.decode();
    if (text !== '') yield { text, bytesRead };
  } finally {
    reader.releaseLock();
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
