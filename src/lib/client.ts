/**
 * The one HTTP client of the package (axios underneath). Every node sends through it, so
 * every node gets the same URL joining, per-attempt signing, retries, timeouts, redirect
 * handling, clock-skew correction and error shaping.
 */
import http from 'node:http';
import querystring from 'node:querystring';
import axios, { AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import { AgentPool, type Agents, type Route, type TlsOptions } from './agents';
import { bareSecretProblem, type BareSecret } from './bare-secrets';
import { keepSetCookies } from './cookies';
import { refusalDiagnosis } from './diagnosis';
import { ServiceError } from './errors';
import { dropHostHeader } from './host-header';
import { withoutProtocolParameters, type RequestToSign, type SigningRecord } from './oauth1';
import type { ProxyOptions, ProxySettings } from './proxy';
import { redactResponse, SecretList } from './redact';
import { firstHeader, positiveNumber, stripBom, type ClientResponse, type ResponseType } from './response';
import { DEFAULT_MAX_RESPONSE_MB, DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, HTTP_METHODS } from './settings';

export { HTTP_METHODS } from './settings';

export type { ClientResponse, ResponseType } from './response';
export type { TlsOptions } from './agents';

export interface AuthorizedAttempt {
  url: string;
  headers: Record<string, string>;
  /** What an OAuth 1.0a signature covered, for the diagnosis of a refusal; built only when called. */
  signing?: () => SigningRecord;
}

/** Adds credentials to one attempt. Called anew for every attempt, retries and redirects included. */
export interface RequestAuthorizer {
  authorize(request: RequestToSign, context: { clockOffsetMs: number; signal?: AbortSignal }): Promise<AuthorizedAttempt> | AuthorizedAttempt;
  /** Set when what it adds is the secret itself (a PLAINTEXT signature, a bearer token): sent only where no one else can read it. */
  readonly bareSecret?: BareSecret;
  /** After a 401: drop cached credentials (an expired bearer token). True when one more try makes sense. */
  refreshAfterUnauthorized?(): boolean;
  /** Secrets that change while the client runs (the bearer token in use): kept out of every response, as `secrets`. */
  currentSecrets?(): ReadonlyArray<string | undefined>;
}

export interface ClientOptions {
  /** Relative request URLs are joined to it; its origin receives credentials. */
  baseUrl?: string;
  /** Further origins that may receive credentials ("Also sign for"), e.g. `https://files.example.com`. */
  extraOrigins?: readonly string[];
  authorizer: RequestAuthorizer;
  /** Further attempts for idempotent requests after a network error, 429 or 5xx. */
  retries?: number;
  /** Per-attempt timeout when the request names none. */
  timeoutMs?: number;
  tls?: TlsOptions;
  maxRedirects?: number;
  /** First backoff step; doubled each retry, with full jitter. */
  retryBaseDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the response is returned. */
  maxRetryDelayMs?: number;
  /** A response body larger than this, decompressed, is an ETOOLARGE error; 100 MB by default. */
  maxResponseBytes?: number;
  /** Receives one line per retry or redirect; never secrets. */
  log?: (line: string) => void;
  /** The service's secrets: a response that echoes one (an error quoting the request) has it cut out. */
  secrets?: ReadonlyArray<string | undefined>;
  /** Node-RED's `settings.proxyOptions`, for the proxy chosen from the environment. */
  proxyOptions?: ProxyOptions;
}

export interface ClientRequest {
  method?: string;
  /** Absolute, or relative to the base URL; empty means the base URL itself. */
  url?: string;
  headers?: Record<string, unknown>;
  /** Buffer and string are sent as they are; objects as JSON, or as a form when the content type says so. */
  body?: unknown;
  responseType?: ResponseType;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** False for requests the authorizer must not add credentials to (an OAuth 2 token request). */
  authorize?: boolean;
  /**
   * True when the body itself holds credentials (the client secret of an OAuth 2 token
   * request): it goes only to the service's origins, like a signed request, and a
   * redirect to another origin is returned, not followed.
   */
  credentialsInBody?: boolean;
  /** A core `http proxy` node's settings; the environment's `http_proxy`… otherwise. */
  proxy?: ProxySettings;
  /** The proxy the caller chose for this request, as `getProxyForUrl` gives it ('' for none); the client chooses when undefined. */
  proxyUrl?: string;
  /** `msg.rejectUnauthorized`: ignored when the service has a TLS configuration. */
  rejectUnauthorized?: boolean;
  /** False: a 3xx is the answer, not followed. */
  followRedirects?: boolean;
  /** Sends the body whatever the method (the core node's "use as request body" for a GET). */
  bodyWithAnyMethod?: boolean;
  /** Node's lenient HTTP parser, for servers that break HTTP. */
  insecureHTTPParser?: boolean;
  /** A lower cap than the client's for this response (what is left of a budget); never a higher one. */
  maxResponseBytes?: number;
}

export type RequestErrorCode =
  | 'EINVALIDURL'
  | 'EINVALIDMETHOD'
  | 'ETIMEDOUT'
  | 'EABORTED'
  | 'ENETWORK'
  | 'ETOOMANYREDIRECTS'
  | 'ESIGNING'
  | 'EINVALIDBODY'
  | 'EINVALIDHEADER'
  /** Credentials would go to an origin that is not the service's: nothing was sent. */
  | 'EORIGIN'
  /** A credential that is its own secret would go where others can read it (plain http, a proxy, an unchecked certificate): nothing was sent. */
  | 'EINSECURE'
  /** The response body is larger than `maxResponseBytes`. */
  | 'ETOOLARGE'
  /** The proxy URL is not one. */
  | 'EPROXY';

/** A request that produced no HTTP response. Its message is safe to show: no secrets, no signatures. */
export class RequestError extends ServiceError {
  declare readonly code: RequestErrorCode;

  constructor(
    message: string,
    code: RequestErrorCode,
    /** The system error code behind a network failure (ECONNRESET, ECONNREFUSED…). */
    readonly systemCode?: string,
  ) {
    super(message, code, code === 'ETIMEDOUT' ? { key: 'timeout' } : { words: systemCode ?? code });
    this.name = 'RequestError';
  }
}

/** Sent when a flow asks for them (msg.method), as the core node sends them; not offered in the dialog. */
const OTHER_METHODS = new Set(['TRACE']);
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The methods axios gives a form content type when the request names none. */
const AXIOS_FORM_DEFAULT_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED', 'ERR_SOCKET_CONNECTION_TIMEOUT']);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/**
 * Headers about the connection and the framing of the body, which the client sets itself.
 * They come in with `msg.headers` copied from an earlier response: a stale Content-Length
 * would leave a GET hanging and cut a POST body short.
 */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'upgrade', 'te', 'trailer']);
