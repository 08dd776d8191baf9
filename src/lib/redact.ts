/**
 * Redaction of secrets from any text a person or a log may see: error texts, status texts,
 * log lines. A service may echo the request it got (an `Authorization` header, a query with
 * `oauth_*` pairs) in its error body, so a secret can come back in any of the encodings the
 * request used.
 */
import { percentEncode } from './oauth1';

const HIDDEN = '…';

/**
 * Values that are credentials whatever the secret they came from: an OAuth 2 bearer token,
 * an OAuth 1 signature (a PLAINTEXT one is the secrets themselves), an OAuth 2 token
 * answer. Matched as `name=value`, `name="value"` or JSON `"name":"value"`.
 */
const CREDENTIAL_PAIR =
  /\b(oauth_signature|oauth_token|access_token|refresh_token|client_secret)((?:%22|%3D|["'])*\s*(?:=|:|%3D)\s*(?:%22|["'])*)([^\s"'&,;}]+)/gi;
const BEARER = /\b(Bearer)(\s+|%20|\+)[A-Za-z0-9\-._~+/%]+=*/gi;
/** The same two, to test a text (a global RegExp's test() starts where the last one ended). */
const BEARER_ANYWHERE = new RegExp(BEARER.source, 'i');
const CREDENTIAL_PAIR_ANYWHERE = new RegExp(CREDENTIAL_PAIR.source, 'i');

/** The PLAINTEXT signature (RFC 5849 §3.4.4) of these secrets: the secrets themselves, joined. */
export function plaintextSignature(consumerSecret: string | undefined, tokenSecret: string | undefined): string | undefined {
  return consumerSecret ? `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret ?? '')}` : undefined;
}

/**
 * A secret shorter than this is not searched for in what a service answers, nor cut from any
 * text: a consumer secret `a` would turn every `a` of an answer into `…`, keys included, and
 * hide nothing worth hiding. The config node warns at deploy about such a secret.
 */
export const MIN_REDACTED_LENGTH = 8;

/**
 * The forms a value takes on its way into a request and back in an echo: raw, URI component,
 * RFC 3986, form (`+` for space), Python's `quote()` (`/` kept) and `quote_plus()`, base64
 * (a Basic header, standard and URL-safe), each percent-encoded one also with lower-case hex
 * digits. JSON escapes (`\u0026`, `\/`) are handled where a text is searched ({@link SecretList}).
 */
function encodedForms(secret: string): string[] {
  const component = encodeURIComponent(secret);
  const rfc3986 = percentEncode(secret);
  const forms = [
    secret,
    component,
    rfc3986,
    component.replace(/%20/g, '+'),
    new URLSearchParams([['', secret]]).toString().slice(1),
    percentEncode(rfc3986),
    rfc3986.replace(/%2F/g, '/'),
    rfc3986.replace(/%20/g, '+'),
    Buffer.from(secret, 'utf8').toString('base64'),
    Buffer.from(secret, 'utf8').toString('base64url'),
  ];
  for (const form of forms.slice()) if (PERCENT_ESCAPE.test(form)) forms.push(form.replace(PERCENT_ESCAPES, (escape) => escape.toLowerCase()));
  return forms;
}

