/**
 * OAuth 1.0a request signing (RFC 5849) on top of the `oauth-1.0a` package.
 *
 * oauth-1.0a computes base strings and signatures correctly when it is given the right
 * input; used naively it gets URLs with queries, repeated keys, `+`, `%` and keys like
 * `__proto__` wrong. Everything here exists to hand it the right input, and to keep the
 * part of its base string that depends on the URL alone, so a URL signed again costs
 * little more than its HMAC.
 */
import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
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
  /** The exact bytes sent (for `oauth_body_hash`). */
  body?: Buffer;
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

const HMAC_ALGORITHMS: Record<Exclude<SignatureMethod, 'PLAINTEXT'>, string> = {
  'HMAC-SHA1': 'sha1',
  'HMAC-SHA256': 'sha256',
};

/** Characters RFC 3986 leaves unreserved: the only ones §3.6 does not encode. */
const NEEDS_ENCODING = /[^A-Za-z0-9\-._~]/;

const SUB_DELIMS_LEFT = /[!'()*]/;
const SUB_DELIMS_LEFT_ALL = /[!'()*]/g;

/** RFC 3986 percent-encoding as RFC 5849 §3.6 requires: only unreserved characters stay. */
export function percentEncode(value: string): string {
  if (!NEEDS_ENCODING.test(value)) return value;
  const encoded = encodeURIComponent(value);
  // encodeURIComponent leaves these five of RFC 3986's reserved characters alone.
  return SUB_DELIMS_LEFT.test(encoded) ? encoded.replace(SUB_DELIMS_LEFT_ALL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : encoded;
}

/** Characters RFC 3986 allows unencoded in a query; anything else is encoded before sending. */
const QUERY_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/;
const WIRE_READY_QUERY = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*$/;

/**
 * The query as it goes on the wire. Decoding it gives the same pairs as decoding the
 * user's query, but strict servers (oauthlib among them) accept it: a `%` that starts no
 * escape becomes `%25`, characters RFC 3986 forbids (`|`, `[`, `^`…) are escaped.
 */
function wireQuery(search: string): string {
  if (WIRE_READY_QUERY.test(search)) return search;
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
  // URLSearchParams drops one leading `?`, which in `/p??a=1` belongs to the name `?a`.
  return [...new URLSearchParams(encoded.startsWith('?') ? `&${encoded}` : encoded)];
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

/** Random bytes drawn in blocks: one `randomBytes` call per 341 nonces instead of one each. */
const NONCE_BYTES = 12;
let noncePool = Buffer.alloc(0);
let noncePoolOffset = 0;

/** A nonce of 24 hex characters (96 random bits): within the 20–30 characters oauthlib accepts. */
export function createNonce(): string {
  if (noncePoolOffset + NONCE_BYTES > noncePool.length) {
    noncePool = randomBytes(4092);
    noncePoolOffset = 0;
  }
  const nonce = noncePool.toString('hex', noncePoolOffset, noncePoolOffset + NONCE_BYTES);
  noncePoolOffset += NONCE_BYTES;
  return nonce;
}

type ParameterMap = Record<string, string | string[]>;

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

type Slot = 'nonce' | 'timestamp' | 'signature';

/**
 * Stand-ins for values while oauth-1.0a builds a text to keep (a base string, a header):
 * alphanumeric, so percent-encoding, even twice, leaves them as they are.
 */
const STAND_INS: Record<Slot, string> = {
  nonce: `n${randomBytes(16).toString('hex')}`,
  timestamp: `t${randomBytes(16).toString('hex')}`,
  signature: `s${randomBytes(16).toString('hex')}`,
};

/** A text cut where its stand-ins are, to be filled with the real values of each request. */
class SlotTemplate {
  private constructor(
    private readonly pieces: string[],
    private readonly slots: Slot[],
  ) {}

  /** Undefined unless each stand-in occurs exactly once (a form field can carry one too). */
  static cut(text: string, slots: Slot[]): SlotTemplate | undefined {
    const found: Array<{ slot: Slot; at: number }> = [];
    for (const slot of slots) {
      const at = text.indexOf(STAND_INS[slot]);
      if (at < 0 || text.indexOf(STAND_INS[slot], at + 1) >= 0) return undefined;
      found.push({ slot, at });
    }
    found.sort((a, b) => a.at - b.at);
    const pieces: string[] = [];
    let from = 0;
    for (const { slot, at } of found) {
      pieces.push(text.slice(from, at));
      from = at + STAND_INS[slot].length;
    }
    pieces.push(text.slice(from));
    return new SlotTemplate(pieces, found.map(({ slot }) => slot));
  }

  fill(values: Record<Slot, string>): string {
    let text = this.pieces[0] as string;
    for (let i = 0; i < this.slots.length; i++) text += values[this.slots[i] as Slot] + (this.pieces[i + 1] as string);
    return text;
  }
}

/**
 * What one request's signature needs that depends on its method, URL and form body alone:
 * oauth-1.0a's base string with nonce and timestamp left open, and the URL to send.
 */
interface PreparedRequest {
  method: string;
  formBody: string | undefined;
  includeVersion: boolean;
  sendUrl: string;
  /** Unset when the base string cannot be kept (see {@link SlotTemplate.cut}): signed afresh each time. */
  baseString?: SlotTemplate;
}

/**
 * How much a signer keeps prepared: flows call the same few URLs over and over. At most
 * 128 URLs of up to 1,024 characters with 4 methods each, a few MB at worst, kilobytes as a rule.
 */
const PREPARED_URLS = 128;
const PREPARED_METHODS = 4;
const PREPARED_URL_LIMIT = 1024;
/** URLs remembered as signed once: a URL is prepared for keeps when it comes again. */
const SEEN_URLS = 256;

/** Reusable signer for one set of credentials and options. */
export class OAuth1Signer {
  private readonly oauth: OAuth;
  private readonly signatureMethod: SignatureMethod;
  private readonly placement: Placement;
  /** The token secret as oauth-1.0a takes it: undefined without a token (1-legged Alteryx). */
  private readonly tokenSecret: string | undefined;
  /** §3.4.2: `encode(consumer secret)&encode(token secret)`; the PLAINTEXT signature too. */
  private readonly signingKey: string;
  private readonly prepared = new Map<string, PreparedRequest[]>();
  private readonly seen = new Set<string>();
  /** Header templates by whether `oauth_version` is sent; null when one cannot be made. */
  private readonly headers = new Map<boolean, SlotTemplate | null>();

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
    // The key never changes for a signer: turn it into a KeyObject once, not on every signature.
    let keyObject: { text: string; key: KeyObject } | undefined;
    const hmac = (baseString: string, key: string): string => {
      if (keyObject?.text !== key) keyObject = { text: key, key: createSecretKey(Buffer.from(key, 'utf8')) };
      return createHmac(HMAC_ALGORITHMS[method as keyof typeof HMAC_ALGORITHMS], keyObject.key).update(baseString).digest('base64');
    };
    this.oauth = new OAuth({
      consumer: { key: credentials.consumerKey, secret: credentials.consumerSecret },
      signature_method: method,
      hash_function: method === 'PLAINTEXT' ? (_baseString: string, key: string) => key : hmac,
    });
    // oauth-1.0a merges parameters into plain objects, where `__proto__` is swallowed;
    // and its own encoder would be the same as ours, so keep one.
    this.oauth.mergeObject = nullPrototypeMerge;
    this.oauth.percentEncode = percentEncode;
    (this.oauth as unknown as { percentEncodeData: (data: ParameterMap) => ParameterMap }).percentEncodeData = (data) => {
      const encoded: ParameterMap = Object.create(null);
      for (const key of Object.keys(data)) {
        const value = data[key] as string | string[];
        encoded[percentEncode(key)] = Array.isArray(value) ? value.map(percentEncode) : percentEncode(value);
      }
      return encoded;
    };
    this.tokenSecret = credentials.token ? credentials.tokenSecret ?? '' : undefined;
    this.signingKey = this.oauth.getSigningKey(this.tokenSecret);
  }

  /** Signs one request attempt. Call it again for every retry: nonce and timestamp are fresh. */
  sign(request: RequestToSign, options?: Pick<SigningOptions, 'clockOffsetMs'>, overrides?: SigningOverrides): SignedRequest {
    const includeVersion = overrides?.includeVersion !== false;
    const prepared = this.prepare(request.method, request.url, request.formBody, includeVersion);
    const nonce = overrides?.nonce ?? createNonce();
    const timestamp = String(overrides?.timestamp ?? Math.floor((Date.now() + (options?.clockOffsetMs ?? 0)) / 1000));
    const oauthParams = this.protocolParameters(nonce, timestamp, includeVersion);

    // A generated nonce (hex) and timestamp (digits) read the same percent-encoded, so they
    // fill the prepared base string as they are; a given nonce may need encoding: sign afresh.
    let signature: string;
    if (prepared.baseString && overrides?.nonce === undefined) {
      const baseString = prepared.baseString.fill({ nonce, timestamp, signature: '' });
      signature = this.oauth.hash_function(baseString, this.signingKey);
    } else {
      const { baseUri, queryPairs } = normalizeUrl(request.url);
      const pairs = request.formBody ? queryPairs.concat(parseParameters(request.formBody)) : queryPairs;
      signature = this.oauth.getSignature(
        { method: prepared.method, url: baseUri, data: toParameterMap(pairs) },
        this.tokenSecret,
        oauthParams as unknown as OAuth.Data,
      );
    }
    oauthParams.oauth_signature = signature;

    if (this.placement === 'query') {
      let protocolQuery = '';
      for (const key of Object.keys(oauthParams)) protocolQuery += `&${key}=${percentEncode(oauthParams[key] as string)}`;
      const { sendUrl } = prepared;
      return { url: `${sendUrl}${sendUrl.includes('?') ? '&' : '?'}${protocolQuery.slice(1)}`, headers: {}, oauthParams };
    }
    const header = overrides?.nonce === undefined ? this.headerTemplate(includeVersion) : undefined;
    const authorization = header
      ? header.fill({ nonce, timestamp, signature: percentEncode(signature) })
      : this.oauth.toHeader(oauthParams as unknown as OAuth.Authorization).Authorization;
    return { url: prepared.sendUrl, headers: { Authorization: authorization }, oauthParams };
  }

  /** oauth-1.0a's `Authorization` header with nonce, timestamp and signature left open; it depends on nothing else. */
  private headerTemplate(includeVersion: boolean): SlotTemplate | undefined {
    const cached = this.headers.get(includeVersion);
    if (cached !== undefined) return cached ?? undefined;
    const params = { ...this.protocolParameters(STAND_INS.nonce, STAND_INS.timestamp, includeVersion), oauth_signature: STAND_INS.signature };
    const template = SlotTemplate.cut(this.oauth.toHeader(params as unknown as OAuth.Authorization).Authorization, ['nonce', 'timestamp', 'signature']);
    this.headers.set(includeVersion, template ?? null);
    return template;
  }

  private protocolParameters(nonce: string, timestamp: string, includeVersion: boolean): Record<string, string> {
    const params: Record<string, string> = {
      oauth_consumer_key: this.credentials.consumerKey,
      oauth_nonce: nonce,
      oauth_signature_method: this.signatureMethod,
      oauth_timestamp: timestamp,
    };
    if (includeVersion) params.oauth_version = '1.0';
    if (this.credentials.token) params.oauth_token = this.credentials.token;
    return params;
  }

  /** True when `url` was signed before, recently; remembers it otherwise. */
  private seenOnce(url: string): boolean {
    if (this.seen.has(url)) return true;
    if (this.seen.size >= SEEN_URLS) this.seen.clear();
    this.seen.add(url);
    return false;
  }

  /** oauth-1.0a's base string for this request with stand-ins for nonce and timestamp, cut at them. */
  private prepare(rawMethod: string, url: string, formBody: string | undefined, includeVersion: boolean): PreparedRequest {
    const method = rawMethod.toUpperCase();
    const cached = this.prepared.get(url);
    if (cached) {
      for (const candidate of cached) {
        if (candidate.method === method && candidate.formBody === formBody && candidate.includeVersion === includeVersion) return candidate;
      }
    }

    const { baseUri, queryPairs, sendUrl } = normalizeUrl(url);
    const pairs = formBody ? queryPairs.concat(parseParameters(formBody)) : queryPairs;
    const baseString = this.oauth.getBaseString(
      { method, url: baseUri, data: toParameterMap(pairs) },
      this.protocolParameters(STAND_INS.nonce, STAND_INS.timestamp, includeVersion) as unknown as OAuth.Data,
    );
    const prepared: PreparedRequest = { method, formBody, includeVersion, sendUrl, baseString: SlotTemplate.cut(baseString, ['nonce', 'timestamp']) };

    // Form bodies are not kept: they change from call to call and may hold personal data. A URL
    // is kept from its second use on: keeping every one-off URL would only feed the garbage collector.
    if (!formBody && url.length <= PREPARED_URL_LIMIT && (cached || this.seenOnce(url))) {
      if (cached) {
        if (cached.length >= PREPARED_METHODS) cached.shift();
        cached.push(prepared);
      } else {
        if (this.prepared.size >= PREPARED_URLS) this.prepared.delete(this.prepared.keys().next().value as string);
        this.prepared.set(url, [prepared]);
      }
    }
    return prepared;
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
