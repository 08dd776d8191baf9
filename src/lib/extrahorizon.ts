/**
 * Extra Horizon: the signed-in user (`GET /users/v1/me`) and the service's error shape.
 * Its Python docs sign with requests_oauthlib's OAuth1Session and four credentials; the
 * token pair is generated once in the Control Center and does not expire.
 */
import type { HttpClient } from './client';
import { isSuccess, serviceMessage } from './response';

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
    throw new ExtraHorizonError(response.statusCode, response.body);
  }
  if (response.jsonError) {
    throw new ExtraHorizonError(response.statusCode, `the user is not JSON: ${response.jsonError}`);
  }
  return { user: response.body, statusCode: response.statusCode };
}
