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
 * A function that replaces every given secret (in each of its encoded forms), every bearer
 * token and every signature in a text by `…`. Pass the PLAINTEXT signature
 * ({@link plaintextSignature}) as one of the secrets so its encoded forms go too.
 */
export function createRedactor(secrets: Array<string | undefined>): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret) for (const form of encodedForms(secret)) forms.add(form);
  }
  // Longest first: a secret inside another one's encoded form must not leave a tail behind.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text: string): string => {
    let redacted = String(text);
    for (const form of ordered) redacted = redacted.split(form).join(HIDDEN);
    return redacted.replace(BEARER, `$1$2${HIDDEN}`).replace(CREDENTIAL_PAIR, `$1$2${HIDDEN}`);
  };
}

/** What one service must keep to itself: its secrets, its token, its private key and the PLAINTEXT signature made of the secrets. */
export function credentialsRedactor(credentials: {
  consumerSecret?: string;
  token?: string;
  tokenSecret?: string;
  privateKey?: string;
}): (text: string) => string {
  const { consumerSecret, token, tokenSecret, privateKey } = credentials;
  return createRedactor([consumerSecret, token, tokenSecret, privateKey, plaintextSignature(consumerSecret, tokenSecret)]);
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
