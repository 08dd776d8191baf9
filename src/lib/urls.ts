/**
 * URLs as the client takes them: joined to the base URL, http(s) only, shown without their
 * `oauth_*` pairs, and the origins credentials may go to.
 */
import { withoutProtocolParameters } from './oauth1';
import { RequestError } from './request-error';
import { printable } from './text';

/** `http://h/api` + `/x` = `http://h/api/x`: exactly one slash between, absolute URLs kept. */
export function joinUrl(baseUrl: string | undefined, url: string | undefined): string {
  const target = (url ?? '').trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return target;
  if (!baseUrl) {
    if (!target) throw new RequestError('no URL: set msg.url or a base URL in the config node', 'EINVALIDURL');
    throw new RequestError(`"${target}" is relative and the config node has no base URL`, 'EINVALIDURL');
  }
  if (!target) return baseUrl;
  return `${baseUrl.replace(/\/+$/, '')}/${target.replace(/^\/+/, '')}`;
}

/** True for an http: or https: URL: the only ones the client sends to. */
export function isHttp(url: URL): boolean {
  return url.protocol === 'http:' || url.protocol === 'https:';
}

/** The text as an http(s) URL, or undefined for anything else (another scheme, no URL at all). */
export function httpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return isHttp(url) ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The origins that may receive credentials: the base URL's and the extra ones, each as
 * `new URL(x).origin` has it. An extra entry that is no http(s) origin is an error, since
 * silently dropping it would leave requests failing with a misleading EORIGIN.
 */
export function serviceOrigins(baseUrl: string | undefined, extraOrigins: readonly string[] = []): string[] {
  const origins = new Set<string>();
  const base = baseUrl ? httpUrl(baseUrl) : undefined;
  if (base) origins.add(base.origin);
  for (const entry of extraOrigins) {
    if (!entry.trim()) continue;
    const url = httpUrl(entry.trim());
    if (!url) throw new RequestError(`"Also sign for": "${printable(entry)}" is not an origin such as https://api.example.com`, 'EINVALIDURL');
    origins.add(url.origin);
  }
  return [...origins];
}

/** Why credentials may not go to `origin`, or undefined when it is one of the service's. */
export function originProblem(origin: string, serviceOrigins: readonly string[]): string | undefined {
  if (serviceOrigins.includes(origin)) return undefined;
  const allowed = serviceOrigins.length ? serviceOrigins.join(', ') : 'none: no base URL and nothing in "Also sign for"';
  return `not sent: ${origin} is not the service's origin (${allowed}); to sign for it, add it to "Also sign for" in the OAuth1 service`;
}

/** A URL as messages and log lines show it: no `oauth_*` pairs, no raw control characters. */
export function shownUrl(url: string): string {
  return printable(withoutProtocolParameters(url));
}
