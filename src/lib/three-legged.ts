/**
 * The pieces of the 3-legged OAuth 1.0a dance (RFC 5849 §2) that the editor's "Get token"
 * needs and that know nothing of Node-RED: token answers, the callback address rule, and
 * the pending request tokens that are the capability of the callback.
 */
import { isHttp } from './urls';

export interface TokenPair {
  token: string;
  tokenSecret: string;
}

/**
 * Reads a token endpoint's answer (§2.1, §2.3): `application/x-www-form-urlencoded` with
 * `oauth_token` and `oauth_token_secret`. Some providers answer JSON; both are accepted.
 */
export function parseTokenAnswer(body: string | Buffer): TokenPair & { callbackConfirmed: boolean; extra: Record<string, string> } {
  const text = (Buffer.isBuffer(body) ? body.toString('utf8') : body).trim();
  let fields: Record<string, string> = {};
  if (text.startsWith('{')) {
    try {
      const json = JSON.parse(text) as Record<string, unknown>;
      for (const [key, value] of Object.entries(json)) if (typeof value === 'string' || typeof value === 'number') fields[key] = String(value);
    } catch {
      fields = {};
    }
  } else {
    fields = Object.fromEntries(new URLSearchParams(text));
  }
  const token = fields.oauth_token;
  const tokenSecret = fields.oauth_token_secret;
  if (!token || tokenSecret === undefined) throw new Error('the answer holds no oauth_token and oauth_token_secret');
  const extra: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) if (!key.startsWith('oauth_')) extra[key] = value;
  return { token, tokenSecret, callbackConfirmed: fields.oauth_callback_confirmed === 'true', extra };
}

/** The path of a config node's callback route, as the admin API serves it. */
export function callbackPath(nodeId: string): string {
  return `/oauth1-config/${encodeURIComponent(nodeId)}/callback`;
}

/** Where the editor's admin API was reached: the request's own `Host` and the admin root it came through (`/admin`, or "" at the root). */
export interface EditorAddress {
  host: string;
  adminRoot: string;
}

/**
 * True when `url` is exactly this package's callback for this node on the editor's own
 * address (or `oob`): http(s), that host, the admin root followed by the callback route,
 * no credentials, query or fragment. Anything else would make the provider send the
 * user, and the verifier, to another site. The scheme is free: a proxy in front may end TLS.
 */
export function isOwnCallbackUrl(url: string, nodeId: string, editor: EditorAddress): boolean {
  if (url === 'oob') return true;
  let parsed: URL;
  let editorHost: string;
  try {
    parsed = new URL(url);
    // Through the same URL parser, so that case and default ports compare alike.
    editorHost = new URL(`${parsed.protocol}//${editor.host}`).host;
  } catch {
    return false;
  }
  if (!isHttp(parsed)) return false;
  if (parsed.username || parsed.password || parsed.search || parsed.hash || !editor.host) return false;
  return parsed.host === editorHost && parsed.pathname === `${editor.adminRoot.replace(/\/+$/, '')}${callbackPath(nodeId)}`;
}

/** The provider's authorization page for a request token (§2.2). */
export function authorizationPageUrl(authorizeUrl: string, requestToken: string): string {
  const url = new URL(authorizeUrl);
  url.searchParams.set('oauth_token', requestToken);
  return url.href;
}

export interface PendingAuthorization<Settings> extends TokenPair {
  nodeId: string;
  /** What the dance was started with: the access token request must go to the same service. */
  settings: Settings;
  expiresAt: number;
}

/** A request token is good for the one callback it was made for, for 10 minutes. */
export const PENDING_LIFETIME_MS = 10 * 60_000;
const MAX_PENDING = 100;

/**
 * Request tokens waiting for their callback. The callback route takes no admin auth (a
 * browser redirect carries no admin token), so the pending request token is the
 * capability: bound to one node id, taken once, gone after 10 minutes.
 */
export class PendingAuthorizations<Settings> {
  private readonly pending = new Map<string, PendingAuthorization<Settings>>();

  constructor(private readonly now: () => number = Date.now) {}

  add(nodeId: string, pair: TokenPair, settings: Settings): void {
    this.prune();
    // One dance per node at a time: a new "Get token" replaces the one before.
    for (const [token, entry] of this.pending) if (entry.nodeId === nodeId) this.pending.delete(token);
    const oldest = this.pending.keys().next();
    if (this.pending.size >= MAX_PENDING && !oldest.done) this.pending.delete(oldest.value);
    this.pending.set(pair.token, { ...pair, nodeId, settings, expiresAt: this.now() + PENDING_LIFETIME_MS });
  }

  /** The pending authorization for this node and request token, removed; undefined when unknown, foreign or expired. */
  take(nodeId: string, requestToken: string): PendingAuthorization<Settings> | undefined {
    this.prune();
    const entry = this.pending.get(requestToken);
    if (!entry || entry.nodeId !== nodeId) return undefined;
    this.pending.delete(requestToken);
    return entry;
  }

  /** The one pending authorization of a node (PIN providers: the verifier arrives without the token). */
  takeForNode(nodeId: string): PendingAuthorization<Settings> | undefined {
    this.prune();
    for (const [token, entry] of this.pending) {
      if (entry.nodeId === nodeId) {
        this.pending.delete(token);
        return entry;
      }
    }
    return undefined;
  }

  private prune(): void {
    const now = this.now();
    for (const [token, entry] of this.pending) if (entry.expiresAt <= now) this.pending.delete(token);
  }
}
