/**
 * What the adapted core spec (scripts/adapt-core-spec.js) needs around it: the core modules
 * it loads (nr-test-utils resolves them in the Node-RED repo; here from the installed
 * @node-red/nodes), the `proxy` package's server (a small stand-in), a certificate made for
 * the run instead of the repo's test key, and `helper.load` given an OAuth1 service for
 * every `oauth1-request` node: the one thing a core flow needs to run this node.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { certificate } from '../support/https-echo-server';
import { ourNode } from '../support/node-red';

const CORE_PACKAGES = path.dirname(path.dirname(require.resolve('@node-red/nodes/package.json')));

/** `require("nr-test-utils").require(file)`: a file of a Node-RED package, here the installed one. */
export function core(file: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(CORE_PACKAGES, '..', file.startsWith('@node-red/') ? file : path.join('node-red', file.replace(/^node-red\//, ''))));
}

/**
 * Our proxy helper where the spec spies on the core node's (`lib/proxyHelper.js`): the same
 * `getProxyForUrl(url, options)`, which oauth1-request calls through its module as the core
 * node calls its own, once at deploy for its URL and per message for another.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const proxyHelper: unknown = require(path.join(__dirname, '..', '..', 'dist', 'lib', 'proxy.js'));

/** Our request node, registered with the config node it needs: what the spec loads as the core node. */
export function requestNode(RED: unknown): void {
  ourNode('oauth1-config')(RED);
  ourNode('oauth1-request')(RED);
}

let sslDir: string | undefined;
/** A file of a key and certificate for localhost, written for this run (the repo's test key is not copied). */
export function ssl(name: string): string {
  if (!sslDir) {
    sslDir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-parity-ssl-'));
    const { key, cert } = certificate();
    fs.writeFileSync(path.join(sslDir, 'server.key'), key);
    fs.writeFileSync(path.join(sslDir, 'server.crt'), cert);
  }
  return path.join(sslDir, name);
}

type ProxyServer = http.Server & { authenticate?: (req: http.IncomingMessage, callback: (error: Error | null, ok: boolean) => void) => void };

/** The `proxy` package (v1) as the spec uses it: forwards absolute-form requests and CONNECT tunnels, with optional `authenticate`. */
export function proxy(server: ProxyServer): ProxyServer {
  const allowed = (req: http.IncomingMessage, then: () => void, refuse: () => void): void => {
    if (!server.authenticate) return then();
    server.authenticate(req, (error, ok) => (error || !ok ? refuse() : then()));
  };
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    allowed(
      req,
      () => {
        const target = new URL(req.url ?? '');
        const upstream = http.request(
          { host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers },
          (answer) => {
            if (!res.headersSent) res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        req.pipe(upstream);
      },
      () => {
        res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="proxy"' });
        res.end();
      },
    );
  });
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    allowed(
      req,
      () => {
        const authority = req.url ?? '';
        const colon = authority.lastIndexOf(':');
        const upstream = net.connect(Number(authority.slice(colon + 1)), authority.slice(0, colon).replace(/^\[|\]$/g, ''), () => {
          socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
          if (head.length) upstream.write(head);
          socket.pipe(upstream);
          upstream.pipe(socket);
        });
        upstream.on('error', () => socket.destroy());
        socket.on('error', () => upstream.destroy());
      },
      () => socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"\r\n\r\n'),
    );
  });
  return server;
}

type FlowNode = Record<string, unknown> & { id: string; type: string };
type Load = (nodes: unknown, flow: FlowNode[], credentials?: unknown, callback?: unknown) => Promise<unknown>;

const SERVICE_ID = 'parity-service';

/**
 * Gives `helper.load` an OAuth1 service for the request nodes of a core flow: its origins are
 * the spec's servers (and any absolute URL in the flow), its retries 0 as the core node's,
 * and a `tls` the core flow set on the request node moves to it, where this package keeps it.
 */
export function withService(helper: { load: Load }, origins: () => string[]): () => void {
  const original = helper.load;
  const load = original.bind(helper);
  helper.load = (nodes, flow, credentials, callback) => {
    if (typeof credentials === 'function') [credentials, callback] = [{}, credentials];
    const requests = flow.filter((node) => node.type === 'oauth1-request');
    if (!requests.length) return load(nodes, flow, credentials, callback);
    const urls = [...origins(), ...requests.map((node) => (typeof node.url === 'string' ? node.url : ''))];
    const found = new Set(urls.map((url) => /^https?:\/\/[^/?#]+/i.exec(url)?.[0]).filter((origin): origin is string => Boolean(origin)));
    const [baseUrl, ...extra] = [...found];
    const tls = requests.map((node) => node.tls).find(Boolean);
    const service = { id: SERVICE_ID, type: 'oauth1-config', baseUrl, extraOrigins: extra.join(','), retries: 0, ...(tls ? { tls } : {}) };
    const adapted = flow.map((node) => (node.type === 'oauth1-request' ? { ...node, server: SERVICE_ID } : node));
    const allCredentials = { ...(credentials as object), [SERVICE_ID]: { consumerKey: 'core-parity-key', consumerSecret: 'core-parity-secret' } };
    return load(nodes, [...adapted, service], allCredentials, callback);
  };
  return () => {
    helper.load = original;
    if (sslDir) fs.rmSync(sslDir, { recursive: true, force: true });
    sslDir = undefined;
  };
}
