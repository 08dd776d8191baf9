// Loaded with `node --require` into the Node-RED process that scripts/node-red-env.ts starts
// (`npm start`, the runtime and browser tests): its HTTP server answers only requests
// addressed to this machine, from the pages it serves itself.
//
// - The `Host` header must name this machine: `localhost`, an address of 127.0.0.0/8, `[::1]`,
//   or the address the connection arrived on (with or without a port). A web page that rebinds
//   its own name to 127.0.0.1 (DNS rebinding) sends its own name, and is refused.
// - An `Origin` header, when there is one, must be the request's own origin (same host and
//   port as `Host`). A page of another site, which may post to 127.0.0.1 directly (Node-RED
//   answers its admin API with `Access-Control-Allow-Origin: *`) or open a websocket, which
//   no same-origin rule covers, sends its own origin, and is refused.
//
// Node-RED's middleware settings cannot do this for everything it serves: `httpAdminMiddleware`
// covers the admin API and the editor, `httpNodeMiddleware` only HTTP In nodes, and neither
// sees the editor's /comms websocket or Dashboard 2's socket.io, which take the server's
// `upgrade` (and socket.io its `request`) events before any Express app. So the check sits
// on the server itself, before any listener.
'use strict';
const http = require('node:http');
const net = require('node:net');

const REFUSED_HOST = 'Refused: this Node-RED answers only requests addressed to this machine (localhost, 127.0.0.1, [::1]).\n';
const REFUSED_ORIGIN = 'Refused: this Node-RED answers only requests from the pages it serves itself.\n';
/** The server events that carry a request and its response. */
const REQUEST_EVENTS = new Set(['request', 'checkContinue', 'checkExpectation']);

/** The `host[:port]` of a Host header, normalised as a URL's (lower case, IPv4 in dotted form), or undefined. */
function parseHost(value) {
  if (typeof value !== 'string' || value === '' || /[/?#@\\\s]/.test(value)) return undefined;
  try {
    return new URL(`http://${value}`);
  } catch {
    return undefined;
  }
}

/** Whether a URL's hostname names this machine, as reached through `socket`. */
function namesThisMachine(hostname, socket) {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  if (net.isIPv4(hostname) && hostname.startsWith('127.')) return true;
  const local = (socket.localAddress ?? '').replace(/^::ffff:(?=\d+\.)/, '');
  return local !== '' && hostname === (net.isIPv6(local) ? `[${local}]` : local);
}

/** Why a request is refused, or undefined when it may go on. */
function refusal(request) {
  const host = parseHost(request.headers.host);
  if (!host || !namesThisMachine(host.hostname, request.socket)) return REFUSED_HOST;
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  try {
    if (new URL(origin).host === host.host) return undefined;
  } catch {
    // "null" (a sandboxed or file page) or garbage: not this origin
  }
  return REFUSED_ORIGIN;
}

/** Makes `server` answer a refused request with 403 and a short text, before any listener sees it. */
function guard(server) {
  const emit = server.emit;
  server.emit = function (event, request, target, ...rest) {
    if (REQUEST_EVENTS.has(event) || event === 'upgrade') {
      const text = refusal(request);
      if (text !== undefined) {
        if (event === 'upgrade') {
          target.end(
            `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
          );
        } else {
          target.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), Connection: 'close' });
          target.end(text);
        }
        return true;
      }
    }
    return emit.call(this, event, request, target, ...rest);
  };
  return server;
}

const createServer = http.createServer;
http.createServer = function (...args) {
  return guard(createServer.apply(this, args));
};
