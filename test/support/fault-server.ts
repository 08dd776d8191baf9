/**
 * A local HTTP server that misbehaves on purpose: resets, hangs, 503s, 429s with
 * Retry-After, garbage and huge bodies, redirects, a clock an hour ahead. It records every
 * request it gets and checks, with its own small RFC 5849 verifier (none of src/lib),
 * that each attempt is signed for what was sent with a nonce never seen before.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';

export interface FaultCredentials {
  consumerKey: string;
  consumerSecret: string;
  token?: string;
  tokenSecret?: string;
}

export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The `oauth_*` parameters, from the Authorization header or the query. */
  oauth: Record<string, string>;
  placement: 'header' | 'query' | 'none';
  /** HMAC-SHA1 checked against the request as received; `unchecked` without credentials or for other methods. */
  signature: 'valid' | 'invalid' | 'absent' | 'unchecked';
  /** True when this nonce came with an earlier request: a replay the services refuse. */
  replayedNonce: boolean;
  receivedAt: number;
}

/** Answers one request. `now` is the server's clock (shifted by {@link clockAhead}). */
export type Fault = (request: RecordedRequest, res: http.ServerResponse, now: number) => void;

export interface FaultServer {
  /** `http://host:port` */
  url: string;
  host: string;
  port: number;
  requests: RecordedRequest[];
  /** The requests to one path, in order. */
  requestsTo(path: string): RecordedRequest[];
  /** The n-th request to `path` gets `faults[n]`; the last one answers every further request. */
  route(path: string, ...faults: Fault[]): void;
  /** Resolves when `count` requests reached `path`. */
  waitForRequests(path: string, count: number): Promise<void>;
  close(): Promise<void>;
}

/** RFC 3986 encoding as RFC 5849 §3.6 has it, written out again here rather than imported. */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function parseAuthorizationHeader(header: string | undefined): Record<string, string> | undefined {
  if (!header?.startsWith('OAuth ')) return undefined;
  const params: Record<string, string> = {};
  for (const match of header.slice(6).matchAll(/([A-Za-z0-9_%.~-]+)="([^"]*)"/g)) {
    params[decodeURIComponent(match[1])] = decodeURIComponent(match[2]);
  }
  return params;
}

function verifySignature(
  method: string,
  baseUri: string,
  pairs: Array<[string, string]>,
  oauth: Record<string, string>,
  credentials: FaultCredentials,
): 'valid' | 'invalid' | 'unchecked' {
  if (oauth.oauth_signature_method !== 'HMAC-SHA1') return 'unchecked';
  const all = pairs.filter(([key]) => key !== 'oauth_signature').map(([key, value]) => [rfc3986(key), rfc3986(value)] as const);
  all.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const parameterString = all.map(([key, value]) => `${key}=${value}`).join('&');
  const baseString = `${method.toUpperCase()}&${rfc3986(baseUri)}&${rfc3986(parameterString)}`;
  const key = `${rfc3986(credentials.consumerSecret)}&${rfc3986(credentials.token ? (credentials.tokenSecret ?? '') : '')}`;
  const expected = createHmac('sha1', key).update(baseString).digest('base64');
  return expected === oauth.oauth_signature ? 'valid' : 'invalid';
}

/**
 * Starts a fault server on `host` (127.0.0.1 by default; 127.0.0.2 is another origin on
 * the same machine, or `localhost` where 127.0.0.2 is not configured) and a random port.
 * With `credentials`, HMAC-SHA1 signatures are checked.
 */
