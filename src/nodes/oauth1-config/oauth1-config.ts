/** `oauth1-config`: one OAuth 1.0a (or OAuth 2) service, its credentials and the shared client. */
import type { NodeAPI, NodeDef } from 'node-red';
import type { HttpClient } from '../../lib/client';
import { printable } from '../../lib/text';
import { credentialsRedactor, MIN_REDACTED_LENGTH, shortSecrets } from '../../lib/redact';
import { nonNegativeNumber, positiveNumber } from '../../lib/response';
import { CREDENTIALS, DEFAULT_MAX_RESPONSE_MB, DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, MEGABYTE } from '../../lib/constants';
import { clearTextProblem, createServiceClient, missingCredentials, originList, signingProblem } from '../../lib/service';
import { ServiceLimits } from '../../lib/service-limits';
import type { OAuth1ConfigCredentials, OAuth1ConfigNode } from '../shared/config';
import { proxyOptionsFrom, serviceCredentials, tlsOptionsOf } from '../shared/service-settings';
import { registerConfigAdmin } from './admin';
import { limitSettings, realmAndBodyHash, signingSettings, threeLeggedAndPreset, type ConfigNodeProperties } from './oauth1-config.properties';
import { registerTokenAdmin } from './tokens-admin';

type OAuth1ConfigDef = NodeDef & Partial<ConfigNodeProperties>;

/** Missing credentials, then what keeps the signer from signing (a private key that does not parse, a bad realm): said at deploy. */
function deployProblem(node: OAuth1ConfigNode, credentials: OAuth1ConfigCredentials): string | undefined {
  if (node.scheme !== 'oauth1') return missingCredentials(credentials);
  const missing = missingCredentials(credentials, node.signatureMethod);
  if (missing) return missing;
  const { placement, signatureMethod, realm, bodyHash } = node;
  return signingProblem({ credentials: serviceCredentials(credentials), placement, signatureMethod, realm, bodyHash });
}

/**
 * The shared client, made at its first use. Requests still under way (job starts let finish)
 * hold it open across a close (a full redeploy) and destroy it when the last one ends.
 * Returns what reads the client's secrets of the moment (a bearer token), for the redactor.
 */
function attachClient(
  RED: NodeAPI,
  node: OAuth1ConfigNode,
  config: OAuth1ConfigDef,
  credentials: OAuth1ConfigCredentials,
  problem: string | undefined,
): () => ReadonlyArray<string | undefined> {
  const retries = nonNegativeNumber(config.retries) ?? DEFAULT_RETRIES;
  // As the core http request node: Node-RED's httpRequestTimeout setting when the service names none.
  const timeoutMs = positiveNumber(config.requestTimeout) ?? positiveNumber(RED.settings.httpRequestTimeout) ?? DEFAULT_TIMEOUT_MS;
  const tls = tlsOptionsOf(RED, config.tls);
  if (config.tls && !tls) node.warn(RED._('oauth1-config.runtime.tlsMissing'));

  // One queue for every node of this service, made at deploy so that Test connection shares it too.
  const limits = new ServiceLimits(limitSettings(config));
  Object.defineProperty(node, 'limits', { value: limits });
  let client: HttpClient | undefined;
  node.client = () => {
    if (problem) throw new Error(RED._('oauth1-config.runtime.unusable', { name: node.name || RED._('oauth1-config.paletteLabel'), problem }));
    client ??= createServiceClient({
      baseUrl: node.baseUrl,
      scheme: node.scheme,
      placement: node.placement,
      signatureMethod: node.signatureMethod,
      realm: node.realm,
      bodyHash: node.bodyHash,
      credentials: serviceCredentials(credentials),
      retries,
      timeoutMs,
      tls,
      extraOrigins: node.extraOrigins,
      maxResponseBytes: (positiveNumber(config.maxResponseMB) ?? DEFAULT_MAX_RESPONSE_MB) * MEGABYTE,
      log: (line) => node.debug(printable(node.redact(line))),
      proxyOptions: proxyOptionsFrom(RED),
      limits,
    });
    return client;
  };

  closeWhenReleased(node, () => client, limits);
  return () => client?.currentSecrets() ?? [];
}

/**
 * Requests under way hold the client (`node.hold()`); on close, messages waiting for a turn
 * end at once, and the client is destroyed when the last request holding it ends.
 */
function closeWhenReleased(node: OAuth1ConfigNode, client: () => HttpClient | undefined, limits: ServiceLimits): void {
  let holders = 0;
  let closed = false;
  node.hold = () => {
    holders++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      holders--;
      if (closed && holders === 0) client()?.destroy();
    };
  };
  node.on('close', (done: () => void) => {
    closed = true;
    // Their nodes end the waiting messages with done(), as the core node ends those in flight.
    limits.close();
    // Requests still under way (job starts let finish) keep the old client until they end.
    if (holders === 0) client()?.destroy();
    done();
  });
}

/** The short secrets' names as the dialog shows them. */
const SECRET_LABELS = { consumerSecret: 'consumer secret', token: 'token', tokenSecret: 'token secret' } as const;

export = function register(RED: NodeAPI): void {
  function OAuth1Config(this: OAuth1ConfigNode, config: OAuth1ConfigDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    node.baseUrl = (config.baseUrl ?? '').trim();
    Object.assign(node, signingSettings(config));
    node.extraOrigins = originList(config.extraOrigins);
    Object.assign(node, threeLeggedAndPreset(config), realmAndBodyHash(config));

    const credentials: OAuth1ConfigCredentials = node.credentials ?? {};
    // The client refuses every request then; said at deploy too, with a red status.
    const inClear = clearTextProblem(node.baseUrl, node)
      ? `oauth1-config.runtime.${node.scheme === 'oauth2' ? 'oauth2Insecure' : 'plaintextInsecure'}`
      : undefined;
    const problem = deployProblem(node, credentials) ?? (inClear && RED._(inClear, { host: new URL(node.baseUrl).host }));
    Object.defineProperty(node, 'problem', { value: problem });
    Object.defineProperty(node, 'hasToken', { value: Boolean(credentials.token) });
    node.tls = (config.tls ?? '').trim();
    const currentSecrets = attachClient(RED, node, config, credentials, problem);
    // The bearer token in use is a secret too: every text of every node is cut by this.
    node.redact = credentialsRedactor(credentials, currentSecrets);
    const short = shortSecrets(credentials);
    if (short.length) {
      const fields = short.map((name) => SECRET_LABELS[name]).join(', ');
      node.warn(RED._('oauth1-config.runtime.shortSecret', { fields, length: MIN_REDACTED_LENGTH }));
    }
  }

  RED.nodes.registerType<OAuth1ConfigNode, OAuth1ConfigDef, unknown, OAuth1ConfigCredentials>('oauth1-config', OAuth1Config, {
    credentials: CREDENTIALS,
  });

  registerConfigAdmin(RED);
  registerTokenAdmin(RED);
};
