/**
 * One configured service: which credentials, which scheme, which origins. Builds the
 * client that the nodes share, and says what a refused signature means: the transport
 * (client.ts) knows none of this.
 */
import type { AuthorizedAttempt, RequestAuthorizer } from './authorizer';
import { HttpClient, type TlsOptions } from './client';
import { refusalDiagnosis } from './diagnosis';
import {
  OAuth1Signer,
  usesPrivateKey,
  type OAuth1Credentials,
  type Placement,
  type RequestToSign,
  type SignatureMethod,
  type SigningOptions,
  type SigningRecord,
} from './oauth1';
import { bareSecretProblem, type BareSecret } from './bare-secrets';
import { ClientCredentialsAuthorizer, OAUTH2_BEARER_TOKEN } from './oauth2';
import type { ProxyOptions } from './proxy';
import { isLimitRefusal } from './presets';
import { credentialSecrets } from './redact';
import type { RefusalAnswer, SigningDiagnosis } from './refusal';
import type { ServiceLimits } from './service-limits';

export type AuthScheme = 'oauth1' | 'oauth2';

/** Alteryx Server's token route; other OAuth 2 services name theirs in `tokenPath`. */
export const DEFAULT_TOKEN_PATH = 'oauth2/token';

export interface ServiceOptions {
  baseUrl?: string;
  scheme?: AuthScheme;
  placement?: Placement;
  signatureMethod?: SignatureMethod;
  credentials: OAuth1Credentials;
  /** Origins besides the base URL's that may receive credentials ("Also sign for"). */
  extraOrigins?: string[];
  /** A response body larger than this, once decompressed, is an error. */
  maxResponseBytes?: number;
  /** The OAuth 2 token route, relative to the base URL. */
  tokenPath?: string;
  realm?: string;
  bodyHash?: boolean;
  retries?: number;
  timeoutMs?: number;
  tls?: TlsOptions;
  log?: (line: string) => void;
  /** Node-RED's `settings.proxyOptions`. */
  proxyOptions?: ProxyOptions;
  /** The service's limits, one per service, shared by all its nodes (and its Test connection). */
  limits?: ServiceLimits;
}

/** The "Also sign for" field as a list: origins separated by commas, spaces or new lines. */
export function originList(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      try {
        const origin = new URL(entry).origin;
        // `localhost:8080` parses as a URL of scheme "localhost:" whose origin is "null".
        if (origin !== 'null') return origin;
      } catch {
        // Kept as written below.
      }
      // Kept as written: the client refuses it by name when it is built.
      return entry;
    });
}

/**
 * What a service's settings lack before anything can be sent, or undefined when complete.
 * RSA-SHA* signs with the private key, so it asks for that instead of the consumer secret and token secret.
 */
export function missingCredentials(credentials: Partial<OAuth1Credentials>, signatureMethod?: SignatureMethod): string | undefined {
  const missing: string[] = [];
  if (!credentials.consumerKey) missing.push('consumer key');
  // RFC 5849 §3.4.3: RSA-SHA* signs with the private key alone, so a token needs no token secret there.
  if (signatureMethod && usesPrivateKey(signatureMethod)) {
    if (!credentials.privateKey) missing.push('private key');
  } else {
    if (!credentials.consumerSecret) missing.push('consumer secret');
    if (credentials.token && !credentials.tokenSecret) missing.push('token secret');
  }
  return missing.length ? `${missing.join(' and ')} missing` : undefined;
}

/**
 * Why these OAuth 1.0a settings cannot sign (a private key that does not parse, a realm with
 * quotes), or undefined: found at deploy instead of at the first request. Never the key itself.
 */
export function signingProblem(settings: Pick<ServiceOptions, 'credentials' | 'placement' | 'signatureMethod' | 'realm' | 'bodyHash'>): string | undefined {
  const { credentials, placement, signatureMethod, realm, bodyHash } = settings;
  try {
    new OAuth1Signer(credentials, { placement, signatureMethod, realm, bodyHash });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** PLAINTEXT's signature is the consumer and token secrets joined. */
const PLAINTEXT_SECRETS: BareSecret = { sends: 'PLAINTEXT sends the secrets themselves', instead: 'an HMAC signature method' };

/** What a service sends as the secret itself (PLAINTEXT's signature, OAuth 2's client secret and bearer token), or undefined when it signs. */
export function bareSecretOf(settings: Pick<ServiceOptions, 'scheme' | 'signatureMethod'>): BareSecret | undefined {
  if (settings.scheme === 'oauth2') return OAUTH2_BEARER_TOKEN;
  return settings.signatureMethod === 'PLAINTEXT' ? PLAINTEXT_SECRETS : undefined;
}

/**
 * Why this service's secrets must not go to `url` (PLAINTEXT or OAuth 2 over plain http to
 * another host), or undefined: the client's rule, asked at deploy of the base URL. A URL
 * that does not parse is another problem's.
 */
export function clearTextProblem(url: string | URL | undefined, settings: Pick<ServiceOptions, 'scheme' | 'signatureMethod'>): string | undefined {
  const secret = bareSecretOf(settings);
  if (!secret || !url) return undefined;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return undefined;
  }
  return bareSecretProblem(secret, target, { proxied: false, certificateUnchecked: false });
}

export class OAuth1Authorizer implements RequestAuthorizer {
  private readonly signer: OAuth1Signer;
  /** PLAINTEXT's: the client sends it only as the transport rule (bare-secrets.ts) allows. */
  readonly bareSecret: BareSecret | undefined;

  constructor(credentials: OAuth1Credentials, options: Omit<SigningOptions, 'clockOffsetMs'> = {}) {
    this.signer = new OAuth1Signer(credentials, options);
    this.bareSecret = bareSecretOf({ scheme: 'oauth1', signatureMethod: options.signatureMethod });
  }

  authorize(request: RequestToSign, context: { clockOffsetMs: number }): AuthorizedAttempt {
    const signed = this.signer.sign(request, { clockOffsetMs: context.clockOffsetMs });
    return { url: signed.url, headers: signed.headers, signing: signed.record };
  }

  /** What a refused signature most likely means (diagnosis.ts); the record is built only for a refusal. */
  diagnose(signing: () => SigningRecord, answer: RefusalAnswer): SigningDiagnosis | undefined {
    return refusalDiagnosis(signing, answer);
  }
}

/**
 * The client for one configured service: OAuth 1.0a signing, or for `scheme: "oauth2"` a
 * bearer token from `<baseUrl>/<tokenPath>` with the consumer pair as client credentials.
 */
export function createServiceClient(settings: ServiceOptions): HttpClient {
  const { credentials } = settings;
  if (settings.scheme === 'oauth2') {
    // The token request goes through the same client, unsigned: called only once the client exists.
    const authorizer = new ClientCredentialsAuthorizer(credentials.consumerKey, credentials.consumerSecret, (form) => {
      return client.request({
        method: 'POST',
        url: settings.tokenPath?.trim() || DEFAULT_TOKEN_PATH,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: form,
        responseType: 'json',
        authorize: false,
        credentialsInBody: true,
      });
    });
    const client: HttpClient = new HttpClient({ ...settings, authorizer, secrets: credentialSecrets(credentials), isLimitRefusal });
    return client;
  }
  const { placement, signatureMethod, realm, bodyHash } = settings;
  const signing = { placement, signatureMethod, realm, bodyHash };
  return new HttpClient({ ...settings, authorizer: new OAuth1Authorizer(credentials, signing), secrets: credentialSecrets(credentials), isLimitRefusal });
}
