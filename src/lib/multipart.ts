/**
 * A `multipart/form-data` body from an object, as the core http request node builds one
 * (its form-data package): strings as fields, Buffers as unnamed binary parts, `{value,
 * options: {filename, contentType}}` as files, anything else as JSON. Built here, as bytes,
 * so that the bytes sent are the bytes an `oauth_body_hash` covers. Multipart bodies are
 * never signed themselves: RFC 5849 §3.4.1.3.1 signs only form-urlencoded bodies.
 */
import { randomBytes } from 'node:crypto';

export interface MultipartBody {
  body: Buffer;
  /** `multipart/form-data; boundary=…`, the header the body must be sent with. */
  contentType: string;
}

/** True for a content type of `multipart/form-data` without a boundary: the core node's cue to build the body. */
export function wantsMultipart(contentType: string | undefined): boolean {
  return typeof contentType === 'string' && /^\s*multipart\/form-data\s*(;\s*)?$/i.test(contentType);
}

/** The few types form-data guesses from a file name; anything else is `application/octet-stream`. */
const TYPES_BY_EXTENSION: Record<string, string> = {
  txt: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
  xml: 'application/xml',
  html: 'text/html',
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  zip: 'application/zip',
  mp4: 'video/mp4',
};

/** A name or file name inside a quoted header parameter, escaped as browsers do (WHATWG). */
function quoted(text: string): string {
  return text.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
}

interface Part {
  value: Buffer | string;
  filename?: string;
  contentType?: string;
}

function partOf(value: unknown): Part {
  if (typeof value === 'string') return { value };
  if (Buffer.isBuffer(value)) return { value, contentType: 'application/octet-stream' };
  if (typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, 'value')) {
    const inner: unknown = Reflect.get(value, 'value');
    const options: unknown = Reflect.get(value, 'options');
    // form-data takes a string as the options: the file name.
    const opts = (typeof options === 'string' ? { filename: options } : (options ?? {})) as { filename?: unknown; contentType?: unknown };
    const filename = typeof opts.filename === 'string' ? opts.filename : undefined;
    const data = Buffer.isBuffer(inner) ? inner : typeof inner === 'string' ? inner : JSON.stringify(inner ?? null);
    const extension = filename?.split('.').pop()?.toLowerCase() ?? '';
    const guessed = filename || Buffer.isBuffer(inner) ? (TYPES_BY_EXTENSION[extension] ?? 'application/octet-stream') : undefined;
    return { value: data, filename, contentType: typeof opts.contentType === 'string' ? opts.contentType : guessed };
  }
  return { value: JSON.stringify(value) };
}

/** Encodes `fields`; undefined and null fields are left out, as the core node leaves them. */
export function multipartBody(fields: object): MultipartBody {
  const boundary = `----oauth1-${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    const part = partOf(value);
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"`;
    if (part.filename !== undefined) head += `; filename="${quoted(part.filename)}"`;
    head += '\r\n';
    if (part.contentType) head += `Content-Type: ${part.contentType.replace(/[\r\n]/g, '')}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, 'utf8'), Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value, 'utf8'), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
