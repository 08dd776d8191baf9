/**
 * The demo server (demo/): a local Extra Horizon and Alteryx that verify OAuth 1.0a for real.
 * Requests are signed with the project's own signer and sent with Node's fetch.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { DEMO_WORKFLOW_IDS, type JobView, type Question } from '../demo/alteryx';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { startDemoServer, type DemoServer } from '../demo/server';
import { JIRA_DEMO_USER, NETSUITE_DEMO_ACCOUNT } from '../demo/presets';
import { DEMO_SIGNATURE_METHODS, NonceStore, OAuth1Verifier, parseAuthorizationHeader } from '../demo/verify';
import { OAuth1Signer, PLACEMENTS, type OAuth1Credentials, type Placement, type SignatureMethod, type SigningOverrides } from '../src/lib/oauth1';

const USER_CREDENTIALS: OAuth1Credentials = { ...DEMO_CREDENTIALS };
const CONSUMER_ONLY: OAuth1Credentials = {
  consumerKey: DEMO_CREDENTIALS.consumerKey,
  consumerSecret: DEMO_CREDENTIALS.consumerSecret,
};
const JOB_TIMING = { queuedMs: 60, runningMs: 120 };
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

interface SendOptions {
  credentials?: OAuth1Credentials;
  signatureMethod?: SignatureMethod;
  placement?: Placement;
  overrides?: SigningOverrides;
  clockOffsetMs?: number;
  json?: unknown;
  body?: string;
  contentType?: string;
  realm?: string;
  bodyHash?: boolean;
}

/** The private key of the running demo's RSA key pair (made at its start), for RSA-SHA* requests. */
let demoPrivateKey: string | undefined;

/** Signs one request with the project's signer and sends it. */
function signedFetch(method: string, url: string, options: SendOptions = {}): Promise<Response> {
  const signer = new OAuth1Signer(
    { privateKey: demoPrivateKey, ...(options.credentials ?? USER_CREDENTIALS) },
    {
      signatureMethod: options.signatureMethod,
      placement: options.placement,
      realm: options.realm,
      bodyHash: options.bodyHash,
    },
  );
  const contentType = options.contentType ?? (options.json !== undefined ? 'application/json' : undefined);
  const body = options.json !== undefined ? JSON.stringify(options.json) : options.body;
  const formBody = contentType === 'application/x-www-form-urlencoded' ? body : undefined;
  const bytes = body === undefined ? undefined : Buffer.from(body, 'utf8');
  const signed = signer.sign({ method, url, formBody, body: bytes }, { clockOffsetMs: options.clockOffsetMs }, options.overrides);
  return fetch(signed.url, {
    method,
    headers: { ...signed.headers, ...(contentType ? { 'Content-Type': contentType } : {}) },
    body,
  });
}

