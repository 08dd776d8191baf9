/**
 * Which proxy a request goes through, decided per request as the core http request node
 * decides it (its lib/proxyHelper.js, after Rob Wu's proxy-from-env, MIT), and the agents
 * that tunnel through it. Every request, http or https, tunnels with CONNECT (as the core
 * node's hpagent does): an https request's credentials reach the proxy only encrypted.
 * axios's own proxy support is never used: it sends an https request to an http proxy in
 * clear, signature and all.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { isHttp } from './urls';

/** A core `http proxy` config node's settings: its URL, its "ignore hosts" and its credentials. */
export interface ProxySettings {
  url: string;
  noProxy?: readonly string[];
  username?: string;
  password?: string;
}

type Env = Record<string, string | undefined>;

/** Node-RED's `settings.proxyOptions`, read as the core node's proxy helper reads them. */
export interface ProxyOptions {
  /** `legacy`: Node-RED 3.0's rules (`http_proxy` for every scheme, `no_proxy` entries found anywhere in the URL). */
  mode?: 'strict' | 'legacy';
  favourUpperCase?: boolean;
  lowerCaseOnly?: boolean;
  /** `npm_config_*_proxy` not read. */
  excludeNpm?: boolean;
  /** The variables to read instead of the process's: a proxy config node's, see {@link proxyNodeEnv}. */
  env?: Env;
}

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };

/** `settings.proxyOptions` with only what it may hold; anything else in it is ignored. */
export function proxyOptionsOf(value: unknown): ProxyOptions {
  if (typeof value !== 'object' || value === null) return {};
  const options: ProxyOptions = {};
  const mode: unknown = Reflect.get(value, 'mode');
  if (mode === 'strict' || mode === 'legacy') options.mode = mode;
  for (const flag of ['favourUpperCase', 'lowerCaseOnly', 'excludeNpm'] as const) if (Reflect.get(value, flag) === true) options[flag] = true;
  return options;
}

/** `name` from the environment: lower case first, then upper case, unless the options say otherwise. */
function envValue(env: Env, name: string, options: ProxyOptions): string {
  if (options.excludeNpm && name.startsWith('npm_config_')) return '';
  if (options.lowerCaseOnly) return env[name.toLowerCase()] || '';
  if (options.favourUpperCase) return env[name.toUpperCase()] || env[name.toLowerCase()] || '';
  return env[name.toLowerCase()] || env[name.toUpperCase()] || '';
}

/** False when `no_proxy` names this host (exactly, by suffix with a leading `.` or `*`, or `*` for all), port included when given. */
export function shouldProxy(hostname: string, port: number, noProxy: string): boolean {
  const list = noProxy.toLowerCase();
  if (!list) return true;
  if (list === '*') return false;
  return list.split(/[,\s]/).every((entry) => {
    if (!entry) return true;
    const withPort = /^(.+):(\d+)$/.exec(entry);
    let host = withPort ? withPort[1] : entry;
    if (withPort && Number(withPort[2]) !== port) return true;
    if (!/^[.*]/.test(host)) return hostname !== host;
    if (host.startsWith('*')) host = host.slice(1);
    return !hostname.endsWith(host);
  });
}

/** Node-RED 3.0's choice: `http_proxy` (upper case wins) unless a `no_proxy` entry appears anywhere in the URL. */
function legacyProxyForUrl(url: string, env: Env): string {
  const proxy = env.HTTP_PROXY || env.http_proxy || '';
  const noProxy = env.NO_PROXY || env.no_proxy;
  const excluded = noProxy ? noProxy.split(',').some((entry) => url.includes(entry.trim())) : false;
  return excluded ? '' : proxy;
}

/**
 * The proxy for `url` as the core node's `getProxyForUrl` gives it: its URL as written, or ''
 * to connect directly. Reads `http_proxy`, `https_proxy`, `all_proxy` and `no_proxy` (and
 * npm's `npm_config_*` forms), or `options.env` instead; `NR_PROXY_MODE` overrides the mode.
 */
export function getProxyForUrl(url: string, options: ProxyOptions = {}): string {
  const env = options.env ?? process.env;
  const override = envValue(process.env, 'NR_PROXY_MODE', {});
  const mode = override === 'legacy' || override === 'strict' ? override : options.mode;
  if (mode === 'legacy') return legacyProxyForUrl(url, env);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return '';
  }
  const scheme = target.protocol.replace(/:$/, '');
  // Brackets kept around IPv6 addresses, as no_proxy entries write them.
  const hostname = target.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number(target.port) || DEFAULT_PORTS[scheme] || 0;
  if (!hostname || !shouldProxy(hostname, port, envValue(env, 'npm_config_no_proxy', options) || envValue(env, 'no_proxy', options))) return '';
  const proxy =
    envValue(env, `npm_config_${scheme}_proxy`, options) ||
    envValue(env, `${scheme}_proxy`, options) ||
    envValue(env, 'npm_config_proxy', options) ||
    envValue(env, 'all_proxy', options);
  // A proxy without a scheme takes the request's.
  return proxy && !proxy.includes('://') ? `${scheme}://${proxy}` : proxy;
}

/** The environment a core `http proxy` config node stands for, as the core node builds it. */
export function proxyNodeEnv(settings: ProxySettings): Env {
  return { no_proxy: (settings.noProxy ?? []).join(','), http_proxy: settings.url, https_proxy: settings.url };
}

