/** What the client sends: the user's headers checked and cleaned, the body encoded as the core http request node encodes it. */
import http from 'node:http';
import querystring from 'node:querystring';
import { headerValue } from './headers';
import { RequestError } from './request-error';

/**
 * Headers about the connection and the framing of the body, which the client sets itself.
 * They come in with `msg.headers` copied from an earlier response: a stale Content-Length
 * would leave a GET hanging and cut a POST body short.
 */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'upgrade', 'te', 'trailer']);

/** True for `application/x-www-form-urlencoded`, whose parameters OAuth 1.0a signs. */
export function isFormContentType(contentType: string | undefined): boolean {
  return contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded') === true;
}

/** Encoded as the core node's querystring does it (a space is `%20`); nested objects as JSON. */
function toFormBody(body: object): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      pairs.push(`${querystring.escape(key)}=${querystring.escape(typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item))}`);
    }
  }
  return pairs.join('&');
}

/** Encodes a body the way the core http request node does, setting a content type where it must. */
export function encodeBody(body: unknown, headers: Record<string, string>): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (typeof body === 'number' || typeof body === 'boolean' || typeof body === 'bigint') return Buffer.from(String(body), 'utf8');
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (typeof body !== 'object') {
    throw new RequestError(`cannot send a ${typeof body} as the body: use text, a Buffer or an object`, 'EINVALIDBODY');
  }
  const contentType = headerValue(headers, 'content-type');
  const form = isFormContentType(contentType);
  let text: string | undefined;
  try {
    text = form ? toFormBody(body) : JSON.stringify(body);
  } catch (error) {
    // A circular object or a BigInt inside: JSON.stringify names the culprit on its first line.
    throw new RequestError(`cannot send the body as ${form ? 'a form' : 'JSON'}: ${String((error as Error).message).split('\n')[0]}`, 'EINVALIDBODY');
  }
  if (!form && !contentType) headers['Content-Type'] = 'application/json';
  return Buffer.from(text ?? '', 'utf8');
}

/** The user's headers as text, framing headers left out; a name or value HTTP does not allow is an EINVALIDHEADER error. */
export function normalizeHeaders(input: Record<string, unknown> | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!input || typeof input !== 'object') return headers;
  for (const key of Object.keys(input)) {
    const value = input[key];
    if (value === undefined || value === null || FRAMING_HEADERS.has(key.toLowerCase())) continue;
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a header is text: any value is sent as its String(), as before
    const text = Array.isArray(value) ? value.map(String).join(', ') : String(value);
    // Checked here, so that a bad header is a clear error rather than a network failure.
    try {
      http.validateHeaderName(key);
    } catch {
      // Named up to the first bad character only: "Authorization: Bearer …" as a name holds a token.
      const readable = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]*/.exec(key)?.[0] ?? '';
      throw new RequestError(`invalid header name${readable ? ` "${readable}…"` : ''}: HTTP allows no spaces, colons or quotes in names`, 'EINVALIDHEADER');
    }
    try {
      http.validateHeaderValue(key, text);
    } catch {
      throw new RequestError(`invalid character in the value of header "${key}"`, 'EINVALIDHEADER');
    }
    headers[key] = text;
  }
  return headers;
}
