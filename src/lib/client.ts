/**
 * The one HTTP client of the package (axios underneath). Every node sends through it, so
 * every node gets the same URL joining, per-attempt signing, retries, timeouts, redirect
 * handling, clock-skew correction and error shaping.
 */
import http from 'node:http';
import https from 'node:https';
import axios, { AxiosError, type AxiosResponse } from 'axios';
import {
  OAuth1Signer,
  withoutProtocolParameters,
  type OAuth1Credentials,
  type Placement,
  type RequestToSign,
  type SignatureMethod,
} from './oauth1';
import { ClientCredentialsAuthorizer } from './oauth2';

export interface AuthorizedAttempt {
  url: string;
  headers: Record<string, string>;
}

/** Adds credentials to one attempt. Called anew for every attempt, retries and redirects included. */
export interface RequestAuthorizer {
  authorize(request: RequestToSign, context: { clockOffsetMs: number; signal?: AbortSignal }): Promise<AuthorizedAttempt> | AuthorizedAttempt;
  /** After a 401: drop cached credentials (an expired bearer token). True when one more try makes sense. */
  refreshAfterUnauthorized?(): boolean;
}

export class OAuth1Authorizer implements RequestAuthorizer {
  constructor(private readonly signer: OAuth1Signer) {}

  authorize(request: RequestToSign, context: { clockOffsetMs: number }): AuthorizedAttempt {
    const signed = this.signer.sign(request, { clockOffsetMs: context.clockOffsetMs });
    return { url: signed.url, headers: signed.headers };
  }
}

export interface TlsOptions {
  ca?: string | Buffer | Array<string | Buffer>;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  servername?: string;
  rejectUnauthorized?: boolean;
}

export interface ClientOptions {
  /** Relative request URLs are joined to it. */
  baseUrl?: string;
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
  /** Receives one line per retry or redirect; never secrets. */
  log?: (line: string) => void;
}

export type ResponseType = 'text' | 'buffer' | 'json';

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
  /** False for requests that must not carry credentials (an OAuth 2 token request). */
  authorize?: boolean;
  /**
   * True when the body itself holds credentials (the client secret of an OAuth 2 token
   * request): a redirect to another origin is then returned, not followed.
   */
  sameOriginRedirectsOnly?: boolean;
}

export interface ClientResponse<T = unknown> {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: T;
  /** The final URL, after redirects, without `oauth_*` parameters. */
  url: string;
  /** Set when JSON was asked for but the body is not JSON; `body` is then the text. */
  jsonError?: string;
  /** HTTP exchanges made: the first, retries, redirects and re-signed tries after a 401. */
  attempts: number;
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
  | 'EINVALIDHEADER';

/** A request that produced no HTTP response. Its message is safe to show: no secrets, no signatures. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly code: RequestErrorCode,
    /** The system error code behind a network failure (ECONNRESET, ECONNREFUSED…). */
    readonly systemCode?: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED', 'ERR_SOCKET_CONNECTION_TIMEOUT']);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/**
 * Headers about the connection and the framing of the body, which the client sets itself.
 * They come in with `msg.headers` copied from an earlier response: a stale Content-Length
 * would leave a GET hanging and cut a POST body short.
 */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'upgrade', 'te', 'trailer']);
/** Request headers that carry credentials of their own: never sent to another origin. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];
const CLOCK_SKEW_TOLERANCE_MS = 60_000;
/** setTimeout fires at once for longer delays (a TimeoutOverflowWarning): about 24.8 days. */
const MAX_TIMER_MS = 2_147_483_647;

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

function toFormBody(body: object): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      form.append(key, typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item));
    }
  }
  return form.toString();
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
    out[key.toLowerCase()] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return out;
}

