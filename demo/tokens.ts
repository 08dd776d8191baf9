/**
 * The demo's token routes, on the Extra Horizon base URL:
 *
 * - 3-legged OAuth 1.0a (RFC 5849 §2): `POST /oauth1/request_token`, `GET /oauth1/authorize`
 *   (a page that approves with one click, then redirects to the callback with
 *   `oauth_verifier`, or shows the code for `oob`), `POST /oauth1/access_token`.
 * - Extra Horizon's sign-in: `POST /auth/v2/oauth1/tokens` `{email, password}` and, for the
 *   MFA user, `POST /auth/v2/oauth1/tokens/mfa` `{token, methodId, code}`.
 *
 * Every token issued here works for `GET /users/v1/me` and the Gallery routes, like the
 * fixed demo token; request tokens work only for their exchange. The users and passwords
 * are published demo values that open nothing but this local server.
 */
import { randomBytes } from 'node:crypto';
import { DEMO_USER } from './extrahorizon';
import { isRecord, jsonReply, mediaType, type Reply } from './http';
import type { OAuth1Verifier, TokenKind } from './verify';
import { constantTimeEqual } from './verify';

export const DEMO_PASSWORD = 'demo-password';
/** Signs in with a second factor: the code is always {@link DEMO_MFA_CODE}. */
export const DEMO_MFA_USER = Object.freeze({ ...DEMO_USER, id: '65a0c0ffee0ddba11d0c0a13', first_name: 'Mfa', email: 'mfa.user@example.com' });
export const DEMO_MFA_CODE = '123456';
export const DEMO_MFA_METHOD = Object.freeze({ id: 'demo-totp', type: 'totp', name: 'Demo authenticator app', tags: [] as string[] });

const USERS = [DEMO_USER, DEMO_MFA_USER];
const REQUEST_TOKEN_LIFETIME_MS = 10 * 60_000;

type DemoUser = (typeof USERS)[number];

interface IssuedToken {
  secret: string;
  kind: TokenKind;
  user?: DemoUser;
  /** Request tokens: where to send the user after approval, and the verifier once approved. */
  callback?: string;
  verifier?: string;
  expiresAt?: number;
}

function randomToken(prefix: string): string {
  return `${prefix}-${randomBytes(12).toString('hex')}`;
}

function formReply(status: number, fields: Record<string, string>): Reply {
  return { status, contentType: 'application/x-www-form-urlencoded', body: Buffer.from(new URLSearchParams(fields).toString(), 'utf8') };
}