/**
 * The user's headers that follow a redirect to another origin. Browsers and the core node
 * drop only credentials (Authorization, Cookie); we cannot tell which custom header is one
 * (X-Api-Key, X-Auth-Token…), so every other header stays behind. These describe what is
 * asked for and sent, nothing about who asks.
 */
const HEADERS_FOR_OTHER_ORIGINS = new Set(['accept', 'accept-language', 'user-agent', 'content-type']);
const CLOCK_SKEW_TOLERANCE_MS = 60_000;
/** What a body with `credentialsInBody` holds: an OAuth 2 token request's client secret. */
const CLIENT_SECRET_IN_BODY: BareSecret = { sends: 'the token request sends the client secret itself' };
const DEFAULT_MAX_RESPONSE_BYTES = DEFAULT_MAX_RESPONSE_MB * 1024 * 1024;
/** setTimeout fires at once for longer delays (a TimeoutOverflowWarning): about 24.8 days. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * The axios instance every request goes through, with the options that never change.
 * axios merges an instance's defaults into each request's config, key by key; the stock
 * ones hold a header object per method and nested option objects, about a tenth of a
 * signed request's CPU time (`npm run bench`). So this instance keeps of them only the
 * headers common to all methods (`Accept`). Without `transitional` axios uses its own
 * defaults; `env`, `timeout` and the XSRF names serve browsers, form-data and fetch, which
 * this client does not use.
 */
