/**
 * A loopback HTTP proxy that records everything it sees: CONNECT tunnels (and every byte
 * relayed through them) and absolute-form requests (forwarded like a plain proxy). Tests
 * search what it saw for secrets, and check that requests went through it at all.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RecordingProxy {
  /** `http://127.0.0.1:port` */
  url: string;
  /** `CONNECT host:port` lines and their Proxy-Authorization, in order. */
  connects: Array<{ authority: string; proxyAuthorization?: string }>;
  /** Request lines of absolute-form requests (`GET http://…`), which a tunnel never makes. */
  forwarded: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }>;
  /** Every byte seen, both directions, as latin1 text to search. */
  seen(): string;
  /** Forgets what was seen. */
  reset(): void;
  close(): Promise<void>;
}

export async function startRecordingProxy(options: { requireAuthorization?: string } = {}): Promise<RecordingProxy> {
  const chunks: Buffer[] = [];
  const connects: RecordingProxy['connects'] = [];
  const forwarded: RecordingProxy['forwarded'] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    forwarded.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    chunks.push(Buffer.from(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n`));
    const target = new URL(req.url ?? '');
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.pipe(upstream);
  });
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const authority = req.url ?? '';
    const proxyAuthorization = req.headers['proxy-authorization'];
    connects.push({ authority, proxyAuthorization });
    chunks.push(Buffer.from(`CONNECT ${authority}\n`));
    if (options.requireAuthorization && proxyAuthorization !== options.requireAuthorization) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
      return;
    }
    const [host, port] = [authority.slice(0, authority.lastIndexOf(':')).replace(/^\[|\]$/g, ''), Number(authority.slice(authority.lastIndexOf(':') + 1))];
    const upstream = net.connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      client.on('data', (chunk: Buffer) => chunks.push(chunk));
      upstream.on('data', (chunk: Buffer) => chunks.push(chunk));
      client.pipe(upstream);
      upstream.pipe(client);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connects,
    forwarded,
    seen: () => Buffer.concat(chunks).toString('latin1'),
    reset: () => {
      chunks.length = 0;
      connects.length = 0;
      forwarded.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
