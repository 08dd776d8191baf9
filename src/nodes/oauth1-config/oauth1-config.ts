/** `oauth1-config`: one OAuth 1.0a (or OAuth 2) service, its credentials and the shared client. */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import type { HttpClient, TlsOptions } from '../../lib/client';
import { createServiceClient, missingCredentials, type AuthScheme } from '../../lib/service';
import { PLACEMENTS, SIGNATURE_METHODS, type OAuth1Credentials, type Placement, type SignatureMethod } from '../../lib/oauth1';
import type { OAuth1ConfigCredentials, OAuth1ConfigNode } from '../shared/config';
import { registerConfigAdmin } from './admin';

interface OAuth1ConfigDef extends NodeDef {
  baseUrl?: string;
  scheme?: string;
  placement?: string;
  signatureMethod?: string;
  tls?: string;
  retries?: string | number;
  requestTimeout?: string | number;
}

/** The core `tls-config` node fills request options through this method. */
interface TlsConfigNode extends Node {
  addTLSOptions(options: Record<string, unknown>): void;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

function numberOr(value: string | number | undefined, fallback: number): number {
  const parsed = typeof value === 'number' ? value : Number.parseFloat(String(value ?? ''));
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : fallback;
}

function tlsOptionsOf(RED: NodeAPI, id: string | undefined): TlsOptions | undefined {
  if (!id) return undefined;
  const tlsNode = RED.nodes.getNode(id) as TlsConfigNode | null;
  if (!tlsNode || typeof tlsNode.addTLSOptions !== 'function') return undefined;
  const options: Record<string, unknown> = {};
  tlsNode.addTLSOptions(options);
  return options as TlsOptions;
}

/** Scheme, placement and signature method from the node's properties, unknown values replaced by the defaults. */
function signingSettings(source: { scheme?: string; placement?: string; signatureMethod?: string }): {
  scheme: AuthScheme;
  placement: Placement;
  signatureMethod: SignatureMethod;
} {
  return {
    scheme: oneOf<AuthScheme>(source.scheme, ['oauth1', 'oauth2'], 'oauth1'),
    placement: oneOf<Placement>(source.placement, PLACEMENTS, 'header'),
    signatureMethod: oneOf<SignatureMethod>(source.signatureMethod, SIGNATURE_METHODS, 'HMAC-SHA1'),
  };
}

/** The stored credentials as the client takes them: an empty token pair means 1-legged. */
function serviceCredentials(credentials: OAuth1ConfigCredentials): OAuth1Credentials {
  return {
    consumerKey: credentials.consumerKey ?? '',
    consumerSecret: credentials.consumerSecret ?? '',
    token: credentials.token || undefined,
    tokenSecret: credentials.tokenSecret || undefined,
  };
}

export = function register(RED: NodeAPI): void {
  function OAuth1Config(this: OAuth1ConfigNode, config: OAuth1ConfigDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    node.baseUrl = (config.baseUrl ?? '').trim();
    Object.assign(node, signingSettings(config));
    const retries = numberOr(config.retries, 3);
    const timeoutMs = numberOr(config.requestTimeout, 120_000) || 120_000;

    const credentials: OAuth1ConfigCredentials = node.credentials ?? {};
    const problem = missingCredentials(credentials);
    Object.defineProperty(node, 'problem', { value: problem });
    Object.defineProperty(node, 'hasToken', { value: Boolean(credentials.token) });

    const tls = tlsOptionsOf(RED, config.tls);
    if (config.tls && !tls) node.warn('the TLS configuration node is missing; using the default TLS settings');

    let client: HttpClient | undefined;
    node.client = () => {
      if (problem) throw new Error(`${node.name || 'OAuth1 service'}: ${problem}`);
      client ??= createServiceClient({
        baseUrl: node.baseUrl,
        scheme: node.scheme,
        placement: node.placement,
        signatureMethod: node.signatureMethod,
        credentials: serviceCredentials(credentials),
        retries,
        timeoutMs,
        tls,
        log: (line) => node.debug(line),
      });
      return client;
    };

    node.on('close', (done: () => void) => {
      client?.destroy();
      client = undefined;
      done();
    });
  }

  RED.nodes.registerType<OAuth1ConfigNode, OAuth1ConfigDef, unknown, OAuth1ConfigCredentials>('oauth1-config', OAuth1Config, {
    credentials: {
      consumerKey: { type: 'text' },
      consumerSecret: { type: 'password' },
      token: { type: 'text' },
      tokenSecret: { type: 'password' },
    },
  });

  registerConfigAdmin(RED);
};
