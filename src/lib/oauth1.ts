/**
 * OAuth 1.0a request signing (RFC 5849): oauth-1.0a signs, through its documented API, with
 * the guards of the design around it: the URL split with `new URL()`, query and form
 * parameters decoded exactly once, and the protocol values it would make wrongly given to it
 * as `data` (its README allows `oauth_*` options there). The `Authorization` header is ours:
 * `toHeader()` encodes every parameter again only to skip them and drops an empty `realm=""`.
 * Where oauth-1.0a cannot give the RFC's answer (no `oauth_version`, a `__proto__` parameter,
 * `oauth_*` in a form body), our own §3.4.1 base string signs instead; the demo's broken-signer
 * guard (test/demo-broken-signer.test.ts) sends each case. No internals are patched.
 */
import { createHash, createHmac, createPrivateKey, randomFillSync, sign, type KeyObject } from 'node:crypto';
import OAuth = require('oauth-1.0a');

import { DIGESTS, PLACEMENTS, SIGNATURE_METHODS, usesPrivateKey, type Placement, type SignatureMethod } from './constants';

export { BODY_HASH_DIGESTS, PLACEMENTS, SIGNATURE_METHODS, usesPrivateKey, type Placement, type SignatureMethod } from './constants';

export interface OAuth1Credentials {
  consumerKey: string;
  /** Signs HMAC-SHA* and PLAINTEXT requests; RSA-SHA* does not use it (any value, '' included). */
  consumerSecret: string;
  /** Access token; absent for 1-legged services such as Alteryx Gallery. */
  token?: string;
  tokenSecret?: string;
  /** PEM RSA private key (PKCS#1 or PKCS#8) for RSA-SHA*. */
  privateKey?: string;
}

export interface SigningOptions {
  signatureMethod?: SignatureMethod;
  placement?: Placement;
  /** Milliseconds to add to the local clock, learnt from a server's `Date` header. */
  clockOffsetMs?: number;
  /** Sent as the first parameter of the `Authorization` header, never signed (RFC 5849 §3.4.1.3.1); not sent with query placement. */
  realm?: string;
  /** Adds `oauth_body_hash` to requests whose body is not a form (OAuth Request Body Hash draft). */
  bodyHash?: boolean;
}

export interface RequestToSign {
  method: string;
  url: string;
  /** The body when it is `application/x-www-form-urlencoded`: its parameters are signed. */
  formBody?: string;
  /** The exact body bytes sent, for `oauth_body_hash`; none means an empty body. */
  body?: Buffer;
  /** `oauth_callback` of a temporary credentials request (RFC 5849 §2.1); "oob" when there is none. */
  callback?: string;
  /** `oauth_verifier` of a token request (RFC 5849 §2.3). */
  verifier?: string;
}

/** Fixed values for reproducible signatures (test vectors, verification). */
export interface SigningOverrides {
  nonce?: string;
  timestamp?: number;
  /** `oauth_version` is optional in RFC 5849 (its own examples leave it out); sent unless false. */
  includeVersion?: boolean;
}

export interface SignedRequest {
  /** The URL to send: normalised, with the `oauth_*` pairs appended for query placement. */
  url: string;
  /** `Authorization` header for header placement; empty for query placement. */
  headers: Record<string, string>;
  /** The protocol parameters including `oauth_signature`. */
  oauthParams: Record<string, string>;
  /** What was signed, without a secret: for the diagnosis of a refusal and the Explain panel; built when called. */
  record: () => SigningRecord;
}

/**
 * What one attempt signed (RFC 5849 §3.4.1), as `msg.signing` shows it. Holds no secret:
 * the base string never contains one, and `oauth_signature` is left out of the parameters
 * (a PLAINTEXT signature is the secrets themselves).
 */
export interface SigningRecord {
  method: string;
  /** The URL as signed and sent, without `oauth_*` pairs. */
  url: string;
  baseString: string;
  /**
   * Every signed parameter, decoded; `oauth_signature` is not one. In the order they were
   * gathered: {@link inBaseStringOrder} sorts them when someone looks (a refusal, Explain),
   * not on every request.
   */
  parameters: Array<{ name: string; value: string }>;
  signatureMethod: SignatureMethod;
  placement: Placement;
  /** Sent with header placement only, and never signed. */
  realm?: string;
  timestamp: number;
}