function createTransport(): AxiosInstance {
  const transport = axios.create({
    adapter: 'http',
    responseType: 'arraybuffer',
    // We follow redirects ourselves: each hop is signed anew, or not at all off-origin.
    maxRedirects: 0,
    validateStatus: () => true,
    // No transforms: bodies go as encodeBody made them and come back as bytes for decodeResponse.
    transformRequest: [],
    transformResponse: [],
    maxBodyLength: Infinity,
    // Proxies are ours (agents.ts): axios's would send https to an http proxy in clear.
    proxy: false,
  });
  const { defaults } = transport;
  for (const name of Object.keys(defaults.headers)) if (name !== 'common') delete defaults.headers[name];
  delete defaults.transitional;
  delete defaults.env;
  delete defaults.timeout;
  delete defaults.xsrfCookieName;
  delete defaults.xsrfHeaderName;
  return transport;
}
const transport = createTransport();

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

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === wanted) return headers[key];
  return undefined;
}

function deleteHeader(headers: Record<string, string>, name: string): void {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === wanted) delete headers[key];
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
function encodeBody(body: unknown, headers: Record<string, string>): Buffer | undefined {
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
  const form = contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded');
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

function normalizeHeaders(input: Record<string, unknown> | undefined): Record<string, string> {
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

function responseHeaders(response: AxiosResponse): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const raw = response.headers as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- axios' header values are strings, numbers or lists of them
    out[key.toLowerCase()] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return out;
}

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The `code` of the Node.js error under an axios error (ECONNRESET…), if it has one. */
function systemCodeOf(cause: unknown): string | undefined {
  return typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
}

function aborted(): RequestError {
  return new RequestError('request aborted', 'EABORTED');
}

/** Waits `ms`, or rejects with EABORTED as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
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

function httpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Text from outside (a method, a header name, a URL) made safe for one line of a message or log: no control character, no line separator. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\r' || c === '\n') return c === '\r' ? '\\r' : '\\n';
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/** A URL as messages and log lines show it: no `oauth_*` pairs, no raw control characters. */
function shownUrl(url: string): string {
  return printable(withoutProtocolParameters(url));
}

/** Why credentials may not go to `origin`, or undefined when it is one of the service's. */
export function originProblem(origin: string, serviceOrigins: readonly string[]): string | undefined {
  if (serviceOrigins.includes(origin)) return undefined;
  const allowed = serviceOrigins.length ? serviceOrigins.join(', ') : 'none: no base URL and nothing in "Also sign for"';
  return `not sent: ${origin} is not the service's origin (${allowed}); to sign for it, add it to "Also sign for" in the OAuth1 service`;
}

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
}

/** One redirect followed: where to (absolute, without `oauth_*` pairs), and the cookies it set. */
export interface Redirected {
  location: string;
  setCookie?: string[];
}

