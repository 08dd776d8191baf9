/**
 * A local HTTPS (or plain HTTP) server that records, for each request, the Host header and
 * the TLS server name (SNI) the client asked for. Its self-signed certificate, made with
 * the Debian openssl, is valid for `localhost` and `other.test`: a shared front end that
 * serves two tenants, as a CDN or an ingress does.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type tls from 'node:tls';

export interface SeenRequest {
  host: string | undefined;
  /** The SNI name; undefined over plain HTTP or when none was sent. */
  servername: string | undefined;
  authorization: string | undefined;
  url: string;
}

export interface RecordingServer {
  url: string;
  port: number;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export interface SelfSigned {
  cert: string;
  key: string;
}

/** A certificate for `localhost` and `other.test` (EC P-256: made in a few milliseconds). */
export function selfSignedCertificate(): SelfSigned {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth1-tls-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,DNS:other.test',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
    return { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts a server on 127.0.0.1 that answers 200 `{}` and records what it got; HTTPS when given a certificate. */
export async function startRecordingServer(certificate?: SelfSigned): Promise<RecordingServer> {
  const seen: SeenRequest[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    seen.push({
      host: req.headers.host,
      servername: (req.socket as tls.TLSSocket).servername || undefined,
      authorization: req.headers.authorization,
      url: req.url ?? '',
    });
    req.resume();
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
  };
  const server = certificate ? https.createServer(certificate, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `${certificate ? 'https' : 'http'}://localhost:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
