// Request bodies read within a size limit, counted as the bytes arrive: a chunked body
// with no Content-Length (or one that lies) is cut off at the limit, never buffered whole.

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Request body is larger than the limit of ${limit} bytes`);
  }
}

/** The body's bytes (undefined when there is none); throws BodyTooLargeError past `limit`. */
export async function readBodyWithin(req: Request, limit: number): Promise<Uint8Array | undefined> {
  if (Number(req.headers.get('content-length') ?? '0') > limit) throw new BodyTooLargeError(limit);
  if (!req.body) return undefined;
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
