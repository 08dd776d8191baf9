/** `oauth1-config`: one OAuth 1.0a (or OAuth 2) service, its credentials and the shared client. */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import type { HttpClient, TlsOptions } from '../../lib/client';
import { createServiceClient, missingCredentials, type AuthScheme } from '../../lib/service';
import { PLACEMENTS, SIGNATURE_METHODS, type OAuth1Credentials, type Placement, type SignatureMethod } from '../../lib/oauth1';
import type { OAuth1ConfigCredentials, OAuth1ConfigNode } from '../shared/config';
import { testConnection } from './connection-test';

interface OAuth1ConfigDef extends NodeDef {
  baseUrl?: string;
  scheme?: string;
  placement?: string;
  signatureMethod?: string;
  tls?: string;
  retries?: string | number;
  requestTimeout?: string | number;
}

/** What the dialog's "Test connection" button posts: the form as it is, saved or not. */
interface ConnectionTestBody {
  baseUrl?: unknown;
  scheme?: unknown;
  placement?: unknown;
  signatureMethod?: unknown;
  tls?: unknown;
  credentials?: Partial<Record<keyof OAuth1ConfigCredentials, unknown>>;
}

/** The editor shows a saved password as this placeholder; the value itself stays on the server. */
const UNCHANGED_PASSWORD = '__PWRD__';
const CREDENTIAL_NAMES = ['consumerKey', 'consumerSecret', 'token', 'tokenSecret'] as const;

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

  /**
   * "Test connection" in the config dialog. Tests the form as it is, saved or not; a
   * password left unchanged is taken from the stored credentials. `${ENV}` values resolve
   * as they would at deploy. The answer is one line for people, never a secret.
   */
  RED.httpAdmin.post('/oauth1-config/:id/test', RED.auth.needsPermission('oauth1-config.write'), async (req, res) => {
    try {
      const id = String(req.params.id);
      const body = (req.body ?? {}) as ConnectionTestBody;
      const deployed = RED.nodes.getNode(id) as OAuth1ConfigNode | null;
      const stored = (RED.nodes.getCredentials(id) ?? {}) as OAuth1ConfigCredentials;
      // Like Node-RED at deploy: a whole `${NAME}` value is the variable, read as this node would.
      const resolve = (value: unknown): string => {
        const text = typeof value === 'string' ? value.trim() : '';
        const reference = /^\$\{(\S+)\}$/.exec(text);
        return reference ? String(RED.util.getSetting(deployed as never, reference[1]!) ?? '') : text;
      };
      const credentials: OAuth1ConfigCredentials = {};
      for (const name of CREDENTIAL_NAMES) {
        const value = body.credentials?.[name];
        credentials[name] = resolve(value === UNCHANGED_PASSWORD ? stored[name] : value);
      }
      const tlsId = typeof body.tls === 'string' && body.tls !== '_ADD_' ? body.tls : undefined;
      const result = await testConnection({
        baseUrl: resolve(body.baseUrl),
        ...signingSettings({ scheme: resolve(body.scheme), placement: resolve(body.placement), signatureMethod: resolve(body.signatureMethod) }),
        credentials: serviceCredentials(credentials),
        tls: tlsOptionsOf(RED, tlsId),
      });
      if (tlsId && !RED.nodes.getNode(tlsId)) result.message += ' (the TLS configuration is not deployed yet: tested with the default TLS settings)';
      res.json(result);
    } catch (error) {
      res.status(500).json({ ok: false, message: `the test could not run: ${error instanceof Error ? error.message : String(error)}` });
    }
  });
};
