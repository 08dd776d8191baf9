/**
 * The service dialog's Explain panel: signs a typed request with a service's settings and
 * shows what would be sent (base string, parameters, the `Authorization` header or the
 * query), so a user can compare with a provider's worked example. Nothing is sent. Never a
 * secret: the signing record holds none, and a PLAINTEXT signature (the secrets joined) is
 * hidden wherever it would appear.
 */
import { HTTP_METHODS, joinUrl, originProblem, RequestError, serviceOrigins } from './client';
import { createNonce, inBaseStringOrder, OAuth1Signer, type SigningRecord } from './oauth1';
import { missingCredentials, signingProblem, type ServiceSettings } from './service';

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

export interface Explanation extends SigningRecord {
  ok: true;
  /** Always false: the panel only explains. */
  sent: false;
  nonce: string;
  /** HMAC-SHA* and RSA-SHA* only; a PLAINTEXT signature is the secrets and is never shown. */
  signature?: string;
  /** With header placement: the header as it would be sent (a PLAINTEXT signature as `…`). */
  authorization?: string;
  /** With query placement: the URL as it would be sent (a PLAINTEXT signature as `…`). */
  signedUrl?: string;
}

export type ExplainAnswer = Explanation | { ok: false; message: string };

/** Stands for the PLAINTEXT signature, which is the secrets themselves. */
export const HIDDEN_SIGNATURE = '…';

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

/** Why this request cannot be explained (one line, no secret), or undefined. */
function inputProblem(settings: ServiceSettings, method: string, timestamp: string): string | undefined {
  if (settings.scheme === 'oauth2') return 'Explain shows OAuth 1.0a signatures: this service uses OAuth 2 bearer tokens';
  if (!(HTTP_METHODS as readonly string[]).includes(method)) return `unsupported method "${method}": use one of ${HTTP_METHODS.join(', ')}`;
  if (timestamp && !/^\d{1,12}$/.test(timestamp)) return 'the timestamp must be whole seconds since 1970 (UTC), such as 1318622958';
  return missingCredentials(settings.credentials, settings.signatureMethod) ?? signingProblem(settings);
}

/** The URL to sign, joined to the base URL, and only on the service's own origins (as the client would send it). */
function targetUrl(settings: ServiceSettings, url: string): string {
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
export function explainSignature(settings: ServiceSettings, input: ExplainInput): ExplainAnswer {
  const method = (text(input.method) || 'GET').toUpperCase();
  const timestampText = text(input.timestamp);
  const problem = inputProblem(settings, method, timestampText);
  if (problem) return { ok: false, message: problem };
  try {
    const url = targetUrl(settings, text(input.url));
    const formBody = typeof input.formBody === 'string' && input.formBody !== '' ? input.formBody : undefined;
    const { placement, signatureMethod, realm, bodyHash } = settings;
    const signer = new OAuth1Signer(settings.credentials, { placement, signatureMethod, realm, bodyHash });
    const nonce = text(input.nonce) || createNonce();
    const timestamp = timestampText ? Number(timestampText) : undefined;
    const signed = signer.sign({ method, url, formBody }, {}, { nonce, timestamp });
    const record = signed.record();
    const plaintext = record.signatureMethod === 'PLAINTEXT';
    const signature = signed.oauthParams.oauth_signature ?? '';
    // The header's `oauth_signature="…"` and the query's `oauth_signature=…`, whatever the secrets' encoding.
    const hide = (sent: string): string =>
      plaintext
        ? sent.replace(
            /(oauth_signature=)("[^"]*"|[^&]*)/,
            (_all, name: string, value: string) => name + (value.startsWith('"') ? `"${HIDDEN_SIGNATURE}"` : HIDDEN_SIGNATURE),
          )
        : sent;
    const authorization = signed.headers.Authorization;
    return {
      ok: true,
      sent: false,
      ...record,
      parameters: inBaseStringOrder(record.parameters),
      nonce,
      ...(plaintext ? {} : { signature }),
      ...(authorization !== undefined ? { authorization: hide(authorization) } : { signedUrl: hide(signed.url) }),
    };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
