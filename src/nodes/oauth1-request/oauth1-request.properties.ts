/**
 * The request node's properties, once for the editor and the runtime: as a flow stores them
 * (the core http request node's fields), their defaults (the editor's `defaults`) and what the
 * runtime makes of them.
 */
import { SERVER_PROPERTY, type PropertyDefinitions } from '../shared/node.properties';

/** One row of the dialog's headers list, as the core node stores it: `keyType` is a header name or `other`; `valueType` a content type, `other` or `msg`. */
export interface HeaderRow {
  keyType?: string;
  keyValue?: string;
  valueType?: string;
  valueValue?: string;
}

/** As a flow stores them; a node from an older flow may lack some. */
export interface RequestNodeProperties {
  name: string;
  server: string;
  method: string;
  url: string;
  ret: string;
  /** `true` in flows of the core node's older versions: the payload goes into the query. */
  paytoqs: string | boolean;
  senderr: boolean;
  /** False: 3xx answers are returned, not followed (`msg.followRedirects` overrides). */
  followRedirects: boolean;
  /** Id of a core `http proxy` config node. */
  proxy: string;
  insecureHTTPParser: boolean;
  headers: HeaderRow[];
}

export const REQUEST_DEFAULTS = {
  name: { value: '' },
  server: SERVER_PROPERTY,
  method: { value: 'GET' },
  url: { value: '' },
  ret: { value: 'txt' },
  paytoqs: { value: 'ignore' },
  senderr: { value: false },
  followRedirects: { value: true },
  proxy: { value: '', type: 'http proxy', required: false },
  insecureHTTPParser: { value: false },
  headers: { value: [] },
} satisfies PropertyDefinitions<RequestNodeProperties>;

export type PayloadToQuery = 'ignore' | 'query' | 'body';

/** Where the payload of a GET goes, older flows' `true` meaning the query. */
export function payloadToQuery(paytoqs: unknown): PayloadToQuery {
  return paytoqs === true || paytoqs === 'query' ? 'query' : paytoqs === 'body' ? 'body' : 'ignore';
}

/** The request node's own properties as read at deploy (not Node-RED's settings, not the client's ServiceOptions). */
export interface RequestProperties {
  url: string;
  method: string;
  paytoqs: PayloadToQuery;
  followRedirects: boolean;
  headers: HeaderRow[];
  /** What a host without a scheme gets: https when the service has a TLS configuration, as the core node with one. */
  defaultScheme: 'http' | 'https';
  /** Node's lenient HTTP parser, for servers that break HTTP (the core node's option). */
  insecureHTTPParser: boolean;
}

export function requestPropertiesOf(config: Partial<RequestNodeProperties>, hasTls: boolean): RequestProperties {
  return {
    url: (config.url ?? '').trim(),
    method: config.method ?? REQUEST_DEFAULTS.method.value,
    paytoqs: payloadToQuery(config.paytoqs),
    followRedirects: config.followRedirects !== false,
    headers: Array.isArray(config.headers) ? config.headers : [],
    defaultScheme: hasTls ? 'https' : 'http',
    insecureHTTPParser: config.insecureHTTPParser === true,
  };
}
