/**
 * What the client gets from a config node's runtime side: its credentials (an empty token
 * pair meaning 1-legged), and the TLS and proxy options Node-RED's nodes and settings hold.
 * The properties themselves are read by ../oauth1-config/oauth1-config.properties.ts.
 */
import type { Node, NodeAPI } from 'node-red';
import type { TlsOptions } from '../../lib/client';
import { proxyOptionsOf, type ProxyOptions } from '../../lib/proxy';
import type { OAuth1Credentials } from '../../lib/oauth1';
import { httpUrl } from '../../lib/urls';
import type { OAuth1ConfigCredentials } from './config';

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
