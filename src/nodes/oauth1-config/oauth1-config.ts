/** `oauth1-config`: one OAuth 1.0a (or OAuth 2) service, its credentials and the shared client. */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { createServiceClient, missingCredentials, type AuthScheme, type HttpClient, type TlsOptions } from '../../lib/client';
import { PLACEMENTS, SIGNATURE_METHODS, type OAuth1Credentials, type Placement, type SignatureMethod } from '../../lib/oauth1';
import { createRedactor, plaintextSignature } from '../../lib/redact';
import type { OAuth1ConfigCredentials, OAuth1ConfigNode } from '../shared/config';
import { printable } from '../shared/node-shell';
import { testConnection } from './connection-test';

interface OAuth1ConfigDef extends NodeDef {
  baseUrl?: string;
  scheme?: string;
  placement?: string;
  signatureMethod?: string;
  tls?: string;
  retries?: string | number;
  requestTimeout?: string | number;
  /** Origins besides the base URL's that may receive credentials, comma or space separated. */
  extraOrigins?: string;
  maxResponseMB?: string | number;
}

const DEFAULT_MAX_RESPONSE_MB = 100;

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

/** The origins of the "Also sign for" field: `https://a.example, https://b.example:8443`. */
function originList(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter(Boolean);
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

// TODO(merge): use plaintextProblem from lib/service
/** PLAINTEXT sends the secrets themselves: refused over plain http to a host other than this machine. */
function plaintextProblem(baseUrl: string, signatureMethod: string): string | undefined {
  if (signatureMethod !== 'PLAINTEXT') return undefined;
  try {
    const url = new URL(baseUrl);
    return url.protocol === 'http:' && !LOOPBACK_HOST.test(url.hostname) ? url.host : undefined;
  } catch {
    return undefined;
  }
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

/** Hides what this service must keep: the secrets, the token, and the PLAINTEXT signature made of the secrets. */
function redactorOf(credentials: OAuth1ConfigCredentials): (text: string) => string {
  const { consumerSecret, token, tokenSecret } = credentials;
  return createRedactor([consumerSecret, token, tokenSecret, plaintextSignature(consumerSecret, tokenSecret)]);
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
    const redact = redactorOf(credentials);
    node.redact = redact;
    const insecureHost = node.scheme === 'oauth1' ? plaintextProblem(node.baseUrl, node.signatureMethod) : undefined;
    const problem = missingCredentials(credentials) ?? (insecureHost && RED._('oauth1-config.runtime.plaintextInsecure', { host: insecureHost }));
    Object.defineProperty(node, 'problem', { value: problem });
    Object.defineProperty(node, 'hasToken', { value: Boolean(credentials.token) });

    const tls = tlsOptionsOf(RED, config.tls);
    if (config.tls && !tls) node.warn(RED._('oauth1-config.runtime.tlsMissing'));

    let client: HttpClient | undefined;
    node.client = () => {
      if (problem) throw new Error(RED._('oauth1-config.runtime.unusable', { name: node.name || RED._('oauth1-config.paletteLabel'), problem }));
      client ??= createServiceClient({
        baseUrl: node.baseUrl,
        scheme: node.scheme,
        placement: node.placement,
        signatureMethod: node.signatureMethod,
        credentials: serviceCredentials(credentials),
        retries,
        timeoutMs,
        tls,
        extraOrigins: originList(config.extraOrigins),
        maxResponseBytes: (numberOr(config.maxResponseMB, DEFAULT_MAX_RESPONSE_MB) || DEFAULT_MAX_RESPONSE_MB) * 1024 * 1024,
        log: (line) => node.debug(printable(redact(line))),
      });
      return client;
    };

    let holders = 0;
    let closed = false;
    node.hold = () => {
      holders++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holders--;
        if (closed && holders === 0) client?.destroy();
      };
    };

    node.on('close', (done: () => void) => {
      closed = true;
      // Requests still under way (job starts let finish) keep the old client until they end.
      if (holders === 0) client?.destroy();
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
