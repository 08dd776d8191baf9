/**
 * Server-side OAuth 1.0a verification for the demo server (RFC 5849 §3.2).
 *
 * The signature is checked with the demo's own reading of RFC 5849 (./rfc5849.ts), never
 * with the package's signer: a verifier that re-signs with the code under test agrees with
 * that code's bugs (with the HTTP method lower-cased in the package's base string, every
 * demo test still passed). test/demo.test.ts loads the demo beside a broken signer to keep it so.
 */
import type { KeyObject } from 'node:crypto';
import type { DemoCredentials } from './credentials';
import {
  bodyHashAlgorithm,
  bodyHashOf,
  constantTimeEqual,
  DEMO_SIGNATURE_METHODS,
  formPairs,
  isDemoSignatureMethod,
  signatureBaseString,
  signatureMatches,
  type DemoSignatureMethod,
} from './rfc5849';

export { constantTimeEqual, DEMO_SIGNATURE_METHODS };

/** Why a request was refused; each demo service turns it into its own error body. */
export type VerificationFailure =
  /** No `oauth_*` parameters at all, neither in the header nor in the query. */
  | 'missing_credentials'
  /** Some but not all of the required `oauth_*` parameters. */
  | 'missing_parameters'
  /** An unparsable `Authorization` header, a repeated or unknown `oauth_*` parameter, a bad version or timestamp. */
  | 'malformed_parameters'
  | 'unsupported_signature_method'
  | 'unknown_consumer_key'
  | 'unknown_token'
  /** The route needs a user (3-legged) but the request carries no `oauth_token`. */
  | 'token_missing'
  /** More than the allowed skew away from the server clock. */
  | 'stale_timestamp'
  | 'bad_signature'
  /** `oauth_body_hash` missing where the route wants one, or not the digest of the body sent. */
  | 'bad_body_hash'
  /** The same nonce, timestamp and credentials were accepted before. */
  | 'replayed_nonce';

export type VerificationResult =
  | {
      ok: true;
      consumerKey: string;
      token?: string;
      /** `oauth_callback` and `oauth_verifier` as signed, for the token routes. */
      callback?: string;
      verifier?: string;
      signatureMethod: DemoSignatureMethod;
      placement: 'header' | 'query';
      /** The `realm` of the Authorization header, when there was one. */
      realm?: string;
      /** True when the request carried a matching `oauth_body_hash`. */
      bodyHash: boolean;
    }
  | { ok: false; reason: VerificationFailure; message: string };

export interface IncomingSignedRequest {
  method: string;
  /** The full URL as the client addressed it: `http://<Host header><request target>`. */
  url: string;
  authorization?: string;
  /** The raw body when it is `application/x-www-form-urlencoded` (RFC 5849 §3.4.1.3.1 signs it). */
  formBody?: string;
  /** The raw body, for `oauth_body_hash`. */
  body?: Buffer;
}

/** RFC 5849 §3.3 leaves the window to the server; 10 minutes is what most services allow. */
export const DEFAULT_MAX_SKEW_MS = 10 * 60_000;

const REQUIRED_PARAMETERS = ['oauth_consumer_key', 'oauth_nonce', 'oauth_signature', 'oauth_signature_method', 'oauth_timestamp'] as const;
const KNOWN_PARAMETERS = new Set<string>([...REQUIRED_PARAMETERS, 'oauth_token', 'oauth_version', 'oauth_body_hash', 'oauth_callback', 'oauth_verifier']);
/** Beyond this a nonce is not a nonce; the cap keeps one remembered entry small. */
const MAX_NONCE_LENGTH = 128;

export type ParsedAuthorization = { kind: 'none' } | { kind: 'oauth'; params: Map<string, string>; realm?: string } | { kind: 'malformed'; message: string };

/**
 * Parses `Authorization: OAuth realm="x", oauth_consumer_key="a%20b", …` (RFC 5849 §3.5.1):
 * comma-separated `name="value"` pairs, names and values percent-encoded, realm optional.
 * Any other scheme (Bearer, Basic) is `none`: the request is not OAuth 1 signed.
 */
