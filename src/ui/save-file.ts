/** Saving a file made on this device: the browser's download of an object URL. */

// Long enough for the browser to have taken the file; the URL only holds memory.
const KEEP_URL_MS = 60_000;

export function saveFile(parts: BlobPart[], name: string, type: string): void {
  const url = URL.createObjectURL(new Blob(parts, { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), KEEP_URL_MS);
}