/** What one attempt got back. */
interface Answer {
  status: number;
  headers: Record<string, string | string[]>;
  data: Buffer;
  /** The URL as sent, `oauth_*` pairs included for query placement. */
  sentUrl: string;
  signing?: () => SigningRecord;
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
 * After a 429 or a 5xx other than 501: milliseconds to wait before asking again (as
 * `Retry-After` asks, else backoff), or undefined to return the response as it is.
 */
export function retryAfterStatus(
  status: number,
  retryAfter: string | undefined,
  exchange: Pick<Exchange, 'method' | 'retries'>,
  policy: RetryPolicy,
): number | undefined {
  if (!(status === 429 || (status >= 500 && status !== 501))) return undefined;
  if (!IDEMPOTENT_METHODS.has(exchange.method) || exchange.retries >= policy.retries) return undefined;
  const delay = parseRetryAfter(retryAfter) ?? backoff(exchange.retries + 1, policy);
  return delay <= policy.maxRetryDelayMs ? delay : undefined;
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
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
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

/**
 * The body as asked for. JSON that does not parse comes back as text with `jsonError`; JSON
 * that does comes with the text it was parsed from (`sourceText`), which redaction searches
 * instead of walking every object.
 */
export function decodeResponse(
  data: Buffer,
  responseType: ResponseType,
  status: number,
  method: string,
): { body: unknown; jsonError?: string; sourceText?: string } {
  if (method === 'HEAD') return { body: responseType === 'buffer' ? Buffer.alloc(0) : '' };
  if (responseType === 'buffer') return { body: data };
  const text = data.toString('utf8');
  if (responseType === 'text') return { body: text };
  const json = stripBom(text);
  // As in the core http request node: "No Content" is an empty object, not a parse error.
  if (status === 204 && json.trim() === '') return { body: {} };
  if (json.trim() === '') return { body: json, jsonError: 'the response body is empty' };
  try {
    return { body: JSON.parse(json), sourceText: json };
  } catch (error) {
    return { body: text, jsonError: `the response is not JSON (${(error as Error).message})` };
  }
}

export class HttpClient {
  readonly baseUrl?: string;
  /** Where credentials may go: see {@link serviceOrigins}. */
  readonly origins: readonly string[];
  private readonly authorizer: RequestAuthorizer;
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly maxRedirects: number;
  private readonly maxResponseBytes: number;
  private readonly log?: (line: string) => void;
  private readonly agents: AgentPool;
  private readonly secrets: SecretList;
  /** Server time minus local time, learnt from `Date` headers when they differ by over a minute. */
  private clockOffsetMs = 0;
  private lastDateHeader: string | undefined;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl?.trim() || undefined;
    this.origins = serviceOrigins(this.baseUrl, options.extraOrigins);
    this.authorizer = options.authorizer;
    this.policy = {
      retries: Math.max(0, Math.floor(options.retries ?? DEFAULT_RETRIES)),
      retryBaseDelayMs: options.retryBaseDelayMs ?? 300,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 30_000,
    };
    this.timeoutMs = timeoutOr(options.timeoutMs, DEFAULT_TIMEOUT_MS);
    this.maxRedirects = options.maxRedirects ?? 5;
    this.maxResponseBytes = Math.floor(positiveNumber(options.maxResponseBytes) ?? DEFAULT_MAX_RESPONSE_BYTES);
    this.log = options.log;
    this.secrets = new SecretList(options.secrets ?? [], () => this.currentSecrets());
    this.agents = new AgentPool(options.tls, options.proxyOptions);
  }

  /** The authorizer's secrets of the moment (the bearer token in use), for the texts a node shows. */
  currentSecrets(): ReadonlyArray<string | undefined> {
    return this.authorizer.currentSecrets?.() ?? [];
  }

  /** Closes idle keep-alive sockets; in-flight requests are aborted through their signals. */
  destroy(): void {
    this.agents.destroy();
  }

  async request<T = unknown>(request: ClientRequest): Promise<ClientResponse<T>> {
    const exchange = this.prepare(request);
    for (;;) {
      if (exchange.signal?.aborted) throw aborted();
      exchange.attempts++;
      const signedWithOffsetMs = this.clockOffsetMs;
      let answer: Answer;
      try {
        answer = await this.attempt(exchange, signedWithOffsetMs);
      } catch (error) {
        const failure = error instanceof RequestError ? error : new RequestError(String(error), 'ENETWORK');
        const delay = retryAfterFailure(failure, exchange, this.policy);
        if (delay === undefined) throw failure;
        await this.retryIn(delay, exchange, failure.message);
        continue;
      }
      const { status, headers, sentUrl } = answer;
      this.learnClock(exchange, firstHeader(headers, 'date'));
      if (resignForClock(status, exchange, signedWithOffsetMs, this.clockOffsetMs)) {
        exchange.clockRetried = true;
        this.log?.(
          `${exchange.method} ${shownUrl(exchange.url)}: 401 with the local clock ${Math.round(this.clockOffsetMs / 1000)} s off; signing with the server's time`,
        );
        continue;
      }
      if (refreshCredentials(status, exchange, this.authorizer)) {
        exchange.credentialsRefreshed = true;
        continue;
      }
      const hop = exchange.followRedirects ? followRedirect(status, firstHeader(headers, 'location'), sentUrl, exchange, this.maxRedirects) : undefined;
      if (hop) {
        takeHop(exchange, hop);
        rememberHop(exchange, hop, headers['set-cookie'], sentUrl);
        this.log?.(`redirected (${status}) to ${shownUrl(hop.url)}${hop.crossOrigin ? ', another origin: sent without credentials' : ''}`);
        continue;
      }
      const wait = retryAfterStatus(status, firstHeader(headers, 'retry-after'), exchange, this.policy);
      if (wait !== undefined) {
        await this.retryIn(wait, exchange, `HTTP ${status}`);
        continue;
      }
      const decoded = decodeResponse(answer.data, exchange.responseType, status, exchange.method);
      const response = {
        statusCode: status,
        headers,
        body: decoded.body as T,
        bodyBytes: answer.data.length,
        url: withoutProtocolParameters(sentUrl),
        jsonError: decoded.jsonError,
        attempts: exchange.attempts,
        redirects: exchange.redirectList,
        signing: refusalDiagnosis(answer.signing, { statusCode: status, headers, body: decoded.body }),
      };
      // A service may echo the request (a 401 quoting the Authorization header): no output carries its secrets.
      return redactResponse(response, this.secrets, { sourceText: decoded.sourceText, strict: status >= 400 });
    }
  }

  /** Checks the request and sets out what the attempts start from; throws before anything is sent. */
  private prepare(request: ClientRequest): Exchange {
    const method = (typeof request.method === 'string' && request.method ? request.method : 'GET').toUpperCase();
    if (!(HTTP_METHODS as readonly string[]).includes(method) && !OTHER_METHODS.has(method)) {
      throw new RequestError(`unsupported method "${printable(String(request.method))}": use one of ${HTTP_METHODS.join(', ')}`, 'EINVALIDMETHOD');
    }
    const url = joinUrl(this.baseUrl, request.url);
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw new RequestError(`invalid URL "${shownUrl(url)}"`, 'EINVALIDURL');
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new RequestError(`unsupported protocol "${target.protocol}" in "${shownUrl(url)}": use http or https`, 'EINVALIDURL');
    }
    const credentialsInBody = request.credentialsInBody === true;
    if (request.authorize !== false || credentialsInBody) {
      const problem = originProblem(target.origin, this.origins);
      if (problem) throw new RequestError(problem, 'EORIGIN');
    }
    const headers = normalizeHeaders(request.headers);
    const hostProblem = dropHostHeader(headers, target, request.authorize !== false || credentialsInBody);
    if (hostProblem) throw new RequestError(hostProblem, 'EORIGIN');
    return {
      method,
      url,
      headers,
      body: METHODS_WITH_BODY.has(method) || request.bodyWithAnyMethod ? encodeBody(request.body, headers) : undefined,
      authorize: request.authorize !== false,
      origin: target.origin,
      credentialsInBody,
      route: { proxy: request.proxy, proxyUrl: request.proxyUrl, rejectUnauthorized: request.rejectUnauthorized },
      followRedirects: request.followRedirects !== false,
      insecureHTTPParser: request.insecureHTTPParser === true,
      redirectList: [],
      responseType: request.responseType ?? 'text',
      timeoutMs: timeoutOr(request.timeoutMs, this.timeoutMs),
      maxResponseBytes: lowerCap(request.maxResponseBytes, this.maxResponseBytes),
      signal: request.signal,
      attempts: 0,
      retries: 0,
      redirects: 0,
      clockRetried: false,
      credentialsRefreshed: false,
    };
  }