export function parseAuthorizationHeader(header: string | undefined): ParsedAuthorization {
  if (header === undefined) return { kind: 'none' };
  const scheme = /^\s*OAuth(?:\s+|$)/i.exec(header);
  if (!scheme) return { kind: 'none' };
  const params = new Map<string, string>();
  const rest = header.slice(scheme[0].length).trim();
  if (rest === '') return { kind: 'oauth', params };
  const pair = /\s*([^\s=,"]+)\s*=\s*"([^"]*)"\s*(,|$)/y;
  let position = 0;
  while (position < rest.length) {
    pair.lastIndex = position;
    const match = pair.exec(rest);
    if (!match) return { kind: 'malformed', message: 'the Authorization header is not a list of name="value" pairs' };
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(match[1]);
      value = decodeURIComponent(match[2]);
    } catch {
      return { kind: 'malformed', message: 'the Authorization header holds an invalid percent-encoding' };
    }
    if (params.has(name)) return { kind: 'malformed', message: `${name} appears more than once` };
    params.set(name, value);
    position = pair.lastIndex;
    if (match[3] === '' && position < rest.length) {
      return { kind: 'malformed', message: 'the Authorization header is not a list of name="value" pairs' };
    }
  }
  // realm is not a protocol parameter and is never signed (RFC 5849 §3.4.1.3.1).
  const realm = params.get('realm');
  params.delete('realm');
  return realm === undefined ? { kind: 'oauth', params } : { kind: 'oauth', params, realm };
}

/**
 * Remembers accepted nonces so that a captured request cannot be sent again. An entry lives
 * as long as its timestamp could still pass the skew check; the map never grows beyond
 * `capacity` (the oldest entry goes first), so a flood costs memory only up to that cap.
 */
export class NonceStore {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs: number = DEFAULT_MAX_SKEW_MS,
    private readonly capacity: number = 10_000,
  ) {}

  get size(): number {
    return this.seen.size;
  }

  /** Records the nonce; false when it was recorded before and has not expired. */
  remember(key: string, timestampMs: number, nowMs: number): boolean {
    this.evictExpired(nowMs);
    const expiresAt = this.seen.get(key);
    if (expiresAt !== undefined && expiresAt > nowMs) return false;
    this.seen.delete(key);
    this.seen.set(key, Math.max(nowMs, timestampMs) + this.windowMs);
    // Oldest first: a Map iterates in insertion order, and deleting while iterating is safe.
    for (const oldest of this.seen.keys()) {
      if (this.seen.size <= this.capacity) break;
      this.seen.delete(oldest);
    }
    return true;
  }

  private evictExpired(nowMs: number): void {
    for (const [key, expiresAt] of this.seen) {
      if (expiresAt > nowMs) break;
      this.seen.delete(key);
    }
  }
}

export interface VerifierOptions {
  credentials: Readonly<DemoCredentials>;
  /** The server clock in epoch milliseconds; the demo shifts it for clock-skew tests. */
  now?: () => number;
  maxSkewMs?: number;
  nonces?: NonceStore;
  /** Public key of the consumer's RSA key pair: RSA-SHA* requests are checked with it. */
  publicKey?: KeyObject;
  /** Tokens the demo issued (3-legged dance, Extra Horizon sign-in): their secrets, by kind. */
  issuedTokens?: { secretOf(token: string, kind: TokenKind): string | undefined };
}

/** An access token opens resources; a request token only its exchange for an access token. */
export type TokenKind = 'access' | 'request';

export interface VerifyOptions {
  /** 3-legged routes (Extra Horizon's users) refuse requests signed without a token. */
  requireToken: boolean;
  /** Routes that sign bodies refuse a request without `oauth_body_hash`. */
  requireBodyHash?: boolean;
  /** Which tokens are good here: access tokens (the fixed demo token and issued ones) unless `request`. */
  tokenKind?: TokenKind;
}

function fail(reason: VerificationFailure, message: string): VerificationResult {
  return { ok: false, reason, message };
}

type Refused = { ok: false; failure: VerificationResult };

/** The `oauth_*` parameters as sent: from the Authorization header, else from the query (§3.5). */
function signedParameters(request: IncomingSignedRequest): { ok: true; params: Map<string, string>; placement: 'header' | 'query'; realm?: string } | Refused {
  let queryPairs: Array<[string, string]>;
  try {
    queryPairs = formPairs(new URL(request.url).search.slice(1));
  } catch {
    return { ok: false, failure: fail('malformed_parameters', 'the request URL cannot be parsed') };
  }
  const header = parseAuthorizationHeader(request.authorization);
  if (header.kind === 'malformed') return { ok: false, failure: fail('malformed_parameters', header.message) };
  if (header.kind === 'oauth') return { ok: true, params: header.params, placement: 'header', realm: header.realm };
  const params = new Map<string, string>();
  for (const [key, value] of queryPairs) {
    if (!key.startsWith('oauth_')) continue;
    if (params.has(key)) return { ok: false, failure: fail('malformed_parameters', `${key} appears more than once`) };
    params.set(key, value);
  }
  return { ok: true, params, placement: 'query' };
}

interface ProtocolParameters {
  ok: true;
  consumerKey: string;
  nonce: string;
  signatureMethod: DemoSignatureMethod;
  timestampText: string;
  token?: string;
}

/** Every required parameter present, none unknown, and each well-formed on its own. */
function protocolParameters(params: Map<string, string>): ProtocolParameters | Refused {
  const refuse = (reason: VerificationFailure, message: string): Refused => ({ ok: false, failure: fail(reason, message) });
  if (params.size === 0) return refuse('missing_credentials', 'the request is not signed: no oauth_* parameters');
  for (const key of params.keys()) {
    if (!KNOWN_PARAMETERS.has(key)) return refuse('malformed_parameters', `unsupported parameter ${key}`);
  }
  const missing = REQUIRED_PARAMETERS.filter((key) => !params.get(key));
  if (missing.length) return refuse('missing_parameters', `missing ${missing.join(', ')}`);
  // Each is there and not empty: checked just above.
  const [consumerKey, nonce, method, timestampText] = ['oauth_consumer_key', 'oauth_nonce', 'oauth_signature_method', 'oauth_timestamp'].map(
    (key) => params.get(key) ?? '',
  );
  const version = params.get('oauth_version');
  if (version !== undefined && version !== '1.0') return refuse('malformed_parameters', 'oauth_version must be 1.0');
  if (!isDemoSignatureMethod(method)) {
    return refuse('unsupported_signature_method', `unsupported oauth_signature_method ${method}; use ${DEMO_SIGNATURE_METHODS.join(', ')}`);
  }
  if (nonce.length > MAX_NONCE_LENGTH) return refuse('malformed_parameters', 'oauth_nonce is too long');
  // Canonical digits only: one timestamp, one spelling, for the skew check and the nonce store.
  if (!/^(0|[1-9][0-9]{0,11})$/.test(timestampText)) {
    return refuse('malformed_parameters', 'oauth_timestamp must be whole seconds since 1970 (UTC)');
  }
  const token = params.get('oauth_token');
  return { ok: true, consumerKey, nonce, signatureMethod: method, timestampText, ...(token !== undefined ? { token } : {}) };
}

export class OAuth1Verifier {
  private readonly credentials: Readonly<DemoCredentials>;
  private readonly now: () => number;
  private readonly maxSkewMs: number;
  private readonly nonces: NonceStore;
  private readonly publicKey: KeyObject | undefined;
  private readonly issuedTokens: VerifierOptions['issuedTokens'];

  constructor(options: VerifierOptions) {
    this.publicKey = options.publicKey;
    this.issuedTokens = options.issuedTokens;
    this.credentials = options.credentials;
    this.now = options.now ?? Date.now;
    this.maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
    this.nonces = options.nonces ?? new NonceStore(this.maxSkewMs);
  }

  /** The secret of a token good for this route, or undefined. */
  private tokenSecretOf(token: string, kind: TokenKind): string | undefined {
    if (kind === 'access' && constantTimeEqual(token, this.credentials.token)) return this.credentials.tokenSecret;
    return this.issuedTokens?.secretOf(token, kind);
  }

  verify(request: IncomingSignedRequest, options: VerifyOptions): VerificationResult {
    const signed = signedParameters(request);
    if (!signed.ok) return signed.failure;
    const { params, placement, realm } = signed;
    const sent = protocolParameters(params);
    if (!sent.ok) return sent.failure;
    const { consumerKey, nonce, signatureMethod, timestampText, token } = sent;
    const timestamp = Number(timestampText);

    const tokenSecret = token === undefined ? undefined : this.tokenSecretOf(token, options.tokenKind ?? 'access');
    const credentialProblem = this.credentialProblem(consumerKey, token, tokenSecret, options.requireToken);
    if (credentialProblem) return credentialProblem;
    const nowMs = this.now();
    if (Math.abs(timestamp * 1000 - nowMs) > this.maxSkewMs) {
      return fail(
        'stale_timestamp',
        `oauth_timestamp ${timestampText} is more than ${Math.round(this.maxSkewMs / 60_000)} minutes from the server time ${Math.floor(nowMs / 1000)}`,
      );
    }

    const bodyProblem = bodyHashProblem(params.get('oauth_body_hash'), signatureMethod, request, options.requireBodyHash === true);
    if (bodyProblem) return fail('bad_body_hash', bodyProblem);
    const signatureProblem = this.signatureProblem(request, params, placement, signatureMethod, tokenSecret);
    if (signatureProblem) return signatureProblem;

    // Only a request with a valid signature uses up its nonce: otherwise anyone could burn them.
    const nonceKey = JSON.stringify([consumerKey, token ?? '', timestampText, nonce]);
    if (!this.nonces.remember(nonceKey, timestamp * 1000, nowMs)) {
      return fail('replayed_nonce', 'this oauth_nonce was already used with this timestamp: sign every request afresh');
    }

    return {
      ok: true,
      consumerKey,
      ...(token !== undefined ? { token } : {}),
      callback: params.get('oauth_callback'),
      verifier: params.get('oauth_verifier'),
      signatureMethod,
      placement,
      ...(realm !== undefined ? { realm } : {}),
      bodyHash: params.has('oauth_body_hash'),
    };
  }

  /** The consumer key must be ours, a token sent must be known, and a route for a user needs one. */
  private credentialProblem(
    consumerKey: string,
    token: string | undefined,
    tokenSecret: string | undefined,
    requireToken: boolean,
  ): VerificationResult | undefined {
    if (!constantTimeEqual(consumerKey, this.credentials.consumerKey)) {
      return fail('unknown_consumer_key', 'the consumer key is unknown');
    }
    if (token !== undefined && tokenSecret === undefined) {
      return fail('unknown_token', 'the token is unknown for this consumer key');
    }
    if (token === undefined && requireToken) {
      return fail('token_missing', 'this resource needs a user: sign with an access token (oauth_token)');
    }
    return undefined;
  }

  /** The base string rebuilt from the request as received (§3.4.1), checked by the demo's own §3.4 code. */
  private signatureProblem(
    request: IncomingSignedRequest,
    params: Map<string, string>,
    placement: 'header' | 'query',
    signatureMethod: DemoSignatureMethod,
    tokenSecret: string | undefined,
  ): VerificationResult | undefined {
    // protocolParameters has made sure it is there.
    const signature = params.get('oauth_signature') ?? '';
    if (signatureMethod.startsWith('RSA-') && !this.publicKey) {
      return fail('unsupported_signature_method', `${signatureMethod} is not accepted here: no public key is registered for this consumer`);
    }
    const url = new URL(request.url);
    // §3.4.1.3.1: the query (which holds the oauth_* with query placement), the Authorization
    // header's oauth_* (its parser has set the realm aside) and a form body; never the signature.
    const fromHeader = placement === 'header' ? [...params] : [];
    const fromForm = request.formBody === undefined ? [] : formPairs(request.formBody);
    const parameters = [...formPairs(url.search.slice(1)), ...fromHeader, ...fromForm].filter(([key]) => key !== 'oauth_signature');
    const baseString = signatureBaseString(request.method, url, parameters);
    const keys = { consumerSecret: this.credentials.consumerSecret, tokenSecret: tokenSecret ?? '', publicKey: this.publicKey };
    if (signatureMatches(signatureMethod, baseString, signature, keys)) return undefined;
    return signatureMethod.startsWith('RSA-')
      ? fail('bad_signature', 'the RSA signature does not verify with the public key of this consumer: check the private key')
      : fail('bad_signature', 'the signature does not match: check the consumer secret, the token secret and the signed URL');
  }
}

/**
 * Checks `oauth_body_hash` on its own (body hash draft §3): base64 of the body's hash, and
 * never on a form body, whose parameters are signed instead (draft §4.1).
 */
function bodyHashProblem(sent: string | undefined, method: DemoSignatureMethod, request: IncomingSignedRequest, required: boolean): string | undefined {
  if (sent === undefined) return required ? 'oauth_body_hash missing: this resource signs request bodies' : undefined;
  if (request.formBody !== undefined) return 'oauth_body_hash must not be sent with a form body: its parameters are signed instead';
  return constantTimeEqual(sent, bodyHashOf(method, request.body))
    ? undefined
    : `oauth_body_hash is not the ${bodyHashAlgorithm(method).label} digest of the body received`;
}

/** The URL a client addressed, rebuilt from the request line and the Host header. */
export function requestUrl(host: string | undefined, target: string, fallbackHost: string): string {
  const url = `http://${host || fallbackHost}${target}`;
  // Throws on a Host header that is no host: the caller answers 400.
  new URL(url);
  return url;
}
