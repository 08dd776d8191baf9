/**
 * Cookies as the core http request node handles them: `msg.cookies` (and a `Cookie`
 * header) in, one `Cookie` header out; `Set-Cookie` answers read into `msg.responseCookies`
 * (`{name: {value, Path, Expires…}}`), parsed as its `cookie` package parses them.
 */
import { deleteHeader, headerValue } from './headers';

/** `name=value` pairs of a `Cookie`-style header, values decoded, the first of each name kept. */
export function parseCookiePairs(text: string, decode: (value: string) => string = decodeValue): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const piece of text.split(';')) {
    const equals = piece.indexOf('=');
    if (equals < 0) continue;
    const name = piece.slice(0, equals).trim();
    if (!name || Object.prototype.hasOwnProperty.call(pairs, name)) continue;
    let value = piece.slice(equals + 1).trim();
    if (value.length > 1 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    pairs[name] = decode(value);
  }
  return pairs;
}

function decodeValue(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The `Cookie` header for a header already set and `msg.cookies`: `msg.cookies` wins for a name in both. */
export function cookieHeader(existing: string | undefined, cookies: unknown): string | undefined {
  const jar: Record<string, string> = existing ? parseCookiePairs(existing, String) : {};
  if (typeof cookies === 'object' && cookies !== null) {
    for (const [name, entry] of Object.entries(cookies)) {
      // A null value clears a cookie for the http response node; here it sends nothing.
      if (entry === null || entry === undefined || (typeof entry === 'object' && (entry as { value?: unknown }).value === null)) continue;
      if (typeof entry === 'object') {
        const { value, encode } = entry as { value?: unknown; encode?: unknown };
        jar[name] = encode === false ? String(value) : encodeURIComponent(String(value));
      } else {
        jar[name] = encodeURIComponent(String(entry));
      }
    }
  }
  const header = Object.entries(jar)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
  return header || undefined;
}

export type ResponseCookies = Record<string, Record<string, string>>;

/** `msg.responseCookies` from the `Set-Cookie` values: each cookie's attributes, its value under `value`. */
export function responseCookies(setCookie: string | string[] | undefined): ResponseCookies | undefined {
  if (setCookie === undefined) return undefined;
  const cookies: ResponseCookies = {};
  for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
    const equals = line.indexOf('=');
    const name = equals < 0 ? '' : line.slice(0, equals).trim();
    if (!name) continue;
    const parsed = parseCookiePairs(line);
    const value = parsed[name];
    delete parsed[name];
    cookies[name] = { ...parsed, value };
  }
  return cookies;
}

/** Adds the cookies of `Set-Cookie` answers to the `Cookie` header of the next hop (same origin only: the caller's rule). */
export function keepSetCookies(headers: Record<string, string>, setCookie: string | string[] | undefined): void {
  const set = responseCookies(setCookie);
  if (!set) return;
  const existing = headerValue(headers, 'cookie');
  const jar: Record<string, string> = existing !== undefined ? parseCookiePairs(existing, String) : {};
  for (const [cookie, { value }] of Object.entries(set)) jar[cookie] = encodeURIComponent(value ?? '');
  deleteHeader(headers, 'cookie');
  headers.Cookie = Object.entries(jar)
    .map(([key, value]) => `${key}=${value}`)
    .join('; ');
}
