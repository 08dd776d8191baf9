/** The error of a request that produced no HTTP response. A leaf of the transport. */
import { ServiceError } from './errors';

export type RequestErrorCode =
  | 'EINVALIDURL'
  | 'EINVALIDMETHOD'
  | 'ETIMEDOUT'
  | 'EABORTED'
  | 'ENETWORK'
  | 'ETOOMANYREDIRECTS'
  | 'ESIGNING'
  | 'EINVALIDBODY'
  | 'EINVALIDHEADER'
  /** Credentials would go to an origin that is not the service's: nothing was sent. */
  | 'EORIGIN'
  /** A credential that is its own secret would go where others can read it (plain http, a proxy, an unchecked certificate): nothing was sent. */
  | 'EINSECURE'
  /** The response body is larger than `maxResponseBytes`. */
  | 'ETOOLARGE'
  /** The proxy URL is not one. */
  | 'EPROXY';

/** A request that produced no HTTP response. Its message is safe to show: no secrets, no signatures. */
export class RequestError extends ServiceError {
  declare readonly code: RequestErrorCode;

  constructor(
    message: string,
    code: RequestErrorCode,
    /** The system error code behind a network failure (ECONNRESET, ECONNREFUSED…). */
    readonly systemCode?: string,
  ) {
    super(message, code, code === 'ETIMEDOUT' ? { key: 'timeout' } : { words: systemCode ?? code });
    this.name = 'RequestError';
  }
}

export function isRequestError(error: unknown): error is RequestError {
  return error instanceof RequestError;
}

/** What a request, or a wait, aborted through its signal rejects with. */
export function aborted(): RequestError {
  return new RequestError('request aborted', 'EABORTED');
}
