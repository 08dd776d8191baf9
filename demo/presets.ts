/**
 * The demo's stand-ins for the preset families (src/lib/presets.ts), each checking what its real
 * service checks:
 *
 * - NetSuite-like, base URL `<url>/netsuite/services/rest` (REST web services) and the RESTlet
 *   `<url>/netsuite/app/site/hosting/restlet.nl?script=…&deploy=…`: HMAC-SHA256, a token, and the
 *   realm of the demo account; anything else is NetSuite's 401 `INVALID_LOGIN`. The account
 *   allows a few requests in flight, REST and RESTlet together (demo/server.ts counts them);
 *   beyond, REST answers 429 `CONCURRENCY_LIMIT_EXCEEDED`, the RESTlet 400 `SSS_REQUEST_LIMIT_EXCEEDED`.
 * - Jira-like, base URL `<url>/jira`: `GET rest/api/2/myself` and `GET rest/api/2/search`,
 *   RSA-SHA1 checked with the public key of a key pair generated at demo start.
 * - Body hash, base URL `<url>/body-hash`: any request must carry an `oauth_body_hash` that
 *   is the digest of the body received; a multipart upload (`POST …/media`) is answered with
 *   the parts received, as a media upload route would.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { jsonReply, bytesReply, type Reply } from './http';
import { readMultipart } from './multipart';
import type { IncomingSignedRequest, OAuth1Verifier, VerificationResult } from './verify';

/** The demo's NetSuite account id, as the realm spells it (hosts would say `1234567-sb1`). */
export const NETSUITE_DEMO_ACCOUNT = '1234567_SB1';

/** What the route needs of a request: the path after the service prefix, and the request to verify. */
export interface PresetRouteInput {
  method: string;
  /** Decoded path segments, the leading one included (`netsuite`, `jira`, `body-hash`). */
  segments: string[];
  query: URLSearchParams;
  signed: IncomingSignedRequest;
  contentType?: string;
}

/** A fresh RSA key pair: the private key (PEM, PKCS#8) goes to Node-RED through an environment variable, never into a file. */
export function demoKeyPair(): { privateKeyPem: string; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey };
}

