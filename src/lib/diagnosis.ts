/**
 * What a refused signature most likely means. From what one attempt signed (oauth1.ts'
 * SigningRecord) and the service's answer (status, `Date`, `WWW-Authenticate`, body), one
 * cause of a catalog, each a sentence with a link to the README section that helps. What a
 * service's 401 body means is a fact of that service: src/lib/presets.ts, SERVICE_REFUSALS.
 * Pure: no I/O, no secret in or out (the record holds none).
 */
import { firstHeader } from './headers';
import { inBaseStringOrder, percentEncode, type SigningRecord } from './oauth1';
import { netsuiteRealmMismatch, readServiceRefusal } from './presets';
import type { RefusalAnswer, RefusalCause, SigningDiagnosis } from './refusal';

export type { Cause, RefusalAnswer, RefusalCause, SigningDiagnosis } from './refusal';

const README = 'https://github.com/node-red-contrib-oauth1/node-red-contrib-oauth1#';

/** The README subsection of each cause, under "When a service says 401". */
export const CAUSE_HELP: Record<RefusalCause, string> = {
  timestamp: `${README}timestamp-refused`,
  nonce: `${README}nonce-reused`,
  'consumer-key': `${README}unknown-consumer-key`,
  token: `${README}unknown-or-expired-token`,
  realm: `${README}realm-does-not-match-the-account`,
  problem: `${README}other-problems-the-service-names`,
  signature: `${README}the-signature-itself`,
};

/** A server clock this far from the signed timestamp is refused by most services (oauthlib: 600 s, X: 300 s). */
const CLOCK_TOLERANCE_S = 300;

/** OAuth Problem Reporting (oauth.pbworks.com/ProblemReporting): the problems that are one of our causes. */
const PROBLEM_CAUSES: Record<string, RefusalCause> = {
  timestamp_refused: 'timestamp',
  nonce_used: 'nonce',
  consumer_key_unknown: 'consumer-key',
  consumer_key_rejected: 'consumer-key',
  consumer_key_refused: 'consumer-key',
  token_used: 'token',
  token_expired: 'token',
  token_revoked: 'token',
  token_rejected: 'token',
  signature_invalid: 'signature',
};

/** What the other problems of that extension mean, said as the end of a sentence. */
const PROBLEM_MEANINGS: Record<string, string> = {
  version_rejected: 'it does not accept this oauth_version',
  parameter_absent: 'a parameter it needs is missing',
  parameter_rejected: 'it does not accept one of the parameters',
  signature_method_rejected: 'it does not accept this signature method: use the one its documentation names',
  additional_authorization_required: 'the token needs more authorization for this request',
  permission_unknown: 'the token has no permission it knows of',
  permission_denied: 'the token is not allowed this request (or its application link refused it)',
  user_refused: 'the user refused to authorize the application',
};

/** `oauth_problem` of a `WWW-Authenticate: OAuth …` header, or of a form-encoded body (Atlassian sends both). */
export function oauthProblem(answer: Pick<RefusalAnswer, 'headers' | 'body'>): string | undefined {
  const header = firstHeader(answer.headers, 'www-authenticate');
  const fromHeader = header && /^\s*OAuth\b/i.test(header) ? /oauth_problem="?([A-Za-z_]+)/.exec(header)?.[1] : undefined;
  // A form-encoded problem report is short: the head of a long body is enough.
  const text = typeof answer.body === 'string' ? answer.body.slice(0, 2048) : Buffer.isBuffer(answer.body) ? answer.body.toString('utf8', 0, 2048) : '';
  return fromHeader ?? /(?:^|&)oauth_problem=([A-Za-z_]+)/.exec(text)?.[1];
}

/**
 * True when the answer is a refused signature: a 401, or a 4xx/5xx with an `oauth_problem`
 * or a service's known refusal body; not a 401 the service says is about something else (a wrong password).
 */
export function isRefusal(answer: RefusalAnswer): boolean {
  // A success is never one, and its body (which may be large) is not read again.
  if (answer.statusCode < 400) return false;
  if (oauthProblem(answer) !== undefined) return true;
  const reading = readServiceRefusal(parsedBody(answer.body));
  if (reading) return reading.cause !== 'not-signing';
  return answer.statusCode === 401;
}

/**
 * A refusal body worth parsing for its cause is small; a larger text or Buffer is not parsed
 * again (the decoder already parsed it once where JSON was asked for).
 */
const MAX_PARSED_REFUSAL_BYTES = 65_536;

