/**
 * The `Host` header a flow may pass (set by hand, or copied from an earlier response). Node
 * sends it as given and takes TLS SNI and the name the certificate is checked against from
 * it: on a shared front end (a CDN, an ingress) it would pick another tenant, and that
 * tenant would get the credentials. The URL alone says where a request goes.
 */
import { headerNames } from './headers';

/**
 * Removes every `Host` header (any case), so that Node takes host, SNI and certificate name
 * from the URL. On a request that carries credentials, a `Host` naming another host than the
 * URL's is a refusal instead: its text is returned and the headers are left as they are.
 */
export function dropHostHeader(headers: Record<string, string>, target: URL, carriesCredentials: boolean): string | undefined {
  const names = headerNames(headers, 'host');
  for (const name of names) {
    const value = headers[name] ?? '';
    if (carriesCredentials && !sameHost(value, target)) {
      return `not sent: the Host header "${shown(value)}" names another host than the URL (${target.host}); credentials go only where the URL points: remove Host from msg.headers`;
    }
  }
  for (const name of names) delete headers[name];
  return undefined;
}

/** `Example.com`, `example.com:443` and `example.com` are the same host for `https://example.com/`. */
function sameHost(value: string, target: URL): boolean {
  try {
    return new URL(`${target.protocol}//${value.trim()}`).host === target.host && !/[/?#@\\]/.test(value);
  } catch {
    return false;
  }
}

/** At most 100 printable characters of a header value from outside. */
function shown(value: string): string {
  // eslint-disable-next-line no-control-regex
  const printable = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return printable.length > 100 ? `${printable.slice(0, 99)}…` : printable;
}
