/**
 * A loopback HTTPS server with a certificate made for this test run (tls-server.ts's, for
 * `localhost`): it records each request whole and answers 200 with `{ok: true}`.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { EchoedRequest } from './echo-server';
import { selfSignedCertificate, type SelfSigned } from './tls-server';

export interface TlsServer {
  /** `https://localhost:port` */
  url: string;
  port: number;
  /** The self-signed certificate, to trust as a CA. */
  cert: string;
  requests: EchoedRequest[];
  close(): Promise<void>;
}

let made: SelfSigned | undefined;

/** The key and certificate of this run, made once. */
export function certificate(): SelfSigned {
  made ??= selfSignedCertificate();
  return made;
}
export async function startTlsServer(): Promise<TlsServer> {
  const { key, cert } = certificate();
  const requests: EchoedRequest[] = [];
  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://localhost:${port}`,
    port,
    cert,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
