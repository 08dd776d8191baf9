/**
 * OAuth 1.0a request signing (RFC 5849) on top of the `oauth-1.0a` package.
 *
 * oauth-1.0a computes base strings and signatures correctly when it is given the right
 * input; used naively it gets URLs with queries, repeated keys, `+`, `%` and keys like
 * `__proto__` wrong. Everything here exists to hand it the right input.
 */
import { createHmac, randomBytes } from 'node:crypto';
import OAuth = require('oauth-1.0a');

export const SIGNATURE_METHODS = ['HMAC-SHA1', 'HMAC-SHA256', 'PLAINTEXT'] as const;
export type SignatureMethod = (typeof SIGNATURE_METHODS)[number];

export const PLACEMENTS = ['header', 'query'] as const;
export type Placement = (typeof PLACEMENTS)[number];

export interface OAuth1Credentials {
  consumerKey: string;
  consumerSecret: string;
  /** Access token; absent for 1-legged services such as Alteryx Gallery. */
  token?: string;
  tokenSecret?: string;
}

export interface SigningOptions {
  signatureMethod?: SignatureMethod;
  placement?: Placement;
  /** Milliseconds to add to the local clock, learnt from a server's `Date` header. */
  clockOffsetMs?: number;
}

export interface RequestToSign {
  method: string;
  url: string;
  /** The body when it is `application/x-www-form-urlencoded`: its parameters are signed. */
  formBody?: string;
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
}

type ParameterMap = Record<string, string | string[]>;

const HMAC_ALGORITHMS: Record<Exclude<SignatureMethod, 'PLAINTEXT'>, string> = {
  'HMAC-SHA1': 'sha1',
  'HMAC-SHA256': 'sha256',
};

/** RFC 3986 percent-encoding as RFC 5849 §3.6 requires: only unreserved characters stay. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Characters RFC 3986 allows unencoded in a query; anything else is encoded before sending. */
const QUERY_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/;

/**
 * The query as it goes on the wire. Decoding it gives the same pairs as decoding the
 * user's query, but strict servers (oauthlib among them) accept it: a `%` that starts no
 * escape becomes `%25`, characters RFC 3986 forbids (`|`, `[`, `^`…) are escaped.
 */
function wireQuery(search: string): string {
  let out = '';
  for (let i = 0; i < search.length; i++) {
    const c = search[i] as string;
    if (c === '%') {
      out += /^[0-9A-Fa-f]{2}$/.test(search.slice(i + 1, i + 3)) ? '%' : '%25';
    } else if (QUERY_SAFE.test(c)) {
      out += c;
    } else {
      out += encodeURIComponent(c);
    }
  }
  return out;
}

/** Parses `a=1&a=2&select(id)` the way servers do: `+` is a space, each part decoded once. */
export function parseParameters(encoded: string): Array<[string, string]> {
  return [...new URLSearchParams(encoded)];
}

