/**
 * The transport rule for a credential that is its own secret: a PLAINTEXT signature, an
 * OAuth 2 bearer token, the client secret in a token request's body. Whoever reads one on
 * the way can use it, so it goes only over https with the certificate checked, or to this
 * machine directly: never over plain http to another host, never through a proxy in clear,
 * never to a server whose certificate nobody checks. One rule for all of them; the client
 * applies it before anything is sent.
 */

/** A credential that is its own secret, as a refusal names it. */
export interface BareSecret {
  /** What is sent, as the message starts: "PLAINTEXT sends the secrets themselves". */
  sends: string;
  /** Another way to the same service, if there is one: "an HMAC signature method". */
  instead?: string;
}

/** How one request would travel. */
export interface Passage {
  /** Through a proxy (a plain http request reaches it in clear). */
  proxied: boolean;
  /** https with the certificate check turned off for this message (`msg.rejectUnauthorized = false`). */
  certificateUnchecked: boolean;
}

/** 127.0.0.0/8, ::1 and localhost: traffic that never leaves the machine. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Why `secret` must not travel to `url` this way, or undefined when only the server can read it. */
export function bareSecretProblem(secret: BareSecret, url: URL, passage: Passage): string | undefined {
  if (url.protocol === 'https:') {
    if (!passage.certificateUnchecked) return undefined;
    return `${secret.sends}: not with msg.rejectUnauthorized = false, which lets anyone answer for the server${secret.instead ? `; use ${secret.instead}` : ''}`;
  }
  if (!isLoopback(url.hostname)) {
    return `${secret.sends}: ${url.origin} is plain http to another machine; use https${secret.instead ? `, or ${secret.instead}` : ''}`;
  }
  if (!passage.proxied) return undefined;
  return `${secret.sends}: ${url.origin} is loopback, but the request would go through the proxy in clear; add the host to no_proxy${secret.instead ? `, or use ${secret.instead}` : ''}`;
}
