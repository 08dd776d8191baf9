/**
 * The connection agents of one client: direct ones, and one pair per proxy and per TLS
 * override (`msg.rejectUnauthorized`), each kept alive and reused, all closed together.
 */
import http from 'node:http';
import https from 'node:https';
import { HttpsTunnelAgent, HttpTunnelAgent, proxyFor, toProxyUrl, type ProxyOptions, type ProxySettings } from './proxy';

export interface TlsOptions {
  ca?: string | Buffer | Array<string | Buffer>;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  servername?: string;
  rejectUnauthorized?: boolean;
}

/** How one request connects: through which proxy (undefined: the environment's), with which certificate check. */
export interface Route {
  /** A core `http proxy` node's settings (its credentials are used with `proxyUrl` too). */
  proxy?: ProxySettings;
  /** The proxy the caller chose, as `getProxyForUrl` gives it ('' for none); chosen here when undefined. */
  proxyUrl?: string;
  /** `msg.rejectUnauthorized`; ignored when the service has a TLS configuration of its own. */
  rejectUnauthorized?: boolean;
}

export interface Agents {
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
  /** The proxy this request goes through, or undefined when it goes directly. */
  proxy: URL | undefined;
}

/**
 * Kept-alive sockets, with the TCP keep-alive delay axios sets on every request's socket
 * (60 s). With the agent's own default (1 s), each request would set it back and forth: two
 * system calls per request.
 */
const KEEP_ALIVE = { keepAlive: true, keepAliveMsecs: 60_000 } as const;

/** More origins than a deploy plausibly talks to: the memo is cleared rather than grown past it. */
const MAX_REMEMBERED_ROUTES = 1_000;

export class AgentPool {
  private readonly pairs = new Map<string, Omit<Agents, 'proxy'>>();
  /**
   * The choice per origin and route, made once per client (a deploy), as the core node makes
   * it once for a fixed URL: the proxy environment is not read again for every request.
   */
  private readonly chosen = new Map<string, Agents>();

  /**
   * `tls` is the service's TLS configuration: when set, it alone decides the certificate check.
   * `proxyOptions` are Node-RED's `settings.proxyOptions`.
   */
  constructor(
    private readonly tls: TlsOptions | undefined,
    private readonly proxyOptions: ProxyOptions = {},
  ) {}

  /** True when `msg.rejectUnauthorized` turns the certificate check off for this route (no TLS configuration decides it). */
  certificateUnchecked(route: Route): boolean {
    return !this.tls && route.rejectUnauthorized === false;
  }

  /** The agents for a request to `url`: throws for a proxy URL that is not one. */
  for(url: string, route: Route = {}): Agents {
    const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url)?.[0] ?? url;
    const key = `${origin} ${route.proxy ? JSON.stringify(route.proxy) : ''} ${route.proxyUrl ?? '-'} ${String(route.rejectUnauthorized)}`;
    let agents = this.chosen.get(key);
    if (!agents) {
      if (this.chosen.size >= MAX_REMEMBERED_ROUTES) this.chosen.clear();
      agents = this.choose(url, route);
      this.chosen.set(key, agents);
    }
    return agents;
  }

  private choose(url: string, route: Route): Agents {
    const proxy = route.proxyUrl === undefined ? proxyFor(new URL(url), route.proxy, this.proxyOptions) : toProxyUrl(route.proxyUrl, route.proxy);
    const tls: TlsOptions = { ...this.tls };
    if (!this.tls && route.rejectUnauthorized !== undefined) tls.rejectUnauthorized = route.rejectUnauthorized;
    const key = `${proxy?.href ?? ''} ${tls.rejectUnauthorized === false ? 'lax' : ''}`;
    let pair: Omit<Agents, 'proxy'> | undefined = this.pairs.get(key);
    if (!pair) {
      pair = proxy
        ? { httpAgent: new HttpTunnelAgent(proxy, KEEP_ALIVE), httpsAgent: new HttpsTunnelAgent(proxy, { ...KEEP_ALIVE, ...tls }) }
        : { httpAgent: new http.Agent(KEEP_ALIVE), httpsAgent: new https.Agent({ ...KEEP_ALIVE, ...tls }) };
      this.pairs.set(key, pair);
    }
    return { ...pair, proxy };
  }

  destroy(): void {
    for (const pair of this.pairs.values()) {
      pair.httpAgent.destroy();
      pair.httpsAgent.destroy();
    }
    this.pairs.clear();
    this.chosen.clear();
  }
}
