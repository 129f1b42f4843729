import { describe, expect, it } from 'vitest';
import { decodeStream, detectEncoding, type TextEncodingName } from '../../src/features/import/encoding.ts';
import { fixture, streamOf } from './import-fixtures.ts';

async function decodeAll(bytes: Uint8Array, chunkSize: number) {
  const encodings: TextEncodingName[] = [];
  const chunks: { text: string; bytesRead: number }[] = [];
  for await (const chunk of decodeStream(streamOf(bytes, chunkSize), (e) => encodings.push(e)))
    chunks.push(chunk);
  return { encodings, chunks, text: chunks.map((c) => c.text).join('') };
}

describe('detectEncoding', () => {
  it.each([
    ['spanish-bom-crlf-semicolon.csv', 'utf-8'],
    ['google.csv', 'utf-8'],
    ['german-utf16le-bom.csv', 'utf-16le'],
    ['german-utf16be-nobom.csv', 'utf-16be'],
    ['french-windows-1252.csv', 'windows-1252'],
  ] as const)('%s is %s', (name, encoding) => {
    expect(detectEncoding(fixture(name))).toBe(encoding);
  });

  it('reads UTF-16 LE without a BOM from its NUL pattern', () => {
    const be = fixture('german-utf16be-nobom.csv');
    const le = be.map((_, i) => be[i ^ 1] ?? 0);
    expect(detectEncoding(le)).toBe('utf-16le');
  });

  it('does not take a UTF-8 character cut at the end of the sample for invalid UTF-8', () => {
    const bytes = new TextEncoder().encode('Nombre;Teléfono');
    const cut = bytes.slice(0, bytes.indexOf(0xc3) + 1);
    expect(detectEncoding(cut)).toBe('utf-8');
  });
});

describe('decodeStream', () => {
  const german =
    'Vorname,Name,Handy,Telefon,E-Mail\r\nJürgen,Müller,01512 3456789,030 123456,jm@example.de\r\n';

  it.each([1, 3, 64 * 1024])(
    'decodes UTF-16 LE with a BOM in chunks of %i bytes, BOM dropped',
    async (size) => {
      const bytes = fixture('german-utf16le-bom.csv');
      const { encodings, text, chunks } = await decodeAll(bytes, size);
      expect(encodings).toEqual(['utf-16le']);
      expect(text.startsWith(german)).toBe(true);
      expect(text).toContain('Özlem,Şahin');
      expect(chunks.at(-1)?.bytesRead).toBe(bytes.length);
    },
  );

  it('decodes Windows-1252 letters (é, ü) correctly', async () => {
    const { encodings, text } = await decodeAll(fixture('french-windows-1252.csv'), 5);
    expect(encodings).toEqual(['windows-1252']);
    expect(text).toContain('Prénom;Nom;Portable;Téléphone;Courriel');
    expect(text).toContain('Jürgen;Köhler');
  });

  it('streams a file larger than its sample in several chunks with growing byte counts', async () => {
    const line = 'Zoë,+44 7400 123456\n';
    const bytes = new TextEncoder().encode(line.repeat(5000));
    const { text, chunks } = await decodeAll(bytes, 4096);
    expect(text).toBe(line.repeat(5000));
    expect(chunks.length).toBeGreaterThan(5);
    const counts = chunks.map((c) => c.bytesRead);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts.at(-1)).toBe(bytes.length);
  });

  it.each([
    ['late-windows-1252.csv', ['utf-8', 'windows-1252']],
    ['late-utf-8.csv', ['utf-8']],
  ])(
    'decides UTF-8 or Windows-1252 at the first accented letter past the sample (%s)',
    async (name, expected) => {
      const { encodings, text } = await decodeAll(fixture(name), 4096);
      expect(encodings).toEqual(expected);
      expect(text).toContain('Contact 1000,07400 101000\r\nZoë Ünal,07400 999999\r\n');
    },
  );

  it('yields nothing for an empty file', async () => {
    const { chunks, encodings } = await decodeAll(new Uint8Array(), 10);
    expect(chunks).toEqual([]);
    expect(encodings).toEqual(['utf-8']);
  });
});
