/**
 * What the core http request node reads from a message, read the same way for a signed
 * request: the URL (a `{{mustache}}` template, a scheme-less host), the method, the headers
 * (the dialog's list over `msg.headers`, the response marker honoured), cookies, the
 * payload as query, as a GET body or as a multipart form, TLS and redirects per message.
 * Every decision is the core node's; the node file only wires the result to the client.
 */
import querystring from 'node:querystring';
import type { ClientRequest } from '../../lib/client';
import { cookieHeader } from '../../lib/cookies';
import { MARKER_HEADER, requestHeadersOf } from '../../lib/header-marker';
import { deleteHeader, headerValue } from '../../lib/headers';
import { multipartBody, wantsMultipart } from '../../lib/multipart';
import { isTemplate, renderUrl } from '../../lib/url-template';
import type { RequestProperties } from './oauth1-request.properties';

/** What the node needs from the runtime: evaluating a `msg.` header value, and warnings. */
export interface MessageReader {
  evaluate(path: string, msg: object): unknown;
  warn(key: string): void;
}

export class MessageRefused extends Error {
  constructor(
    readonly key: string,
    readonly statusKey: string,
    readonly substitutions: Record<string, string> = {},
  ) {
    super(key);
  }
}

/** A message as read here: any of its properties may hold anything. */
type Message = object & { [property: string]: unknown };

