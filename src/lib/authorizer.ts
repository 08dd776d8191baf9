/** What the client asks of whoever adds credentials to a request: OAuth 1.0a signing, an OAuth 2 bearer token. Types only. */
import type { BareSecret } from './bare-secrets';
import type { RequestToSign, SigningRecord } from './oauth1';
import type { RefusalAnswer, SigningDiagnosis } from './refusal';

export interface AuthorizedAttempt {
  url: string;
  headers: Record<string, string>;
  /** What an OAuth 1.0a signature covered, for the diagnosis of a refusal; built only when called. */
  signing?: () => SigningRecord;
}

/** Adds credentials to one attempt. Called anew for every attempt, retries and redirects included. */
export interface RequestAuthorizer {
  authorize(request: RequestToSign, context: { clockOffsetMs: number; signal?: AbortSignal }): Promise<AuthorizedAttempt> | AuthorizedAttempt;
  /** Set when what it adds is the secret itself (a PLAINTEXT signature, a bearer token): sent only where no one else can read it. */
  readonly bareSecret?: BareSecret;
  /** After a 401: drop cached credentials (an expired bearer token). True when one more try makes sense. */
  refreshAfterUnauthorized?(): boolean;
  /** Secrets that change while the client runs (the bearer token in use): kept out of every response, as `secrets`. */
  currentSecrets?(): ReadonlyArray<string | undefined>;
  /**
   * `msg.signing` for the answer to an attempt it signed: what a refusal most likely means,
   * undefined for any other answer. The transport does not know what a refusal means.
   */
  diagnose?(signing: () => SigningRecord, answer: RefusalAnswer): SigningDiagnosis | undefined;
}
