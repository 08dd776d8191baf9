/**
 * The service dialog's Explain panel: signs a typed request with a service's settings and
 * shows what would be sent (base string, parameters, the `Authorization` header or the
 * query), so a user can compare with a provider's worked example. Nothing is sent. Never a
 * secret: the signing record holds none, and the header and URL are written from their
 * parts with a PLAINTEXT signature (the secrets joined) as `…`. With a deployed node's
 * stored secrets, the answer carries no signature at all and the token as `…`: whoever may
 * explain need not be whoever may read them (see {@link ExplainOptions}).
 */
import {
  authorizationHeader,
  createNonce,
  inBaseStringOrder,
  OAuth1Signer,
  percentEncode,
  withProtocolQuery,
  type ProtocolValueWriter,
  type SigningRecord,
} from './oauth1';
import { RequestError } from './request-error';
import { missingCredentials, signingProblem, type ServiceOptions } from './service';
import { HTTP_METHODS } from './constants';
import { joinUrl, originProblem, serviceOrigins } from './urls';

/** What the panel posts besides the form; every field as typed. */
export interface ExplainInput {
  method?: unknown;
  /** Absolute, or relative to the base URL. */
  url?: unknown;
  /** An `application/x-www-form-urlencoded` body, whose parameters are signed. */
  formBody?: unknown;
  /** Fixed values to reproduce a worked example; a fresh nonce and the current time otherwise. */
  nonce?: unknown;
  timestamp?: unknown;
}

export interface ExplainOptions {
  /**
   * The settings hold a deployed node's stored values (`__PWRD__`, `${NAME}`), which the
   * caller may use but not read. The answer then has no signature of any method (one for a
   * chosen nonce and timestamp could be sent later, from anywhere; with no token, as for
   * Alteryx, it alone is a credential) and the token as `…`. The base string and parameters,
   * which are what a refusal is compared by, stay, for any nonce and timestamp.
   */
  storedSecrets?: boolean;
}

/** Why an answer has no signature: PLAINTEXT's is the secrets themselves; one made with stored secrets, see {@link ExplainOptions}. */
export type SignatureHidden = 'plaintext' | 'stored-secrets';

export interface Explanation extends SigningRecord {
  ok: true;
  /** Always false: the panel only explains. */
  sent: false;
  nonce: string;
  /** With typed-in secrets, HMAC-SHA* and RSA-SHA* only. */
  signature?: string;
  /** Set when `signature` is left out, and why. */
  signatureHidden?: SignatureHidden;
  /** With header placement: the header as it would be sent (a hidden signature and token as `…`). */
  authorization?: string;
  /** With query placement: the URL as it would be sent (a hidden signature and token as `…`). */
  signedUrl?: string;
}

export type ExplainAnswer = Explanation | { ok: false; message: string };

/** Stands for what the answer does not show: a signature, or a stored token. */
export const HIDDEN_SIGNATURE = '…';
const HIDDEN_TOKEN = HIDDEN_SIGNATURE;

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

/** Why this request cannot be explained (one line, no secret), or undefined. */
function inputProblem(settings: ServiceOptions, method: string, timestamp: string): string | undefined {
  if (settings.scheme === 'oauth2') return 'Explain shows OAuth 1.0a signatures: this service uses OAuth 2 bearer tokens';
  if (!(HTTP_METHODS as readonly string[]).includes(method)) return `unsupported method "${method}": use one of ${HTTP_METHODS.join(', ')}`;
  if (timestamp && !/^\d{1,12}$/.test(timestamp)) return 'the timestamp must be whole seconds since 1970 (UTC), such as 1318622958';
  return missingCredentials(settings.credentials, settings.signatureMethod) ?? signingProblem(settings);
}

/** The URL to sign, joined to the base URL, and only on the service's own origins (as the client would send it). */
function targetUrl(settings: ServiceOptions, url: string): string {
  const joined = joinUrl(settings.baseUrl, url);
  let origin: string;
  try {
    origin = new URL(joined).origin;
  } catch {
    throw new RequestError(`invalid URL "${joined}"`, 'EINVALIDURL');
  }
  const problem = originProblem(origin, serviceOrigins(settings.baseUrl, settings.extraOrigins));
  if (problem) throw new RequestError(problem.replace(/^not sent/, 'not signed'), 'EORIGIN');
  return joined;
}

/** Signs the typed request as the client would, and says what would be sent; sends nothing. */
export function explainSignature(settings: ServiceOptions, input: ExplainInput, options: ExplainOptions = {}): ExplainAnswer {
  const method = (text(input.method) || 'GET').toUpperCase();
  const timestampText = text(input.timestamp);
  const problem = inputProblem(settings, method, timestampText);
  if (problem) return { ok: false, message: problem };
  try {
    const url = targetUrl(settings, text(input.url));
    const formBody = typeof input.formBody === 'string' && input.formBody !== '' ? input.formBody : undefined;
    const { placement, signatureMethod, realm, bodyHash } = settings;
    // A stored token never enters the signer: a random stand-in (no secret) signs in its place and is shown as `…`.
    const tokenStandIn = options.storedSecrets && settings.credentials.token ? createNonce() : undefined;
    const credentials = tokenStandIn ? { ...settings.credentials, token: tokenStandIn } : settings.credentials;
    const signer = new OAuth1Signer(credentials, { placement, signatureMethod, realm, bodyHash });
    const nonce = text(input.nonce) || createNonce();
    const timestamp = timestampText ? Number(timestampText) : undefined;
    const signed = signer.sign({ method, url, formBody }, {}, { nonce, timestamp });
    const record = signed.record();
    const signatureHidden: SignatureHidden | undefined = options.storedSecrets
      ? 'stored-secrets'
      : record.signatureMethod === 'PLAINTEXT'
        ? 'plaintext'
        : undefined;
    // The header and the URL are written from their parts, never edited after: what is hidden never enters them.
    const write: ProtocolValueWriter = (name, value) => {
      if (name === 'oauth_signature' && signatureHidden) return HIDDEN_SIGNATURE;
      if (name === 'oauth_token' && tokenStandIn) return HIDDEN_TOKEN;
      return percentEncode(value);
    };
    const isStandIn = (name: string, value: string): boolean => tokenStandIn !== undefined && name === 'oauth_token' && value === tokenStandIn;
    return {
      ok: true,
      sent: false,
      ...record,
      parameters: inBaseStringOrder(record.parameters).map((parameter) =>
        isStandIn(parameter.name, parameter.value) ? { name: parameter.name, value: HIDDEN_TOKEN } : parameter,
      ),
      // The stand-in is unreserved hex, the same after the base string's two encodings; as in msg.signing, `oauth_token%3D…`.
      baseString: tokenStandIn ? record.baseString.split(`oauth_token%3D${tokenStandIn}`).join(`oauth_token%3D${HIDDEN_TOKEN}`) : record.baseString,
      nonce,
      ...(signatureHidden ? { signatureHidden } : { signature: signed.oauthParams.oauth_signature ?? '' }),
      ...(record.placement === 'header'
        ? { authorization: authorizationHeader(signed.oauthParams, record.realm, write) }
        : { signedUrl: withProtocolQuery(record.url, signed.oauthParams, write) }),
    };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
