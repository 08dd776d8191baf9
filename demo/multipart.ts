/**
 * Reads a `multipart/form-data` body as an upload route of a service would: the parts'
 * names, file names, types and sizes. Written here rather than taken from src/lib, so the
 * demo checks our encoder with a reader of its own.
 */

export interface ReceivedPart {
  name: string;
  filename?: string;
  contentType?: string;
  bytes: number;
  /** The text of a part without a file name (a field). */
  value?: string;
}

/** The parts of `body`, or undefined when the content type is no multipart/form-data with a boundary. */
export function readMultipart(contentType: string | undefined, body: Buffer): ReceivedPart[] | undefined {
  const boundary = /^multipart\/form-data;.*\bboundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: ReceivedPart[] = [];
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const afterDelimiter = start + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') return parts;
    const next = body.indexOf(delimiter, afterDelimiter);
    if (next < 0) return undefined;
    const part = body.subarray(afterDelimiter + 2, next - 2);
    const headEnd = part.indexOf('\r\n\r\n');
    if (headEnd < 0) return undefined;
    const head = part.subarray(0, headEnd).toString('utf8');
    const data = part.subarray(headEnd + 4);
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    parts.push({
      name: /\bname="([^"]*)"/i.exec(head)?.[1] ?? '',
      filename,
      contentType: /^content-type:\s*(.+)$/im.exec(head)?.[1]?.trim(),
      bytes: data.length,
      ...(filename === undefined ? { value: data.toString('utf8') } : {}),
    });
    start = next;
  }
  return undefined;
}
