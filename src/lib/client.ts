/**
 * The one HTTP client of the package (axios underneath). Every node sends through it, so
 * every node gets the same URL joining, per-attempt signing, retries, timeouts, redirect
 * handling, clock-skew correction and error shaping.
 */
import axios, { AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import { AgentPool, type Agents, type Route, type TlsOptions } from './agents';
import type { AuthorizedAttempt, RequestAuthorizer } from './authorizer';
import { bareSecretProblem, type BareSecret } from './bare-secrets';
import {
  againAfterLimit,
  CLOCK_SKEW_TOLERANCE_MS,
  followRedirect,
  refreshCredentials,
  rememberHop,
  resignForClock,
  retryAfterFailure,
  retryAfterStatus,
  RETRYABLE_NETWORK_CODES,
  takeHop,
  type Exchange,
  type RetryPolicy,
} from './client-decisions';
import { deleteHeader, headerValue } from './headers';
import { dropHostHeader } from './host-header';
import { positiveNumber } from './numbers';
import { withoutProtocolParameters, type SigningRecord } from './oauth1';
import type { ProxyOptions, ProxySettings } from './proxy';
import { pauseOrdered, rateLimitReport, type RateLimitReport } from './rate-limit-headers';
import { redactResponse, SecretList } from './redact';
import { encodeBody, isFormContentType, normalizeHeaders } from './request-body';
import { aborted, RequestError } from './request-error';
import { decodeResponse, firstHeader, type ClientResponse, type ResponseType } from './response';
import { DEFAULT_MAX_RESPONSE_MB, DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, HTTP_METHODS, MEGABYTE } from './constants';
import { printable } from './text';
import { ServiceLimits, type Turn } from './service-limits';
import { MAX_TIMER_MS, sleep } from './time';
import { isHttp, joinUrl, originProblem, serviceOrigins, shownUrl } from './urls';

export type { ClientResponse, ResponseType } from './response';
export type { TlsOptions } from './agents';
// Kept for the browser test's import; its home is constants.ts.
export { HTTP_METHODS } from './constants';

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
  /** The service's limits, shared by every client of the service; none kept but a 429's pause when absent. */
  limits?: ServiceLimits;
  /** The service's own words for "too many at once" (NetSuite's concurrency refusal), besides 429. */
  isLimitRefusal?: (answer: { statusCode: number; data: Buffer }) => boolean;
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

/** Sent when a flow asks for them (msg.method), as the core node sends them; not offered in the dialog. */
const OTHER_METHODS = new Set(['TRACE']);
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The methods axios gives a form content type when the request names none. */
const AXIOS_FORM_DEFAULT_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** What a body with `credentialsInBody` holds: an OAuth 2 token request's client secret. */
const CLIENT_SECRET_IN_BODY: BareSecret = { sends: 'the token request sends the client secret itself' };
const DEFAULT_MAX_RESPONSE_BYTES = DEFAULT_MAX_RESPONSE_MB * MEGABYTE;

/**
 * The axios instance every request goes through, with the options that never change.
 * axios merges an instance's defaults into each request's config, key by key, and the stock
 * ones (a header object per method, nested option objects) cost a signed request dearly:
 * this instance keeps only the headers common to all methods (`Accept`). Without
 * `transitional` axios uses its own defaults; `env`, `timeout` and the XSRF names serve
 * browsers, form-data and fetch, which this client does not use.
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

/** The `code` of the Node.js error under an axios error (ECONNRESET…), if it has one. */
function systemCodeOf(cause: unknown): string | undefined {
  return typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
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
  private readonly limits: ServiceLimits;
  private readonly isLimitRefusal?: (answer: { statusCode: number; data: Buffer }) => boolean;
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
    this.limits = options.limits ?? new ServiceLimits({});
    this.isLimitRefusal = options.isLimitRefusal;
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
      const turn = await this.turn(exchange);
      try {
        answer = await this.attempt(exchange, signedWithOffsetMs);
      } catch (error) {
        const failure = error instanceof RequestError ? error : new RequestError(String(error), 'ENETWORK');
        const delay = retryAfterFailure(failure, exchange, this.policy);
        if (delay === undefined) throw failure;
        await this.retryIn(delay, exchange, failure.message);
        continue;
      } finally {
        turn.release();
      }
      const { status, headers, sentUrl } = answer;
      this.learnClock(exchange, firstHeader(headers, 'date'));
      const now = Date.now();
      const rateLimit = rateLimitReport(headers, now);
      if (rateLimit) this.limits.lastReport = rateLimit;
      if (await this.queuedAgain(exchange, answer, rateLimit, now)) continue;
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
      return this.responseOf<T>(exchange, answer, rateLimit);
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
    if (!isHttp(target)) {
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
      limitRefusals: 0,
      waitDeadline: Date.now() + this.limits.maxWaitMs,
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
    const formBody = body && isFormContentType(headerValue(exchange.headers, 'content-type')) ? body.toString('utf8') : undefined;
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

  /** The answer as the client hands it out: decoded as asked, a refusal diagnosed, the service's secrets cut out. */
  private responseOf<T>(exchange: Exchange, answer: Answer, rateLimit: RateLimitReport | undefined): ClientResponse<T> {
    const { status, headers, sentUrl } = answer;
    const decoded = decodeResponse(answer.data, exchange.responseType, status, exchange.method);
    const response = {
      statusCode: status,
      headers,
      body: decoded.body as T,
      bodyBytes: answer.data.length,
      ...(rateLimit ? { rateLimit } : {}),
      url: withoutProtocolParameters(sentUrl),
      jsonError: decoded.jsonError,
      attempts: exchange.attempts,
      redirects: exchange.redirectList,
      signing: answer.signing && this.authorizer.diagnose?.(answer.signing, { statusCode: status, headers, body: decoded.body }),
    };
    // A service may echo the request (a 401 quoting the Authorization header): no output carries its secrets.
    return redactResponse(response, this.secrets, { sourceText: decoded.sourceText, strict: status >= 400 });
  }

  /**
   * Heeds what the answer says of the service's limits: a pause it orders holds every request
   * of the service. After a limit's refusal (a 429, a 503 with Retry-After, the service's own
   * words) the request queues again, signed anew, unless that would pass Max wait: true then.
   */
  private async queuedAgain(exchange: Exchange, answer: Answer, rateLimit: RateLimitReport | undefined, now: number): Promise<boolean> {
    const { status, headers } = answer;
    const ordered = pauseOrdered(status, headers, now, rateLimit);
    if (ordered) this.limits.pause(ordered.until, ordered.reason);
    if (!(status === 429 || (status === 503 && ordered) || this.isLimitRefusal?.({ statusCode: status, data: answer.data }))) return false;
    const delay = againAfterLimit(exchange, this.limits.pauseLeft(), this.policy, now);
    if (delay === undefined) return false;
    exchange.limitRefusals++;
    this.log?.(`${exchange.method} ${shownUrl(exchange.url)}: ${ordered?.reason ?? `refused by a limit (${status})`}; queued again`);
    if (delay) await sleep(delay, exchange.signal);
    return true;
  }

  /** This attempt's turn under the service's limits; an abort while waiting is the request's abort. */
  private async turn(exchange: Exchange): Promise<Turn> {
    try {
      return await this.limits.acquire(exchange.signal);
    } catch (error) {
      if (exchange.signal?.aborted) throw aborted();
      throw error;
    }
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
