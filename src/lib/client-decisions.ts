/**
 * What the client decides after each attempt: retry (and when), sign again for the server's
 * clock, refresh credentials, follow a redirect. Functions of the exchange and the answer,
 * without I/O: the client's loop (client.ts) carries them out.
 */
import type { Route } from './agents';
import type { RequestAuthorizer } from './authorizer';
import { keepSetCookies } from './cookies';
import { deleteHeader } from './headers';
import { withoutProtocolParameters } from './oauth1';
import { RequestError } from './request-error';
import type { ResponseType } from './response';
import { isHttp, shownUrl } from './urls';
import { parseRetryAfter } from './rate-limit-headers';

export { parseRetryAfter } from './rate-limit-headers';

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
/** Network failures worth another attempt of an idempotent request. */
export const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * The user's headers that follow a redirect to another origin. Browsers and the core node
 * drop only credentials (Authorization, Cookie); we cannot tell which custom header is one
 * (X-Api-Key, X-Auth-Token…), so every other header stays behind. These describe what is
 * asked for and sent, nothing about who asks.
 */
const HEADERS_FOR_OTHER_ORIGINS = new Set(['accept', 'accept-language', 'user-agent', 'content-type']);
/** A server clock further than this from ours is adopted; a 401 signed with the old offset is signed again. */
export const CLOCK_SKEW_TOLERANCE_MS = 60_000;

/** One request as it stands between attempts: redirects change its URL, method, body and headers. */
export interface Exchange {
  method: string;
  /** Without `oauth_*` pairs; each attempt signs it anew. */
  url: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** Credentials are added; false after a hop to another origin. */
  authorize: boolean;
  /** The origin asked first: a redirect elsewhere is "another origin". */
  readonly origin: string;
  readonly credentialsInBody: boolean;
  /** Proxy and certificate check of every attempt. */
  readonly route: Route;
  readonly followRedirects: boolean;
  readonly insecureHTTPParser: boolean;
  /** The redirects followed, for `msg.redirectList`. */
  readonly redirectList: Redirected[];
  readonly responseType: ResponseType;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly maxResponseBytes: number;
  attempts: number;
  retries: number;
  redirects: number;
  clockRetried: boolean;
  credentialsRefreshed: boolean;
  /** Answers that a limit of the service refused (a 429): sent again, not counted as retries. */
  limitRefusals: number;
  /** Epoch ms after which the request waits no more for the service's limits (Max wait from its start). */
  readonly waitDeadline: number;
}

/** One redirect followed: where to (absolute, without `oauth_*` pairs), and the cookies it set. */
export interface Redirected {
  location: string;
  setCookie?: string[];
}

export interface RetryPolicy {
  /** Further attempts after the first. */
  retries: number;
  retryBaseDelayMs: number;
  maxRetryDelayMs: number;
}