async function json<T>(response: Response): Promise<T> {
  assert.match(response.headers.get('content-type') ?? '', /^application\/json; charset=utf-8$/);
  return (await response.json()) as T;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface ExhErrorBody {
  code: number;
  name: string;
  message: string;
}

describe('demo server (demo/server.ts)', () => {
  let server: DemoServer;
  let me: string;
  let gallery: string;
  let webapi: string;

  before(async () => {
    server = await startDemoServer({ jobTiming: JOB_TIMING });
    demoPrivateKey = server.rsaPrivateKey;
    me = `${server.url}/users/v1/me`;
    gallery = server.baseUrls.gallery;
    webapi = server.baseUrls.webapi;
  });

  after(() => server.close());

  it('listens on a random 127.0.0.1 port and names the base URLs', () => {
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    assert.deepEqual(server.baseUrls, {
      extraHorizon: server.url,
      gallery: `${server.url}/gallery/api`,
      webapi: `${server.url}/webapi`,
      netsuite: `${server.url}/netsuite/services/rest`,
      jira: `${server.url}/jira`,
      bodyHash: `${server.url}/body-hash`,
      x: `${server.url}/x`,
      ietf: `${server.url}/ietf`,
    });
  });

  describe('Extra Horizon GET /users/v1/me (3-legged OAuth 1.0a)', () => {
    it('returns the demo user with snake_case fields and epoch-millisecond timestamps', async () => {
      const response = await signedFetch('GET', me);
      assert.equal(response.status, 200);
      const user = await json<Record<string, unknown>>(response);
      for (const field of ['id', 'first_name', 'last_name', 'email', 'language', 'time_zone', 'activation', 'roles']) {
        assert.ok(field in user, `user has ${field}`);
      }
      assert.equal(user.email, 'demo.user@example.com');
      for (const field of ['creation_timestamp', 'update_timestamp']) {
        const value = user[field];
        assert.ok(typeof value === 'number' && value > 1e12, `${field} is epoch milliseconds`);
      }
    });

    for (const signatureMethod of DEMO_SIGNATURE_METHODS) {
      for (const placement of PLACEMENTS) {
        it(`accepts ${signatureMethod} signatures in the ${placement}`, async () => {
          const response = await signedFetch('GET', me, { signatureMethod, placement });
          assert.equal(response.status, 200, await response.clone().text());
        });
      }
    }

    it('signs and accepts RQL query keys without values such as select(id,email)&limit(10)', async () => {
      const response = await signedFetch('GET', `${me}?select(id,email)&limit(10)`);
      assert.equal(response.status, 200);
    });

    it('accepts an Authorization header with a realm', async () => {
      const signed = new OAuth1Signer(USER_CREDENTIALS).sign({ method: 'GET', url: me });
      const header = signed.headers.Authorization;
      const response = await fetch(signed.url, { headers: { Authorization: header.replace(/^OAuth /, 'OAuth realm="demo", ') } });
      assert.equal(response.status, 200);
    });

    it('answers 401 OAUTH_SIGNATURE_EXCEPTION {code, name, message} when the consumer secret is wrong', async () => {
      const response = await signedFetch('GET', me, { credentials: { ...USER_CREDENTIALS, consumerSecret: 'wrong' } });
      assert.equal(response.status, 401);
      const body = await json<ExhErrorBody>(response);
      assert.deepEqual(Object.keys(body).sort(), ['code', 'message', 'name']);
      assert.equal(body.code, 109);
      assert.equal(body.name, 'OAUTH_SIGNATURE_EXCEPTION');
      assert.ok(!body.message.includes('wrong'), 'no secret in the message');
    });

    it('answers 401 OAUTH_SIGNATURE_EXCEPTION when the token secret is wrong', async () => {
      const response = await signedFetch('GET', me, { credentials: { ...USER_CREDENTIALS, tokenSecret: 'wrong' } });
      assert.equal(response.status, 401);
      assert.equal((await json<ExhErrorBody>(response)).name, 'OAUTH_SIGNATURE_EXCEPTION');
    });

    it('answers 401 when the signed URL differs from the one requested', async () => {
      const signed = new OAuth1Signer(USER_CREDENTIALS).sign({ method: 'GET', url: `${me}?limit(10)` });
      const response = await fetch(`${me}?limit(11)`, { headers: signed.headers });
      assert.equal(response.status, 401);
      assert.equal((await json<ExhErrorBody>(response)).code, 109);
    });

    it('answers 401 USER_NOT_AUTHENTICATED_EXCEPTION when the request carries no token', async () => {
      const response = await signedFetch('GET', me, { credentials: CONSUMER_ONLY });
      assert.equal(response.status, 401);
      const body = await json<ExhErrorBody>(response);
      assert.equal(body.code, 104);
      assert.equal(body.name, 'USER_NOT_AUTHENTICATED_EXCEPTION');
    });

    it('answers 401 USER_NOT_AUTHENTICATED_EXCEPTION to a request that is not signed at all', async () => {
      const response = await fetch(me);
      assert.equal(response.status, 401);
      assert.equal((await json<ExhErrorBody>(response)).name, 'USER_NOT_AUTHENTICATED_EXCEPTION');
    });

    it('answers 401 OAUTH_KEY_EXCEPTION for an unknown consumer key', async () => {
      const response = await signedFetch('GET', me, { credentials: { ...USER_CREDENTIALS, consumerKey: 'someone-else' } });
      assert.equal(response.status, 401);
      const body = await json<ExhErrorBody>(response);
      assert.equal(body.code, 107);
      assert.equal(body.name, 'OAUTH_KEY_EXCEPTION');
    });

    it('answers 401 OAUTH_TOKEN_EXCEPTION for an unknown token', async () => {
      const response = await signedFetch('GET', me, { credentials: { ...USER_CREDENTIALS, token: 'other-token' } });
      assert.equal(response.status, 401);
      assert.equal((await json<ExhErrorBody>(response)).name, 'OAUTH_TOKEN_EXCEPTION');
    });

    it('refuses the exact same signed request sent twice (DUPLICATE_REQUEST_EXCEPTION)', async () => {
      const signed = new OAuth1Signer(USER_CREDENTIALS).sign({ method: 'GET', url: me });
      const first = await fetch(signed.url, { headers: signed.headers });
      assert.equal(first.status, 200);
      const replay = await fetch(signed.url, { headers: signed.headers });
      assert.equal(replay.status, 401);
      const body = await json<ExhErrorBody>(replay);
      assert.equal(body.code, 110);
      assert.equal(body.name, 'DUPLICATE_REQUEST_EXCEPTION');
    });

    it('refuses a timestamp 11 minutes old (OAUTH_TIMESTAMP_EXCEPTION) and accepts one 9 minutes old', async () => {
      const nowSeconds = Math.floor(Date.now() / 1000);
      const stale = await signedFetch('GET', me, { overrides: { timestamp: nowSeconds - 11 * 60 } });
      assert.equal(stale.status, 401);
      const body = await json<ExhErrorBody>(stale);
      assert.equal(body.name, 'OAUTH_TIMESTAMP_EXCEPTION');
      const recent = await signedFetch('GET', me, { overrides: { timestamp: nowSeconds - 9 * 60 } });
      assert.equal(recent.status, 200);
    });

    it('answers 404 RESOURCE_UNKNOWN_EXCEPTION for an unknown route', async () => {
      const response = await signedFetch('GET', `${server.url}/users/v1/nobody`);
      assert.equal(response.status, 404);
      const body = await json<ExhErrorBody>(response);
      assert.equal(body.code, 16);
      assert.equal(body.name, 'RESOURCE_UNKNOWN_EXCEPTION');
    });

    it('sends a Date header on every response, errors included', async () => {
      for (const response of [await signedFetch('GET', me), await fetch(me), await fetch(`${server.url}/nowhere`)]) {
        const date = Date.parse(response.headers.get('date') ?? '');
        assert.ok(Math.abs(date - Date.now()) < 5000, 'Date is the current time');
      }
    });
  });

  describe('Alteryx Gallery API v1 under /gallery/api (1-legged OAuth 1.0a)', () => {
    const alteryx = (method: string, path: string, options: SendOptions = {}): Promise<Response> =>
      signedFetch(method, `${gallery}${path}`, { credentials: CONSUMER_ONLY, placement: 'query', ...options });

    async function pollUntilCompleted(jobId: string): Promise<JobView> {
      const deadline = Date.now() + 5000;
      const seen = new Set<string>();
      for (;;) {
        const job = await json<JobView>(await alteryx('GET', `/v1/jobs/${jobId}/`));
        seen.add(job.status);
        if (job.status === 'Completed') {
          assert.ok(seen.has('Running') || seen.has('Queued'), 'the job was seen before completion');
          return job;
        }
        assert.equal(job.disposition, 'None', 'no disposition before completion');
        assert.deepEqual(job.outputs, [], 'no outputs before completion');
        if (Date.now() > deadline) assert.fail(`job ${jobId} still ${job.status}`);
        await sleep(20);
      }
    }

    it('lists the subscription workflows: Sales report, Customer import and Nightly forecast', async () => {
      const response = await alteryx('GET', '/v1/workflows/subscription/');
      assert.equal(response.status, 200);
      const workflows = await json<Array<{ id: string; metaInfo: { name: string } }>>(response);
      assert.deepEqual(
        workflows.map(({ id, metaInfo }) => [id, metaInfo.name]),
        [
          [DEMO_WORKFLOW_IDS.salesReport, 'Sales report'],
          [DEMO_WORKFLOW_IDS.customerImport, 'Customer import'],
          [DEMO_WORKFLOW_IDS.nightlyForecast, 'Nightly forecast'],
        ],
      );
    });

    it('accepts header placement, HMAC-SHA256 and PLAINTEXT as well', async () => {
      for (const signatureMethod of DEMO_SIGNATURE_METHODS) {
        for (const placement of PLACEMENTS) {
          const response = await alteryx('GET', '/v1/workflows/subscription/', { signatureMethod, placement });
          assert.equal(response.status, 200, `${signatureMethod} in the ${placement}`);
        }
      }
    });

    it('ignores a token it does not need but still checks the signature made with its secret', async () => {
      assert.equal((await alteryx('GET', '/v1/workflows/subscription/', { credentials: USER_CREDENTIALS })).status, 200);
      const wrong = await alteryx('GET', '/v1/workflows/subscription/', { credentials: { ...USER_CREDENTIALS, tokenSecret: 'x' } });
      assert.equal(wrong.status, 401);
    });

    it('answers the Gallery 401 body exactly when the secret is wrong', async () => {
      const response = await alteryx('GET', '/v1/workflows/subscription/', {
        credentials: { ...CONSUMER_ONLY, consumerSecret: 'wrong' },
      });
      assert.equal(response.status, 401);
      const body = await json<Record<string, unknown>>(response);
      assert.deepEqual(Object.keys(body).sort(), ['data', 'exceptionName', 'innerExceptionMessage', 'message']);
      assert.equal(body.data, null);
      assert.equal(body.exceptionName, 'UnauthorizedException');
      assert.equal(body.message, 'The provided signature(oauth_signature) is invalid.');
      assert.equal(typeof body.innerExceptionMessage, 'string');
    });

    it('lists the questions of a workflow like Alteryx does', async () => {
      const response = await alteryx('GET', `/v1/workflows/${DEMO_WORKFLOW_IDS.salesReport}/questions/`);
      assert.equal(response.status, 200);
      const questions = await json<Question[]>(response);
      assert.deepEqual(
        questions.map((question) => question.name),
        ['Country', 'Year', 'IncludeReturns'],
      );
      for (const question of questions) {
        assert.equal(typeof question.questionType, 'string');
        assert.equal(typeof question.description, 'string');
        assert.equal(typeof question.value, 'string');
      }
      assert.ok(questions[0]?.items?.some((item) => item.key === 'NL'));
    });

    it('runs Sales report: Queued, then Running, then Completed with Success and two outputs', async () => {
      const started = server.stats.jobsStarted;
      const response = await alteryx('POST', `/v1/workflows/${DEMO_WORKFLOW_IDS.salesReport}/jobs/`, {
        json: {
          questions: [
            { name: 'Country', value: 'NL' },
            { name: 'Year', value: '2031' },
          ],
          priority: '1',
        },
      });
      assert.equal(response.status, 200);
      const job = await json<JobView>(response);
      assert.match(job.id, /^[0-9a-f]{24}$/);
      assert.equal(job.appId, DEMO_WORKFLOW_IDS.salesReport);
      assert.equal(job.status, 'Queued');
      assert.equal(job.disposition, 'None');
      assert.ok(!Number.isNaN(Date.parse(job.createDate)));
      assert.equal(server.stats.jobsStarted, started + 1);

      const done = await pollUntilCompleted(job.id);
      assert.equal(done.disposition, 'Success');
      assert.deepEqual(
        done.outputs.map(({ name, formats }) => [name, formats]),
        [
          ['Sales.csv', ['Csv', 'Raw', 'Json']],
          ['Sales.xlsx', ['Xlsx', 'Csv', 'Raw']],
        ],
      );
      assert.ok(done.messages.every((message) => message.status < 3));

      const [csvOutput, workbookOutput] = done.outputs;
      assert.ok(csvOutput && workbookOutput);
      const outputUrl = (outputId: string, format?: string): string => `/v1/jobs/${done.id}/output/${outputId}/${format ? `?format=${format}` : ''}`;

      const csv = await alteryx('GET', outputUrl(csvOutput.id, 'Csv'));
      assert.equal(csv.status, 200);
      const csvBytes = Buffer.from(await csv.arrayBuffer());
      assert.deepEqual(csvBytes.subarray(0, 3), UTF8_BOM, 'the CSV starts with a UTF-8 BOM');
      const csvText = csvBytes.subarray(3).toString('utf8');
      assert.match(csvText, /^Country,Year,IncludeReturns,Product,Units,Revenue\r\n/);
      assert.match(csvText, /^NL,2031,false,Café tables,8,2392\.00\r$/m, 'the answers arrived, the default filled in');
      assert.match(csvText, /"Gadgets, large"/);

      const raw = await alteryx('GET', outputUrl(csvOutput.id, 'Raw'));
      assert.deepEqual(Buffer.from(await raw.arrayBuffer()), csvBytes);

      const rows = await json<Array<{ Country: string; Product: string }>>(await alteryx('GET', outputUrl(csvOutput.id, 'Json')));
      assert.deepEqual(
        rows.map((row) => row.Country),
        ['NL', 'NL', 'NL'],
      );

      const xlsx = await alteryx('GET', outputUrl(workbookOutput.id, 'Xlsx'));
      assert.equal(xlsx.status, 200);
      assert.equal(xlsx.headers.get('content-type'), 'application/octet-stream');
      const xlsxBytes = Buffer.from(await xlsx.arrayBuffer());
      assert.deepEqual(xlsxBytes.subarray(0, 4), Buffer.from('PK\x03\x04', 'latin1'));

      const missingFormat = await alteryx('GET', outputUrl(csvOutput.id));
      assert.equal(missingFormat.status, 400);
      assert.match((await json<{ message: string }>(missingFormat)).message, /format/);
      const notOffered = await alteryx('GET', outputUrl(workbookOutput.id, 'Json'));
      assert.equal(notOffered.status, 400);
    });

    it('ends Customer import with disposition Error and an error message from a tool', async () => {
      const response = await alteryx('POST', `/v1/workflows/${DEMO_WORKFLOW_IDS.customerImport}/jobs/`, {
        json: { questions: [{ name: 'SourceFile', value: 'q3.csv' }] },
      });
      assert.equal(response.status, 200);
      const done = await pollUntilCompleted((await json<JobView>(response)).id);
      assert.equal(done.disposition, 'Error');
      assert.deepEqual(done.outputs, []);
      const error = done.messages.find((message) => message.status === 3);
      assert.ok(error, 'an error message');
      assert.match(error.text, /^Error: .*q3\.csv/);
      assert.equal(typeof error.toolId, 'number');
    });

    it('keeps Nightly forecast Running long after the other jobs completed', async () => {
      const response = await alteryx('POST', `/v1/workflows/${DEMO_WORKFLOW_IDS.nightlyForecast}/jobs/`, { json: {} });
      const job = await json<JobView>(response);
      await sleep(JOB_TIMING.queuedMs + JOB_TIMING.runningMs + 100);
      const later = await json<JobView>(await alteryx('GET', `/v1/jobs/${job.id}/`));
      assert.equal(later.status, 'Running');
      assert.equal(later.disposition, 'None');
    });

    it('decodes percent-encoded ids in paths', async () => {
      const encoded = DEMO_WORKFLOW_IDS.salesReport.replace(/^5/, '%35');
      const response = await alteryx('GET', `/v1/workflows/${encoded}/questions/`);
      assert.equal(response.status, 200);
    });

    it('answers 404 {message} for an unknown workflow or job, after checking the signature', async () => {
      const workflow = await alteryx('POST', '/v1/workflows/000000000000000000000000/jobs/', { json: { questions: [] } });
      assert.equal(workflow.status, 404);
      assert.equal(typeof (await json<{ message: string }>(workflow)).message, 'string');
      assert.equal((await alteryx('GET', '/v1/jobs/ffffffffffffffffffffffff/')).status, 404);
      const unsigned = await fetch(`${gallery}/v1/jobs/ffffffffffffffffffffffff/`);
      assert.equal(unsigned.status, 401);
    });

    it('answers 400 {message} to a job request of the wrong shape', async () => {
      const path = `/v1/workflows/${DEMO_WORKFLOW_IDS.salesReport}/jobs/`;
      const wrong: Array<[string, SendOptions]> = [
        ['malformed JSON', { body: '{"questions": [', contentType: 'application/json' }],
        ['questions not an array', { json: { questions: { Country: 'BE' } } }],
        ['a question without name', { json: { questions: [{ value: 'BE' }] } }],
        ['an object as value', { json: { questions: [{ name: 'Country', value: { code: 'BE' } }] } }],
        ['priority out of range', { json: { priority: '7' } }],
        ['an array body', { json: [] }],
      ];
      for (const [what, options] of wrong) {
        const response = await alteryx('POST', path, options);
        assert.equal(response.status, 400, what);
        assert.equal(typeof (await json<{ message: string }>(response)).message, 'string', what);
      }
    });

    it('answers 404 for a route Alteryx does not have, without asking for a signature', async () => {
      const response = await fetch(`${gallery}/v1/nothing/here/`);
      assert.equal(response.status, 404);
    });
  });

  describe('Alteryx Server 2022.1+ under /webapi (OAuth 2 client credentials)', () => {
    async function requestToken(form: Record<string, string>): Promise<Response> {
      return fetch(`${webapi}/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
    }
    const clientForm = {
      grant_type: 'client_credentials',
      client_id: DEMO_CREDENTIALS.consumerKey,
      client_secret: DEMO_CREDENTIALS.consumerSecret,
    };

    it('issues a bearer token for the consumer key and secret, and counts it', async () => {
      const issued = server.stats.tokensIssued;
      const response = await requestToken(clientForm);
      assert.equal(response.status, 200);
      const token = await json<{ access_token: string; token_type: string; expires_in: number }>(response);
      assert.equal(token.token_type, 'bearer');
      assert.equal(token.expires_in, 3600);
      assert.ok(token.access_token.length >= 32);
      assert.equal(server.stats.tokensIssued, issued + 1);
    });

    it('answers 401 invalid_client to a wrong client secret', async () => {
      const response = await requestToken({ ...clientForm, client_secret: 'wrong' });
      assert.equal(response.status, 401);
      assert.equal((await json<{ error: string }>(response)).error, 'invalid_client');
    });

    it('runs the v1 routes with Authorization: Bearer', async () => {
      const { access_token } = await json<{ access_token: string }>(await requestToken(clientForm));
      const headers = { Authorization: `Bearer ${access_token}` };
      const subscription = await fetch(`${webapi}/v1/workflows/subscription/`, { headers });
      assert.equal(subscription.status, 200);
      const start = await fetch(`${webapi}/v1/workflows/${DEMO_WORKFLOW_IDS.salesReport}/jobs/`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify({ questions: [{ name: 'Country', value: 'FR' }], priority: '0' }),
      });
      assert.equal(start.status, 200);
      const job = await json<JobView>(start);
      assert.equal((await fetch(`${webapi}/v1/jobs/${job.id}/`, { headers })).status, 200);
    });

    it('answers 401 to a wrong bearer token, to none, and to an OAuth 1 signature', async () => {
      const wrong = await fetch(`${webapi}/v1/workflows/subscription/`, { headers: { Authorization: 'Bearer not-a-token' } });
      assert.equal(wrong.status, 401);
      assert.match(wrong.headers.get('www-authenticate') ?? '', /^Bearer /);
      assert.equal((await fetch(`${webapi}/v1/workflows/subscription/`)).status, 401);
      const signed = await signedFetch('GET', `${webapi}/v1/workflows/subscription/`, { credentials: CONSUMER_ONLY });
      assert.equal(signed.status, 401);
    });

    it('Server API V3: lists jobs newest first, cancels a queued job (DELETE v3/jobs/<id>) and refuses a second cancel; only with a bearer token', async () => {
      const { access_token } = await json<{ access_token: string }>(await requestToken(clientForm));
      const headers = { Authorization: `Bearer ${access_token}` };
      const start = await fetch(`${webapi}/v1/workflows/${DEMO_WORKFLOW_IDS.nightlyForecast}/jobs/`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: '{}',
      });
      const job = await json<JobView>(start);
      const list = await json<Array<{ id: string; workflowId: string; status: string }>>(await fetch(`${webapi}/v3/jobs`, { headers }));
      assert.deepEqual(list[0], {
        id: job.id,
        workflowId: DEMO_WORKFLOW_IDS.nightlyForecast,
        createDate: job.createDate,
        status: 'Queued',
        disposition: 'None',
        priority: '0',
      });
      assert.equal((await fetch(`${webapi}/v3/jobs/${job.id}`, { method: 'DELETE' })).status, 401, 'no token');
      const cancel = await fetch(`${webapi}/v3/jobs/${job.id}`, { method: 'DELETE', headers });
      assert.equal(cancel.status, 200);
      assert.deepEqual((({ status, disposition }) => [status, disposition])(await json<JobView>(cancel)), ['Completed', 'Cancelled']);
      const viewed = await json<JobView>(await fetch(`${webapi}/v1/jobs/${job.id}/`, { headers }));
      assert.deepEqual([viewed.status, viewed.disposition, viewed.outputs], ['Completed', 'Cancelled', []]);
      const again = await fetch(`${webapi}/v3/jobs/${job.id}`, { method: 'DELETE', headers });
      assert.equal(again.status, 400);
      assert.match((await json<{ message: string }>(again)).message, /has already finished \(Cancelled\)/);
      assert.equal((await fetch(`${webapi}/v3/jobs/nope`, { method: 'DELETE', headers })).status, 404);
      assert.equal((await fetch(`${webapi}/v3/jobs/${job.id}`, { method: 'PUT', headers })).status, 405);
      // The Gallery API v1 has no cancel route.
      assert.equal((await signedFetch('DELETE', `${gallery}/v3/jobs/${job.id}`, { credentials: CONSUMER_ONLY })).status, 404);
    });

    it('answers 401 once a token has expired', async () => {
      const shortLived = await startDemoServer({ tokenLifetimeSeconds: 0.2 });
      try {
        const response = await fetch(`${shortLived.baseUrls.webapi}/oauth2/token`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(clientForm).toString(),
        });
        const { access_token } = await json<{ access_token: string }>(response);
        const headers = { Authorization: `Bearer ${access_token}` };
        const url = `${shortLived.baseUrls.webapi}/v1/workflows/subscription/`;
        assert.equal((await fetch(url, { headers })).status, 200);
        await sleep(300);
        assert.equal((await fetch(url, { headers })).status, 401);
      } finally {
        await shortLived.close();
      }
    });
  });

  describe('preset routes (demo/presets.ts): NetSuite-like realm, Jira-like RSA-SHA1, body hash', () => {
    const NETSUITE = { signatureMethod: 'HMAC-SHA256', realm: NETSUITE_DEMO_ACCOUNT } as const;
    interface NetSuiteError {
      status: number;
      'o:errorDetails': Array<{ detail: string; 'o:errorCode': string }>;
    }

    it('NetSuite: HMAC-SHA256 with the account id as realm reads the metadata catalog and calls a RESTlet', async () => {
      const catalog = await signedFetch('GET', `${server.baseUrls.netsuite}/record/v1/metadata-catalog/`, NETSUITE);
      assert.equal(catalog.status, 200, await catalog.clone().text());
      assert.ok((await json<{ items: unknown[] }>(catalog)).items.length > 0);
      const restlet = `${server.url}/netsuite/app/site/hosting/restlet.nl?script=42&deploy=1`;
      const answer = await signedFetch('POST', restlet, { ...NETSUITE, json: { customer: 'ACME' } });
      assert.equal(answer.status, 200, await answer.clone().text());
      assert.deepEqual(await json(answer), { script: '42', deploy: '1', method: 'POST', received: { customer: 'ACME' } });
    });

    for (const [why, options] of [
      ['no realm', { signatureMethod: 'HMAC-SHA256' }],
      ["a realm in the hosts' spelling", { ...NETSUITE, realm: '1234567-sb1' }],
      ['another account', { ...NETSUITE, realm: '7654321' }],
      ['HMAC-SHA1', { ...NETSUITE, signatureMethod: 'HMAC-SHA1' }],
      ['a wrong token secret', { ...NETSUITE, credentials: { ...USER_CREDENTIALS, tokenSecret: 'wrong' } }],
      ['no token', { ...NETSUITE, credentials: CONSUMER_ONLY }],
    ] as const) {
      it(`NetSuite: answers 401 INVALID_LOGIN to ${why}`, async () => {
        const response = await signedFetch('GET', `${server.baseUrls.netsuite}/record/v1/metadata-catalog/`, options);
        assert.equal(response.status, 401);
        const body = await json<NetSuiteError>(response);
        assert.equal(body.status, 401);
        assert.equal(body['o:errorDetails'][0]?.['o:errorCode'], 'INVALID_LOGIN');
        assert.match(body['o:errorDetails'][0]?.detail ?? '', /^Invalid login attempt\./);
      });
    }

    it('Jira: RSA-SHA1 signed with the demo key reads rest/api/2/myself and searches issues, header or query', async () => {
      for (const placement of PLACEMENTS) {
        const me = await signedFetch('GET', `${server.baseUrls.jira}/rest/api/2/myself`, { signatureMethod: 'RSA-SHA1', placement });
        assert.equal(me.status, 200, await me.clone().text());
        assert.deepEqual(await json(me), { ...JIRA_DEMO_USER });
      }
      const search = await signedFetch('GET', `${server.baseUrls.jira}/rest/api/2/search?jql=${encodeURIComponent('project = DEMO ORDER BY key')}`, {
        signatureMethod: 'RSA-SHA1',
      });
      assert.equal(search.status, 200);
      const found = await json<{ jql: string; issues: Array<{ key: string }> }>(search);
      assert.equal(found.jql, 'project = DEMO ORDER BY key');
      assert.deepEqual(
        found.issues.map((issue) => issue.key),
        ['DEMO-1', 'DEMO-2'],
      );
    });

    it('Jira: refuses another RSA key (signature_invalid) and HMAC-SHA1 (signature_method_rejected)', async () => {
      const otherKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const forged = await signedFetch('GET', `${server.baseUrls.jira}/rest/api/2/myself`, {
        signatureMethod: 'RSA-SHA1',
        credentials: { ...USER_CREDENTIALS, privateKey: otherKey },
      });
      assert.equal(forged.status, 401);
      assert.match(await forged.text(), /^oauth_problem=signature_invalid/);
      assert.match(forged.headers.get('www-authenticate') ?? '', /oauth_problem="signature_invalid"/);
      const hmac = await signedFetch('GET', `${server.baseUrls.jira}/rest/api/2/myself`, { signatureMethod: 'HMAC-SHA1' });
      assert.equal(hmac.status, 401);
      assert.match(await hmac.text(), /^oauth_problem=signature_method_rejected/);
    });

    it('a verifier without a public key refuses RSA-SHA* instead of guessing', () => {
      const verifier = new OAuth1Verifier({ credentials: DEMO_CREDENTIALS });
      const url = 'http://127.0.0.1:1/jira/rest/api/2/myself';
      const signed = new OAuth1Signer({ ...USER_CREDENTIALS, privateKey: demoPrivateKey }, { signatureMethod: 'RSA-SHA1' }).sign({ method: 'GET', url });
      const verdict = verifier.verify({ method: 'GET', url, authorization: signed.headers.Authorization }, { requireToken: true });
      assert.equal(verdict.ok, false);
      assert.equal(!verdict.ok && verdict.reason, 'unsupported_signature_method');
    });

    for (const signatureMethod of ['HMAC-SHA1', 'HMAC-SHA256', 'RSA-SHA512', 'PLAINTEXT'] as const) {
      it(`body hash: accepts a JSON body with its oauth_body_hash (${signatureMethod})`, async () => {
        const response = await signedFetch('POST', `${server.baseUrls.bodyHash}/events`, { signatureMethod, bodyHash: true, json: { event: 'ping' } });
        assert.equal(response.status, 200, await response.clone().text());
        assert.deepEqual(await json(response), { ok: true, bytes: 16, signatureMethod, oauth_body_hash: 'verified' });
      });
    }

    it('body hash: refuses a request without one, and a body other than the one hashed', async () => {
      const without = await signedFetch('POST', `${server.baseUrls.bodyHash}/events`, { json: { event: 'ping' } });
      assert.equal(without.status, 401);
      assert.match((await json<ExhErrorBody>(without)).message, /oauth_body_hash missing/);
      const signer = new OAuth1Signer(USER_CREDENTIALS, { signatureMethod: 'HMAC-SHA256', bodyHash: true });
      const url = `${server.baseUrls.bodyHash}/events`;
      const signed = signer.sign({ method: 'POST', url, body: Buffer.from('{"amount":1}') });
      const tampered = await fetch(signed.url, { method: 'POST', headers: { ...signed.headers, 'Content-Type': 'application/json' }, body: '{"amount":1000}' });
      assert.equal(tampered.status, 401);
      assert.match((await json<ExhErrorBody>(tampered)).message, /oauth_body_hash is not the SHA-256 digest of the body received/);
    });
  });

  describe('robustness', () => {
    it('answers 413 to a body over 1 MB', async () => {
      const response = await fetch(`${gallery}/v1/workflows/${DEMO_WORKFLOW_IDS.salesReport}/jobs/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: 'x'.repeat(1024 * 1024 + 1),
      });
      assert.equal(response.status, 413);
      assert.equal(typeof (await json<{ message: string }>(response)).message, 'string');
    });

    it('answers 400 to a path that is not valid percent-encoding', async () => {
      const response = await fetch(`${gallery}/v1/jobs/%E0%A4%A/`);
      assert.equal(response.status, 400);
      const exh = await fetch(`${server.url}/users/%zz/me`);
      assert.equal(exh.status, 400);
      assert.equal((await json<ExhErrorBody>(exh)).name, 'FIELD_FORMAT_EXCEPTION');
    });

    it('records requests in stats without the oauth_* query parameters', async () => {
      await signedFetch('GET', `${me}?limit(1)`, { placement: 'query' });
      const last = server.stats.requests[server.stats.requests.length - 1];
      assert.deepEqual(last, { method: 'GET', path: '/users/v1/me?limit(1)', status: 200 });
    });
  });
});