function toParameterMap(pairs: Array<[string, string]>): ParameterMap {
  // A null-prototype object, so that a key such as `__proto__` is data, not a prototype.
  const map: ParameterMap = Object.create(null);
  for (const [key, value] of pairs) {
    const existing = map[key];
    if (existing === undefined) map[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else map[key] = [existing, value];
  }
  return map;
}

function nullPrototypeMerge<T, U>(first: T, second: U): T & U {
  return Object.assign(Object.create(null), first, second);
}

export interface NormalizedUrl {
  /** What the signature covers: scheme://host[:port]/path, lower-cased, default port dropped. */
  baseUri: string;
  /** Decoded query pairs with any stale `oauth_*` pairs removed. */
  queryPairs: Array<[string, string]>;
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

/** A nonce of 24 hex characters (96 random bits): within the 20–30 characters oauthlib accepts. */
export function createNonce(): string {
  return randomBytes(12).toString('hex');
}

/** Reusable signer for one set of credentials and options. */
export class OAuth1Signer {
  private readonly oauth: OAuth;
  private readonly signatureMethod: SignatureMethod;
  private readonly placement: Placement;

  constructor(
    private readonly credentials: OAuth1Credentials,
    options: Omit<SigningOptions, 'clockOffsetMs'> = {},
  ) {
    if (!credentials.consumerKey) throw new TypeError('consumer key missing');
    if (credentials.consumerSecret === undefined || credentials.consumerSecret === null) {
      throw new TypeError('consumer secret missing');
    }
    this.signatureMethod = options.signatureMethod ?? 'HMAC-SHA1';
    if (!SIGNATURE_METHODS.includes(this.signatureMethod)) {
      throw new TypeError(`unsupported signature method "${String(this.signatureMethod)}"`);
    }
    this.placement = options.placement ?? 'header';
    if (!PLACEMENTS.includes(this.placement)) {
      throw new TypeError(`unsupported placement "${String(this.placement)}"`);
    }
    const method = this.signatureMethod;
    this.oauth = new OAuth({
      consumer: { key: credentials.consumerKey, secret: credentials.consumerSecret },
      signature_method: method,
      hash_function:
        method === 'PLAINTEXT'
          ? (_baseString: string, key: string) => key
          : (baseString: string, key: string) =>
              createHmac(HMAC_ALGORITHMS[method], key).update(baseString).digest('base64'),
    });
    // oauth-1.0a merges parameters into plain objects, where `__proto__` is swallowed;
    // and its own encoder would be the same as ours, so keep one.
    this.oauth.mergeObject = nullPrototypeMerge;
    this.oauth.percentEncode = percentEncode;
    (this.oauth as unknown as { percentEncodeData: (data: ParameterMap) => ParameterMap }).percentEncodeData = (
      data,
    ) => {
      const encoded: ParameterMap = Object.create(null);
      for (const key of Object.keys(data)) {
        const value = data[key] as string | string[];
        encoded[percentEncode(key)] = Array.isArray(value) ? value.map(percentEncode) : percentEncode(value);
      }
      return encoded;
    };
  }

  /** Signs one request attempt. Call it again for every retry: nonce and timestamp are fresh. */
  sign(request: RequestToSign, options: Pick<SigningOptions, 'clockOffsetMs'> = {}, overrides: SigningOverrides = {}): SignedRequest {
    const method = request.method.toUpperCase();
    const { baseUri, queryPairs, sendUrl } = normalizeUrl(request.url);
    const pairs = request.formBody ? queryPairs.concat(parseParameters(request.formBody)) : queryPairs;

    const oauthParams: Record<string, string> = {
      oauth_consumer_key: this.credentials.consumerKey,
      oauth_nonce: overrides.nonce ?? createNonce(),
      oauth_signature_method: this.signatureMethod,
      oauth_timestamp: String(overrides.timestamp ?? Math.floor((Date.now() + (options.clockOffsetMs ?? 0)) / 1000)),
    };
    if (overrides.includeVersion !== false) oauthParams.oauth_version = '1.0';
    if (this.credentials.token) oauthParams.oauth_token = this.credentials.token;

    oauthParams.oauth_signature = this.oauth.getSignature(
      { method, url: baseUri, data: toParameterMap(pairs) },
      this.credentials.token ? this.credentials.tokenSecret ?? '' : undefined,
      oauthParams as unknown as OAuth.Data,
    );

    if (this.placement === 'query') {
      const protocolQuery = Object.keys(oauthParams)
        .map((key) => `${percentEncode(key)}=${percentEncode(oauthParams[key] as string)}`)
        .join('&');
      return {
        url: `${sendUrl}${sendUrl.includes('?') ? '&' : '?'}${protocolQuery}`,
        headers: {},
        oauthParams,
      };
    }
    return {
      url: sendUrl,
      headers: { Authorization: this.oauth.toHeader(oauthParams as unknown as OAuth.Authorization).Authorization },
      oauthParams,
    };
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
  if (queryStart < 0) return url;
  const kept = url
    .slice(queryStart + 1)
    .split('&')
    .filter((part) => !/^oauth_/i.test(part));
  return kept.length ? `${url.slice(0, queryStart)}?${kept.join('&')}` : url.slice(0, queryStart);
}