const PERCENT_ESCAPE = /%[0-9A-F]{2}/;
const PERCENT_ESCAPES = /%[0-9A-F]{2}/g;
/** A JSON string escape that stands for one character: `\u0061`, `\/`, `\"`, `\\`. */
const JSON_ESCAPES = /\\(?:u([0-9a-fA-F]{4})|(["\\/]))/g;

/** The text as a JSON parser would read its strings' escapes: `\u0026` is `&`, `\/` is `/`. */
function withoutJsonEscapes(text: string): string {
  return text.replace(JSON_ESCAPES, (_escape, hex: string | undefined, plain: string | undefined) => plain ?? String.fromCharCode(parseInt(hex ?? '0', 16)));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One character, or the JSON escape a writer may have made of it (`\u0026`, `\u00E9`, `\/`). */
function characterOrEscape(character: string): string {
  const hex = [...character.charCodeAt(0).toString(16).padStart(4, '0')]
    .map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit))
    .join('');
  const plain = escapeRegExp(character);
  const escaped = character === '/' || character === '"' || character === '\\' ? `|\\\\${plain}` : '';
  return `(?:${plain}|\\\\u${hex}${escaped})`;
}

/**
 * The secrets of one service as they stand: the fixed ones (from its credentials) and the
 * current ones, which change while it runs (the OAuth 2 bearer token, renewed). Their encoded
 * forms are worked out again only when the current ones change.
 */
export class SecretList {
  private key?: string;
  private cached: readonly string[] = [];
  private cachedBytes: readonly Buffer[] = [];
  private cachedPattern?: RegExp;
  private cachedEscapedPattern?: RegExp;

  constructor(
    private readonly fixed: ReadonlyArray<string | undefined>,
    private readonly current: () => ReadonlyArray<string | undefined> = () => [],
  ) {}

  /** Every encoded form of every secret, longest first: a secret inside another one's form must not leave a tail behind. */
  forms(): readonly string[] {
    const current = this.current();
    const key = current.join('\u0000');
    if (key !== this.key) {
      const forms = new Set<string>();
      for (const secret of [...this.fixed, ...current]) {
        if (secret && secret.length >= MIN_REDACTED_LENGTH) for (const form of encodedForms(secret)) forms.add(form);
      }
      this.cached = [...forms].sort((a, b) => b.length - a.length);
      this.cachedBytes = this.cached.map((form) => Buffer.from(form, 'utf8'));
      this.cachedPattern = this.cached.length ? new RegExp(this.cached.map(escapeRegExp).join('|')) : undefined;
      this.cachedEscapedPattern = undefined;
      this.key = key;
    }
    return this.cached;
  }

  /**
   * True when a text holds any of the forms, also where a JSON writer escaped some of its
   * characters (Go writes `&` as `\u0026`, PHP `/` as `\/`): one scan, and a second over the
   * unescaped text only when it has a backslash.
   */
  foundIn(text: string): boolean {
    this.forms();
    const pattern = this.cachedPattern;
    if (!pattern) return false;
    return pattern.test(text) || (text.includes('\\') && pattern.test(withoutJsonEscapes(text)));
  }

  /** The text with every form of every secret replaced by `…`, JSON-escaped ones included; the same string when none is in it. */
  redact(text: string): string {
    if (!this.foundIn(text)) return text;
    if (!text.includes('\\')) return replaceForms(text, this.cached);
    return text.replace(this.escapedPattern(), HIDDEN);
  }

  /** The same forms as UTF-8 bytes, for binary bodies. */
  bytes(): readonly Buffer[] {
    this.forms();
    return this.cachedBytes;
  }

  /** Each form with each character also as its JSON escape; built only once a secret was found in a text with escapes. */
  private escapedPattern(): RegExp {
    this.cachedEscapedPattern ??= new RegExp(
      this.cached.map((form) => Array.from({ length: form.length }, (_, i) => characterOrEscape(form[i])).join('')).join('|'),
      'g',
    );
    return this.cachedEscapedPattern;
  }
}

/**
 * A function that replaces every given secret (in each of its encoded forms), every bearer
 * token and every signature in a text by `…`. Pass the PLAINTEXT signature
 * ({@link plaintextSignature}) as one of the secrets so its encoded forms go too, or a
 * {@link SecretList} when some of them change.
 */
export function createRedactor(secrets: Array<string | undefined> | SecretList): (text: string) => string {
  const list = secrets instanceof SecretList ? secrets : new SecretList(secrets);
  return (text: string): string => hideCredentialPatterns(list.redact(String(text)));
}

/** Bearer tokens and `oauth_signature=…`-like pairs, whatever secret they came from. */
function hideCredentialPatterns(text: string): string {
  return text.replace(BEARER, `$1$2${HIDDEN}`).replace(CREDENTIAL_PAIR, `$1$2${HIDDEN}`);
}

/** True when a text holds a bearer token or a credential pair (the patterns above, without their global flag). */
function holdsCredentialPattern(text: string): boolean {
  return BEARER_ANYWHERE.test(text) || CREDENTIAL_PAIR_ANYWHERE.test(text);
}

function replaceForms(text: string, forms: readonly string[]): string {
  let redacted = text;
  for (const form of forms) if (redacted.includes(form)) redacted = redacted.split(form).join(HIDDEN);
  return redacted;
}

/**
 * The secrets in one service's credentials: the PLAINTEXT signature made of them, and each
 * pair as a Basic header holds it (`key:secret`, base64 among its forms), included.
 */
export function credentialSecrets(credentials: {
  consumerKey?: string;
  consumerSecret?: string;
  token?: string;
  tokenSecret?: string;
  privateKey?: string;
}): Array<string | undefined> {
  const { consumerKey, consumerSecret, token, tokenSecret, privateKey } = credentials;
  return [
    consumerSecret,
    token,
    tokenSecret,
    privateKey,
    plaintextSignature(consumerSecret, tokenSecret),
    basicPair(consumerKey, consumerSecret),
    basicPair(token, tokenSecret),
  ];
}

/** `name:secret` as HTTP Basic joins them; none when the secret is too short to be searched for. */
function basicPair(name: string | undefined, secret: string | undefined): string | undefined {
  return name && secret && secret.length >= MIN_REDACTED_LENGTH ? `${name}:${secret}` : undefined;
}

/** The names of the credentials too short to be searched for in answers ({@link MIN_REDACTED_LENGTH}); empty ones are not named. */
export function shortSecrets(credentials: {
  consumerSecret?: string;
  token?: string;
  tokenSecret?: string;
}): Array<'consumerSecret' | 'token' | 'tokenSecret'> {
  const names = ['consumerSecret', 'token', 'tokenSecret'] as const;
  return names.filter((name) => {
    const value = credentials[name];
    return value !== undefined && value !== '' && value.length < MIN_REDACTED_LENGTH;
  });
}

/**
 * What one service must keep to itself: its secrets, its token, its private key and the
 * PLAINTEXT signature made of the secrets, and whatever `current` adds (the bearer token in use).
 */
export function credentialsRedactor(
  credentials: { consumerKey?: string; consumerSecret?: string; token?: string; tokenSecret?: string; privateKey?: string },
  current?: () => ReadonlyArray<string | undefined>,
): (text: string) => string {
  return createRedactor(new SecretList(credentialSecrets(credentials), current));
}

/**
 * The same redaction over every string of a JSON-like value (a job put on `msg.payload`).
 * Containers are copied only where a string changed: a clean value of millions of objects is
 * walked once and handed back as it is, without a second copy in memory.
 */
export function redactValue<T>(value: T, redact: (text: string) => string): T {
  return redactWithin(value, redact, 0) as T;
}

function redactWithin(value: unknown, redact: (text: string) => string, depth: number): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 20 || value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) {
    const list: unknown[] = value;
    let copy: unknown[] | undefined;
    for (let index = 0; index < list.length; index++) {
      const clean = redactWithin(list[index], redact, depth + 1);
      if (clean !== list[index]) (copy ??= list.slice())[index] = clean;
    }
    return copy ?? list;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const cleanItem = redactWithin(item, redact, depth + 1);
    const cleanKey = redact(key);
    if (cleanItem === item && cleanKey === key) continue;
    copy ??= { ...value };
    if (cleanKey !== key) delete copy[key];
    copy[cleanKey] = cleanItem;
  }
  return copy ?? value;
}