/**
 * A proxy URL as messages quote it: everything before its last `@` (the user information,
 * whose password may hold `/`, `?`, `#` or `@` unencoded) as `…`. Textual, so that it holds
 * for a URL that does not parse too.
 */
export function withoutUserInfo(proxy: string): string {
  const at = proxy.lastIndexOf('@');
  if (at < 0) return proxy;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(proxy)?.[0] ?? '';
  return `${scheme}…${proxy.slice(at)}`;
}

/**
 * A proxy as {@link getProxyForUrl} gives it, as a URL with the proxy node's credentials, or
 * undefined for none; throws for one that is no http(s) URL.
 */
export function toProxyUrl(proxy: string, settings?: ProxySettings): URL | undefined {
  if (!proxy) return undefined;
  let url: URL;
  try {
    url = new URL(proxy.includes('://') ? proxy : `http://${proxy}`);
  } catch {
    throw new Error(`the proxy URL "${withoutUserInfo(proxy)}" is not a URL`);
  }
  if (!isHttp(url)) throw new Error(`the proxy URL must be http or https, not ${url.protocol}`);
  if (settings?.username || settings?.password) {
    url.username = encodeURIComponent(settings.username ?? '');
    url.password = encodeURIComponent(settings.password ?? '');
  }
  return url;
}

/**
 * The proxy for `target`, or undefined to connect directly: with a proxy config node its URL
 * and "ignore hosts", otherwise the environment, as the core node chooses.
 */
export function proxyFor(target: URL, settings?: ProxySettings, options: ProxyOptions = {}): URL | undefined {
  return toProxyUrl(getProxyForUrl(target.href, settings ? { ...options, env: proxyNodeEnv(settings) } : options), settings);
}

/** The proxy's own `Proxy-Authorization`, from its URL's user information. */
function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  return `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
}

/** What http.Agent's createConnection calls back with; on an error Node ignores the socket. */
type ConnectionCallback = (error: Error | null, socket: Duplex) => void;
type TunnelCallback = (error: Error | null, socket: Duplex | null) => void;

/** Adapts a tunnel's answer to the agent's callback: an unconnected socket stands in on an error. */
function toAgentCallback(callback: ConnectionCallback | undefined, wrap: (socket: Duplex) => Duplex = (socket) => socket): TunnelCallback {
  return (error, socket) => {
    if (!callback) return socket?.destroy();
    if (error || !socket) return callback(error ?? new Error('no tunnel'), new net.Socket());
    callback(null, wrap(socket));
  };
}

/** Opens a CONNECT tunnel to `host:port` through the proxy; the callback gets the raw socket. */
function openTunnel(proxy: URL, host: string, port: number, keepAlive: boolean, callback: TunnelCallback): void {
  const authority = `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
  const authorization = proxyAuthorization(proxy);
  const request = (proxy.protocol === 'https:' ? https : http).request({
    method: 'CONNECT',
    host: proxy.hostname.replace(/^\[|\]$/g, ''),
    port: proxy.port || DEFAULT_PORTS[proxy.protocol.replace(/:$/, '')],
    path: authority,
    setHost: false,
    headers: { host: authority, connection: keepAlive ? 'keep-alive' : 'close', ...(authorization ? { 'proxy-authorization': authorization } : {}) },
    agent: false,
    servername: proxy.protocol === 'https:' ? proxy.hostname : undefined,
  });
  request.once('connect', (response, socket) => {
    request.removeAllListeners();
    socket.removeAllListeners();
    if (response.statusCode === 200) return callback(null, socket);
    socket.destroy();
    callback(Object.assign(new Error(`the proxy ${proxy.host} refused the tunnel: ${response.statusCode}`), { code: 'EPROXY' }), null);
  });
  request.once('error', (error) => {
    request.removeAllListeners();
    callback(error, null);
  });
  request.end();
}

/** Plain http through a CONNECT tunnel: the proxy relays bytes instead of reading requests. */
export class HttpTunnelAgent extends http.Agent {
  private readonly tunnelKeepAlive: boolean;

  constructor(
    private readonly proxy: URL,
    options: http.AgentOptions = {},
  ) {
    super(options);
    this.tunnelKeepAlive = options.keepAlive === true;
  }

  override createConnection(options: http.ClientRequestArgs, callback?: ConnectionCallback): Duplex | null | undefined {
    openTunnel(this.proxy, options.hostname ?? options.host ?? 'localhost', Number(options.port) || 80, this.tunnelKeepAlive, toAgentCallback(callback));
    return undefined;
  }
}

/** TLS inside a CONNECT tunnel: the proxy sees the host and port, never the request. */
export class HttpsTunnelAgent extends https.Agent {
  private readonly tunnelKeepAlive: boolean;

  constructor(
    private readonly proxy: URL,
    options: https.AgentOptions = {},
  ) {
    super(options);
    this.tunnelKeepAlive = options.keepAlive === true;
  }

  override createConnection(options: http.ClientRequestArgs, callback?: ConnectionCallback): Duplex | null | undefined {
    // https.Agent's own createConnection: TLS with the agent's options (CA, SNI of the target) over the tunnel.
    const secure = (socket: Duplex): Duplex => {
      const tlsOptions = { ...options, socket };
      return super.createConnection(tlsOptions) ?? socket;
    };
    openTunnel(
      this.proxy,
      options.hostname ?? options.host ?? 'localhost',
      Number(options.port) || 443,
      this.tunnelKeepAlive,
      toAgentCallback(callback, secure),
    );
    return undefined;
  }
}