function firstHeader(headers: Record<string, string | string[]>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function decodeBody(data: Buffer, responseType: ResponseType, status: number): { body: unknown; jsonError?: string } {
  if (responseType === 'buffer') return { body: data };
  const text = data.toString('utf8');
  if (responseType === 'text') return { body: text };
  const json = stripBom(text);
  // As in the core http request node: "No Content" is an empty object, not a parse error.
  if (status === 204 && json.trim() === '') return { body: {} };
  if (json.trim() === '') return { body: json, jsonError: 'the response body is empty' };
  try {
    return { body: JSON.parse(json) };
  } catch (error) {
    return { body: text, jsonError: `the response is not JSON (${(error as Error).message})` };
  }
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

export class HttpClient {
  readonly baseUrl?: string;
  private readonly authorizer: RequestAuthorizer;
  private readonly retries: number;
  private readonly timeoutMs: number;
  private readonly maxRedirects: number;
  private readonly retryBaseDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly log?: (line: string) => void;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  /** Server time minus local time, learnt from `Date` headers when they differ by over a minute. */
  private clockOffsetMs = 0;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl?.trim() || undefined;
    this.authorizer = options.authorizer;
    this.retries = Math.max(0, Math.floor(options.retries ?? 3));
    this.timeoutMs = timeoutOr(options.timeoutMs, 120_000);
    this.maxRedirects = options.maxRedirects ?? 5;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 300;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.log = options.log;
    this.httpAgent = new http.Agent({ keepAlive: true });
    this.httpsAgent = new https.Agent({ keepAlive: true, ...options.tls });
  }

  /** Closes idle keep-alive sockets; in-flight requests are aborted through their signals. */
  destroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  get currentClockOffsetMs(): number {
    return this.clockOffsetMs;
  }

  async request<T = unknown>(request: ClientRequest): Promise<ClientResponse<T>> {
    let method = (typeof request.method === 'string' && request.method ? request.method : 'GET').toUpperCase();
    if (!(HTTP_METHODS as readonly string[]).includes(method)) {
      throw new RequestError(`unsupported method "${String(request.method)}": use one of ${HTTP_METHODS.join(', ')}`, 'EINVALIDMETHOD');
    }
    let url = joinUrl(this.baseUrl, request.url);
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw new RequestError(`invalid URL "${withoutProtocolParameters(url)}"`, 'EINVALIDURL');
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new RequestError(`unsupported protocol "${target.protocol}" in "${withoutProtocolParameters(url)}": use http or https`, 'EINVALIDURL');
    }
    const originalOrigin = target.origin;
    const headers = normalizeHeaders(request.headers);
    let body = METHODS_WITH_BODY.has(method) ? encodeBody(request.body, headers) : undefined;
    const responseType = request.responseType ?? 'text';
    const timeoutMs = timeoutOr(request.timeoutMs, this.timeoutMs);
    const { signal } = request;

    let attempts = 0;
    let retries = 0;
    let redirects = 0;
    let authorize = request.authorize !== false;
    let clockRetried = false;
    let credentialsRefreshed = false;

    for (;;) {
      if (signal?.aborted) throw aborted();
      attempts++;
      let response: AxiosResponse<Buffer>;
      const sentHeaders = { ...headers };
      let sendUrl = url;
      const signedWithOffsetMs = this.clockOffsetMs;
      try {
        if (authorize) {
          const contentType = headerValue(headers, 'content-type') ?? '';
          const formBody = body && contentType.toLowerCase().startsWith('application/x-www-form-urlencoded') ? body.toString('utf8') : undefined;
          let authorized: AuthorizedAttempt;
          try {
            authorized = await this.authorizer.authorize({ method, url, formBody }, { clockOffsetMs: signedWithOffsetMs, signal });
          } catch (error) {
            if (error instanceof RequestError) throw error;
            throw new RequestError(`could not sign the request: ${(error as Error).message}`, 'ESIGNING');
          }
          sendUrl = authorized.url;
          deleteHeader(sentHeaders, 'authorization');
          Object.assign(sentHeaders, authorized.headers);
        } else {
          sendUrl = new URL(url).href;
        }
        response = await this.send(method, sendUrl, sentHeaders, body, timeoutMs, signal);
      } catch (error) {
        const failure = error instanceof RequestError ? error : new RequestError(String(error), 'ENETWORK');
        if (isRetryableFailure(failure) && IDEMPOTENT_METHODS.has(method) && retries < this.retries) {
          retries++;
          const delay = this.backoff(retries);
          this.log?.(`${method} ${withoutProtocolParameters(url)}: ${failure.message}; retry ${retries} of ${this.retries} in ${delay} ms`);
          await sleep(delay, signal);
          continue;
        }
        throw failure;
      }

      const status = response.status;
      const resHeaders = responseHeaders(response);
      // Only the service's own clock counts: a host redirected to may be off on its own.
      if (authorize) this.learnClock(firstHeader(resHeaders, 'date'));

      if (status === 401 && authorize) {
        // A timestamp refused because our clock is off: sign once more with the server's time.
        if (!clockRetried && Math.abs(this.clockOffsetMs - signedWithOffsetMs) > CLOCK_SKEW_TOLERANCE_MS) {
          clockRetried = true;
          this.log?.(`${method} ${withoutProtocolParameters(url)}: 401 with the local clock ${Math.round(this.clockOffsetMs / 1000)} s off; signing with the server's time`);
          continue;
        }
        if (!credentialsRefreshed && this.authorizer.refreshAfterUnauthorized?.()) {
          credentialsRefreshed = true;
          continue;
        }
      }

      const location = REDIRECT_STATUSES.has(status) ? firstHeader(resHeaders, 'location') : undefined;
      if (location) {
        let next: URL;
        try {
          next = new URL(location, sendUrl);
        } catch {
          throw new RequestError(`redirected (${status}) to an invalid URL "${withoutProtocolParameters(location)}"`, 'EINVALIDURL');
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new RequestError(`redirected (${status}) to an unsupported protocol "${next.protocol}"`, 'EINVALIDURL');
        }
        const crossOrigin = next.origin !== originalOrigin;
        if (!(crossOrigin && request.sameOriginRedirectsOnly)) {
          if (redirects >= this.maxRedirects) {
            throw new RequestError(`more than ${this.maxRedirects} redirects`, 'ETOOMANYREDIRECTS');
          }
          redirects++;
          next.hash = '';
          // Query placement puts the protocol parameters in the URL, and servers copy them into Location.
          url = withoutProtocolParameters(next.href);
          if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
            if (method !== 'HEAD') method = 'GET';
            body = undefined;
            deleteHeader(headers, 'content-type');
            deleteHeader(headers, 'content-length');
          }
          if (crossOrigin) {
            // Credentials are for the service's own origin only.
            authorize = false;
            for (const name of CREDENTIAL_HEADERS) deleteHeader(headers, name);
          }
          this.log?.(`redirected (${status}) to ${url}${crossOrigin ? ', another origin: sent without credentials' : ''}`);
          continue;
        }
      }

      if ((status === 429 || (status >= 500 && status !== 501)) && IDEMPOTENT_METHODS.has(method) && retries < this.retries) {
        const retryAfter = parseRetryAfter(firstHeader(resHeaders, 'retry-after'));
        const delay = retryAfter ?? this.backoff(retries + 1);
        if (delay <= this.maxRetryDelayMs) {
          retries++;
          this.log?.(`${method} ${withoutProtocolParameters(url)}: HTTP ${status}; retry ${retries} of ${this.retries} in ${Math.round(delay)} ms`);
          await sleep(delay, signal);
          continue;
        }
      }

      const decoded = method === 'HEAD' ? { body: responseType === 'buffer' ? Buffer.alloc(0) : '' } : decodeBody(response.data, responseType, status);
      return {
        statusCode: status,
        headers: resHeaders,
        body: decoded.body as T,
        url: withoutProtocolParameters(sendUrl),
        jsonError: 'jsonError' in decoded ? decoded.jsonError : undefined,
        attempts,
      };
    }
  }

  /** Exponential backoff with equal jitter: a random delay between half and all of base × 2^(retry-1). */
  private backoff(retry: number): number {
    const ceiling = Math.min(this.maxRetryDelayMs, this.retryBaseDelayMs * 2 ** (retry - 1));
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  /** Adopts the server's time when it differs from ours (as corrected so far) by over a minute. */
  private learnClock(dateHeader: string | undefined): void {
    if (!dateHeader) return;
    const serverTime = Date.parse(dateHeader);
    if (Number.isNaN(serverTime)) return;
    const offset = serverTime - Date.now();
    if (Math.abs(offset - this.clockOffsetMs) <= CLOCK_SKEW_TOLERANCE_MS) return;
    this.clockOffsetMs = Math.abs(offset) > CLOCK_SKEW_TOLERANCE_MS ? offset : 0;
  }

  private async send(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<AxiosResponse<Buffer>> {
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
      return await axios.request<Buffer>({
        method,
        url,
        headers,
        data: body,
        responseType: 'arraybuffer',
        // We follow redirects ourselves: each hop is signed anew, or not at all off-origin.
        maxRedirects: 0,
        validateStatus: () => true,
        transformRequest: [(data: unknown) => data],
        transformResponse: [(data: unknown) => data],
        maxBodyLength: Infinity,
        maxContentLength: Infinity,
        httpAgent: this.httpAgent,
        httpsAgent: this.httpsAgent,
        signal: controller.signal,
      });
    } catch (error) {
      if (signal?.aborted) throw aborted();
      if (timedOut) throw new RequestError(`no response within ${timeoutMs} ms`, 'ETIMEDOUT');
      const axiosError = error as AxiosError;
      let systemCode = axiosError.code ?? (axiosError.cause as NodeJS.ErrnoException | undefined)?.code;
      // The connection closed in the middle of the body: as much a reset as one before the headers.
      if (systemCode === AxiosError.ERR_BAD_RESPONSE && /aborted/i.test(axiosError.message)) systemCode = 'ECONNRESET';
      if (systemCode === 'ERR_INVALID_URL') throw new RequestError(`invalid URL "${withoutProtocolParameters(url)}"`, 'EINVALIDURL');
      const where = new URL(url).host;
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
  const value = typeof requested === 'number' && Number.isFinite(requested) && requested > 0 ? requested : fallback;
  return Math.min(Math.max(1, value), MAX_TIMER_MS);
}

/** Failures where the request cannot have been processed twice by retrying an idempotent method. */
function isRetryableFailure(failure: RequestError): boolean {
  return failure.code === 'ENETWORK' && failure.systemCode !== undefined && RETRYABLE_NETWORK_CODES.has(failure.systemCode);
}

export function isRequestError(error: unknown): error is RequestError {
  return error instanceof RequestError;
}

export type AuthScheme = 'oauth1' | 'oauth2';

export interface ServiceSettings {
  baseUrl?: string;
  scheme?: AuthScheme;
  placement?: Placement;
  signatureMethod?: SignatureMethod;
  credentials: OAuth1Credentials;
  retries?: number;
  timeoutMs?: number;
  tls?: TlsOptions;
  log?: (line: string) => void;
  /** TODO(merge): the client owner's src/lib/service.ts has these; only declared here to compile. */
  extraOrigins?: string[];
  maxResponseBytes?: number;
}

/** What a service's settings lack before anything can be sent, or undefined when complete. */
export function missingCredentials(credentials: Partial<OAuth1Credentials>): string | undefined {
  const missing: string[] = [];
  if (!credentials.consumerKey) missing.push('consumer key');
  if (!credentials.consumerSecret) missing.push('consumer secret');
  if (credentials.token && !credentials.tokenSecret) missing.push('token secret');
  return missing.length ? `${missing.join(' and ')} missing` : undefined;
}

/**
 * The client for one configured service: OAuth 1.0a signing, or for `scheme: "oauth2"` a
 * bearer token from `<baseUrl>/oauth2/token` with the consumer pair as client credentials.
 */
export function createServiceClient(settings: ServiceSettings): HttpClient {
  const { credentials } = settings;
  if (settings.scheme === 'oauth2') {
    let client: HttpClient | undefined;
    const authorizer = new ClientCredentialsAuthorizer(credentials.consumerKey, credentials.consumerSecret, (form) => {
      if (!client) throw new Error('client not ready');
      return client.request({
        method: 'POST',
        url: 'oauth2/token',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: form,
        responseType: 'json',
        authorize: false,
        sameOriginRedirectsOnly: true,
      });
    });
    client = new HttpClient({ ...settings, authorizer });
    return client;
  }
  const signer = new OAuth1Signer(credentials, { placement: settings.placement, signatureMethod: settings.signatureMethod });
  return new HttpClient({ ...settings, authorizer: new OAuth1Authorizer(signer) });
}