/** A signing record's parameters as the base string lists them: §3.4.1.3.2 sorts the encoded names, then values. */
export function inBaseStringOrder(parameters: ReadonlyArray<{ name: string; value: string }>): Array<{ name: string; value: string }> {
  return parameters
    .map(({ name, value }) => ({ name, value, key: [percentEncode(name), percentEncode(value)] as const }))
    .sort(({ key: [nameA, valueA] }, { key: [nameB, valueB] }) => (nameA < nameB ? -1 : nameA > nameB ? 1 : valueA < valueB ? -1 : valueA > valueB ? 1 : 0))
    .map(({ name, value }) => ({ name, value }));
}

/** RFC 3986 percent-encoding as RFC 5849 §3.6 requires: only unreserved characters stay. */
export function percentEncode(value: string): string {
  // Most protocol values (names, nonce, timestamp, method) are unreserved already: one test, no copy.
  if (UNRESERVED_ONLY.test(value)) return value;
  // encodeURIComponent leaves five of RFC 3986's reserved characters alone: !'()*
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
const UNRESERVED_ONLY = /^[A-Za-z0-9\-._~]*$/;

/**
 * The query as it goes on the wire, as the core http request node sends it: what `new URL()`
 * encoded (spaces, quotes, non-ASCII) stays encoded, a `%` that starts no escape becomes
 * `%25`, and `[ ] | ^ { }` go as written. Decoding it gives the pairs that were signed.
 */
function wireQuery(search: string): string {
  return search.replace(/%(?![0-9A-Fa-f]{2})/g, '%25');
}

/** Parses `a=1&a=2&select(id)` the way servers do: `+` is a space, each part decoded once. */
export function parseParameters(encoded: string): Array<[string, string]> {
  // URLSearchParams drops one leading `?`, which in `/p??a=1` belongs to the name `?a`.
  return [...new URLSearchParams(encoded.startsWith('?') ? `&${encoded}` : encoded)];
}

export interface NormalizedUrl {
  /** What the signature covers: scheme://host[:port]/path, lower-cased, default port dropped. */
  baseUri: string;
  /** Decoded query pairs with any stale `oauth_*` pairs removed. */
  queryPairs: ReadonlyArray<readonly [string, string]>;
  /** The URL to send, without fragment and without stale `oauth_*` pairs. */
  sendUrl: string;
}

/**
 * Splits a URL into what RFC 5849 §3.4.1.2 signs and the query parameters of §3.4.1.3.
 * `oauth_*` pairs already in the query (URLs copied from Alteryx' interactive API
 * documentation carry old ones) are dropped: they would override the fresh ones.
 */
export function normalizeUrl(rawUrl: string): NormalizedUrl {
  const url = new URL(rawUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`unsupported protocol "${url.protocol}": use http or https`);
  }
  let search = url.search.slice(1);
  let queryPairs = parseParameters(search);
  if (queryPairs.some(([key]) => key.startsWith('oauth_'))) {
    search = search
      .split('&')
      .filter((part) => !parseParameters(part).some(([key]) => key.startsWith('oauth_')))
      .join('&');
    queryPairs = queryPairs.filter(([key]) => !key.startsWith('oauth_'));
  }
  // URL lower-cases scheme and host and drops the default port; `origin` keeps that form.
  const baseUri = url.origin + url.pathname;
  const sendUrl = search ? `${baseUri}?${wireQuery(search)}` : baseUri;
  return { baseUri, queryPairs, sendUrl };
}

/** More URLs than a flow plausibly signs over and over: the memo is cleared rather than grown past it. */
const MAX_REMEMBERED_URLS = 256;

/** A URL as the signer meets it again and again: its split, and its query as oauth-1.0a's `data`. */
interface RememberedUrl extends NormalizedUrl {
  /** See {@link libraryData}; shared by every signature of the URL, so frozen. */
  queryData: LibraryData | undefined;
}

/**
 * {@link normalizeUrl} and the query's {@link libraryData}, remembered per URL text: a node
 * mostly asks for the same URLs, and splitting and decoding one is a good part of a
 * signature's work. The result is shared between calls, so it is frozen.
 */
function rememberedUrl(memo: Map<string, RememberedUrl>, rawUrl: string): RememberedUrl {
  let remembered = memo.get(rawUrl);
  if (!remembered) {
    const { baseUri, queryPairs, sendUrl } = normalizeUrl(rawUrl);
    const pairs = Object.freeze(queryPairs.map((pair) => Object.freeze(pair)));
    remembered = Object.freeze({ baseUri, queryPairs: pairs, sendUrl, queryData: libraryData(pairs) });
    if (memo.size >= MAX_REMEMBERED_URLS) memo.clear();
    memo.set(rawUrl, remembered);
  }
  return remembered;
}

