/**
 * OAuth 2 client credentials (RFC 6749 §4.4), as Alteryx Server 2022.1+ requires under
 * `/webapi/`: the consumer key and secret become client id and secret.
 */
import type { BareSecret } from './bare-secrets';
import type { AuthorizedAttempt, RequestAuthorizer } from './authorizer';
import type { RequestToSign } from './oauth1';
import { isSuccess, positiveNumber, serviceMessage, type ClientResponse } from './response';

export interface TokenResponse {
  access_token?: unknown;
  token_type?: unknown;
  expires_in?: unknown;
}

/** Sends the token request; the config node wires it to the shared client with `authorize: false`. */
export type TokenRequester = (form: string) => Promise<ClientResponse>;

/** Refresh this long before the server's expiry, so no request carries a token that dies in flight. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * A bearer token is its own secret: whoever reads it may use it until it expires. Messages
 * call it the access token: "bearer" and the next word are cut from every text as a token.
 */
export const OAUTH2_BEARER_TOKEN: BareSecret = { sends: 'OAuth 2 sends the access token itself' };

export class ClientCredentialsAuthorizer implements RequestAuthorizer {
  /** The client sends the token only as the transport rule (bare-secrets.ts) allows; the token request is held to the same rule. */
  readonly bareSecret = OAUTH2_BEARER_TOKEN;
  private token?: { value: string; expiresAt: number };
  private pending?: Promise<string>;

  constructor(
    private readonly clientId: string,
    private readonly clientSecret: string,
    private readonly requestToken: TokenRequester,
    private readonly now: () => number = Date.now,
  ) {}

  async authorize(request: RequestToSign, context: { signal?: AbortSignal }): Promise<AuthorizedAttempt> {
    const token = await this.currentToken(context.signal);
    return { url: new URL(request.url).href, headers: { Authorization: `Bearer ${token}` } };
  }

  currentSecrets(): ReadonlyArray<string | undefined> {
    return [this.token?.value];
  }

  refreshAfterUnauthorized(): boolean {
    this.token = undefined;
    return true;
  }

  private currentToken(signal?: AbortSignal): Promise<string> {
    if (this.token && this.token.expiresAt > this.now()) return Promise.resolve(this.token.value);
    // Concurrent requests share one token request. It carries no caller's signal, so one
    // request aborted (its node closed) does not fail the others waiting for the token.
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return signal ? untilAborted(this.pending, signal) : this.pending;
  }

  private async fetchToken(): Promise<string> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.clientId,
      client_secret: this.clientSecret,
    }).toString();
    const response = await this.requestToken(form);
    const body = response.body as TokenResponse | string;
    if (!isSuccess(response) || typeof body !== 'object' || body === null || typeof body.access_token !== 'string') {
      const reason = typeof body === 'object' ? serviceMessage(body) : undefined;
      throw new Error(`OAuth 2 token request failed with HTTP ${response.statusCode}${reason ? `: ${reason}` : ''}`);
    }
    const lifetimeMs = (positiveNumber(body.expires_in) ?? 3600) * 1000;
    const margin = Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 10);
    this.token = { value: body.access_token, expiresAt: this.now() + lifetimeMs - margin };
    return body.access_token;
  }
}

/** The promise, or a rejection as soon as the signal aborts, whichever comes first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('request aborted'));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('request aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
