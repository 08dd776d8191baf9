/**
 * The "Test connection" button of the oauth1-config dialog: its admin endpoint
 * (POST /oauth1-config/:id/test) in the Node-RED runtime, against the demo service.
 */
import assert from 'node:assert/strict';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { DEMO_USER } from '../demo/extrahorizon';
import { JIRA_DEMO_USER, NETSUITE_DEMO_ACCOUNT } from '../demo/presets';
import { startDemoServer, type DemoServer } from '../demo/server';
import { percentEncode } from '../src/lib/oauth1';
import { findPreset } from '../src/lib/presets';
import { testConnection } from '../src/nodes/oauth1-config/connection-test';
import { startEchoServer, type EchoServer } from './support/echo-server';
import { helper, loadFlow, restoreSettings, type FlowNode } from './support/node-red';
import { withProxyEnvironment } from './support/proxy-env';
import { startRecordingProxy } from './support/recording-proxy';

interface TestAnswer {
  ok: boolean;
  request?: string;
  statusCode?: number;
  message: string;
  signing?: { cause: { code: string; text: string }; baseString: string };
}

const { consumerKey, consumerSecret, token, tokenSecret } = DEMO_CREDENTIALS;
const SECRETS = [consumerSecret, tokenSecret];
/** Secrets with characters that encode differently in each form (raw, percent-encoded, PLAINTEXT signature). */
const ODD_SECRETS = { consumerSecret: 'odd consumer/secret+1&', tokenSecret: "odd token*secret!'2" };

/** Every form in which a secret may appear in a text: raw, percent-encoded once and twice, form-encoded. */
function secretForms(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    percentEncode(secret),
    percentEncode(percentEncode(secret)),
    new URLSearchParams({ s: secret }).toString().slice(2),
  ];
}

/** One logged call as searchable text: Errors with name, message and stack (JSON.stringify would give `{}`). */
function logText(args: unknown[]): string {
  return JSON.stringify(args, (_key, value: unknown) => (value instanceof Error ? `${value.name}: ${value.message}\n${value.stack ?? ''}` : value));
}

/** Everything the runtime logged since the flow was loaded, one entry per call. */
function loggedCalls(): unknown[][] {
  return (helper.log() as unknown as { args: unknown[][] } | undefined)?.args ?? [];
}

