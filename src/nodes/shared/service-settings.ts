/**
 * A config node's properties (or the dialog form holding them) as the client's settings:
 * unknown values replaced by the defaults, an empty token pair meaning 1-legged.
 */
import type { Node, NodeAPI } from 'node-red';
import type { TlsOptions } from '../../lib/client';
import { proxyOptionsOf, type ProxyOptions } from '../../lib/proxy';
import type { AuthScheme } from '../../lib/service';
import { PLACEMENTS, SIGNATURE_METHODS, type OAuth1Credentials, type Placement, type SignatureMethod } from '../../lib/oauth1';
import { httpUrl } from '../../lib/urls';
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

/** Realm and body hash from the node's properties: an empty realm means none, `bodyHash` is on only when true. */
export function realmAndBodyHash(source: { realm?: unknown; bodyHash?: unknown }): { realm: string | undefined; bodyHash: boolean } {
  const realm = typeof source.realm === 'string' ? source.realm.trim() : '';
  return { realm: realm || undefined, bodyHash: source.bodyHash === true || source.bodyHash === 'true' };
}

/** The stored credentials as the client takes them: an empty token pair means 1-legged. */
export function serviceCredentials(credentials: OAuth1ConfigCredentials): OAuth1Credentials {
  return {
    consumerKey: credentials.consumerKey ?? '',
    consumerSecret: credentials.consumerSecret ?? '',
    token: credentials.token || undefined,
    tokenSecret: credentials.tokenSecret || undefined,
    privateKey: credentials.privateKey || undefined,
  };
}

/** The origin (`https://host:port`) of an http(s) URL, or undefined for anything else. */
export function httpOrigin(url: string): string | undefined {
  return httpUrl(url)?.origin;
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
  return options;
}

/** Node-RED's `settings.proxyOptions` (not in the settings' type: the core http request node reads it the same way). */
export function proxyOptionsFrom(RED: NodeAPI): ProxyOptions {
  return proxyOptionsOf(Reflect.get(RED.settings, 'proxyOptions'));
}
