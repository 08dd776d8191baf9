/**
 * A service that echoes the request it got (Authorization header, URL with oauth_* pairs)
 * in its error bodies: no secret of the config may reach an error text, a status text or a
 * log line of any node, with a Catch node and without one (then the runtime logs the error).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { percentEncode } from '../src/lib/oauth1';
import { collectMessages, helper, loadFlow, logLines, nextMessage, wait, type FlowNode } from './support/node-red';
import { OAUTH_TEST_CASES_PKCS8 } from './support/rsa-test-keys';

const SECRETS = { consumerKey: 'echo-key', consumerSecret: 'cs!Secret *Zq9', token: 'tok-Secret-77', tokenSecret: 'ts/Secret+Wx' };
const ACCESS_TOKEN = 'bearer-Secret-Q1w2e3';

/** Every form in which a secret could come back. */
function forbidden(): string[] {
  const values = [
    SECRETS.consumerSecret,
    SECRETS.token,
    SECRETS.tokenSecret,
    ACCESS_TOKEN,
    `${percentEncode(SECRETS.consumerSecret)}&${percentEncode(SECRETS.tokenSecret)}`,
  ];
  return values.flatMap((value) => [value, encodeURIComponent(value), percentEncode(value), percentEncode(percentEncode(value))]);
}

interface EchoService {
  url: string;
  hits: number;
  close(): Promise<void>;
}

/** Answers every request with its method, URL and Authorization header in the error body: 401 for get me, 500 otherwise. */
async function startEchoService(): Promise<EchoService> {
  const service = { url: '', hits: 0, close: async () => undefined as void };
  const server = http.createServer((req, res) => {
    service.hits++;
    req.resume();
    if (req.url?.includes('/oauth2/token')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: ACCESS_TOKEN, token_type: 'bearer', expires_in: 3600 }));
      return;
    }
    const echo = `you sent ${req.method} ${req.url} with Authorization: ${req.headers.authorization ?? 'none'}`;
    const status = req.url?.includes('/users/v1/me') ? 401 : 500;
    if (req.url?.includes('/raw/')) res.writeHead(status, { 'content-type': 'text/plain' }).end(echo);
    else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'ECHO', message: echo }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  service.close = () => new Promise((resolve) => server.close(() => resolve()));
  return service;
}

function flow(baseUrl: string, config: Record<string, unknown>, withCatch: boolean): FlowNode[] {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'cfg', type: 'oauth1-config', name: 'echo', baseUrl, retries: 0, ...config },
    { id: 'req', type: 'oauth1-request', z: 'tab', server: 'cfg', method: 'GET', url: 'raw/x?q=1', ret: 'obj', wires: [['out']] },
    { id: 'me', type: 'oauth1-get-me', z: 'tab', server: 'cfg', wires: [['out']] },
    {
      id: 'run',
      type: 'oauth1-run-workflow',
      z: 'tab',
      server: 'cfg',
      workflowId: 'wf1',
      priority: '0',
      wait: true,
      pollInterval: 0.05,
      timeout: 5,
      outputFormat: '',
      wires: [['out']],
    },
    { id: 'out', type: 'helper', z: 'tab' },
    ...(withCatch ? [{ id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] }] : []),
    { id: 'caught', type: 'helper', z: 'tab' },
    { id: 'status', type: 'status', z: 'tab', scope: null, wires: [['statuses']] },
    { id: 'statuses', type: 'helper', z: 'tab' },
  ];
}

const TYPES = ['oauth1-config', 'oauth1-request', 'oauth1-get-me', 'oauth1-run-workflow'];
const SETUPS: Array<[string, Record<string, unknown>, string]> = [
  ['PLAINTEXT in the query', { signatureMethod: 'PLAINTEXT', placement: 'query' }, ''],
  ['PLAINTEXT in the header', { signatureMethod: 'PLAINTEXT', placement: 'header' }, ''],
  ['HMAC-SHA1 in the query', { signatureMethod: 'HMAC-SHA1', placement: 'query' }, ''],
  ['an OAuth 2 bearer token', { scheme: 'oauth2' }, '/webapi'],
];

describe('secrets echoed back by a service', function () {
  this.timeout(20_000);
  let service: EchoService;
  before(async () => {
    service = await startEchoService();
  });
  after(() => service?.close());
  afterEach(() => helper.unload());

  for (const withCatch of [true, false]) {
    for (const [setup, config, path] of SETUPS) {
      it(`never shows a secret in an error, status or log line: ${setup}, ${withCatch ? 'with' : 'without'} a Catch node`, async () => {
        await loadFlow(TYPES, flow(service.url + path, config, withCatch), { cfg: SECRETS });
        const seen = [collectMessages('caught'), collectMessages('statuses'), collectMessages('out')];
        const hits = service.hits;
        for (const id of ['req', 'me', 'run']) helper.getNode(id).receive({ payload: {} });
        const started = Date.now();
        while (seen[1].filter((msg) => (msg.status as { fill?: string }).fill !== 'blue').length < 3 && Date.now() - started < 5_000) await wait(20);
        await wait(50);
        assert.ok(service.hits > hits, 'the service was asked');
        const errorsAndStatuses = JSON.stringify(seen.slice(0, 2).map((messages) => messages.map((msg) => ({ error: msg.error, status: msg.status }))));
        const logs = logLines().join('\n');
        // The echo did reach the texts, only without its secrets.
        assert.match(withCatch ? errorsAndStatuses : logs, /you sent/);
        for (const secret of forbidden()) {
          assert.ok(!errorsAndStatuses.includes(secret), `error or status text shows ${secret}: ${errorsAndStatuses}`);
          assert.ok(!logs.includes(secret), `a log line shows ${secret}: ${logs}`);
        }
      });
    }
  }
});