/** Small text and Buffer bodies that hold JSON are read as JSON: services send their errors so whatever `ret` asked for. */
function parsedBody(body: unknown): unknown {
  const small = (typeof body === 'string' || Buffer.isBuffer(body)) && body.length < MAX_PARSED_REFUSAL_BYTES;
  const text = !small ? undefined : typeof body === 'string' ? body : body.toString('utf8');
  if (text === undefined || !/^\s*[[{]/.test(text)) return body;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return body;
  }
}

function serverClock(record: SigningRecord, answer: RefusalAnswer): { serverTime?: string; clockDifferenceS?: number } {
  const date = firstHeader(answer.headers, 'date');
  const serverMs = date ? Date.parse(date) : Number.NaN;
  if (Number.isNaN(serverMs)) return {};
  return { serverTime: new Date(serverMs).toISOString(), clockDifferenceS: Math.round(serverMs / 1000 - record.timestamp) };
}

function causeSentence(code: RefusalCause, record: SigningRecord, facts: { clockDifferenceS?: number; problem?: string; realm?: string }): string {
  const consumerKey = record.parameters.find(({ name }) => name === 'oauth_consumer_key')?.value ?? '';
  switch (code) {
    case 'timestamp':
      return facts.clockDifferenceS !== undefined && Math.abs(facts.clockDifferenceS) > CLOCK_TOLERANCE_S
        ? `The service refused the timestamp: its clock is ${Math.abs(facts.clockDifferenceS)} s ${facts.clockDifferenceS > 0 ? 'ahead of' : 'behind'} the signed oauth_timestamp ${record.timestamp}, so set this machine's clock right (NTP).`
        : `The service refused the timestamp ${record.timestamp}: it must be the current time in seconds (UTC), within a few minutes of the service's clock.`;
    case 'nonce':
      return 'The service saw this oauth_nonce before: a request replayed or sent twice (by a proxy, or a copied URL with its oauth_* pairs) is refused.';
    case 'consumer-key':
      return `The service does not know the consumer key "${consumerKey}": check that it belongs to this service and environment (sandbox or production) and that the application is enabled.`;
    case 'token':
      return 'The service does not know the token, or it expired or was revoked: check that the token pair was made for this consumer key and environment, or get a new one.';
    case 'realm':
      return `The realm "${record.realm ?? ''}" does not name the account: NetSuite wants the account id in upper case with an underscore, "${facts.realm ?? ''}".`;
    case 'problem':
      return `The service names the problem "${facts.problem ?? ''}": ${PROBLEM_MEANINGS[facts.problem ?? ''] ?? 'see its documentation for what it means'}.`;
    case 'signature':
      return 'The service computed another signature: compare msg.signing.baseString with the base string it expects (method, URL, parameters), then the consumer secret, token secret or private key.';
  }
}

/**
 * The most likely cause of a refusal. What the service names comes first (an `oauth_problem`,
 * its own error code); a vague "signature" answer is then checked against what we can see:
 * a NetSuite realm in the hosts' spelling, a server clock minutes away from the timestamp.
 */
export function diagnoseRefusal(record: SigningRecord, answer: RefusalAnswer): SigningDiagnosis {
  const clock = serverClock(record, answer);
  const problem = oauthProblem(answer);
  const reading = readServiceRefusal(parsedBody(answer.body));
  const named = reading && reading.cause !== 'not-signing' ? reading.cause : undefined;
  let code: RefusalCause = problem ? (PROBLEM_CAUSES[problem] ?? 'problem') : (named ?? 'signature');
  const realm = netsuiteRealmMismatch(record.url, record.realm, reading?.service === 'NetSuite');
  if (code === 'signature' && realm !== undefined) code = 'realm';
  else if (code === 'signature' && clock.clockDifferenceS !== undefined && Math.abs(clock.clockDifferenceS) > CLOCK_TOLERANCE_S) code = 'timestamp';
  const text = causeSentence(code, record, { clockDifferenceS: clock.clockDifferenceS, problem, realm });
  return { ...withoutToken(record), ...clock, cause: { code, text, help: CAUSE_HELP[code] } };
}

/** Stands for the token in `msg.signing`: like every credential of the service, it stays out of the outputs. */
export const HIDDEN_TOKEN = '…';

/**
 * The record as `msg.signing` shows it: parameters in base string order, and the token's
 * value (a credential, cut from every output of the client too) replaced by `…` in the
 * parameters and in the base string, where it stands encoded twice.
 */
function withoutToken(record: SigningRecord): SigningRecord {
  const parameters = inBaseStringOrder(record.parameters);
  const token = parameters.find(({ name }) => name === 'oauth_token')?.value;
  if (!token) return { ...record, parameters };
  return {
    ...record,
    parameters: parameters.map((parameter) => (parameter.name === 'oauth_token' ? { name: parameter.name, value: HIDDEN_TOKEN } : parameter)),
    baseString: record.baseString.split(`oauth_token%3D${percentEncode(percentEncode(token))}`).join(`oauth_token%3D${HIDDEN_TOKEN}`),
  };
}

/** An error text with the likely cause of a refusal after it, in one sentence. */
export function withLikelyCause(message: string, diagnosis: Pick<SigningDiagnosis, 'cause'> | undefined): string {
  return diagnosis ? `${message.replace(/[.\s]+$/, '')}. Likely cause: ${diagnosis.cause.text}` : message;
}

/** `msg.signing` of an answer to a signed attempt when it is a refusal; undefined otherwise. The record is built only then. */
export function refusalDiagnosis(record: (() => SigningRecord) | undefined, answer: RefusalAnswer): SigningDiagnosis | undefined {
  return record && isRefusal(answer) ? diagnoseRefusal(record(), answer) : undefined;
}
