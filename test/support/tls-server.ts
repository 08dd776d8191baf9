/**
 * A loopback HTTPS server with a certificate made for this test run (openssl), for
 * `localhost` and 127.0.0.1: it records each request and answers 200 with what it got.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { EchoedRequest } from './echo-server';

export interface TlsServer {
  /** `https://localhost:port` */
  url: string;
  port: number;
  /** The self-signed certificate, to trust as a CA. */
  cert: string;
  requests: EchoedRequest[];
  close(): Promise<void>;
}

let made: { key: string; cert: string } | undefined;

/** A key and self-signed certificate for localhost and 127.0.0.1, made once per test run. */
export function certificate(): { key: string; cert: string } {
  if (made) return made;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth1-tls-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  made = { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') };
  fs.rmSync(dir, { recursive: true, force: true });
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