  /** One HTTP exchange: credentials added for this attempt, then sent. */
  private async attempt(exchange: Exchange, clockOffsetMs: number): Promise<Answer> {
    // Signing keeps the origin, so the agents chosen for the URL are those of the signed URL too.
    const agents = this.agentsFor(exchange.url, exchange.route);
    this.refuseInClear(exchange, agents.proxy !== undefined);
    const {
      url: sentUrl,
      headers,
      signing,
    } = exchange.authorize
      ? await this.authorized(exchange, clockOffsetMs)
      : { url: new URL(exchange.url).href, headers: exchange.headers, signing: undefined };
    const response = await this.send(exchange, sentUrl, headers, agents);
    return { status: response.status, headers: responseHeaders(response), data: response.data, sentUrl, signing };
  }

  /**
   * Refuses the attempt, before anything is sent, when a credential that is its own secret
   * (the authorizer's, or the client secret in a token request's body) would go where
   * others can read it: the rule of bare-secrets.ts, the same for every such credential.
   */
  private refuseInClear(exchange: Exchange, proxied: boolean): void {
    const secrets = [exchange.authorize ? this.authorizer.bareSecret : undefined, exchange.credentialsInBody ? CLIENT_SECRET_IN_BODY : undefined];
    const passage = { proxied, certificateUnchecked: this.agents.certificateUnchecked(exchange.route) };
    for (const secret of secrets) {
      const problem = secret && bareSecretProblem(secret, new URL(exchange.url), passage);
      if (problem) throw new RequestError(problem, 'EINSECURE');
    }
  }

