/**
 * Alteryx Server 2022.1+ `/webapi`: OAuth 2 client credentials (RFC 6749 §4.4) instead of
 * OAuth 1 signatures. `POST /webapi/oauth2/token` trades the consumer key and secret (as
 * client id and secret) for a bearer token; the v1 routes under `/webapi/v1/` want
 * `Authorization: Bearer <token>` (RFC 6750).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DemoCredentials } from './credentials';
import { jsonReply, mediaType, type Reply } from './http';
import { constantTimeEqual } from './verify';

/** Issued tokens beyond this are forgotten, oldest first. */
const MAX_TOKENS = 1000;

export type BearerCheck = 'valid' | 'missing' | 'unknown' | 'expired';

export class BearerTokens {
  /** sha256(token) → expiry on the demo clock; the tokens themselves are never kept. */
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly lifetimeSeconds: number,
    private readonly now: () => number,
  ) {}

  issue(): { token: string; expiresInSeconds: number } {
    const token = randomBytes(32).toString('base64url');
    this.expiries.set(hashToken(token), this.now() + this.lifetimeSeconds * 1000);
    // Oldest first: a Map iterates in insertion order, and deleting while iterating is safe.
    for (const oldest of this.expiries.keys()) {
      if (this.expiries.size <= MAX_TOKENS) break;
      this.expiries.delete(oldest);
    }
    // expires_in is whole seconds (RFC 6749 §5.1); a fractional test lifetime is rounded up.
    return { token, expiresInSeconds: Math.max(1, Math.ceil(this.lifetimeSeconds)) };
  }

  check(authorization: string | undefined): BearerCheck {
    const token = /^\s*Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) return 'missing';
    const key = hashToken(token);
    const expiresAt = this.expiries.get(key);
    if (expiresAt === undefined) return 'unknown';
    if (expiresAt <= this.now()) {
      this.expiries.delete(key);
      return 'expired';
    }
    return 'valid';
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}

/** What ASP.NET Web API, and so Alteryx Server, answers to a request without a valid token. */
export function bearerRefused(check: Exclude<BearerCheck, 'valid'>): Reply {
  const challenge =
    check === 'missing' ? 'Bearer realm="webapi"' : `Bearer realm="webapi", error="invalid_token", error_description="the access token is ${check}"`;
  return jsonReply(401, { message: 'Authorization has been denied for this request.' }, { 'WWW-Authenticate': challenge });
}

export interface TokenRequest {
  method: string;
  body: Buffer;
  contentType: string | undefined;
  authorization: string | undefined;
}

function tokenError(status: number, error: string, description: string, headers?: Record<string, string>): Reply {
  return jsonReply(status, { error, error_description: description }, { 'Cache-Control': 'no-store', ...headers });
}

/** Client id and secret from HTTP Basic (RFC 6749 §2.3.1, each part form-encoded) or from the form. */
function clientCredentials(request: TokenRequest, form: URLSearchParams): { id: string; secret: string; basic: boolean } | undefined {
  const basic = /^\s*Basic\s+([A-Za-z0-9+/]+=*)\s*$/i.exec(request.authorization ?? '')?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    try {
      const id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      const secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
      return { id, secret, basic: true };
    } catch {
      return undefined;
    }
  }
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  return id !== null && secret !== null ? { id, secret, basic: false } : undefined;
}

export function tokenEndpoint(request: TokenRequest, credentials: Readonly<DemoCredentials>, tokens: BearerTokens, onIssued: () => void): Reply {
  if (request.method !== 'POST') {
    return jsonReply(405, { message: `The requested resource does not support http method '${request.method}'.` }, { Allow: 'POST' });
  }
  if (mediaType(request.contentType) !== 'application/x-www-form-urlencoded') {
    return tokenError(400, 'invalid_request', 'send the parameters as application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(request.body.toString('utf8'));
  const grantType = form.get('grant_type');
  if (!grantType) return tokenError(400, 'invalid_request', 'grant_type is missing');
  if (grantType !== 'client_credentials') {
    return tokenError(400, 'unsupported_grant_type', 'only grant_type=client_credentials is supported');
  }
  const client = clientCredentials(request, form);
  const known = client !== undefined && constantTimeEqual(client.id, credentials.consumerKey) && constantTimeEqual(client.secret, credentials.consumerSecret);
  if (!known) {
    return tokenError(401, 'invalid_client', 'unknown client id or wrong client secret', {
      ...(client?.basic ? { 'WWW-Authenticate': 'Basic realm="webapi"' } : {}),
    });
  }
  const { token, expiresInSeconds } = tokens.issue();
  onIssued();
  return jsonReply(200, { access_token: token, token_type: 'bearer', expires_in: expiresInSeconds }, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
}
