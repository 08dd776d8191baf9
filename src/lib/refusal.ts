/**
 * What `msg.signing` holds after a refused signature. Types only: the transport carries a
 * diagnosis without knowing how one is made (src/lib/diagnosis.ts) or what a service's
 * refusal looks like (src/lib/presets.ts).
 */
import type { SigningRecord } from './oauth1';

/** Why a service refused a signed request, as far as its answer tells: the catalog of diagnosis.ts has one sentence for each. */
export type RefusalCause = 'timestamp' | 'nonce' | 'consumer-key' | 'token' | 'realm' | 'problem' | 'signature';

/** The parts of an answer a diagnosis reads. */
export interface RefusalAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface Cause {
  code: RefusalCause;
  /** One sentence, for the error text. */
  text: string;
  /** The README section that helps. */
  help: string;
}

/** `msg.signing`: what was signed, the server's clock and the most likely cause. Never a secret. */
export interface SigningDiagnosis extends SigningRecord {
  /** The server's `Date` header as ISO 8601, when it sent one. */
  serverTime?: string;
  /** Server time minus the signed timestamp, in seconds. */
  clockDifferenceS?: number;
  cause: Cause;
}