  /** The URL and headers of one attempt with fresh credentials; a user's own Authorization header gives way. */
  private async authorized(exchange: Exchange, clockOffsetMs: number): Promise<AuthorizedAttempt> {
    const { method, url, body, signal } = exchange;
    const contentType = headerValue(exchange.headers, 'content-type') ?? '';
    const formBody = body && contentType.toLowerCase().startsWith('application/x-www-form-urlencoded') ? body.toString('utf8') : undefined;
    let authorized: AuthorizedAttempt;
    try {
      authorized = await this.authorizer.authorize({ method, url, formBody, body }, { clockOffsetMs, signal });
    } catch (error) {
      if (error instanceof RequestError) throw error;
      throw new RequestError(`could not sign the request: ${(error as Error).message}`, 'ESIGNING');
    }
    const headers = { ...exchange.headers };
    deleteHeader(headers, 'authorization');
    return { url: authorized.url, headers: Object.assign(headers, authorized.headers), signing: authorized.signing };
  }

  private async retryIn(delayMs: number, exchange: Exchange, reason: string): Promise<void> {
    exchange.retries++;
    this.log?.(`${exchange.method} ${shownUrl(exchange.url)}: ${reason}; retry ${exchange.retries} of ${this.policy.retries} in ${Math.round(delayMs)} ms`);
    await sleep(delayMs, exchange.signal);
  }

  /**
   * Adopts the server's time when it differs from ours (as corrected so far) by over a
   * minute. Only the service's own clock counts, from an answer to a signed request: a host
   * redirected to, or asked without credentials, may be off on its own. (Signed requests go
   * only to the service's origins: `prepare` refuses others, a hop elsewhere stops signing.)
   */
  private learnClock(exchange: Pick<Exchange, 'authorize'>, dateHeader: string | undefined): void {
    if (!exchange.authorize || !dateHeader) return;
    // A Date header has a one-second resolution: the same text again says what it said.
    if (dateHeader === this.lastDateHeader) return;
    this.lastDateHeader = dateHeader;
    const serverTime = Date.parse(dateHeader);
    if (Number.isNaN(serverTime)) return;
    const offset = serverTime - Date.now();
    if (Math.abs(offset - this.clockOffsetMs) <= CLOCK_SKEW_TOLERANCE_MS) return;
    this.clockOffsetMs = Math.abs(offset) > CLOCK_SKEW_TOLERANCE_MS ? offset : 0;
  }

