/**
 * The backup file: a zip (fflate: small, pure JS, no dependencies, synchronous in a worker) of
 * text files. Reading takes only the files a backup has and refuses an archive that would
 * unpack beyond a bound (a zip bomb), before unpacking it.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import type { Result } from '../../domain/result.ts';

/** Unpacked bytes a backup may hold: far above 100,000 contacts' JSON and CSV. */
const MAX_UNPACKED = 1024 ** 3;

/** Packs `files` (name → text) into a zip. */
export function packTexts(files: ReadonlyMap<string, string>): Uint8Array<ArrayBuffer> {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, text] of files) entries[name] = strToU8(text);
  return zipSync(entries, { level: 6 });
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
