/**
 * A loopback server that records every request and answers 401 with the request echoed
 * in an Extra Horizon-style error body, as careless services do: the stand-in for an
 * attacker's host (what reached it?) and for a service that copies secrets into errors.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface EchoServer {
  /** `http://127.0.0.1:port` */
  url: string;
  requests: EchoedRequest[];
  /** Everything received, as one string to search. */
  seen(): string;
  close(): Promise<void>;
}

export async function startEchoServer(): Promise<EchoServer> {
  const requests: EchoedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      requests.push(recorded);
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 109, name: 'OAUTH_SIGNATURE_EXCEPTION', message: `you sent ${JSON.stringify(recorded)}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    seen: () => JSON.stringify(requests),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