function htmlReply(status: number, html: string, headers?: Record<string, string>): Reply {
  return { status, contentType: 'text/html; charset=utf-8', body: Buffer.from(html, 'utf8'), headers };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function exhTokenError(status: number, code: number, name: string, message: string, extra: object = {}): Reply {
  return jsonReply(status, { code, name, message, ...extra });
}

/** What a token route gets from the server: the request, checked by the demo's verifier. */
export interface TokenRouteInput {
  method: string;
  path: string;
  url: string;
  query: URLSearchParams;
  authorization?: string;
  formBody?: string;
  body: Buffer;
  contentType?: string;
}

export class DemoTokens {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly mfaChallenges = new Map<string, DemoUser>();

  constructor(private readonly now: () => number) {}

  /** For the verifier: the secret of an issued token of this kind. */
  secretOf(token: string, kind: TokenKind): string | undefined {
    const issued = this.tokens.get(token);
    if (!issued || issued.kind !== kind) return undefined;
    if (issued.expiresAt !== undefined && issued.expiresAt <= this.now()) return undefined;
    return issued.secret;
  }

  /** Whom an access token belongs to: the issued token's user, or the demo user for the fixed token. */
  userOf(token: string | undefined): DemoUser {
    return (token && this.tokens.get(token)?.user) || DEMO_USER;
  }

  /** The reply of a token route, or undefined when the path is none of them. */
  route(input: TokenRouteInput, verifier: OAuth1Verifier): Reply | undefined {
    const { method, path } = input;
    if (path === '/oauth1/request_token' && method === 'POST') return this.requestToken(input, verifier);
    if (path === '/oauth1/authorize' && method === 'GET') return this.authorizePage(input.query.get('oauth_token') ?? '');
    if (path === '/oauth1/authorize' && method === 'POST') return this.approve(new URLSearchParams(input.body.toString('utf8')).get('oauth_token') ?? '');
    if (path === '/oauth1/access_token' && method === 'POST') return this.accessToken(input, verifier);
    if (path === '/auth/v2/oauth1/tokens' && method === 'POST') return this.passwordToken(input, verifier);
    if (path === '/auth/v2/oauth1/tokens/mfa' && method === 'POST') return this.mfaToken(input, verifier);
    return undefined;
  }

  private issueAccessToken(user: DemoUser): { token: string; tokenSecret: string } {
    const token = randomToken('access');
    const tokenSecret = randomToken('secret');
    this.tokens.set(token, { secret: tokenSecret, kind: 'access', user });
    return { token, tokenSecret };
  }

  private requestToken(input: TokenRouteInput, verifier: OAuth1Verifier): Reply {
    const verdict = verifier.verify(input, { requireToken: false });
    if (!verdict.ok) return formReply(401, { oauth_problem: verdict.reason, message: verdict.message });
    if (verdict.token !== undefined) return formReply(400, { oauth_problem: 'token_rejected', message: 'a request token is asked for without a token' });
    if (!verdict.callback) return formReply(400, { oauth_problem: 'parameter_absent', oauth_parameters_absent: 'oauth_callback' });
    const token = randomToken('request');
    const secret = randomToken('request-secret');
    this.tokens.set(token, { secret, kind: 'request', callback: verdict.callback, expiresAt: this.now() + REQUEST_TOKEN_LIFETIME_MS });
    return formReply(200, { oauth_token: token, oauth_token_secret: secret, oauth_callback_confirmed: 'true' });
  }

  private pendingRequest(token: string): IssuedToken | undefined {
    return this.secretOf(token, 'request') === undefined ? undefined : this.tokens.get(token);
  }

  /** One button: the demo knows one user, so approving is all there is to do. */
  private authorizePage(token: string): Reply {
    if (!this.pendingRequest(token)) return htmlReply(400, '<!DOCTYPE html><p>Unknown or expired request token.</p>');
    return htmlReply(
      200,
      `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Demo service: authorize</title></head>` +
        `<body style="font-family:sans-serif;max-width:32em;margin:3em auto"><h1>Demo service</h1>` +
        `<p>Node-RED asks to use the demo service as <b>${escapeHtml(DEMO_USER.first_name)} ${escapeHtml(DEMO_USER.last_name)}</b> (${escapeHtml(DEMO_USER.email)}).</p>` +
        `<form method="post" action="/oauth1/authorize"><input type="hidden" name="oauth_token" value="${escapeHtml(token)}">` +
        `<button id="approve" type="submit" style="font-size:1.2em">Approve</button></form></body></html>`,
    );
  }

  private approve(token: string): Reply {
    const pending = this.pendingRequest(token);
    if (!pending?.callback) return htmlReply(400, '<!DOCTYPE html><p>Unknown or expired request token.</p>');
    pending.verifier = randomToken('verifier');
    pending.user = DEMO_USER;
    if (pending.callback === 'oob') {
      return htmlReply(200, `<!DOCTYPE html><p>Your code: <code id="verifier">${escapeHtml(pending.verifier)}</code></p><p>Type it in Node-RED.</p>`);
    }
    const target = new URL(pending.callback);
    target.searchParams.set('oauth_token', token);
    target.searchParams.set('oauth_verifier', pending.verifier);
    return htmlReply(302, '', { Location: target.href });
  }

  private accessToken(input: TokenRouteInput, verifier: OAuth1Verifier): Reply {
    const verdict = verifier.verify(input, { requireToken: true, tokenKind: 'request' });
    if (!verdict.ok) return formReply(401, { oauth_problem: verdict.reason, message: verdict.message });
    // requireToken: a verified request carries the request token, whose entry verify found.
    const requestToken = verdict.token ?? '';
    const pending = this.tokens.get(requestToken);
    if (!pending?.verifier || !verdict.verifier || !constantTimeEqual(verdict.verifier, pending.verifier)) {
      return formReply(401, { oauth_problem: 'verifier_invalid', message: 'the verifier does not match the approved request' });
    }
    // One use: the request token is gone once exchanged.
    this.tokens.delete(requestToken);
    const pair = this.issueAccessToken(pending.user ?? DEMO_USER);
    return formReply(200, { oauth_token: pair.token, oauth_token_secret: pair.tokenSecret });
  }

  private jsonBody(input: TokenRouteInput): Record<string, unknown> | undefined {
    if (mediaType(input.contentType) !== 'application/json') return undefined;
    try {
      const value: unknown = JSON.parse(input.body.toString('utf8'));
      return isRecord(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  /** Extra Horizon answers a token pair, or 403 code 129 with an MFA challenge for an MFA account. */
  private passwordToken(input: TokenRouteInput, verifier: OAuth1Verifier): Reply {
    const verdict = verifier.verify(input, { requireToken: false });
    if (!verdict.ok) return exhTokenError(401, 109, 'OAUTH_SIGNATURE_EXCEPTION', verdict.message);
    const body = this.jsonBody(input);
    if (!body) return exhTokenError(400, 15, 'FIELD_FORMAT_EXCEPTION', 'The body must be JSON {email, password}.');
    const user = USERS.find((candidate) => candidate.email === body.email);
    if (!user || typeof body.password !== 'string' || !constantTimeEqual(body.password, DEMO_PASSWORD)) {
      return exhTokenError(401, 106, 'AUTHENTICATION_EXCEPTION', 'The email and password do not match.');
    }
    if (user === DEMO_MFA_USER) {
      const token = randomToken('mfa');
      this.mfaChallenges.set(token, user);
      return exhTokenError(403, 129, 'MFA_REQUIRED_EXCEPTION', 'This account signs in with a second factor.', {
        mfa: { token, tokenExpiresIn: 300, methods: [DEMO_MFA_METHOD] },
      });
    }
    return this.tokenPairReply(user);
  }

  private mfaToken(input: TokenRouteInput, verifier: OAuth1Verifier): Reply {
    const verdict = verifier.verify(input, { requireToken: false });
    if (!verdict.ok) return exhTokenError(401, 109, 'OAUTH_SIGNATURE_EXCEPTION', verdict.message);
    const body = this.jsonBody(input) ?? {};
    const challenge = typeof body.token === 'string' ? body.token : undefined;
    const user = challenge === undefined ? undefined : this.mfaChallenges.get(challenge);
    if (!user) return exhTokenError(401, 106, 'AUTHENTICATION_EXCEPTION', 'The MFA token is unknown or used.');
    // The demo's own code for a wrong second factor: Extra Horizon documents none we could copy.
    if (body.methodId !== DEMO_MFA_METHOD.id || body.code !== DEMO_MFA_CODE) {
      return exhTokenError(400, 130, 'INVALID_MFA_CODE_EXCEPTION', 'The code is not valid.');
    }
    if (challenge !== undefined) this.mfaChallenges.delete(challenge);
    return this.tokenPairReply(user);
  }

  private tokenPairReply(user: DemoUser): Reply {
    const pair = this.issueAccessToken(user);
    const at = this.now();
    return jsonReply(200, { id: randomToken('id'), applicationId: 'demo-application', userId: user.id, ...pair, creationTimestamp: at, updateTimestamp: at });
  }
}