describe('demo server clock (clockOffsetMs)', () => {
  const OFFSET_MS = 30 * 60_000;
  let server: DemoServer;

  before(async () => {
    server = await startDemoServer({ clockOffsetMs: OFFSET_MS });
  });

  after(() => server.close());

  it('shifts the Date header, refuses the local clock, and accepts a client that learnt the offset from Date', async () => {
    const me = `${server.url}/users/v1/me`;
    const refused = await signedFetch('GET', me);
    assert.equal(refused.status, 401);
    assert.equal((await json<ExhErrorBody>(refused)).name, 'OAUTH_TIMESTAMP_EXCEPTION');

    const serverDate = Date.parse(refused.headers.get('date') ?? '');
    const learnt = serverDate - Date.now();
    assert.ok(Math.abs(learnt - OFFSET_MS) < 5000, `Date is 30 minutes ahead (${learnt} ms)`);

    const accepted = await signedFetch('GET', me, { clockOffsetMs: learnt });
    assert.equal(accepted.status, 200);
  });
});

describe('demo signature verification (demo/verify.ts)', () => {
  const url = 'http://demo.example/form?b=2';
  const verifier = (): OAuth1Verifier => new OAuth1Verifier({ credentials: DEMO_CREDENTIALS });

  it('parses an OAuth Authorization header with realm, spaces and percent-encoded values', () => {
    const parsed = parseAuthorizationHeader('OAuth realm="Example",  oauth_consumer_key="a%20b" ,oauth_nonce="n%2Bx"');
    assert.equal(parsed.kind, 'oauth');
    assert.deepEqual(parsed.kind === 'oauth' ? Object.fromEntries(parsed.params) : {}, {
      oauth_consumer_key: 'a b',
      oauth_nonce: 'n+x',
    });
    assert.equal(parseAuthorizationHeader('Bearer abc').kind, 'none');
    assert.equal(parseAuthorizationHeader('OAuth oauth_nonce="a", oauth_nonce="b"').kind, 'malformed');
    assert.equal(parseAuthorizationHeader('OAuth oauth_nonce=a').kind, 'malformed');
  });

  it('covers form bodies with the signature but not JSON bodies', () => {
    const signed = new OAuth1Signer(USER_CREDENTIALS).sign({ method: 'POST', url, formBody: 'a=1' });
    const authorization = signed.headers.Authorization;
    assert.equal(verifier().verify({ method: 'POST', url: signed.url, authorization, formBody: 'a=2' }, { requireToken: true }).ok, false);
    assert.equal(verifier().verify({ method: 'POST', url: signed.url, authorization, formBody: 'a=1' }, { requireToken: true }).ok, true);
  });

  it('refuses an unsupported signature method and missing parameters with their own reasons', () => {
    const signed = new OAuth1Signer(USER_CREDENTIALS).sign({ method: 'GET', url });
    const rsa = signed.headers.Authorization.replace('HMAC-SHA1', 'RSA-SHA1');
    const result = verifier().verify({ method: 'GET', url: signed.url, authorization: rsa }, { requireToken: true });
    assert.deepEqual(result.ok ? undefined : result.reason, 'unsupported_signature_method');
    const partial = verifier().verify(
      { method: 'GET', url: signed.url, authorization: 'OAuth oauth_consumer_key="demo-consumer-key"' },
      { requireToken: false },
    );
    assert.deepEqual(partial.ok ? undefined : partial.reason, 'missing_parameters');
  });

  it('remembers at most its capacity of nonces, forgetting the oldest first', () => {
    const store = new NonceStore(60_000, 3);
    for (const nonce of ['a', 'b', 'c', 'd']) assert.equal(store.remember(nonce, 0, 0), true);
    assert.equal(store.size, 3);
    assert.equal(store.remember('d', 0, 1), false, 'a recent nonce is still refused');
    assert.equal(store.remember('a', 0, 1), true, 'the oldest was forgotten');
    assert.equal(store.remember('b', 0, 60_001), true, 'expired entries are forgotten');
  });
});
