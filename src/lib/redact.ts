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

/** The PLAINTEXT signature (RFC 5849 §3.4.4) of these secrets: the secrets themselves, joined. */
export function plaintextSignature(consumerSecret: string | undefined, tokenSecret: string | undefined): string | undefined {
  return consumerSecret ? `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret ?? '')}` : undefined;
}

/** The forms a value takes on its way into a request: raw, URI component, RFC 3986, form (`+` for space). */
function encodedForms(secret: string): string[] {
  const component = encodeURIComponent(secret);
  const rfc3986 = percentEncode(secret);
  return [secret, component, rfc3986, component.replace(/%20/g, '+'), new URLSearchParams([['', secret]]).toString().slice(1), percentEncode(rfc3986)];
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
        if (secret) for (const form of encodedForms(secret)) forms.add(form);
      }
      this.cached = [...forms].sort((a, b) => b.length - a.length);
      this.cachedBytes = this.cached.map((form) => Buffer.from(form, 'utf8'));
      this.cachedPattern = this.cached.length ? new RegExp(this.cached.map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')) : undefined;
      this.key = key;
    }
    return this.cached;
  }

  /** True when a text holds any of the forms: one scan, where the replacement takes one per form. */
  foundIn(text: string): boolean {
    this.forms();
    return this.cachedPattern?.test(text) ?? false;
  }

  /** The same forms as UTF-8 bytes, for binary bodies. */
  bytes(): readonly Buffer[] {
    this.forms();
    return this.cachedBytes;
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
  return (text: string): string => {
    return replaceForms(String(text), list.forms()).replace(BEARER, `$1$2${HIDDEN}`).replace(CREDENTIAL_PAIR, `$1$2${HIDDEN}`);
  };
}

function replaceForms(text: string, forms: readonly string[]): string {
  let redacted = text;
  for (const form of forms) if (redacted.includes(form)) redacted = redacted.split(form).join(HIDDEN);
  return redacted;
}

/** The secrets in one service's credentials, the PLAINTEXT signature made of them included. */
export function credentialSecrets(credentials: {
  consumerSecret?: string;
  token?: string;
  tokenSecret?: string;
  privateKey?: string;
}): Array<string | undefined> {
  const { consumerSecret, token, tokenSecret, privateKey } = credentials;
  return [consumerSecret, token, tokenSecret, privateKey, plaintextSignature(consumerSecret, tokenSecret)];
}

/**
 * What one service must keep to itself: its secrets, its token, its private key and the
 * PLAINTEXT signature made of the secrets, and whatever `current` adds (the bearer token in use).
 */
export function credentialsRedactor(
  credentials: { consumerSecret?: string; token?: string; tokenSecret?: string; privateKey?: string },
  current?: () => ReadonlyArray<string | undefined>,
): (text: string) => string {
  return createRedactor(new SecretList(credentialSecrets(credentials), current));
}

/** The same redaction over every string of a JSON-like value (an error body put on `msg.payload`). */
export function redactValue<T>(value: T, redact: (text: string) => string, depth = 0): T {
  if (typeof value === 'string') return redact(value) as T;
  if (depth > 20 || value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) return (value as unknown[]).map((item) => redactValue(item, redact, depth + 1)) as T;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = redactValue(item, redact, depth + 1);
  return copy as T;
}

/**
 * A response as the client hands it out, without the service's secrets: the body (text, a
 * Buffer, or every string of parsed JSON, at any depth), the headers, the final URL and the
 * JSON error (which quotes the body). Only the secrets themselves are cut, not every
 * `oauth_token=` pair: a flow may fetch another service's token on purpose. A body is
 * searched first and copied only when a secret is in it, so a clean answer costs a few
 * `indexOf`. A parsed body is the client's own copy, so it is changed in place.
 */
export function redactResponse<
  R extends {
    body: unknown;
    headers: Record<string, string | string[]>;
    url: string;
    jsonError?: string;
    redirects?: Array<{ location: string; setCookie?: string[] }>;
  },
>(response: R, secrets: SecretList): R {
  const forms = secrets.forms();
  if (!forms.length) return response;
  const text = (value: string) => (secrets.foundIn(value) ? replaceForms(value, forms) : value);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers)) headers[name] = Array.isArray(value) ? value.map(text) : text(value);
  return {
    ...response,
    body: redactBody(response.body, text, secrets.bytes()),
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
