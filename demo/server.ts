/**
 * A local stand-in for the two services this package talks to, for `npm start` and tests.
 * It checks every OAuth 1.0a signature for real (demo/verify.ts) and answers like:
 *
 * - Extra Horizon, base URL `<url>`: `GET /users/v1/me` (3-legged).
 * - Alteryx Gallery API v1, base URL `<url>/gallery/api` (1-legged OAuth 1.0a).
 * - Alteryx Server 2022.1+, base URL `<url>/webapi` (OAuth 2 client credentials): the v1 routes,
 *   and Server API V3's job list (`GET v3/jobs`), job and cancel (`DELETE v3/jobs/{jobId}`).
 * - NetSuite-like (realm), Jira-like (RSA-SHA1) and body-hash routes: demo/presets.ts. The
 *   NetSuite-like routes share an account concurrency limit (`netsuiteConcurrency`, default 5)
 *   counted here, from a request's arrival until its answer is sent; each takes `netsuiteServiceMs`.
 * - X-like `GET <url>/x/2/users/me` with X's `x-rate-limit-*` window, and IETF-like
 *   `GET <url>/ietf/items` with `RateLimit-*` and `Retry-After`: demo/rate-limited.ts.
 *
 * The limits run on the demo clock and the global timers, so a test's fake clock moves them.
 *
 * Dev tooling only: it is not part of the published package.
 */
import type { KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { AlteryxGallery, DEFAULT_JOB_TIMING, alteryxError, type JobTiming, type RouteInput } from './alteryx';
import { DEMO_CREDENTIALS, type DemoCredentials } from './credentials';
import { exhAuthError, exhError, type ExhErrorKind } from './extrahorizon';
import { jsonReply, mediaType, readBody, type Reply } from './http';
import { ConcurrencyLimit, sleep, type RateWindowOptions } from './limits';
import { RateLimitedServices, type IetfWindowOptions } from './rate-limited';
import { BearerTokens, bearerRefused, tokenEndpoint } from './webapi';
import { NonceStore, OAuth1Verifier, requestUrl } from './verify';
import { demoKeyPair, netsuiteLimitRefusal, presetRoute } from './presets';
import { DemoTokens } from './tokens';

export interface DemoOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  credentials?: Readonly<DemoCredentials>;
  jobTiming?: Partial<JobTiming>;
  /** Shifts the server clock: the `Date` header, the timestamp check, token expiry and job dates. */
  clockOffsetMs?: number;
  /**
   * False: no `Date` header, as behind gateways that strip it. A client then cannot learn
   * the server's clock, so a timestamp off by the clock offset is refused for good.
   */
  sendDate?: boolean;
  /** Lifetime of OAuth 2 bearer tokens under /webapi; fractions allowed for tests. */
  tokenLifetimeSeconds?: number;
  /**
   * Requests the NetSuite-like account serves at once, REST and RESTlet together (default 5, as
   * low as NetSuite's per-user RESTlet limit, so a burst shows it; 0: no limit). Beyond it, REST
   * answers 429 CONCURRENCY_LIMIT_EXCEEDED and the RESTlet 400 SSS_REQUEST_LIMIT_EXCEEDED.
   */
  netsuiteConcurrency?: number;
  /** How long the NetSuite-like account takes to answer each request (default 50 ms), so requests overlap. */
  netsuiteServiceMs?: number;
  /** The window of `GET /x/2/users/me` (default X's own: 75 per 900 s). */
  xRateWindow?: Partial<RateWindowOptions>;
  /** The window of `GET /ietf/items` (default 60 per 60 s), and what its 429 asks for. */
  ietfRateWindow?: Partial<IetfWindowOptions>;
  /** Called after each response; the CLI prints it. Paths come without `oauth_*` query pairs. */
  onRequest?: (record: DemoRequestRecord) => void;
}

export interface DemoRequestRecord {
  method: string;
  path: string;
  status: number;
}

export interface DemoStats {
  jobsStarted: number;
  tokensIssued: number;
  /** Requests refused for a limit: NetSuite's concurrency, the X-like and the IETF-like windows. */
  limitRefusals: number;
  /** NetSuite-like requests in flight now, and the most that ever were at once. */
  netsuiteInFlight: number;
  netsuitePeakInFlight: number;
  /** The latest requests (at most 1000), oldest first. */
  requests: DemoRequestRecord[];
}

export interface DemoServer {
  /** `http://127.0.0.1:<port>`, also the Extra Horizon base URL. */
  url: string;
  port: number;
  baseUrls: { extraHorizon: string; gallery: string; webapi: string; netsuite: string; jira: string; bodyHash: string; x: string; ietf: string };
  /** PEM private key of the RSA key pair made at start (Jira-like route); handed to Node-RED in an environment variable. */
  rsaPrivateKey: string;
  stats: DemoStats;
  close(): Promise<void>;
}

