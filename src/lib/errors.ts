/**
 * The one base of every library error, so that whoever shows a failure (a node's status and
 * Catch, an admin route's answer) reads the same fields whichever service or layer failed,
 * without knowing the service. A leaf module: it imports types only.
 */
import type { SigningDiagnosis } from './refusal';

/** Keys of the shared status catalogue (`status.*` of the config node's locale) a failure may show. */
export type StatusKey =
  'timeout' | 'error' | 'cancelled' | 'notSupported' | 'formatNotOffered' | 'invalidInput' | 'outputsTooLarge' | 'badResponse' | 'queueFull' | 'waitTooLong';

/**
 * The status ring's short text of a failure, under 20 characters as the core http request
 * node's: a catalogue key, translated where it is shown, or the answer's own words (a status
 * code, a system error code), which need no translation.
 */
export type FailureStatus = { key: StatusKey } | { words: string };

/** What a failure puts on the message besides its text. */
export interface FailureFacts {
  /** The HTTP status of the answer that failed (`msg.statusCode`). */
  statusCode?: number;
  /** What the service answered or described (`msg.payload`); the client has redacted it. */
  body?: unknown;
  /** A refused signature: what was signed and the likely cause (`msg.signing`). */
  signing?: SigningDiagnosis;
}

/** A failure of a service or of the transport. Its message is safe to show: no secret, no signature. */
export class ServiceError extends Error {
  readonly statusCode?: number;
  readonly body?: unknown;
  readonly signing?: SigningDiagnosis;

  constructor(
    message: string,
    /** Stable and machine-readable (`ETIMEDOUT`, `EHTTP`…): Catch's `msg.error.code`. */
    readonly code: string,
    /** The status ring's text. */
    readonly status: FailureStatus,
    facts: FailureFacts = {},
  ) {
    super(message);
    this.statusCode = facts.statusCode;
    this.body = facts.body;
    this.signing = facts.signing;
  }
}

export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof ServiceError;
}