/** A nonce of 24 hex characters (96 random bits): within the 20–30 characters oauthlib accepts. */
export function createNonce(): string {
  // One call to the system's random source per 256 nonces: a call per request cost more than the HMAC.
  if (noncePoolOffset === NONCE_POOL.length) {
    randomFillSync(NONCE_POOL);
    noncePoolOffset = 0;
  }
  const nonce = NONCE_POOL.toString('hex', noncePoolOffset, noncePoolOffset + NONCE_BYTES);
  noncePoolOffset += NONCE_BYTES;
  return nonce;
}
const NONCE_BYTES = 12;
const NONCE_POOL = Buffer.alloc(NONCE_BYTES * 256);
let noncePoolOffset = NONCE_POOL.length;

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/;

/**
 * The PEM block re-wrapped in 64-character lines. A key pasted into a single-line password
 * field loses its line breaks, one kept in an environment variable often has `\n` written
 * out or spaces instead; OpenSSL reads none of those.
 */
function rewrapPem(text: string): string {
  const block = PEM_BLOCK.exec(text);
  if (!block) return text;
  const [, label, body] = block;
  const lines = (body ?? '').replace(/\\n|\s/g, '').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Parses a PEM RSA private key once; the error names the problem, never the key. */
export function parsePrivateKey(pem: string | undefined, method: SignatureMethod): KeyObject {
  if (!pem) throw new TypeError(`private key missing: ${method} signs with a PEM RSA private key`);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: rewrapPem(pem), format: 'pem' });
  } catch {
    throw new TypeError(
      'private key does not parse: expected an unencrypted PEM RSA private key (PKCS#1 "BEGIN RSA PRIVATE KEY" or PKCS#8 "BEGIN PRIVATE KEY")',
    );
  }
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError(`private key is a ${key.asymmetricKeyType ?? 'non-RSA'} key: ${method} needs an RSA key`);
  return key;
}

/**
 * The signature of a base string in oauth-1.0a's `hash_function` shape: `key` is the §3.4.2
 * signing key `encode(consumer secret)&encode(token secret)`, which RSA-SHA* (§3.4.3) does not use.
 */
export function hashFunction(method: SignatureMethod, privateKey?: KeyObject): OAuth.HashFunction {
  const digest = DIGESTS[method];
  if (method === 'PLAINTEXT') return (_baseString, key) => key;
  if (usesPrivateKey(method)) {
    if (!privateKey) throw new TypeError(`private key missing: ${method} signs with a PEM RSA private key`);
    return (baseString) => sign(digest, Buffer.from(baseString, 'utf8'), privateKey).toString('base64');
  }
  return (baseString, key) => createHmac(digest, key).update(baseString).digest('base64');
}