const MAX_RECORDED_REQUESTS = 1000;
const DEFAULT_NETSUITE_CONCURRENCY = 5;
const DEFAULT_NETSUITE_SERVICE_MS = 50;

type Service = 'extraHorizon' | 'gallery' | 'webapi';

/** The request target without its `oauth_*` query pairs: the stats show where a request went, not its signature. */
function withoutOAuthParameters(target: string): string {
  const [path = '', query] = target.split(/\?(.*)/s);
  if (query === undefined) return path;
  const kept = query.split('&').filter((part) => !/^oauth_/i.test(part));
  return kept.length ? `${path}?${kept.join('&')}` : path;
}

/** Which service a raw path belongs to decides the shape of every error, 400 and 413 included. */
function serviceOf(rawPath: string): Service {
  if (/^\/gallery\/api(\/|$)/i.test(rawPath)) return 'gallery';
  if (/^\/webapi(\/|$)/i.test(rawPath)) return 'webapi';
  return 'extraHorizon';
}

function serviceError(service: Service, kind: ExhErrorKind, message: string): Reply {
  if (service === 'extraHorizon') {
    const { status, body } = exhError(kind, message);
    return jsonReply(status, body);
  }
  const { status } = exhError(kind, message);
  return alteryxError(status, message);
}

/** The 401 body Alteryx Gallery sends for any OAuth 1 failure; only the inner message varies. */
function galleryUnauthorized(reason: string): Reply {
  return jsonReply(401, {
    data: null,
    exceptionName: 'UnauthorizedException',
    innerExceptionMessage: reason,
    message: 'The provided signature(oauth_signature) is invalid.',
  });
}