/** Exponential backoff with equal jitter: a random delay between half and all of base × 2^(retry-1), capped. */
export function backoff(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxRetryDelayMs, policy.retryBaseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * After an attempt that got no response: milliseconds to wait before the next, or undefined
 * to give up. Only idempotent methods, and only failures where the server cannot have acted.
 */
export function retryAfterFailure(failure: RequestError, exchange: Pick<Exchange, 'method' | 'retries'>, policy: RetryPolicy): number | undefined {
  if (!isRetryableFailure(failure) || !IDEMPOTENT_METHODS.has(exchange.method) || exchange.retries >= policy.retries) return undefined;
  return backoff(exchange.retries + 1, policy);
}

/**
 * After a 5xx other than 501 (a 429 is a limit's refusal: {@link againAfterLimit}):
 * milliseconds to wait before asking again (as `Retry-After` asks, else backoff), or
 * undefined to return the response as it is.
 */
export function retryAfterStatus(
  status: number,
  retryAfter: string | undefined,
  exchange: Pick<Exchange, 'method' | 'retries'>,
  policy: RetryPolicy,
): number | undefined {
  if (!(status >= 500 && status !== 501)) return undefined;
  if (!IDEMPOTENT_METHODS.has(exchange.method) || exchange.retries >= policy.retries) return undefined;
  const delay = parseRetryAfter(retryAfter) ?? backoff(exchange.retries + 1, policy);
  return delay <= policy.maxRetryDelayMs ? delay : undefined;
}

/**
 * After an answer a limit of the service refused (a 429, a 503 with `Retry-After`, or the
 * service's own words for it, as NetSuite's concurrency refusal): milliseconds to wait
 * before queueing for another turn, or undefined to hand the answer on, when the service's
 * pause would outlast Max wait. Any method goes again: a refused request was not processed.
 * It does not count as a retry.
 */
export function againAfterLimit(
  exchange: Pick<Exchange, 'limitRefusals' | 'waitDeadline'>,
  pauseLeftMs: number,
  policy: RetryPolicy,
  now: number,
): number | undefined {
  // A pause holds every request of the service in the queue; without one, this request backs off alone.
  const delay = pauseLeftMs > 0 ? 0 : backoff(exchange.limitRefusals + 1, policy);
  return now + Math.max(pauseLeftMs, delay) > exchange.waitDeadline ? undefined : delay;
}

/** A 401 to a timestamp our clock got wrong (the server's `Date` taught us otherwise since): sign once more. */
export function resignForClock(
  status: number,
  exchange: Pick<Exchange, 'authorize' | 'clockRetried'>,
  signedWithOffsetMs: number,
  clockOffsetMs: number,
): boolean {
  return status === 401 && exchange.authorize && !exchange.clockRetried && Math.abs(clockOffsetMs - signedWithOffsetMs) > CLOCK_SKEW_TOLERANCE_MS;
}

/** A 401 once: the authorizer drops cached credentials (an expired bearer token) and says whether to try again. */
export function refreshCredentials(status: number, exchange: Pick<Exchange, 'authorize' | 'credentialsRefreshed'>, authorizer: RequestAuthorizer): boolean {
  return status === 401 && exchange.authorize && !exchange.credentialsRefreshed && authorizer.refreshAfterUnauthorized?.() === true;
}

/** The next hop of a redirect. */
export interface Hop {
  /** Absolute, without fragment and without `oauth_*` pairs. */
  url: string;
  method: string;
  /** 303, and 301/302 after a POST, continue without the body. */
  dropBody: boolean;
  crossOrigin: boolean;
}

/**
 * Where a redirect leads, or undefined when the response is the answer: no redirect, or
 * one to another origin for a request whose body holds credentials. Throws for a Location
 * that cannot be followed and past `maxRedirects`.
 */
export function followRedirect(
  status: number,
  location: string | undefined,
  sentUrl: string,
  exchange: Pick<Exchange, 'method' | 'origin' | 'credentialsInBody' | 'redirects'>,
  maxRedirects: number,
): Hop | undefined {
  if (!REDIRECT_STATUSES.has(status) || !location) return undefined;
  let next: URL;
  try {
    next = new URL(location, sentUrl);
  } catch {
    throw new RequestError(`redirected (${status}) to an invalid URL "${shownUrl(location)}"`, 'EINVALIDURL');
  }
  if (!isHttp(next)) {
    throw new RequestError(`redirected (${status}) to an unsupported protocol "${next.protocol}"`, 'EINVALIDURL');
  }
  const crossOrigin = next.origin !== exchange.origin;
  if (crossOrigin && exchange.credentialsInBody) return undefined;
  if (exchange.redirects >= maxRedirects) throw new RequestError(`more than ${maxRedirects} redirects`, 'ETOOMANYREDIRECTS');
  next.hash = '';
  const dropBody = status === 303 || ((status === 301 || status === 302) && exchange.method === 'POST');
  const method = dropBody && exchange.method !== 'HEAD' ? 'GET' : exchange.method;
  // Query placement puts the protocol parameters in the URL, and servers copy them into Location.
  return { url: withoutProtocolParameters(next.href), method, dropBody, crossOrigin };
}

/**
 * Lists a hop for `msg.redirectList`. Its cookies go on when the service's origin set them
 * and the hop stays there, as a browser's jar (and the core node's) sends them: a cookie
 * another origin set on the way (`from`) never reaches the service, which would take it
 * for its own (session fixation). Headers reach no other origin ({@link takeHop}).
 */
export function rememberHop(
  exchange: Pick<Exchange, 'redirectList' | 'headers' | 'origin'>,
  hop: Hop,
  setCookie: string | string[] | undefined,
  from: string,
): void {
  if (setCookie === undefined) {
    exchange.redirectList.push({ location: hop.url });
    return;
  }
  exchange.redirectList.push({ location: hop.url, setCookie: Array.isArray(setCookie) ? setCookie : [setCookie] });
  if (!hop.crossOrigin && new URL(from).origin === exchange.origin) keepSetCookies(exchange.headers, setCookie);
}

/** Sets the exchange on its next hop; off the service's origin without credentials or the user's headers. */
export function takeHop(exchange: Pick<Exchange, 'method' | 'url' | 'headers' | 'body' | 'authorize' | 'redirects'>, hop: Hop): void {
  exchange.redirects++;
  exchange.url = hop.url;
  exchange.method = hop.method;
  if (hop.dropBody) {
    exchange.body = undefined;
    deleteHeader(exchange.headers, 'content-type');
  }
  if (hop.crossOrigin) {
    exchange.authorize = false;
    for (const name of Object.keys(exchange.headers)) if (!HEADERS_FOR_OTHER_ORIGINS.has(name.toLowerCase())) delete exchange.headers[name];
  }
}

/** Failures where the request cannot have been processed twice by retrying an idempotent method. */
function isRetryableFailure(failure: RequestError): boolean {
  return failure.code === 'ENETWORK' && failure.systemCode !== undefined && RETRYABLE_NETWORK_CODES.has(failure.systemCode);
}