  /** The agents of one attempt; a proxy URL that is no URL is an error before anything is sent. */
  private agentsFor(url: string, route: Route): Agents {
    try {
      return this.agents.for(url, route);
    } catch (error) {
      throw new RequestError((error as Error).message, 'EPROXY');
    }
  }

  private async send(exchange: Exchange, url: string, headers: Record<string, string>, agents: Agents): Promise<AxiosResponse<Buffer>> {
    const { method, body, timeoutMs, signal, maxResponseBytes } = exchange;
    const { httpAgent, httpsAgent } = agents;
    // One controller per attempt, its timer cleared when the attempt ends: no timer or
    // listener outlives the request (AbortSignal.timeout's would, for the whole timeout).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await transport.request<Buffer>({
        method,
        url,
        // axios gives a POST, PUT or PATCH without a content type a form one, after signing:
        // the server would then read signed-for-nothing form parameters. `false` sends none.
        headers: AXIOS_FORM_DEFAULT_METHODS.has(method) && headerValue(headers, 'content-type') === undefined ? { ...headers, 'Content-Type': false } : headers,
        data: body,
        // axios counts the bytes after decompression, chunk by chunk, and stops reading at
        // the limit: a small gzip body cannot inflate into all of memory.
        maxContentLength: maxResponseBytes,
        httpAgent,
        httpsAgent,
        signal: controller.signal,
        ...(exchange.insecureHTTPParser ? { insecureHTTPParser: true } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw aborted();
      if (timedOut) throw new RequestError(`no response within ${timeoutMs} ms`, 'ETIMEDOUT');
      const axiosError = error as AxiosError;
      const where = new URL(url).host;
      if (axiosError.message?.startsWith('maxContentLength size of')) {
        throw new RequestError(`the response body is larger than ${maxResponseBytes} bytes (maxResponseBytes) (${where})`, 'ETOOLARGE');
      }
      let systemCode = axiosError.code ?? systemCodeOf(axiosError.cause);
      // The connection closed in the middle of the body: as much a reset as one before the headers.
      if (systemCode === AxiosError.ERR_BAD_RESPONSE && /aborted/i.test(axiosError.message)) systemCode = 'ECONNRESET';
      if (systemCode === 'ERR_INVALID_URL') throw new RequestError(`invalid URL "${shownUrl(url)}"`, 'EINVALIDURL');
      const reason = systemCode && RETRYABLE_NETWORK_CODES.has(systemCode) ? systemCode : axiosError.message || systemCode || 'network error';
      throw new RequestError(`${reason} (${where})`, 'ENETWORK', systemCode);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** The request's own timeout if it is a usable number of milliseconds, else the client's. */
function timeoutOr(requested: number | undefined, fallback: number): number {
  return Math.min(Math.max(1, positiveNumber(requested) ?? fallback), MAX_TIMER_MS);
}

/** A request's own cap when it is lower than the client's: zero or more bytes. */
function lowerCap(requested: number | undefined, fallback: number): number {
  return typeof requested === 'number' && requested >= 0 && requested < fallback ? Math.floor(requested) : fallback;
}

/** Failures where the request cannot have been processed twice by retrying an idempotent method. */
function isRetryableFailure(failure: RequestError): boolean {
  return failure.code === 'ENETWORK' && failure.systemCode !== undefined && RETRYABLE_NETWORK_CODES.has(failure.systemCode);
}

export function isRequestError(error: unknown): error is RequestError {
  return error instanceof RequestError;
}