function decodeSegments(rawPath: string): string[] | undefined {
  try {
    return rawPath
      .split('/')
      .slice(1)
      .map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

/** What the demo keeps across requests. */
interface DemoState {
  credentials: Readonly<DemoCredentials>;
  now: () => number;
  stats: DemoStats;
  verifier: OAuth1Verifier;
  demoTokens: DemoTokens;
  gallery: AlteryxGallery;
  bearerTokens: BearerTokens;
  netsuiteLimit: ConcurrencyLimit;
  netsuiteServiceMs: number;
  rateLimited: RateLimitedServices;
  /** `host:port` for a request without a Host header, known once the server listens. */
  fallbackHost: string;
}

type Outcome = { reply: Reply; closeConnection?: boolean };

/** A request read and decoded, as the service routes need it. */
interface DemoRequest {
  method: string;
  rawPath: string;
  /** The path's segments, percent-decoded. */
  segments: string[];
  url: string;
  authorization: string | undefined;
  formBody: string | undefined;
  input: RouteInput;
}

function demoState(options: DemoOptions, publicKey: KeyObject): DemoState {
  const credentials = options.credentials ?? DEMO_CREDENTIALS;
  const clockOffsetMs = options.clockOffsetMs ?? 0;
  const now = (): number => Date.now() + clockOffsetMs;
  const stats: DemoStats = { jobsStarted: 0, tokensIssued: 0, limitRefusals: 0, netsuiteInFlight: 0, netsuitePeakInFlight: 0, requests: [] };
  const netsuiteConcurrency = options.netsuiteConcurrency ?? DEFAULT_NETSUITE_CONCURRENCY;
  const netsuiteServiceMs = options.netsuiteServiceMs ?? DEFAULT_NETSUITE_SERVICE_MS;
  if (!Number.isInteger(netsuiteConcurrency) || netsuiteConcurrency < 0) throw new RangeError('netsuiteConcurrency is a whole number, 0 or more');
  if (!(netsuiteServiceMs >= 0 && Number.isFinite(netsuiteServiceMs))) throw new RangeError('netsuiteServiceMs is 0 or more');
  // Tokens of the 3-legged dance and Extra Horizon's sign-in (demo/tokens.ts) sign like the fixed demo token.
  const demoTokens = new DemoTokens(now);
  const timing: JobTiming = { ...DEFAULT_JOB_TIMING, ...options.jobTiming };
  return {
    credentials,
    now,
    stats,
    verifier: new OAuth1Verifier({ credentials, now, nonces: new NonceStore(), issuedTokens: demoTokens, publicKey }),
    demoTokens,
    gallery: new AlteryxGallery(timing, now, () => {
      stats.jobsStarted += 1;
    }),
    bearerTokens: new BearerTokens(options.tokenLifetimeSeconds ?? 3600, now),
    netsuiteLimit: new ConcurrencyLimit(netsuiteConcurrency),
    netsuiteServiceMs,
    rateLimited: new RateLimitedServices({ x: options.xRateWindow, ietf: options.ietfRateWindow }, now, () => {
      stats.limitRefusals += 1;
    }),
    fallbackHost: '127.0.0.1',
  };
}

/** Reads and decodes a request, or the error its service answers when it cannot be read. */
async function readRequest(state: DemoState, req: IncomingMessage): Promise<DemoRequest | Outcome> {
  const target = req.url ?? '/';
  const method = (req.method ?? 'GET').toUpperCase();
  const queryStart = target.indexOf('?');
  const rawPath = queryStart < 0 ? target : target.slice(0, queryStart);
  const rawQuery = queryStart < 0 ? '' : target.slice(queryStart + 1);
  const service = serviceOf(rawPath);

  if (!rawPath.startsWith('/')) return { reply: serviceError(service, 'fieldFormat', 'The request target must be a path.') };
  const body = await readBody(req);
  if (body.kind === 'too_large') {
    return {
      reply: serviceError(service, 'bodyTooLarge', 'The request body is larger than 1 MB.'),
      closeConnection: body.closeConnection,
    };
  }
  const segments = decodeSegments(rawPath);
  if (!segments) return { reply: serviceError(service, 'fieldFormat', 'The request path is not valid percent-encoding.') };
  let url: string;
  try {
    url = requestUrl(req.headers.host, target, state.fallbackHost);
  } catch {
    return { reply: serviceError(service, 'fieldFormat', 'The Host header is not a valid host.') };
  }
  const contentType = req.headers['content-type'];
  const formBody = mediaType(contentType) === 'application/x-www-form-urlencoded' ? body.body.toString('utf8') : undefined;
  const input: RouteInput = { query: new URLSearchParams(rawQuery), body: body.body, contentType };
  return { method, rawPath, segments, url, authorization: req.headers.authorization, formBody, input };
}

async function route(state: DemoState, req: IncomingMessage): Promise<Outcome> {
  const request = await readRequest(state, req);
  if ('reply' in request) return request;
  const { method, segments, url, authorization, formBody, input } = request;
  const signed = { method, url, authorization, formBody, body: input.body };
  const presetReply = presetRoute({ method, segments, query: input.query, signed, contentType: input.contentType }, state.verifier);
  if (presetReply) return { reply: presetReply };
  const limitedReply = state.rateLimited.route({ method, segments, signed }, state.verifier);
  if (limitedReply) return { reply: limitedReply };
  const service = serviceOf(request.rawPath);
  if (service === 'extraHorizon') return { reply: extraHorizonRoute(state, request) };
  // Alteryx routes end in a slash; without it they are the same route.
  const alteryxSegments = segments[segments.length - 1] === '' ? segments.slice(0, -1) : segments;
  return { reply: service === 'gallery' ? galleryRoute(state, request, alteryxSegments) : webapiRoute(state, request, alteryxSegments) };
}

function extraHorizonRoute(state: DemoState, request: DemoRequest): Reply {
  const { method, rawPath, segments, url, authorization, formBody, input } = request;
  const tokenReply = state.demoTokens.route(
    { method, path: rawPath, url, query: input.query, authorization, formBody, body: input.body, contentType: input.contentType },
    state.verifier,
  );
  if (tokenReply) return tokenReply;
  const isMe = segments.length === 3 && segments[0] === 'users' && segments[1] === 'v1' && segments[2] === 'me';
  if (!isMe || method !== 'GET') return serviceError('extraHorizon', 'resourceUnknown', `No resource ${method} ${rawPath}.`);
  const verdict = state.verifier.verify({ method, url, authorization, formBody }, { requireToken: true });
  if (!verdict.ok) {
    const { status, body: errorBody } = exhAuthError(verdict.reason, verdict.message);
    return jsonReply(status, errorBody);
  }
  return jsonReply(200, state.demoTokens.userOf(verdict.token));
}

function galleryRoute(state: DemoState, request: DemoRequest, segments: string[]): Reply {
  const { method, url, authorization, formBody, input } = request;
  if (segments[2] !== 'v1') return alteryxError(404, 'No HTTP resource was found that matches the request URI.');
  const match = state.gallery.resolve(method, segments.slice(3));
  if (match.kind === 'reply') return match.reply;
  // 1-legged: a token is not needed, but one that is sent must be known and signed with its secret.
  const verdict = state.verifier.verify({ method, url, authorization, formBody }, { requireToken: false });
  if (!verdict.ok) return galleryUnauthorized(verdict.message);
  return match.run(input);
}

function webapiRoute(state: DemoState, request: DemoRequest, segments: string[]): Reply {
  const { method, authorization, input } = request;
  if (segments.length === 3 && segments[1] === 'oauth2' && segments[2] === 'token') {
    return tokenEndpoint({ method, body: input.body, contentType: input.contentType, authorization }, state.credentials, state.bearerTokens, () => {
      state.stats.tokensIssued += 1;
    });
  }
  if (segments[1] !== 'v1' && segments[1] !== 'v3') return alteryxError(404, 'No HTTP resource was found that matches the request URI.');
  const match = segments[1] === 'v3' ? state.gallery.resolveV3(method, segments.slice(2)) : state.gallery.resolve(method, segments.slice(2));
  if (match.kind === 'reply') return match.reply;
  const check = state.bearerTokens.check(authorization);
  if (check !== 'valid') return bearerRefused(check);
  return match.run(input);
}

function record(state: DemoState, options: DemoOptions, entry: DemoRequestRecord): void {
  state.stats.requests.push(entry);
  if (state.stats.requests.length > MAX_RECORDED_REQUESTS) state.stats.requests.shift();
  options.onRequest?.(entry);
}

/** A request's place under the NetSuite-like account's concurrency limit, taken on its arrival. */
type Admission = { kind: 'unlimited' } | { kind: 'held' } | { kind: 'refused'; reply: Reply };

function admit(state: DemoState, target: string): Admission {
  const queryStart = target.indexOf('?');
  // Decoded, as the routes decode it: a percent-encoded path reaches the same route, so the same limit.
  const segments = decodeSegments(queryStart < 0 ? target : target.slice(0, queryStart));
  if (segments?.[0] !== 'netsuite') return { kind: 'unlimited' };
  const limit = state.netsuiteLimit;
  if (!limit.tryEnter()) {
    state.stats.limitRefusals += 1;
    return { kind: 'refused', reply: netsuiteLimitRefusal(segments, limit.limit) };
  }
  state.stats.netsuiteInFlight = limit.current;
  state.stats.netsuitePeakInFlight = limit.peak;
  return { kind: 'held' };
}

async function answer(state: DemoState, req: IncomingMessage, admission: Admission): Promise<Outcome> {
  try {
    if (admission.kind === 'refused') {
      // The body is read all the same, so that the connection can carry the next request.
      const body = await readBody(req);
      return { reply: admission.reply, closeConnection: body.kind === 'too_large' && body.closeConnection };
    }
    const outcome = await route(state, req);
    // Each request takes its time, so that requests overlap as they do on a busy account.
    if (admission.kind === 'held' && state.netsuiteServiceMs > 0) await sleep(state.netsuiteServiceMs);
    return outcome;
  } catch {
    // Never a stack trace or request data in the answer: it could hold credentials.
    return { reply: serviceError(serviceOf(req.url ?? '/'), 'internal', 'The demo server failed to answer.') };
  }
}

function send(state: DemoState, options: DemoOptions, req: IncomingMessage, res: ServerResponse, outcome: Outcome): void {
  const { reply, closeConnection } = outcome;
  res.statusCode = reply.status;
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  // Set explicitly, so the demo clock (clockOffsetMs) shows instead of Node's.
  if (options.sendDate === false) res.sendDate = false;
  else res.setHeader('Date', new Date(state.now()).toUTCString());
  res.setHeader('Content-Type', reply.contentType);
  res.setHeader('Content-Length', reply.body.length);
  if (closeConnection) {
    res.setHeader('Connection', 'close');
    res.on('finish', () => req.socket.destroy());
  }
  res.end(reply.body);
  record(state, options, { method: req.method ?? '', path: withoutOAuthParameters(req.url ?? ''), status: reply.status });
}

async function handle(state: DemoState, options: DemoOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const admission = admit(state, req.url ?? '/');
  try {
    send(state, options, req, res, await answer(state, req, admission));
  } finally {
    // In flight until the answer is sent: a client that reads it and sends the next request finds the place free.
    if (admission.kind === 'held') {
      state.netsuiteLimit.leave();
      state.stats.netsuiteInFlight = state.netsuiteLimit.current;
    }
  }
}

/** Listens on `host:port` (0: a free port) and resolves to the port it got. */
async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the demo server listens on no TCP port');
  return address.port;
}

export async function startDemoServer(options: DemoOptions = {}): Promise<DemoServer> {
  // RSA-SHA* requests verify with the public key of a key pair made now, never stored.
  const keyPair = demoKeyPair();
  const state = demoState(options, keyPair.publicKey);
  const server = createServer((req, res) => {
    void handle(state, options, req, res);
  });
  server.on('clientError', (_error: Error, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  state.fallbackHost = `${urlHost}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    baseUrls: {
      extraHorizon: url,
      gallery: `${url}/gallery/api`,
      webapi: `${url}/webapi`,
      netsuite: `${url}/netsuite/services/rest`,
      jira: `${url}/jira`,
      bodyHash: `${url}/body-hash`,
      x: `${url}/x`,
      ietf: `${url}/ietf`,
    },
    rsaPrivateKey: keyPair.privateKeyPem,
    stats: state.stats,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections (fetch keeps them) would hold close() open for seconds.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
