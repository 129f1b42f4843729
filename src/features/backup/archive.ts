/**
 * The backup file: a zip (fflate: small, pure JS, no dependencies) of text files. Packing
 * deflates in slices with a turn between them: it runs in the storage worker, which keeps
 * answering the pages' reads and writes meanwhile. Reading takes only the files a backup has
 * and refuses an archive that would unpack beyond a bound (a zip bomb), before unpacking it.
 */
import { strFromU8, strToU8, unzipSync, Zip, ZipDeflate } from 'fflate';
import type { Result } from '../../domain/result.ts';

/** Unpacked bytes a backup may hold: far above 100,000 contacts' JSON and CSV. */
const MAX_UNPACKED = 1024 ** 3;

/** Bytes deflated between two turns: tens of milliseconds. */
const SLICE = 512 * 1024;

const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Packs `files` (name → text) into a zip. */
export async function packTexts(files: ReadonlyMap<string, string>): Promise<Uint8Array<ArrayBuffer>> {
  const parts: Uint8Array[] = [];
  let failed: Error | null = null;
  const zip = new Zip((err, data) => {
    if (err) failed = err;
    else parts.push(data);
  });
  for (const [name, text] of files) {
    const entry = new ZipDeflate(name, { level: 6 });
    zip.add(entry);
    const bytes = strToU8(text);
    let at = 0;
    do {
      entry.push(bytes.subarray(at, at + SLICE), at + SLICE >= bytes.length);
      at += SLICE;
      await turn();
    } while (at < bytes.length);
  }
  zip.end();
  if (failed) throw failed;
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The texts of the files named in `wanted` a zip holds; an error when it is no zip. */
export function unpackTexts(bytes: Uint8Array, wanted: ReadonlySet<string>): Result<Map<string, string>> {
  let unpacked = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (file) => {
        if (!wanted.has(file.name)) return false;
        unpacked += file.originalSize;
        if (unpacked > MAX_UNPACKED) throw new RangeError('too big');
        return true;
      },
    });
  } catch (err) {
    return {
      ok: false,
      error:
        err instanceof RangeError
          ? 'This file unpacks to more than 1 GB: it is not a Pigeon backup.'
          : 'This file is not a Pigeon backup (it is not a zip archive).',
    };
  }
  return { ok: true, value: new Map(Object.entries(entries).map(([name, data]) => [name, strFromU8(data)])) };
}
