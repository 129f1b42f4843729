// Fixture files of the import tests, and streams of them as File.stream() gives them.
import { readFileSync } from 'node:fs';

export const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`fixtures/import/${name}`, import.meta.url)));

/** The bytes in chunks small enough to cut characters and rows in two. */
export function streamOf(bytes: Uint8Array, chunkSize: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}
