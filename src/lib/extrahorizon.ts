/**
 * Extra Horizon: the signed-in user (`GET /users/v1/me`) and the service's error shape.
 * Its Python docs sign with requests_oauthlib's OAuth1Session and four credentials; the
 * token pair is generated once in the Control Center and does not expire.
 */
import type { HttpClient } from './client';
import { withLikelyCause, type SigningDiagnosis } from './diagnosis';
import { ServiceError } from './errors';
import type { RateLimitReport } from './rate-limit-headers';
import { errorBodyForMessage, firstHeader, isSuccess, serviceMessage } from './response';

/** Extra Horizon errors are JSON `{code, name, message}`. */
export interface ExtraHorizonErrorBody {
  code?: number;
  name?: string;
  message?: string;
}

export const ME_PATH = 'users/v1/me';

/**
 * A non-2xx answer, with what the service said; the message is meant for people. Its `body`
 * is the error body for `msg.payload` (a line instead of one too large for a message).
 */
export class ExtraHorizonError extends ServiceError {
  declare readonly statusCode: number;

  constructor(
    statusCode: number,
    body: unknown,
    /** A refused signature: what was signed and the likely cause (`msg.signing`). */
    signing?: SigningDiagnosis,
    /** The body's size as received, when it came from a response. */
    bodyBytes?: number,
  ) {
    super(
      withLikelyCause(describeError(statusCode, body), signing),
      'EHTTP',
      { words: String(statusCode) },
      {
        statusCode,
        body: errorBodyForMessage(body, bodyBytes),
        signing,
      },
    );
    this.name = 'ExtraHorizonError';
  }
}

/** "401 OAUTH_SIGNATURE_EXCEPTION: Invalid signature" — or the status alone when the body says nothing. */
export function describeError(statusCode: number, body: unknown): string {
  const reason = serviceMessage(body);
  if (reason === undefined) return `${statusCode}: no error details from the service`;
  // The service's own errors read as "<status> <NAME>: <message>"; anything else (a proxy's page) is quoted after a colon.
  return typeof body === 'object' && body !== null ? `${statusCode} ${reason}` : `${statusCode}: ${reason}`;
}

export const TOKEN_MISSING = 'token missing: get me needs a token and token secret';

export interface GetMeOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface GetMeResult<User = Record<string, unknown>> {
  user: User;
  statusCode: number;
  /** The service's figures of its rate limit, when the answer carried them (`msg.rateLimit`). */
  rateLimit?: RateLimitReport;
}

/** The user the token belongs to. Throws {@link ExtraHorizonError} for any non-2xx answer. */
export async function getMe<User = Record<string, unknown>>(client: HttpClient, options: GetMeOptions = {}): Promise<GetMeResult<User>> {
  const response = await client.request<User>({
    method: 'GET',
    url: ME_PATH,
    headers: { Accept: 'application/json' },
    responseType: 'json',
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  if (!isSuccess(response)) {
    throw new ExtraHorizonError(response.statusCode, response.body, response.signing, response.bodyBytes);
  }
  if (response.jsonError) {
    throw new ExtraHorizonError(response.statusCode, `the user is not JSON: ${response.jsonError}`);
  }
  return { user: response.body, statusCode: response.statusCode, ...(response.rateLimit ? { rateLimit: response.rateLimit } : {}) };
}

/** Extra Horizon's token routes (its JS SDK: `auth.oauth1.generateToken`, MFA included). */
export const PASSWORD_TOKEN_PATH = 'auth/v2/oauth1/tokens';
export const MFA_TOKEN_PATH = 'auth/v2/oauth1/tokens/mfa';
/** The error code of a sign-in that needs a second factor. */
export const MFA_REQUIRED_CODE = 129;

export interface MfaMethod {
  id: string;
  type?: string;
  name?: string;
  tags?: string[];
}

/** What Extra Horizon asks for after a password of an MFA account: the MFA token and the methods to prove it with. */
export interface MfaChallenge {
  token: string;
  tokenExpiresIn?: number;
  methods: MfaMethod[];
}

/** A token pair, or the MFA step still to take. A wrong password throws {@link ExtraHorizonError} with the service's message. */
export type SignInResult = { ok: true; token: string; tokenSecret: string; userId?: string } | { ok: false; mfa: MfaChallenge };

function mfaChallengeOf(body: unknown): MfaChallenge | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { code, mfa } = body as { code?: unknown; mfa?: Partial<MfaChallenge> };
  if (code !== MFA_REQUIRED_CODE || typeof mfa !== 'object' || mfa === null || typeof mfa.token !== 'string') return undefined;
  const methods = (Array.isArray(mfa.methods) ? mfa.methods : []).filter((method): method is MfaMethod => typeof method?.id === 'string');
  return { token: mfa.token, tokenExpiresIn: typeof mfa.tokenExpiresIn === 'number' ? mfa.tokenExpiresIn : undefined, methods };
}

/** The origin a returned redirect points to (the client follows those on the service's own origin). */
function redirectOrigin(headers: Record<string, string | string[]>, url: string): string | undefined {
  const location = firstHeader(headers, 'location');
  try {
    return location === undefined ? undefined : new URL(location, url).origin;
  } catch {
    return 'an invalid URL';
  }
}

async function postForTokenPair(client: HttpClient, path: string, body: Record<string, string>): Promise<SignInResult> {
  const response = await client.request<Record<string, unknown>>({
    method: 'POST',
    url: path,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body,
    responseType: 'json',
    // The password (or the MFA code) goes only to the service's origins, never along a 307/308 elsewhere.
    credentialsInBody: true,
  });
  const movedTo = response.statusCode >= 300 && response.statusCode < 400 ? redirectOrigin(response.headers, response.url) : undefined;
  if (movedTo !== undefined) {
    throw new ExtraHorizonError(response.statusCode, `redirected to ${movedTo}, another origin: the sign-in is not sent there`);
  }
  if (!isSuccess(response)) {
    const challenge = mfaChallengeOf(response.body);
    if (challenge) return { ok: false, mfa: challenge };
    throw new ExtraHorizonError(response.statusCode, response.body, response.signing, response.bodyBytes);
  }
  const { token, tokenSecret, userId } = response.body ?? {};
  if (typeof token !== 'string' || typeof tokenSecret !== 'string') {
    throw new ExtraHorizonError(response.statusCode, 'the answer holds no token and tokenSecret');
  }
  return { ok: true, token, tokenSecret, userId: typeof userId === 'string' ? userId : undefined };
}

/**
 * Signs in with email and password (`client` signs with the consumer pair only) and
 * returns the new token pair, or the MFA challenge. The password goes in the body and
 * nowhere else: not in a message, not in a log line.
 */
export function passwordToken(client: HttpClient, email: string, password: string): Promise<SignInResult> {
  return postForTokenPair(client, PASSWORD_TOKEN_PATH, { email, password });
}

/** The second step of an MFA sign-in: the challenge's token, the chosen method and the code it shows. */
export function mfaToken(client: HttpClient, mfa: { token: string; methodId: string; code: string }): Promise<SignInResult> {
  return postForTokenPair(client, MFA_TOKEN_PATH, { token: mfa.token, methodId: mfa.methodId, code: mfa.code });
}