/** The problem `type` and `title` NetSuite's REST web services send with each status. */
const NETSUITE_PROBLEMS: Record<401 | 404 | 429, { type: string; title: string }> = {
  401: { type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2', title: 'Unauthorized' },
  404: { type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5', title: 'Not Found' },
  429: { type: 'https://www.rfc-editor.org/rfc/rfc6585.html#section-4', title: 'Too Many Requests' },
};

/** NetSuite's REST web services error body (RFC 9457 problem details with `o:errorDetails`). */
function netsuiteError(status: keyof typeof NETSUITE_PROBLEMS, code: string, detail: string): Reply {
  return jsonReply(status, { ...NETSUITE_PROBLEMS[status], status, 'o:errorDetails': [{ detail, 'o:errorCode': code }] });
}

/**
 * NetSuite's refusal of a request beyond the account's concurrency limit: REST web services
 * answer 429 `CONCURRENCY_LIMIT_EXCEEDED`, a RESTlet 400 `SSS_REQUEST_LIMIT_EXCEEDED`
 * ("Web Services and RESTlet Concurrency Governance", NetSuite Help Center).
 */
export function netsuiteLimitRefusal(segments: string[], limit: number): Reply {
  const why = `the account allows ${limit} concurrent requests (REST web services and RESTlets together)`;
  if (segments.slice(1).join('/') === 'app/site/hosting/restlet.nl') {
    return jsonReply(400, { error: { code: 'SSS_REQUEST_LIMIT_EXCEEDED', message: `Request limit exceeded: ${why}. Retry when a request has ended.` } });
  }
  return netsuiteError(429, 'CONCURRENCY_LIMIT_EXCEEDED', `Request blocked by the concurrency limit: ${why}. Retry when a request has ended.`);
}

/** NetSuite says no more than "Invalid login attempt"; the demo adds why, to help. */
function invalidLogin(why: string): Reply {
  return netsuiteError(401, 'INVALID_LOGIN', `Invalid login attempt. (demo: ${why})`);
}

function netsuiteVerdictProblem(verdict: VerificationResult): string | undefined {
  if (!verdict.ok) return verdict.message;
  if (verdict.realm === undefined) return `no realm in the Authorization header: NetSuite wants the account id (${NETSUITE_DEMO_ACCOUNT})`;
  if (verdict.realm !== NETSUITE_DEMO_ACCOUNT) return `realm "${verdict.realm}" is not the account id ${NETSUITE_DEMO_ACCOUNT}`;
  if (verdict.signatureMethod !== 'HMAC-SHA256') return `${verdict.signatureMethod} is refused: NetSuite signs with HMAC-SHA256 since 2023.1`;
  return undefined;
}

function netsuite(input: PresetRouteInput, verifier: OAuth1Verifier): Reply {
  const path = input.segments.slice(1).join('/');
  const catalog = input.method === 'GET' && /^services\/rest\/record\/v1\/metadata-catalog\/?$/.test(path);
  const restlet = path === 'app/site/hosting/restlet.nl' && input.query.has('script');
  if (!catalog && !restlet) return netsuiteError(404, 'NONEXISTENT_ID', `No resource ${input.method} /${input.segments.join('/')}.`);
  const problem = netsuiteVerdictProblem(verifier.verify(input.signed, { requireToken: true }));
  if (problem) return invalidLogin(problem);
  if (catalog) {
    return jsonReply(200, {
      items: ['customer', 'salesorder', 'invoice'].map((name) => ({ name, links: [{ rel: 'canonical', href: `/services/rest/record/v1/${name}` }] })),
    });
  }
  let received: unknown;
  const body = input.signed.body ?? Buffer.alloc(0);
  try {
    received = body.length ? JSON.parse(body.toString('utf8')) : null;
  } catch {
    received = body.toString('utf8');
  }
  return jsonReply(200, { script: input.query.get('script'), deploy: input.query.get('deploy'), method: input.method, received });
}

export const JIRA_DEMO_USER = Object.freeze({
  name: 'demo.user',
  key: 'JIRAUSER10000',
  displayName: 'Demo User',
  emailAddress: 'demo.user@example.com',
  active: true,
});

const JIRA_ISSUES = [
  { key: 'DEMO-1', fields: { summary: 'Sign every request with RSA-SHA1', status: { name: 'Done' } } },
  { key: 'DEMO-2', fields: { summary: 'Show the preset dropdown', status: { name: 'In Progress' } } },
];

/** Atlassian's OAuth filter names the problem as `oauth_problem` (OAuth Problem Reporting extension). */
function jiraOAuthProblem(problem: string, advice: string): Reply {
  return bytesReply(401, Buffer.from(`oauth_problem=${problem}&oauth_problem_advice=${encodeURIComponent(advice)}`), 'text/plain; charset=utf-8', {
    'WWW-Authenticate': `OAuth realm="demo-jira", oauth_problem="${problem}"`,
  });
}

function jira(input: PresetRouteInput, verifier: OAuth1Verifier): Reply {
  const path = input.segments.slice(1).join('/');
  if (input.method !== 'GET' || !['rest/api/2/myself', 'rest/api/2/search'].includes(path)) {
    return jsonReply(404, { errorMessages: [`No resource ${input.method} /${input.segments.join('/')}.`], errors: {} });
  }
  const verdict = verifier.verify(input.signed, { requireToken: true });
  if (!verdict.ok) return jiraOAuthProblem(verdict.reason === 'bad_signature' ? 'signature_invalid' : 'permission_denied', verdict.message);
  if (verdict.signatureMethod !== 'RSA-SHA1') return jiraOAuthProblem('signature_method_rejected', 'application links sign with RSA-SHA1');
  if (path === 'rest/api/2/myself') return jsonReply(200, JIRA_DEMO_USER);
  const jql = input.query.get('jql') ?? '';
  return jsonReply(200, { startAt: 0, maxResults: 50, total: JIRA_ISSUES.length, jql, issues: JIRA_ISSUES });
}

function bodyHash(input: PresetRouteInput, verifier: OAuth1Verifier): Reply {
  const verdict = verifier.verify(input.signed, { requireToken: false, requireBodyHash: true });
  if (!verdict.ok) return jsonReply(401, { code: 109, name: 'OAUTH_SIGNATURE_EXCEPTION', message: verdict.message });
  const answer = { ok: true, bytes: input.signed.body?.length ?? 0, signatureMethod: verdict.signatureMethod, oauth_body_hash: 'verified' };
  if (input.method !== 'POST' || input.segments.slice(1).join('/') !== 'media') return jsonReply(200, answer);
  const parts = readMultipart(input.contentType, input.signed.body ?? Buffer.alloc(0));
  if (!parts) return jsonReply(415, { code: 415, name: 'UNSUPPORTED_MEDIA_TYPE', message: 'POST media takes multipart/form-data' });
  return jsonReply(200, { ...answer, parts });
}

/** The reply of a preset route, or undefined when the path belongs to another demo service. */
export function presetRoute(input: PresetRouteInput, verifier: OAuth1Verifier): Reply | undefined {
  switch (input.segments[0]) {
    case 'netsuite':
      return netsuite(input, verifier);
    case 'jira':
      return jira(input, verifier);
    case 'body-hash':
      return bodyHash(input, verifier);
    default:
      return undefined;
  }
}