export async function startFaultServer(options: { host?: string; credentials?: FaultCredentials } = {}): Promise<FaultServer> {
  const host = options.host ?? '127.0.0.1';
  const routes = new Map<string, Fault[]>();
  const requests: RecordedRequest[] = [];
  const seenNonces = new Set<string>();
  const sockets = new Set<net.Socket>();
  const waiters: Array<() => void> = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => undefined);
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
      const queryPairs = [...target.searchParams];
      const fromHeader = parseAuthorizationHeader(req.headers.authorization);
      const fromQuery = Object.fromEntries(queryPairs.filter(([key]) => key.startsWith('oauth_')));
      const oauth = fromHeader ?? fromQuery;
      const placement = fromHeader ? 'header' : Object.keys(fromQuery).length ? 'query' : 'none';
      let signature: RecordedRequest['signature'] = placement === 'none' ? 'absent' : 'unchecked';
      if (placement !== 'none' && options.credentials) {
        const pairs: Array<[string, string]> = [...queryPairs];
        if (fromHeader) pairs.push(...Object.entries(fromHeader).filter(([key]) => key !== 'realm'));
        if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
          pairs.push(...new URLSearchParams(body.toString('utf8')));
        }
        signature = verifySignature(req.method ?? 'GET', `${target.protocol}//${target.host}${target.pathname}`, pairs, oauth, options.credentials);
      }
      const nonce = oauth.oauth_nonce;
      const replayedNonce = nonce !== undefined && seenNonces.has(nonce);
      if (nonce !== undefined) seenNonces.add(nonce);
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        path: target.pathname,
        headers: req.headers,
        body,
        oauth,
        placement,
        signature,
        replayedNonce,
        receivedAt: Date.now(),
      };
      requests.push(recorded);
      for (const wake of waiters.splice(0)) wake();
      const faults = routes.get(target.pathname);
      if (!faults) {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"no such route"}');
        return;
      }
      const index = requests.filter((r) => r.path === target.pathname).length - 1;
      faults[Math.min(index, faults.length - 1)](recorded, res, Date.now());
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (address: string) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, address, () => {
        server.off('error', reject);
        resolve();
      });
    });
  let urlHost = host;
  try {
    await listen(host);
  } catch (error) {
    // macOS configures 127.0.0.1 only; "localhost" on it is another origin as well.
    if (host !== '127.0.0.2' || (error as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') throw error;
    await listen('127.0.0.1');
    urlHost = 'localhost';
  }
  const port = (server.address() as net.AddressInfo).port;

  return {
    url: `http://${urlHost}:${port}`,
    host: urlHost,
    port,
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    route: (path, ...faults) => {
      routes.set(path, faults);
    },
    waitForRequests: (path, count) =>
      new Promise((resolve) => {
        const check = () => {
          if (requests.filter((r) => r.path === path).length >= count) resolve();
          else waiters.push(check);
        };
        check();
      }),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// Faults. Each is one answer; routes chain them.

export function respond(status: number, body: string | Buffer = '', headers: Record<string, string> = {}): Fault {
  return (_request, res) => {
    res.writeHead(status, { 'Content-Type': 'text/plain', ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
    res.end(body);
  };
}

export function json(value: unknown, status = 200, headers: Record<string, string> = {}): Fault {
  return respond(status, JSON.stringify(value), { 'Content-Type': 'application/json', ...headers });
}

/** Echoes what the request looked like (never its Authorization header). */
export function echo(status = 200): Fault {
  return (request, res) =>
    json({ method: request.method, url: request.url, placement: request.placement, signature: request.signature }, status)(request, res, 0);
}

/** Closes the connection without a response (the client sees ECONNRESET / socket hang up). */
export function reset(): Fault {
  return (_request, res) => res.socket?.resetAndDestroy();
}

/** Sends the headers and a part of the body, then resets the connection (RST). */
export function resetMidBody(): Fault {
  return cutMidBody((socket) => socket.resetAndDestroy());
}

/** Sends the headers and a part of the body, then closes the connection (FIN), as a crashing server does. */
export function closeMidBody(): Fault {
  return cutMidBody((socket) => socket.destroy());
}

function cutMidBody(cut: (socket: net.Socket) => void): Fault {
  return (_request, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
    res.write('{"partial":');
    setTimeout(() => res.socket && cut(res.socket), 20);
  };
}

/** Accepts the request and never answers. */
export function hang(): Fault {
  return () => undefined;
}

export function redirect(location: string, status = 302): Fault {
  return respond(status, '', { Location: location });
}

/**
 * The server's clock `aheadMs` ahead: its Date header says so, and a timestamp more than
 * five minutes off its clock is refused with 401, as OAuth 1.0a services do.
 */
export function clockAhead(aheadMs: number, then: Fault): Fault {
  return (request, res, now) => {
    const serverNow = now + aheadMs;
    res.setHeader('Date', new Date(serverNow).toUTCString());
    const timestamp = Number(request.oauth.oauth_timestamp);
    if (!Number.isFinite(timestamp) || Math.abs(timestamp * 1000 - serverNow) > 300_000) {
      json({ code: 401, name: 'OAUTH_TIMESTAMP_EXCEPTION', message: 'timestamp out of the accepted window' }, 401)(request, res, serverNow);
      return;
    }
    then(request, res, serverNow);
  };
}

/** A body of `bytes` bytes: a JSON object with one long string, so that it parses. */
export function hugeJson(bytes: number): Fault {
  const filler = bytes - '{"data":""}'.length;
  const body = Buffer.alloc(bytes, 'x');
  body.write('{"data":"', 0);
  body.write('"}', bytes - 2);
  if (filler < 0) throw new RangeError('too small');
  return respond(200, body, { 'Content-Type': 'application/json' });
}
