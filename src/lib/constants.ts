/**
 * The values the dialogs offer and the runtime accepts, the config node's credential fields
 * and its defaults: one copy, read by the runtime and bundled into the editor by
 * scripts/build.js. No import here, so the browser bundle takes nothing else with it.
 */

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export const SIGNATURE_METHODS = ['HMAC-SHA1', 'HMAC-SHA256', 'HMAC-SHA512', 'RSA-SHA1', 'RSA-SHA256', 'RSA-SHA512', 'PLAINTEXT'] as const;
export type SignatureMethod = (typeof SIGNATURE_METHODS)[number];

export const PLACEMENTS = ['header', 'query'] as const;
export type Placement = (typeof PLACEMENTS)[number];

export type Digest = 'sha1' | 'sha256' | 'sha512';

/**
 * The digest of each method. `oauth_body_hash` uses it too: the body hash draft says to use
 * the hash of the signature method and defines SHA-1 (HMAC-SHA1, RSA-SHA1); for the SHA-256
 * and SHA-512 methods we take their own digest, as that rule extends to them, and for
 * PLAINTEXT, which has none, SHA-1, the draft's default.
 */
export const DIGESTS: Record<SignatureMethod, Digest> = {
  'HMAC-SHA1': 'sha1',
  'HMAC-SHA256': 'sha256',
  'HMAC-SHA512': 'sha512',
  'RSA-SHA1': 'sha1',
  'RSA-SHA256': 'sha256',
  'RSA-SHA512': 'sha512',
  PLAINTEXT: 'sha1',
};

/** The digest of `oauth_body_hash` for each method, as the dialog names it (SHA-1, SHA-256, SHA-512): {@link DIGESTS}. */
export const BODY_HASH_DIGESTS = Object.fromEntries(
  SIGNATURE_METHODS.map((method) => [method, DIGESTS[method].toUpperCase().replace('SHA', 'SHA-')]),
) as Record<SignatureMethod, string>;

/** True for the methods that sign with an RSA private key instead of the shared secrets. */
export function usesPrivateKey(method: SignatureMethod): boolean {
  return method.startsWith('RSA-');
}

/** Alteryx job priorities, as the API takes them. */
export const PRIORITIES = ['0', '1', '2', '3'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** What a run workflow node does with a message (its `action`, or `msg.action`): start a job, or look one up by id. */
export const JOB_ACTIONS = ['run', 'status', 'cancel', 'outputs'] as const;
export type JobAction = (typeof JOB_ACTIONS)[number];

export const MEGABYTE = 1024 * 1024;
/** What one Alteryx job may bring back when its node says nothing (src/lib/job-bounds.ts OutputLimits). */
export const DEFAULT_OUTPUT_LIMITS: Readonly<{ maxOutputs: number; maxOutputBytes: number }> = { maxOutputs: 50, maxOutputBytes: 200 * MEGABYTE };

/** The config node's credential fields. */
export const CREDENTIAL_NAMES = ['consumerKey', 'consumerSecret', 'token', 'tokenSecret', 'privateKey'] as const;
export type CredentialName = (typeof CREDENTIAL_NAMES)[number];

/**
 * Node-RED's `credentials` definition of the config node, for the runtime and the editor: a
 * password never goes back to the editor, nor to a read-only user of the admin API. The token
 * is one: a secret like the others (cut from every output). `privateKey` is the PEM RSA key of RSA-SHA*.
 */
export const CREDENTIALS: Record<CredentialName, { type: 'text' | 'password' }> = {
  consumerKey: { type: 'text' },
  consumerSecret: { type: 'password' },
  token: { type: 'password' },
  tokenSecret: { type: 'password' },
  privateKey: { type: 'password' },
};

/** Retries after a network failure or a 5xx/429 (idempotent methods only), when the config node says none. */
export const DEFAULT_RETRIES = 3;
/** Per attempt, when the config node says none. */
export const DEFAULT_TIMEOUT_MS = 120_000;
/** The largest response body read, in MB, when the config node says none. */
export const DEFAULT_MAX_RESPONSE_MB = 100;

/** Seconds a message may wait for its service's limits (or a pause the service ordered), when the config node says none. */
export const DEFAULT_MAX_WAIT_S = 120;
/** Messages that may wait for a service's limits at once, when the config node says none. */
export const DEFAULT_MAX_QUEUED = 1000;
/** The window of "requests per period", in seconds, when the config node says none. */
export const DEFAULT_RATE_PERIOD_S = 60;
