/**
 * A config node's properties (or the dialog form holding them) as the client's settings:
 * unknown values replaced by the defaults, an empty token pair meaning 1-legged.
 */
import type { Node, NodeAPI } from 'node-red';
import type { TlsOptions } from '../../lib/client';
import type { AuthScheme } from '../../lib/service';
import { PLACEMENTS, SIGNATURE_METHODS, percentEncode, type OAuth1Credentials, type Placement, type SignatureMethod } from '../../lib/oauth1';
import type { OAuth1ConfigCredentials } from './config';

export const AUTH_SCHEMES: readonly AuthScheme[] = ['oauth1', 'oauth2'];

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  return allowed.find((candidate) => candidate === value) ?? fallback;
}

/** Scheme, placement and signature method from the node's properties, unknown values replaced by the defaults. */
export function signingSettings(source: { scheme?: string; placement?: string; signatureMethod?: string }): {
  scheme: AuthScheme;
  placement: Placement;
  signatureMethod: SignatureMethod;
} {
  return {
    scheme: oneOf(source.scheme, AUTH_SCHEMES, 'oauth1'),
    placement: oneOf(source.placement, PLACEMENTS, 'header'),
    signatureMethod: oneOf(source.signatureMethod, SIGNATURE_METHODS, 'HMAC-SHA1'),
  };
}

/** The stored credentials as the client takes them: an empty token pair means 1-legged. */
export function serviceCredentials(credentials: OAuth1ConfigCredentials): OAuth1Credentials {
  return {
    consumerKey: credentials.consumerKey ?? '',
    consumerSecret: credentials.consumerSecret ?? '',
    token: credentials.token || undefined,
    tokenSecret: credentials.tokenSecret || undefined,
  };
}

/** The origin (`https://host:port`) of an http(s) URL, or undefined for anything else. */
export function httpOrigin(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `extraOrigins` property ("Also sign for"): comma or space separated, or already a
 * list. Each entry as an origin; an entry that is no http(s) URL is kept as written, so
 * it matches nothing but stays visible.
 */
export function originList(value: unknown): string[] {
  const entries = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return entries.map((entry) => entry.trim()).filter(Boolean).map((entry) => httpOrigin(entry) ?? entry);
}

/** The core `tls-config` node fills request options through this method. */
interface TlsConfigNode extends Node {
  addTLSOptions(options: Record<string, unknown>): void;
}

/** The options of a deployed core `tls-config` node, or undefined when there is none. */
export function tlsOptionsOf(RED: NodeAPI, id: string | undefined): TlsOptions | undefined {
  if (!id) return undefined;
  const tlsNode = RED.nodes.getNode(id) as TlsConfigNode | null;
  if (!tlsNode || typeof tlsNode.addTLSOptions !== 'function') return undefined;
  const options: Record<string, unknown> = {};
  tlsNode.addTLSOptions(options);
  return options as TlsOptions;
}

/**
 * Service messages may echo the request (an `Authorization` header, `oauth_*` in a query:
 * with PLAINTEXT the secrets themselves; an OAuth 2 token endpoint the form-encoded client
 * secret). Replaces each secret, raw, percent-encoded (once and twice) and form-encoded, by `…`.
 * (At merge: the one redactor of src/lib/redact.ts, `createRedactor`, replaces this.)
 */
export function withoutSecrets(text: string, credentials: Partial<OAuth1Credentials>): string {
  let safe = text;
  for (const secret of [credentials.consumerSecret, credentials.tokenSecret]) {
    if (!secret) continue;
    const formEncoded = new URLSearchParams({ s: secret }).toString().slice(2);
    const forms = new Set([secret, encodeURIComponent(secret), percentEncode(secret), percentEncode(percentEncode(secret)), formEncoded]);
    for (const form of [...forms].sort((a, b) => b.length - a.length)) safe = safe.split(form).join('…');
  }
  return safe;
}
