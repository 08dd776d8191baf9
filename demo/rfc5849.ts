/**
 * The demo's own reading of RFC 5849 and of the OAuth Request Body Hash draft, written from
 * the documents and not from `src/lib`: nothing here imports the package, so a bug in the
 * package's signer cannot be reproduced on this side and pass for a valid signature.
 * The test fault server (test/support/fault-server.ts) does the same for HMAC-SHA1.
 */
import { createHash, createHmac, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

/** Every method the demo checks: RFC 5849 §3.4 (HMAC-SHA1, RSA-SHA1, PLAINTEXT) and their SHA-2 variants. */
export const DEMO_SIGNATURE_METHODS = ['HMAC-SHA1', 'HMAC-SHA256', 'HMAC-SHA512', 'RSA-SHA1', 'RSA-SHA256', 'RSA-SHA512', 'PLAINTEXT'] as const;
export type DemoSignatureMethod = (typeof DEMO_SIGNATURE_METHODS)[number];

export function isDemoSignatureMethod(method: string): method is DemoSignatureMethod {
  return (DEMO_SIGNATURE_METHODS as readonly string[]).includes(method);
}

/** Compares two strings in time that does not depend on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  // Hashing first gives equal-length inputs, so the length of a secret does not leak either.
  const digestA = createHash('sha256').update(a, 'utf8').digest();
  const digestB = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(digestA, digestB);
}

/** §3.6: UTF-8, then every octet except the unreserved characters `A-Z a-z 0-9 - . _ ~` as `%XX` (upper-case hex). */
export function rfc5849Encode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const HEX_DIGIT = /^[0-9A-Fa-f]$/;

/** `application/x-www-form-urlencoded` decoding of one name or value: `+` is a space, `%XX` an octet, the octets UTF-8. */
function formDecode(text: string): string {
  const input = Buffer.from(text.replace(/\+/g, ' '), 'utf8');
  const octets: number[] = [];
  for (let i = 0; i < input.length; i++) {
    const high = String.fromCharCode(input[i + 1] ?? 0);
    const low = String.fromCharCode(input[i + 2] ?? 0);
    if (input[i] === 0x25 && HEX_DIGIT.test(high) && HEX_DIGIT.test(low)) {
      octets.push(parseInt(high + low, 16));
      i += 2;
    } else {
      octets.push(input[i]);
    }
  }
  return Buffer.from(octets).toString('utf8');
}

/** §3.4.1.3.1: a query or a form body as name/value pairs, in order, repeated names kept, `a` alone is `a=`. */
export function formPairs(encoded: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const part of encoded.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    pairs.push(equals < 0 ? [formDecode(part), ''] : [formDecode(part.slice(0, equals)), formDecode(part.slice(equals + 1))]);
  }
  return pairs;
}

/**
 * §3.4.1.2: scheme and host in lower case, the port only when it is not the scheme's
 * default, the path, no query and no fragment. WHATWG `URL` already lower-cases scheme and
 * host and drops a default port.
 */
export function baseStringUri(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** §3.4.1.1: the upper-case method, the base string URI and the normalised parameters (§3.4.1.3.2), each encoded, joined by `&`. */
export function signatureBaseString(httpMethod: string, url: URL, parameters: Array<[string, string]>): string {
  const encoded = parameters.map(([name, value]) => [rfc5849Encode(name), rfc5849Encode(value)] as const);
  // §3.4.1.3.2: sorted by name, then by value, in byte order of the encoded text.
  encoded.sort(([nameA, valueA], [nameB, valueB]) => compareBytes(nameA, nameB) || compareBytes(valueA, valueB));
  const normalized = encoded.map(([name, value]) => `${name}=${value}`).join('&');
  return [httpMethod.toUpperCase(), rfc5849Encode(baseStringUri(url)), rfc5849Encode(normalized)].join('&');
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The node:crypto name of the hash in a method's name (`RSA-SHA256` → `sha256`); PLAINTEXT has none. */
function hashOf(method: DemoSignatureMethod): 'sha1' | 'sha256' | 'sha512' | undefined {
  if (method.endsWith('-SHA1')) return 'sha1';
  if (method.endsWith('-SHA256')) return 'sha256';
  return method.endsWith('-SHA512') ? 'sha512' : undefined;
}

export interface SignatureKeys {
  consumerSecret: string;
  /** Empty when the request carries no token (§3.4.2: the `&` stays). */
  tokenSecret: string;
  /** The consumer's RSA public key, for RSA-SHA*. */
  publicKey?: KeyObject;
}

/**
 * True when `signature` is the one §3.4 prescribes: HMAC (§3.4.2) with the key
 * `encode(consumer secret)&encode(token secret)`, RSASSA-PKCS1-v1_5 (§3.4.3) verified with
 * the consumer's public key, or that key itself in clear (§3.4.4, PLAINTEXT).
 */
export function signatureMatches(method: DemoSignatureMethod, baseString: string, signature: string, keys: SignatureKeys): boolean {
  const signingKey = `${rfc5849Encode(keys.consumerSecret)}&${rfc5849Encode(keys.tokenSecret)}`;
  const hash = hashOf(method);
  if (hash === undefined) return constantTimeEqual(signature, signingKey);
  if (method.startsWith('RSA-')) {
    if (!keys.publicKey) return false;
    return verify(hash, Buffer.from(baseString, 'utf8'), keys.publicKey, Buffer.from(signature, 'base64'));
  }
  return constantTimeEqual(signature, createHmac(hash, signingKey).update(baseString, 'utf8').digest('base64'));
}

/**
 * The hash of `oauth_body_hash` (OAuth Request Body Hash draft §3.2): SHA-1 for HMAC-SHA1
 * and RSA-SHA1, as the draft says; the draft asks later methods to name their own, and the
 * providers that document one use the method's hash (Mastercard: SHA-256 with RSA-SHA256),
 * so SHA-256 and SHA-512 for the SHA-2 methods. PLAINTEXT has no hash and the draft does not
 * recommend a body hash with it; one sent anyway is checked as SHA-1, the only hash it defines.
 */
export function bodyHashAlgorithm(method: DemoSignatureMethod): { nodeName: 'sha1' | 'sha256' | 'sha512'; label: string } {
  const nodeName = hashOf(method) ?? 'sha1';
  return { nodeName, label: nodeName.replace('sha', 'SHA-') };
}

/** Draft §3.1: base64 of the hash of the exact body octets (an empty body hashes the empty string). */
export function bodyHashOf(method: DemoSignatureMethod, body: Buffer | undefined): string {
  return createHash(bodyHashAlgorithm(method).nodeName)
    .update(body ?? Buffer.alloc(0))
    .digest('base64');
}
