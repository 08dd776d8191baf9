/** What the client answers, and the few ways every service's answer is read. */
import type { RateLimitReport } from './rate-limit-headers';
import type { SigningDiagnosis } from './refusal';
import { MEGABYTE } from './constants';

export type ResponseType = 'text' | 'buffer' | 'json';

export interface ClientResponse<T = unknown> {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: T;
  /** The final URL, after redirects, without `oauth_*` parameters. */
  url: string;
  /** The service's own figures of its rate limit (`msg.rateLimit`), when the answer carried them. */
  rateLimit?: RateLimitReport;
  /** How many bytes the body had, decompressed, as it came from the wire. */
  bodyBytes?: number;
  /** Set when JSON was asked for but the body is not JSON; `body` is then the text. */
  jsonError?: string;
  /** HTTP exchanges made: the first, retries, redirects and re-signed tries after a 401. */
  attempts: number;
  /** The redirects followed: each hop's URL (without `oauth_*` pairs) and the cookies it set. */
  redirects?: Array<{ location: string; setCookie?: string[] }>;
  /** On a refused signature (a 401, an `oauth_problem`, a service's known refusal): what was signed and the likely cause. */
  signing?: SigningDiagnosis;
}

/**
 * An error body up to this size (as it came from the wire) goes to Catch whole on
 * `msg.payload`. Node-RED copies a message for every Catch node, object by object: an error
 * body of millions of objects would cost the runtime its memory there.
 */
export const MAX_ERROR_BODY_BYTES = MEGABYTE;

/** What an error puts on `msg.payload`: the body, or for a larger one a line that says why it is not there. */
export function errorBodyForMessage(body: unknown, bodyBytes: number | undefined): unknown {
  if (bodyBytes === undefined || bodyBytes <= MAX_ERROR_BODY_BYTES) return body;
  return `(error body of ${bodyBytes} bytes not kept: over the ${MAX_ERROR_BODY_BYTES} bytes a message takes to Catch)`;
}

export function isSuccess(response: Pick<ClientResponse, 'statusCode'>): boolean {
  return response.statusCode >= 200 && response.statusCode < 300;
}

export { firstHeader } from './headers';

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The body as asked for. JSON that does not parse comes back as text with `jsonError`; JSON
 * that does comes with the text it was parsed from (`sourceText`), which redaction searches
 * instead of walking every object.
 */
export function decodeResponse(
  data: Buffer,
  responseType: ResponseType,
  status: number,
  method: string,
): { body: unknown; jsonError?: string; sourceText?: string } {
  if (method === 'HEAD') return { body: responseType === 'buffer' ? Buffer.alloc(0) : '' };
  if (responseType === 'buffer') return { body: data };
  const text = data.toString('utf8');
  if (responseType === 'text') return { body: text };
  const json = stripBom(text);
  // As in the core http request node: "No Content" is an empty object, not a parse error.
  if (status === 204 && json.trim() === '') return { body: {} };
  if (json.trim() === '') return { body: json, jsonError: 'the response body is empty' };
  try {
    return { body: JSON.parse(json), sourceText: json };
  } catch (error) {
    return { body: text, jsonError: `the response is not JSON (${(error as Error).message})` };
  }
}

// Kept here for the node layer's imports; their home is numbers.ts.
export { nonNegativeNumber, positiveNumber } from './numbers';

/** NetSuite's problem details: `o:errorDetails: [{detail, "o:errorCode"}]` → "INVALID_LOGIN: Invalid login attempt." */
function problemDetail(details: unknown): string | undefined {
  const first: unknown = Array.isArray(details) ? details[0] : undefined;
  if (typeof first !== 'object' || first === null) return undefined;
  const { detail, 'o:errorCode': code } = first as Record<string, unknown>;
  const parts = [code, detail].filter((part): part is string => typeof part === 'string' && part.trim() !== '');
  return parts.length ? parts.join(': ') : undefined;
}

/**
 * What a service's error body says, as one line: Extra Horizon's `name: message`, Alteryx's
 * `message`, OAuth 2's `error_description` or `error`, NetSuite's `o:errorDetails`, or the text itself.
 */
export function serviceMessage(body: unknown): string | undefined {
  // One line of at most 200 characters is shown: a long body is read no further than its head.
  if (Buffer.isBuffer(body)) return body.length ? serviceMessage(body.toString('utf8', 0, 4096)) : undefined;
  if (typeof body === 'string') {
    const text = body.trimStart().slice(0, 1024).trim().replace(/\s+/g, ' ');
    if (!text) return undefined;
    return text.length > 200 ? `${text.slice(0, 199)}…` : text;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const text = (key: string) => (typeof record[key] === 'string' && record[key].trim() ? record[key].trim() : undefined);
  const message = text('message') ?? text('error_description') ?? text('error');
  const name = text('name');
  const problem = problemDetail(record['o:errorDetails']);
  if (!message && !name && problem) return problem;
  if (name && message) return `${name}: ${message}`;
  return name ?? message;
}