/** `localhost:1880/x`, `127.0.0.1:8080`: a host (with a port) without a scheme, which the core node gives `http://`. */
export function schemelessHost(url: string): boolean {
  return /^(localhost|\[[0-9a-f:.]+\]|[^/?#:]+:\d+)(?=$|[/?#:])/i.test(url);
}

/** The URL of a message: the node's (rendered from `msg` when a template), else `msg.url`; scheme-less hosts get `http://`. */
export function urlOf(properties: RequestProperties, msg: Message, reader: MessageReader): string {
  let url = properties.url;
  if (url) {
    if (typeof msg.url === 'string' && msg.url && msg.url !== url) reader.warn('warnings.urlIgnored');
    if (isTemplate(url)) url = renderUrl(url, msg).trim();
  } else {
    if (msg.url !== undefined && typeof msg.url !== 'string') throw new MessageRefused('errors.urlNotString', 'status.invalidUrl', { type: typeof msg.url });
    url = (msg.url ?? '').trim();
  }
  if (!url) throw new MessageRefused('errors.noUrl', 'status.invalidUrl');
  return schemelessHost(url) ? `${properties.defaultScheme}://${url}` : url;
}

export function methodOf(properties: RequestProperties, msg: Message, reader: MessageReader): string {
  const fromMsg = properties.method === 'use' || !properties.method;
  if (!fromMsg) {
    if (msg.method) reader.warn('warnings.methodIgnored');
    return properties.method;
  }
  if (msg.method !== undefined && msg.method !== null && typeof msg.method !== 'string') {
    // Sending a GET instead of the request a flow meant would be worse than stopping.
    throw new MessageRefused('errors.methodNotString', 'status.invalidMethod', { type: typeof msg.method });
  }
  return typeof msg.method === 'string' && msg.method ? msg.method : 'GET';
}

/** Sets `name` whatever its case; an empty value removes it (the core node's updateHeader). */
function setHeader(headers: Record<string, unknown>, name: string, value: unknown): void {
  deleteHeader(headers, name);
  if (value !== undefined && value !== null && value !== '') headers[name] = value;
}

function isHeaderObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A header's text; a value that is not text (a number, a list) reads as none here. */
function headerOf(headers: Record<string, unknown>, name: string): string | undefined {
  const value = headerValue(headers, name);
  return typeof value === 'string' ? value : undefined;
}

/** `msg.headers` (unless the previous response's, unchanged), then the dialog's rows over them, then cookies. */
export function headersOf(properties: RequestProperties, msg: Message, reader: MessageReader): Record<string, unknown> {
  const given = msg.headers;
  if (given !== undefined && !isHeaderObject(given)) {
    throw new MessageRefused('errors.headersNotObject', 'status.invalidHeaders');
  }
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(requestHeadersOf(given) ?? {})) setHeader(headers, name, value);
  for (const row of properties.headers) {
    const name =
      row.keyType === 'other'
        ? (row.keyValue ?? '').trim()
        : row.keyType === 'msg'
          ? // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a header name from msg, as the core node takes it
            String(reader.evaluate(row.keyValue ?? '', msg) ?? '')
          : (row.keyType ?? '');
    if (!name) continue;
    const value = row.valueType === 'other' ? row.valueValue : row.valueType === 'msg' ? reader.evaluate(row.valueValue ?? '', msg) : row.valueType;
    setHeader(headers, name, value);
  }
  delete headers[MARKER_HEADER];
  const cookie = cookieHeader(headerOf(headers, 'cookie'), msg.cookies);
  setHeader(headers, 'Cookie', cookie);
  return headers;
}

/** `msg.rejectUnauthorized` as the core node reads it (a boolean, or "true"/"false"); anything else warned about and ignored. */
export function rejectUnauthorizedOf(msg: Message, reader: MessageReader): boolean | undefined {
  if (!Object.prototype.hasOwnProperty.call(msg, 'rejectUnauthorized')) return undefined;
  const value = msg.rejectUnauthorized;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  reader.warn('warnings.rejectUnauthorizedInvalid');
  return undefined;
}

/** The URL, body and headers the payload makes: query for a GET (paytoqs), GET body, a multipart form, or the body as it is. */
function withPayload(
  properties: RequestProperties,
  method: string,
  url: string,
  headers: Record<string, unknown>,
  payload: unknown,
): Pick<ClientRequest, 'url' | 'body' | 'bodyWithAnyMethod'> {
  const upper = method.toUpperCase();
  if (upper === 'GET' && payload !== undefined && properties.paytoqs === 'query') {
    if (typeof payload !== 'object' || payload === null) throw new MessageRefused('errors.invalidPayload', 'status.invalidPayload');
    const query = querystring.stringify(Object.fromEntries(Object.entries(payload)));
    return { url: url.includes('?') ? `${url}${url.endsWith('?') ? '' : '&'}${query}` : `${url}?${query}`, body: undefined };
  }
  if (upper === 'GET' && payload !== undefined && properties.paytoqs === 'body') return { url, body: payload, bodyWithAnyMethod: true };
  if (
    upper !== 'GET' &&
    upper !== 'HEAD' &&
    typeof payload === 'object' &&
    payload !== null &&
    !Buffer.isBuffer(payload) &&
    wantsMultipart(headerOf(headers, 'content-type'))
  ) {
    const form = multipartBody(payload);
    setHeader(headers, 'Content-Type', form.contentType);
    return { url, body: form.body };
  }
  // As the core node: a body for every method but GET and HEAD (TRACE, OPTIONS…).
  return { url, body: payload, bodyWithAnyMethod: upper !== 'GET' && upper !== 'HEAD' };
}

/** The client request for a message; throws {@link MessageRefused} for input the core node would refuse too. */
export function requestOf(properties: RequestProperties, msg: Message, reader: MessageReader): ClientRequest & { url: string; method: string } {
  const method = methodOf(properties, msg, reader);
  const headers = headersOf(properties, msg, reader);
  const payload = withPayload(properties, method, urlOf(properties, msg, reader), headers, msg.payload);
  const followRedirects = Object.prototype.hasOwnProperty.call(msg, 'followRedirects') ? Boolean(msg.followRedirects) : properties.followRedirects;
  const insecureHTTPParser = properties.insecureHTTPParser || undefined;
  return { method, headers, ...payload, url: payload.url ?? '', followRedirects, rejectUnauthorized: rejectUnauthorizedOf(msg, reader), insecureHTTPParser };
}