describe('oauth1-config "Test connection" (admin endpoint, against the demo service)', function () {
  this.timeout(20_000);
  let demo: DemoServer;
  let echo: EchoServer;
  before(async () => {
    demo = await startDemoServer();
    echo = await startEchoServer();
  });
  after(async () => {
    await demo?.close();
    await echo?.close();
  });
  afterEach(() => helper.unload());

  function flow(config: Record<string, unknown> = {}): FlowNode[] {
    return [{ id: 'svc', type: 'oauth1-config', name: 'service', baseUrl: demo.url, ...config }];
  }

  async function post(id: string, body: unknown): Promise<TestAnswer> {
    const response = await helper
      .request()
      .post(`/oauth1-config/${id}/test`)
      .send(body as object)
      .expect(200);
    const answer = response.body as TestAnswer;
    for (const secret of SECRETS) assert.ok(!JSON.stringify(answer).includes(secret), 'a secret in the answer');
    return answer;
  }

  /** The dialog of an Extra Horizon service with the demo's credentials. */
  function extraHorizonForm(): Record<string, unknown> {
    return {
      preset: 'extrahorizon',
      baseUrl: demo.url,
      scheme: 'oauth1',
      placement: 'header',
      signatureMethod: 'HMAC-SHA1',
      credentials: { consumerKey, consumerSecret, token, tokenSecret },
    };
  }

  it('Extra Horizon: its probe users/v1/me names the user (the form of a node not deployed yet)', async () => {
    await loadFlow(['oauth1-config'], []);
    const answer = await post('new-node', extraHorizonForm());
    assert.deepEqual(answer, {
      ok: true,
      request: 'GET users/v1/me',
      statusCode: 200,
      message: `signed in as ${DEMO_USER.first_name} ${DEMO_USER.last_name} (${DEMO_USER.email})`,
    });
  });

  it("reads the environment's proxy as settings.proxyOptions says (lowerCaseOnly: HTTP_PROXY unused)", async () => {
    const proxy = await startRecordingProxy();
    try {
      await withProxyEnvironment({ HTTP_PROXY: proxy.url }, async () => {
        // Not in the helper's settings type, which lists only what the runtime itself reads.
        helper.settings({ proxyOptions: { lowerCaseOnly: true } } as object);
        await loadFlow(['oauth1-config'], []);
        assert.equal((await post('new-node', extraHorizonForm())).ok, true);
        assert.equal(proxy.connects.length, 0);
        await helper.unload();
        restoreSettings();
        await loadFlow(['oauth1-config'], []);
        assert.equal((await post('new-node', extraHorizonForm())).ok, true);
        assert.equal(proxy.connects.length, 1, 'without the option HTTP_PROXY is used');
      });
    } finally {
      restoreSettings();
      await proxy.close();
    }
  });

  it('Alteryx Gallery: its probe lists the workflows (query placement, no token)', async () => {
    await loadFlow(['oauth1-config'], []);
    const answer = await post('gallery', {
      preset: 'alteryx-gallery',
      baseUrl: `${demo.url}/gallery/api`,
      scheme: 'oauth1',
      placement: 'query',
      credentials: { consumerKey, consumerSecret },
    });
    assert.equal(answer.ok, true);
    assert.equal(answer.request, 'GET v1/workflows/subscription/');
    assert.equal(answer.statusCode, 200);
    assert.match(answer.message, /^\d+ workflows to run: .*Sales report/);
  });

  it('Alteryx Server 2022.1+: with OAuth 2 client credentials, lists the workflows under /webapi', async () => {
    await loadFlow(['oauth1-config'], []);
    const answer = await post('webapi', {
      preset: 'alteryx-server',
      baseUrl: `${demo.url}/webapi`,
      scheme: 'oauth2',
      credentials: { consumerKey, consumerSecret },
    });
    assert.equal(answer.ok, true);
    assert.match(answer.message, /workflows to run/);
  });

  it('takes unchanged passwords (__PWRD__) from the stored credentials and the ${ENV} values of its own fields as at deploy', async () => {
    process.env.OAUTH1_TEST_BASE_URL = demo.url;
    process.env.OAUTH1_TEST_TOKEN = token;
    try {
      await loadFlow(['oauth1-config'], flow({ baseUrl: '${OAUTH1_TEST_BASE_URL}' }), {
        svc: { consumerKey, consumerSecret, token: '${OAUTH1_TEST_TOKEN}', tokenSecret },
      });
      const answer = await post('svc', {
        preset: 'extrahorizon',
        baseUrl: '${OAUTH1_TEST_BASE_URL}',
        credentials: { consumerKey, consumerSecret: '__PWRD__', token: '${OAUTH1_TEST_TOKEN}', tokenSecret: '__PWRD__' },
      });
      assert.equal(answer.ok, true, answer.message);
      assert.equal(answer.statusCode, 200);
    } finally {
      delete process.env.OAUTH1_TEST_BASE_URL;
      delete process.env.OAUTH1_TEST_TOKEN;
    }
  });

  it('reports a wrong secret with the status code and the service message, without the secret', async () => {
    await loadFlow(['oauth1-config'], []);
    const answer = await post('svc', {
      preset: 'extrahorizon',
      baseUrl: demo.url,
      credentials: { consumerKey, consumerSecret: 'wrong-secret', token, tokenSecret },
    });
    assert.equal(answer.ok, false);
    assert.equal(answer.statusCode, 401);
    assert.match(answer.message, /^401 OAUTH_SIGNATURE_EXCEPTION.*Likely cause: The service computed another signature/);
    assert.equal(answer.signing?.cause.code, 'signature');
    const gallery = await post('svc', {
      preset: 'alteryx-gallery',
      baseUrl: `${demo.url}/gallery/api`,
      placement: 'query',
      credentials: { consumerKey, consumerSecret: 'wrong-secret' },
    });
    assert.equal(gallery.statusCode, 401);
    assert.match(gallery.message, /oauth_signature/);
  });

  it('says what is missing before sending anything, and reports a network failure', async () => {
    await loadFlow(['oauth1-config'], []);
    const before = demo.stats.requests.length;
    assert.deepEqual(await post('svc', { preset: 'extrahorizon', baseUrl: demo.url, credentials: { consumerKey } }), {
      ok: false,
      message: 'consumer secret missing',
    });
    assert.deepEqual(await post('svc', { preset: 'extrahorizon', baseUrl: '', credentials: { consumerKey, consumerSecret } }), {
      ok: false,
      message: 'base URL missing: the test calls the service at its base URL, and only there are credentials sent',
    });
    assert.equal(demo.stats.requests.length, before, 'nothing was sent');
    const refused = await post('svc', { preset: 'extrahorizon', baseUrl: 'http://127.0.0.1:9', credentials: { consumerKey, consumerSecret } });
    assert.equal(refused.ok, false);
    assert.match(refused.message, /ECONNREFUSED|refused/i);
  });

  it('a service that echoes the request in its error: the answer shows its message without the secrets', async () => {
    await loadFlow(['oauth1-config'], []);
    for (const placement of ['header', 'query']) {
      for (const credentials of [
        { consumerKey, ...ODD_SECRETS, token },
        { consumerKey, consumerSecret: ODD_SECRETS.consumerSecret },
      ]) {
        echo.requests.length = 0;
        const response = await helper
          .request()
          .post('/oauth1-config/new-node/test')
          .send({ preset: 'custom', probePath: 'whoami', baseUrl: echo.url, signatureMethod: 'PLAINTEXT', placement, credentials })
          .expect(200);
        const answer = response.body as TestAnswer;
        assert.equal(answer.ok, false);
        assert.equal(answer.statusCode, 401);
        // PLAINTEXT sent the secrets, the service echoed them, and they were cut out of its message.
        assert.ok(echo.seen().includes(percentEncode(percentEncode(ODD_SECRETS.consumerSecret))), 'the echo carries the secret');
        assert.match(answer.message, /you sent .*oauth_signature.*…/);
        for (const secret of Object.values(ODD_SECRETS)) {
          for (const form of secretForms(secret)) assert.ok(!answer.message.includes(form), `"${form}" in ${answer.message}`);
        }
      }
    }

    // OAuth 2: the token endpoint gets the consumer secret form-encoded as client_secret, and echoes it.
    echo.requests.length = 0;
    const oauth2 = (
      await helper
        .request()
        .post('/oauth1-config/new-node/test')
        .send({ preset: 'alteryx-server', baseUrl: echo.url, scheme: 'oauth2', credentials: { consumerKey, consumerSecret: ODD_SECRETS.consumerSecret } })
        .expect(200)
    ).body as TestAnswer;
    assert.ok(echo.seen().includes('client_secret='), 'the echo carries the client secret');
    assert.equal(oauth2.ok, false);
    // Today the token error names the status only; should it ever quote the body, the secret stays out.
    assert.match(oauth2.message, /HTTP 401/);
    for (const form of secretForms(ODD_SECRETS.consumerSecret)) assert.ok(!oauth2.message.includes(form), `"${form}" in ${oauth2.message}`);
  });

  it('never logs the secrets: the audit lines of both admin endpoints, against a service that echoes them', async () => {
    const echoService = { baseUrl: echo.url, signatureMethod: 'PLAINTEXT', placement: 'query' };
    await loadFlow(['oauth1-config', 'oauth1-run-workflow'], flow(echoService), { svc: { consumerKey, ...ODD_SECRETS, token } });
    // Stored secrets (__PWRD__) for the deployed service: allowed, audited, and the service fails.
    const stored = { ...echoService, preset: 'extrahorizon', credentials: { consumerKey, consumerSecret: '__PWRD__', token, tokenSecret: '__PWRD__' } };
    const answer = (await helper.request().post('/oauth1-config/svc/test').send(stored).expect(200)).body as TestAnswer;
    assert.equal(answer.statusCode, 401, answer.message);
    const listing = await helper.request().get('/oauth1-run-workflow/svc/workflows').expect(502);
    assert.match(listing.body.message, /you sent .*…/);
    const lines = loggedCalls().map(logText);
    assert.equal(lines.filter((line) => line.includes('"id":"svc"') && line.includes('"event":"oauth1-')).length, 2, `two audit lines in ${lines.join('\n')}`);
    for (const secret of Object.values(ODD_SECRETS)) {
      for (const form of secretForms(secret)) {
        assert.ok(!lines.some((line) => line.includes(form)), `"${form}" logged`);
        assert.ok(!JSON.stringify(listing.body).includes(form), `"${form}" in the workflow list error`);
      }
    }
    // The search itself sees what an Error carries.
    assert.match(logText([new Error(ODD_SECRETS.tokenSecret)]), /odd token\*secret/);
  });

  it('the library function alone needs no Node-RED', async () => {
    const answer = await testConnection(
      { baseUrl: demo.url, credentials: { consumerKey, consumerSecret, token, tokenSecret } },
      findPreset('extrahorizon').probe,
    );
    assert.equal(answer.ok, true);
  });
  it("sends the preset's own probe whatever the token, never a probe path typed for Custom", async () => {
    await loadFlow(['oauth1-config'], []);
    const before = demo.stats.requests.length;
    const gallery = await post('svc', {
      preset: 'alteryx-gallery',
      probePath: 'users/v1/me',
      baseUrl: `${demo.url}/gallery/api`,
      placement: 'query',
      credentials: { consumerKey, consumerSecret, token, tokenSecret },
    });
    assert.equal(gallery.request, 'GET v1/workflows/subscription/');
    assert.equal(demo.stats.requests.length, before + 1, 'one request: the probe');
  });

  it('Custom: sends the probe path typed in, or says what to fill in and sends nothing', async () => {
    await loadFlow(['oauth1-config'], []);
    const before = demo.stats.requests.length;
    const form = { baseUrl: `${demo.url}/gallery/api`, placement: 'query', credentials: { consumerKey, consumerSecret } };
    for (const preset of ['custom', undefined, 'no-such-preset']) {
      const answer = await post('svc', { ...form, preset });
      assert.equal(answer.ok, false);
      assert.match(answer.message, /name a probe path/);
    }
    assert.equal(demo.stats.requests.length, before, 'nothing was sent');
    const answer = await post('svc', { ...form, preset: 'custom', probePath: '/v1/workflows/subscription/' });
    assert.deepEqual(answer, { ok: true, request: 'GET v1/workflows/subscription/', statusCode: 200, message: 'the signed request was accepted (HTTP 200)' });
    const wrong = await post('svc', {
      ...form,
      credentials: { consumerKey, consumerSecret: 'wrong-secret' },
      preset: 'custom',
      probePath: 'v1/workflows/subscription/',
    });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.message, /^401 UnauthorizedException|oauth_signature/);
  });
  it('NetSuite: the metadata catalog with the account id as realm; a wrong realm is INVALID_LOGIN', async () => {
    await loadFlow(['oauth1-config'], []);
    const form = {
      preset: 'netsuite',
      baseUrl: demo.baseUrls.netsuite,
      signatureMethod: 'HMAC-SHA256',
      realm: NETSUITE_DEMO_ACCOUNT,
      credentials: { consumerKey, consumerSecret, token, tokenSecret },
    };
    assert.deepEqual(await post('new-node', form), {
      ok: true,
      request: 'GET record/v1/metadata-catalog/',
      statusCode: 200,
      message: 'the signed request was accepted (HTTP 200)',
    });
    const wrong = await post('new-node', { ...form, realm: '1234567-sb1' });
    assert.equal(wrong.ok, false);
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.message, /^401 INVALID_LOGIN: Invalid login attempt\. \(demo: realm "1234567-sb1" is not the account id 1234567_SB1\)/);
    // The same diagnosis as at Catch, under the result.
    assert.match(wrong.message, /Likely cause: The realm "1234567-sb1" does not name the account: NetSuite wants .*"1234567_SB1"\.$/);
    assert.equal(wrong.signing?.cause.code, 'realm');
    assert.match(wrong.signing?.baseString ?? '', /^GET&http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fnetsuite%2Fservices%2Frest%2Frecord%2Fv1%2Fmetadata-catalog%2F&/);
    assert.ok(!JSON.stringify(wrong).includes(consumerSecret) && !JSON.stringify(wrong).includes(tokenSecret));
  });

  it('Jira: RSA-SHA1 with the stored private key (__PWRD__) names the user; the key never shows', async () => {
    const privateKey = demo.rsaPrivateKey;
    const service = { preset: 'atlassian', baseUrl: demo.baseUrls.jira, signatureMethod: 'RSA-SHA1' };
    await loadFlow(['oauth1-config'], flow(service), { svc: { consumerKey, token, tokenSecret, privateKey } });
    const answer = await post('svc', { ...service, credentials: { consumerKey, token, tokenSecret: '__PWRD__', privateKey: '__PWRD__' } });
    assert.deepEqual(answer, { ok: true, request: 'GET rest/api/2/myself', statusCode: 200, message: `signed in as ${JIRA_DEMO_USER.displayName}` });
    const missing = await post('svc', { ...service, credentials: { consumerKey, consumerSecret, token, tokenSecret } });
    assert.deepEqual(missing, { ok: false, message: 'private key missing' });
    const broken = await post('svc', { ...service, credentials: { consumerKey, token, tokenSecret, privateKey: privateKey.slice(0, 200) } });
    assert.equal(broken.ok, false);
    assert.match(broken.message, /private key does not parse/);
    const keyLine = privateKey.split('\n')[2];
    for (const text of [JSON.stringify(broken), ...loggedCalls().map(logText)]) assert.ok(!text.includes(keyLine), 'a line of the key shown');
  });
});
