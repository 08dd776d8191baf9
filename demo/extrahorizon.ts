/**
 * The Extra Horizon side of the demo: `GET /users/v1/me` and Extra Horizon's error bodies.
 *
 * Errors are `{code, name, message}` (docs.extrahorizon.com, "Handling Errors"). Codes:
 *
 * | code | HTTP | name                             | when                                              |
 * |-----:|-----:|----------------------------------|---------------------------------------------------|
 * |   15 |  400 | FIELD_FORMAT_EXCEPTION           | path is not valid percent-encoding                 |
 * |   16 |  404 | RESOURCE_UNKNOWN_EXCEPTION       | unknown route                                      |
 * |  104 |  401 | USER_NOT_AUTHENTICATED_EXCEPTION | not signed at all, or signed without oauth_token   |
 * |  107 |  401 | OAUTH_KEY_EXCEPTION              | unknown consumer key                               |
 * |  108 |  401 | OAUTH_TOKEN_EXCEPTION            | unknown token                                      |
 * |  109 |  401 | OAUTH_SIGNATURE_EXCEPTION        | wrong signature, missing/malformed oauth_* params, |
 * |      |      |                                  | unsupported signature method                       |
 * |  110 |  401 | DUPLICATE_REQUEST_EXCEPTION      | nonce + timestamp already used                     |
 * |  111 |  401 | OAUTH_TIMESTAMP_EXCEPTION        | timestamp more than 10 minutes off (demo's own)    |
 * |  413 |  413 | BODY_TOO_LARGE_EXCEPTION         | body over 1 MB (demo's own)                        |
 * |  500 |  500 | INTERNAL_SERVER_EXCEPTION        | a bug in the demo (demo's own)                     |
 *
 * 15, 16, 104 and 107–110 are Extra Horizon's documented codes; the service documents no
 * timestamp, size or internal error, so 111, 413 and 500 are the demo's inventions.
 */
import type { VerificationFailure } from './verify';

export interface ExhError {
  code: number;
  name: string;
  message: string;
}

export const EXH_ERRORS = {
  fieldFormat: { status: 400, code: 15, name: 'FIELD_FORMAT_EXCEPTION' },
  resourceUnknown: { status: 404, code: 16, name: 'RESOURCE_UNKNOWN_EXCEPTION' },
  userNotAuthenticated: { status: 401, code: 104, name: 'USER_NOT_AUTHENTICATED_EXCEPTION' },
  oauthKey: { status: 401, code: 107, name: 'OAUTH_KEY_EXCEPTION' },
  oauthToken: { status: 401, code: 108, name: 'OAUTH_TOKEN_EXCEPTION' },
  oauthSignature: { status: 401, code: 109, name: 'OAUTH_SIGNATURE_EXCEPTION' },
  duplicateRequest: { status: 401, code: 110, name: 'DUPLICATE_REQUEST_EXCEPTION' },
  oauthTimestamp: { status: 401, code: 111, name: 'OAUTH_TIMESTAMP_EXCEPTION' },
  bodyTooLarge: { status: 413, code: 413, name: 'BODY_TOO_LARGE_EXCEPTION' },
  internal: { status: 500, code: 500, name: 'INTERNAL_SERVER_EXCEPTION' },
} as const;

export type ExhErrorKind = keyof typeof EXH_ERRORS;

export function exhError(kind: ExhErrorKind, message: string): { status: number; body: ExhError } {
  const { status, code, name } = EXH_ERRORS[kind];
  return { status, body: { code, name, message } };
}

const FAILURE_KINDS: Record<VerificationFailure, ExhErrorKind> = {
  missing_credentials: 'userNotAuthenticated',
  token_missing: 'userNotAuthenticated',
  missing_parameters: 'oauthSignature',
  malformed_parameters: 'oauthSignature',
  unsupported_signature_method: 'oauthSignature',
  unknown_consumer_key: 'oauthKey',
  unknown_token: 'oauthToken',
  stale_timestamp: 'oauthTimestamp',
  bad_signature: 'oauthSignature',
  bad_body_hash: 'oauthSignature',
  replayed_nonce: 'duplicateRequest',
};

export function exhAuthError(reason: VerificationFailure, message: string): { status: number; body: ExhError } {
  return exhError(FAILURE_KINDS[reason], message);
}

/** The signed-in user of the demo: one fixed person, shaped like Extra Horizon's user service answers. */
export const DEMO_USER = Object.freeze({
  id: '65a0c0ffee0ddba11d0c0a11',
  first_name: 'Demo',
  last_name: 'User',
  email: 'demo.user@example.com',
  phone_number: '+32000000000',
  language: 'EN',
  time_zone: 'Europe/Brussels',
  activation: true,
  roles: [
    {
      id: '65a0c0ffee0ddba11d0c0a12',
      name: 'Demo analyst',
      description: 'Demo role: reads own data',
      permissions: ['VIEW_DOCUMENTS'],
      creation_timestamp: 1704067200000,
      update_timestamp: 1704067200000,
    },
  ],
  staff_enlistments: [],
  patient_enlistments: [],
  last_failed_timestamp: 0,
  failed_count: 0,
  profile_image: '',
  creation_timestamp: 1704067200000,
  update_timestamp: 1717200000000,
});