/**
 * The diagnosis's outputs: `msg.signing` (at Catch and on oauth1 request's 401 message), the
 * Test connection answer with its diagnosis, the Explain answer, the error texts and the log.
 * None shows the consumer secret, the token secret, the private key, a bearer token or the
 * PLAINTEXT signature, raw or in any encoding a request gives it, nor the token: the Explain
 * answer made with the stored secrets shows it as `…`, as msg.signing does.
 */
describe('secrets in the diagnosis of a refusal and in the Explain answer', function () {
  this.timeout(20_000);
  const PRIVATE_KEY = OAUTH_TEST_CASES_PKCS8;
  const privateKeyLines = PRIVATE_KEY.split('\n').filter((line) => line && !line.startsWith('-----'));
  let service: EchoService;
  before(async () => {
    service = await startEchoService();
  });
  after(() => service?.close());
  afterEach(() => helper.unload());

  /** Every form of every secret: raw, URI component, RFC 3986, double-encoded, form-encoded (`+` for space). */
  function secretForms(): string[] {
    const plaintext = `${percentEncode(SECRETS.consumerSecret)}&${percentEncode(SECRETS.tokenSecret)}`;
    const values = [SECRETS.consumerSecret, SECRETS.tokenSecret, ACCESS_TOKEN, plaintext, ...privateKeyLines];
    return values.flatMap((value) => [
      value,
      encodeURIComponent(value),
      percentEncode(value),
      percentEncode(percentEncode(value)),
      encodeURIComponent(value).replace(/%20/g, '+'),
      new URLSearchParams([['', value]]).toString().slice(1),
    ]);
  }

  function assertNoSecret(where: string, text: string): void {
    const tokenForms = [SECRETS.token, encodeURIComponent(SECRETS.token), percentEncode(percentEncode(SECRETS.token))];
    for (const form of [...secretForms(), ...tokenForms]) assert.ok(!text.includes(form), `${where} shows ${form}: ${text}`);
  }

  const SETUPS: Array<[string, Record<string, unknown>]> = [
    ['PLAINTEXT in the query', { signatureMethod: 'PLAINTEXT', placement: 'query' }],
    ['PLAINTEXT in the header', { signatureMethod: 'PLAINTEXT', placement: 'header' }],
    ['HMAC-SHA256 in the header with a realm', { signatureMethod: 'HMAC-SHA256', placement: 'header', realm: 'R_1' }],
    ['RSA-SHA1 in the query', { signatureMethod: 'RSA-SHA1', placement: 'query' }],
  ];

  for (const [setup, config] of SETUPS) {
    it(`msg.signing, error texts, logs, Test connection and Explain show no secret: ${setup}`, async () => {
      const flowNodes: FlowNode[] = [
        { id: 'tab', type: 'tab' },
        { id: 'cfg', type: 'oauth1-config', name: 'echo', baseUrl: service.url, retries: 0, preset: 'extrahorizon', ...config },
        { id: 'me', type: 'oauth1-get-me', z: 'tab', server: 'cfg', wires: [['out']] },
        { id: 'req', type: 'oauth1-request', z: 'tab', server: 'cfg', method: 'POST', url: 'users/v1/me?q=1', ret: 'obj', wires: [['out']] },
        { id: 'out', type: 'helper', z: 'tab' },
        { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper', z: 'tab' },
      ];
      await loadFlow(TYPES, flowNodes, { cfg: { ...SECRETS, privateKey: PRIVATE_KEY } });
      const caught = nextMessage<{ error: { message: string }; signing?: { cause: { text: string } } }>('caught');
      const answered = nextMessage<{ statusCode: number; signing?: unknown }>('out');
      helper.getNode('me').receive({ payload: {} });
      helper.getNode('req').receive({ payload: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      const [atCatch, message] = await Promise.all([caught, answered]);
      assert.ok(atCatch.signing && message.signing, 'both carry msg.signing');
      assert.match(atCatch.error.message, /Likely cause: /);

      const form = {
        preset: 'extrahorizon',
        baseUrl: service.url,
        ...config,
        credentials: { consumerKey: SECRETS.consumerKey, consumerSecret: '__PWRD__', token: SECRETS.token, tokenSecret: '__PWRD__', privateKey: '__PWRD__' },
      };
      const tested = await helper.request().post('/oauth1-config/cfg/test').send(form).expect(200);
      assert.ok((tested.body as { signing?: unknown }).signing, 'Test connection answers the diagnosis');
      const explained = await helper
        .request()
        .post('/oauth1-config/cfg/explain')
        .send({ ...form, explain: { method: 'POST', url: 'users/v1/me?q=1', formBody: 'a=1' } })
        .expect(200);
      assert.equal((explained.body as { ok: boolean }).ok, true, explained.text);

      assertNoSecret('msg.signing at Catch', JSON.stringify(atCatch.signing));
      assertNoSecret('the error at Catch', atCatch.error.message);
      assertNoSecret("oauth1 request's 401 message", JSON.stringify(message.signing));
      assertNoSecret('the Test connection answer', tested.text);
      assertNoSecret('the Explain answer', explained.text);
      assertNoSecret('the log', logLines().join('\n'));
      assert.ok(!atCatch.error.message.includes(SECRETS.token), 'error texts keep hiding the token');
    });
  }
});