/**
 * A response as the client hands it out, without the service's secrets: the body (text, a
 * Buffer, or every string of parsed JSON, at any depth), the headers, the final URL and the
 * JSON error (which quotes the body). The body of an error answer (`strict`) also loses every
 * bearer token and `oauth_signature=…`-like pair: it may quote the request. A success keeps
 * other `oauth_token=` pairs: a flow may fetch another service's token on purpose.
 *
 * A parsed body is walked only when the text it was parsed from (`sourceText`) holds
 * something to cut: a clean answer of millions of objects costs one scan of its text, and no
 * memory. A parsed body is the client's own copy, so it is changed in place.
 */
export function redactResponse<
  R extends {
    body: unknown;
    headers: Record<string, string | string[]>;
    url: string;
    jsonError?: string;
    redirects?: Array<{ location: string; setCookie?: string[] }>;
  },
>(response: R, secrets: SecretList, options: { sourceText?: string; strict?: boolean } = {}): R {
  const { sourceText, strict = false } = options;
  if (!secrets.forms().length && !strict) return response;
  const text = (value: string) => secrets.redact(value);
  const bodyText = strict ? (value: string) => hideCredentialPatterns(secrets.redact(value)) : text;
  const echoed = sourceText === undefined || secrets.foundIn(sourceText) || (strict && holdsCredentialPattern(sourceText));
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers)) headers[name] = Array.isArray(value) ? value.map(text) : text(value);
  return {
    ...response,
    body: echoed ? redactBody(response.body, bodyText, secrets.bytes()) : response.body,
    headers,
    url: text(response.url),
    jsonError: response.jsonError === undefined ? undefined : text(response.jsonError),
    // msg.redirectList: a login redirect's `?next=` may quote the request.
    redirects: response.redirects?.map((hop) => ({ location: text(hop.location), setCookie: hop.setCookie?.map(text) })),
  };
}

function redactBody(body: unknown, text: (value: string) => string, bytes: readonly Buffer[]): unknown {
  if (typeof body === 'string') return text(body);
  if (Buffer.isBuffer(body)) return redactBytes(body, bytes);
  if (typeof body !== 'object' || body === null) return body;
  // A stack, not recursion: JSON from outside may nest deeper than the call stack allows.
  const pending: Array<Record<string, unknown> | unknown[]> = [body as Record<string, unknown>];
  for (let container = pending.pop(); container; container = pending.pop()) {
    const record = container as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const value = record[key];
      if (typeof value === 'string') record[key] = text(value);
      else if (typeof value === 'object' && value !== null) pending.push(value as Record<string, unknown>);
      const clean = text(key);
      if (clean !== key) {
        record[clean] = record[key];
        delete record[key];
      }
    }
  }
  return body;
}

const HIDDEN_BYTES = Buffer.from(HIDDEN, 'utf8');

/** A binary body with each secret's bytes replaced; the same Buffer when none is in it. */
function redactBytes(data: Buffer, forms: readonly Buffer[]): Buffer {
  let redacted = data;
  for (const form of forms) {
    let at = redacted.indexOf(form);
    if (at < 0) continue;
    const parts: Buffer[] = [];
    let from = 0;
    for (; at >= 0; at = redacted.indexOf(form, from)) {
      parts.push(redacted.subarray(from, at), HIDDEN_BYTES);
      from = at + form.length;
    }
    parts.push(redacted.subarray(from));
    redacted = Buffer.concat(parts);
  }
  return redacted;
}