/** RFC 5849 §3.4.1: method, base URI and the normalised parameters, each encoded, joined by `&`. */
export function signatureBaseString(method: string, baseUri: string, parameters: ReadonlyArray<readonly [string, string]>): string {
  const normalized = parameters
    .map(([key, value]) => [percentEncode(key), percentEncode(value)] as const)
    .sort(([keyA, valueA], [keyB, valueB]) => (keyA < keyB ? -1 : keyA > keyB ? 1 : valueA < valueB ? -1 : valueA > valueB ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  return `${method.toUpperCase()}&${percentEncode(baseUri)}&${percentEncode(normalized)}`;
}

/** RFC 2617 quoted-string without escapes: a realm is an identifier such as NetSuite's `1234567_SB1`. */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const REALM_TEXT = /^[^"\\\x00-\x1f\x7f]*$/;

/** How a protocol value is written into the header or the query: percent-encoded; Explain writes a hidden one as `…`. */
export type ProtocolValueWriter = (name: string, value: string) => string;
const PERCENT_ENCODED: ProtocolValueWriter = (_name, value) => percentEncode(value);

/** RFC 5849 §3.5.1: `OAuth realm="…", oauth_…="…"`, values percent-encoded. */
export function authorizationHeader(oauthParams: Record<string, string>, realm: string | undefined, write = PERCENT_ENCODED): string {
  const fields = Object.keys(oauthParams)
    .sort()
    .map((key) => `${percentEncode(key)}="${write(key, oauthParams[key] ?? '')}"`);
  if (realm !== undefined) fields.unshift(`realm="${realm}"`);
  return `OAuth ${fields.join(', ')}`;
}

/** RFC 5849 §3.5.3: the URL to send with the protocol parameters appended to its query. */
export function withProtocolQuery(sendUrl: string, oauthParams: Record<string, string>, write = PERCENT_ENCODED): string {
  const protocolQuery = Object.keys(oauthParams)
    .map((key) => `${key}=${write(key, oauthParams[key] ?? '')}`)
    .join('&');
  return `${sendUrl}${sendUrl.includes('?') ? '&' : '?'}${protocolQuery}`;
}

type LibraryData = Readonly<Record<string, string | readonly string[]>>;

/**
 * Query and form parameters as oauth-1.0a's `data` (repeated names as lists, frozen), or
 * undefined where it would not sign them as RFC 5849 does.
 */
function libraryData(pairs: ReadonlyArray<readonly [string, string]>): LibraryData | undefined {
  const data: Record<string, string | readonly string[]> = {};
  for (const [key, value] of pairs) {
    if (key === '__proto__' || key.startsWith('oauth_')) return undefined;
    const seen = Object.prototype.hasOwnProperty.call(data, key) ? data[key] : undefined;
    data[key] = seen === undefined ? value : Object.freeze([seen, value].flat());
  }
  return Object.freeze(data);
}

/** Reusable signer for one set of credentials and options. */
export class OAuth1Signer {
  /** oauth-1.0a, set up with the signature method, its hash function and the realm. */
  private readonly oauth: OAuth;
  private readonly signatureMethod: SignatureMethod;
  private readonly placement: Placement;
  private readonly realm: string | undefined;
  private readonly bodyHash: boolean;
  /** §3.4.2: `encode(consumer secret)&encode(token secret)`; the PLAINTEXT signature too. */
  private readonly signingKey: string;
  private readonly urls = new Map<string, RememberedUrl>();

  constructor(
    private readonly credentials: OAuth1Credentials,
    options: Omit<SigningOptions, 'clockOffsetMs'> = {},
  ) {
    if (!credentials.consumerKey) throw new TypeError('consumer key missing');
    this.signatureMethod = options.signatureMethod ?? 'HMAC-SHA1';
    if (!SIGNATURE_METHODS.includes(this.signatureMethod)) {
      throw new TypeError(`unsupported signature method "${String(this.signatureMethod)}"`);
    }
    this.placement = options.placement ?? 'header';
    if (!PLACEMENTS.includes(this.placement)) {
      throw new TypeError(`unsupported placement "${String(this.placement)}"`);
    }
    if (options.realm !== undefined && !REALM_TEXT.test(options.realm)) {
      throw new TypeError('realm must not contain quotes, backslashes or control characters');
    }
    this.realm = options.realm;
    this.bodyHash = options.bodyHash === true;
    const rsa = usesPrivateKey(this.signatureMethod);
    if (!rsa && (credentials.consumerSecret === undefined || credentials.consumerSecret === null)) {
      throw new TypeError('consumer secret missing');
    }
    const privateKey = rsa ? parsePrivateKey(credentials.privateKey, this.signatureMethod) : undefined;
    const consumerSecret = rsa ? '' : credentials.consumerSecret;
    this.oauth = new OAuth({
      consumer: { key: credentials.consumerKey, secret: consumerSecret },
      signature_method: this.signatureMethod,
      hash_function: hashFunction(this.signatureMethod, privateKey),
      ...(this.realm ? { realm: this.realm } : {}),
    });
    this.signingKey = `${percentEncode(consumerSecret)}&${percentEncode(credentials.token ? (credentials.tokenSecret ?? '') : '')}`;
  }

  /** Signs one request attempt. Call it again for every retry: nonce and timestamp are fresh. */
  sign(request: RequestToSign, options?: Pick<SigningOptions, 'clockOffsetMs'>, overrides?: SigningOverrides): SignedRequest {
    const url = rememberedUrl(this.urls, request.url);
    const { baseUri, sendUrl } = url;
    const timestamp = overrides?.timestamp ?? Math.floor((Date.now() + (options?.clockOffsetMs ?? 0)) / 1000);
    const includeVersion = overrides?.includeVersion !== false;
    const oauthParams = this.protocolParameters(request, overrides?.nonce ?? createNonce(), String(timestamp), includeVersion);
    const formPairs = request.formBody === undefined ? [] : parseParameters(request.formBody);
    const requestPairs = formPairs.length ? [...url.queryPairs, ...formPairs] : url.queryPairs;
    const requestData = formPairs.length ? libraryData(requestPairs) : url.queryData;
    // What is signed (oauth_signature is not), for a refusal's diagnosis and Explain: built only when asked for.
    const record = (): SigningRecord => {
      const signedPairs = [...requestPairs, ...Object.entries(oauthParams).filter(([key]) => key !== 'oauth_signature')];
      return this.record(request.method, sendUrl, signatureBaseString(request.method, baseUri, signedPairs), signedPairs, timestamp);
    };
    if (includeVersion && requestData) {
      // oauth-1.0a adds the consumer key, method, token and version itself. The rest it would get wrong: its
      // nonce comes from Math.random, it knows no clock offset, and it hashes a string, not the bytes sent.
      const { oauth_consumer_key: _key, oauth_signature_method: _method, oauth_token: _token, oauth_version: _version, ...ours } = oauthParams;
      const token = this.credentials.token ? { key: this.credentials.token, secret: this.credentials.tokenSecret ?? '' } : undefined;
      const authorized = this.oauth.authorize({ method: request.method, url: baseUri, data: { ...requestData, ...ours } }, token);
      oauthParams.oauth_signature = authorized.oauth_signature;
    } else {
      // oauth-1.0a would sign oauth_version anyway, lose a __proto__ parameter or let a form's oauth_* win: §3.4.1 here.
      const baseString = signatureBaseString(request.method, baseUri, [...requestPairs, ...Object.entries(oauthParams)]);
      oauthParams.oauth_signature = this.oauth.hash_function(baseString, this.signingKey);
    }

    if (this.placement === 'query') return { url: withProtocolQuery(sendUrl, oauthParams), headers: {}, oauthParams, record };
    return { url: sendUrl, headers: { Authorization: authorizationHeader(oauthParams, this.realm) }, oauthParams, record };
  }

  private record(method: string, url: string, baseString: string, parameters: ReadonlyArray<readonly [string, string]>, timestamp: number): SigningRecord {
    return {
      method: method.toUpperCase(),
      url,
      baseString,
      parameters: parameters.map(([name, value]) => ({ name, value })),
      signatureMethod: this.signatureMethod,
      placement: this.placement,
      ...(this.placement === 'header' && this.realm !== undefined ? { realm: this.realm } : {}),
      timestamp,
    };
  }

  private protocolParameters(request: RequestToSign, nonce: string, timestamp: string, includeVersion: boolean): Record<string, string> {
    const params: Record<string, string> = {};
    // Body hash draft §4.1: form bodies are signed as parameters and never carry a body hash.
    if (this.bodyHash && request.formBody === undefined) {
      params.oauth_body_hash = createHash(DIGESTS[this.signatureMethod])
        .update(request.body ?? Buffer.alloc(0))
        .digest('base64');
    }
    if (request.callback !== undefined) params.oauth_callback = request.callback;
    params.oauth_consumer_key = this.credentials.consumerKey;
    params.oauth_nonce = nonce;
    params.oauth_signature_method = this.signatureMethod;
    params.oauth_timestamp = timestamp;
    if (this.credentials.token) params.oauth_token = this.credentials.token;
    if (request.verifier !== undefined) params.oauth_verifier = request.verifier;
    if (includeVersion) params.oauth_version = '1.0';
    return params;
  }
}

/** One-off signing; nodes keep an {@link OAuth1Signer} instead. */
export function signRequest(
  request: RequestToSign,
  credentials: OAuth1Credentials,
  options: SigningOptions = {},
  overrides: SigningOverrides = {},
): SignedRequest {
  return new OAuth1Signer(credentials, options).sign(request, options, overrides);
}

/** Removes the `oauth_*` pairs from a URL that was signed with query placement (for logs and `msg.responseUrl`). */
export function withoutProtocolParameters(url: string): string {
  const queryStart = url.indexOf('?');
  // Most URLs hold none (header placement): no split and join for them.
  if (queryStart < 0 || !/[?&]oauth_/i.test(url)) return url;
  const kept = url
    .slice(queryStart + 1)
    .split('&')
    .filter((part) => !/^oauth_/i.test(part));
  return kept.length ? `${url.slice(0, queryStart)}?${kept.join('&')}` : url.slice(0, queryStart);
}
