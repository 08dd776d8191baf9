/**
 * Extra Horizon: the signed-in user (`GET /users/v1/me`) and the service's error shape.
 * Its Python docs sign with requests_oauthlib's OAuth1Session and four credentials; the
 * token pair is generated once in the Control Center and does not expire.
 */
import type { HttpClient } from './client';

/** Extra Horizon errors are JSON `{code, name, message}`. */
export interface ExtraHorizonErrorBody {
  code?: number;
  name?: string;
  message?: string;
}

export const ME_PATH = 'users/v1/me';

/** A non-2xx answer, with what the service said; the message is meant for people. */
export class ExtraHorizonError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: unknown,
  ) {
    super(describeError(statusCode, body));
    this.name = 'ExtraHorizonError';
  }
}

function isErrorBody(body: unknown): body is ExtraHorizonErrorBody {
  return typeof body === 'object' && body !== null && ('name' in body || 'message' in body);
}

/** "401 OAUTH_SIGNATURE_EXCEPTION: Invalid signature" — or the status alone when the body says nothing. */
export function describeError(statusCode: number, body: unknown): string {
  if (isErrorBody(body)) {
    const name = body.name ? ` ${body.name}` : '';
    const message = body.message ? `: ${body.message}` : '';
    return `${statusCode}${name}${message}`;
  }
  if (typeof body === 'string' && body.trim()) return `${statusCode}: ${body.trim().slice(0, 200)}`;
  return `${statusCode}: no error details from the service`;
}

export const TOKEN_MISSING = 'token missing: get me needs a token and token secret';

export interface GetMeOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface GetMeResult<User = Record<string, unknown>> {
  user: User;
  statusCode: number;
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
  if (response.statusCode < 200 || response.statusCode >= 300) {
    throw new ExtraHorizonError(response.statusCode, response.body);
  }
  if (response.jsonError) {
    throw new ExtraHorizonError(response.statusCode, `the user is not JSON: ${response.jsonError}`);
  }
  return { user: response.body, statusCode: response.statusCode };
}
