/**
 * The two signed calls of the 3-legged OAuth 1.0a dance (RFC 5849 §2.1, §2.3) on top of the
 * client and the signer: a request token signed with the consumer credentials and
 * `oauth_callback`, then the access token signed with the request token pair and
 * `oauth_verifier`. The token URLs may be absolute (Garmin's live on another host than its
 * API) or relative to the base URL; either way credentials go only to the base URL's origin
 * and the "Also sign for" origins, as the client enforces for every request.
 */
import type { RequestAuthorizer } from './authorizer';
import { HttpClient } from './client';
import { ServiceError } from './errors';
import type { RequestToSign } from './oauth1';
import { createRedactor } from './redact';
import { isRequestError } from './request-error';
import { isSuccess, serviceMessage } from './response';
import { OAuth1Authorizer, type ServiceOptions } from './service';
import { authorizationPageUrl, parseTokenAnswer, type TokenPair } from './three-legged';
import { joinUrl } from './urls';

/** Where a provider hands out tokens: each absolute, or relative to the base URL. */
export interface TokenUrls {
  requestTokenUrl?: string;
  authorizeUrl?: string;
  accessTokenUrl?: string;
}

export type TokenDanceSettings = ServiceOptions & TokenUrls;

/** A token call that failed; the message is one line for people, without secrets. */
export class TokenRequestError extends ServiceError {
  constructor(message: string, statusCode?: number) {
    super(message, 'ETOKEN', statusCode === undefined ? { key: 'error' } : { words: String(statusCode) }, { statusCode });
    this.name = 'TokenRequestError';
  }
}

const TOKEN_TIMEOUT_MS = 15_000;

/** The URL of a token step, or a refusal naming the missing setting. */
function tokenUrl(settings: TokenDanceSettings, name: keyof TokenUrls, label: string): string {
  const value = settings[name]?.trim();
  if (!value) throw new TokenRequestError(`${label} missing: set it in the OAuth1 service (or pick a preset that has it)`);
  return joinUrl(settings.baseUrl, value);
}

/** A client that signs with `pair` (or the consumer credentials alone) and adds the dance's own protocol parameter. */
function tokenClient(settings: TokenDanceSettings, pair: TokenPair | undefined, extra: Pick<RequestToSign, 'callback' | 'verifier'>): HttpClient {
  if (settings.scheme === 'oauth2') throw new TokenRequestError('an OAuth 2 service gets its tokens by itself: "Get token" is for OAuth 1.0a');
  const credentials = { ...settings.credentials, token: pair?.token, tokenSecret: pair?.tokenSecret };
  const { placement, signatureMethod, realm, bodyHash } = settings;
  const signer = new OAuth1Authorizer(credentials, { placement, signatureMethod, realm, bodyHash });
  const authorizer: RequestAuthorizer = {
    bareSecret: signer.bareSecret,
    authorize: (request, context) => signer.authorize({ ...request, ...extra }, context),
    diagnose: (signing, answer) => signer.diagnose(signing, answer),
  };
  return new HttpClient({ ...settings, authorizer, retries: 0, timeoutMs: settings.timeoutMs ?? TOKEN_TIMEOUT_MS });
}

/** POSTs one token step and reads its answer; every failure is a {@link TokenRequestError}. */
async function postForTokens(client: HttpClient, url: string, step: string, secrets: Array<string | undefined>): Promise<ReturnType<typeof parseTokenAnswer>> {
  const redact = createRedactor(secrets);
  try {
    const response = await client.request<string>({
      method: 'POST',
      url,
      responseType: 'text',
      headers: { Accept: 'application/x-www-form-urlencoded, application/json' },
    });
    if (!isSuccess(response)) {
      const reason = serviceMessage(response.body);
      throw new TokenRequestError(redact(`${step}: the provider answered ${response.statusCode}${reason ? `: ${reason}` : ''}`), response.statusCode);
    }
    try {
      return parseTokenAnswer(response.body);
    } catch (error) {
      throw new TokenRequestError(`${step}: ${(error as Error).message}`, response.statusCode);
    }
  } catch (error) {
    if (error instanceof TokenRequestError) throw error;
    const message = isRequestError(error) || error instanceof Error ? error.message : String(error);
    throw new TokenRequestError(redact(`${step}: ${message}`));
  } finally {
    client.destroy();
  }
}

function consumerSecrets(settings: ServiceOptions): Array<string | undefined> {
  return [settings.credentials.consumerSecret, settings.credentials.privateKey];
}

/**
 * Step 1 (§2.1): temporary credentials for `callback` (this package's callback route, or
 * `oob` for providers that show a PIN). A provider that does not confirm the callback
 * speaks OAuth 1.0 without the "a", whose flow is open to session fixation: refused.
 */
export async function requestToken(settings: TokenDanceSettings, callback: string): Promise<TokenPair> {
  const url = tokenUrl(settings, 'requestTokenUrl', 'request token URL');
  const answer = await postForTokens(tokenClient(settings, undefined, { callback }), url, 'request token', consumerSecrets(settings));
  if (!answer.callbackConfirmed) {
    throw new TokenRequestError('request token: the provider did not confirm the callback (oauth_callback_confirmed): it speaks OAuth 1.0, not 1.0a');
  }
  return { token: answer.token, tokenSecret: answer.tokenSecret };
}

/** Step 2 (§2.2): where the user approves the request token. */
export function authorizationPage(settings: TokenDanceSettings, requestToken: string): string {
  return authorizationPageUrl(tokenUrl(settings, 'authorizeUrl', 'authorize URL'), requestToken);
}

/** Step 3 (§2.3): the access token pair for an approved request token and its verifier. */
export async function accessToken(settings: TokenDanceSettings, request: TokenPair, verifier: string): Promise<TokenPair & { extra: Record<string, string> }> {
  if (!verifier) throw new TokenRequestError("access token: no verifier: approve the request on the provider's page first");
  const url = tokenUrl(settings, 'accessTokenUrl', 'access token URL');
  const answer = await postForTokens(tokenClient(settings, request, { verifier }), url, 'access token', [...consumerSecrets(settings), request.tokenSecret]);
  return { token: answer.token, tokenSecret: answer.tokenSecret, extra: answer.extra };
}
