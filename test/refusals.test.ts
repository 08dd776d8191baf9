/**
 * A refused signature explained, in the Node-RED runtime: the demo service refuses a signed request each way a
 * real service does (a wrong realm, an old timestamp, a reused nonce, a wrong token, key or
 * secret), and the error at Catch names the likely cause in one sentence while `msg.signing`
 * shows what was signed; oauthlib recomputes the same base string.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { NETSUITE_DEMO_ACCOUNT } from '../demo/presets';
import { startDemoServer, type DemoServer } from '../demo/server';
import { helper, loadFlow, nextMessage, type FlowNode } from './support/node-red';
import { startVerifier, VERIFIER_CREDENTIALS, type Verifier, type VerifierEcho } from './support/oauthlib-verifier';

const TYPES = ['oauth1-config', 'oauth1-get-me', 'oauth1-request'];

interface Signing {
  method: string;
  url: string;
  baseString: string;
  parameters: Array<{ name: string; value: string }>;
  signatureMethod: string;
  placement: string;
  realm?: string;
  timestamp: number;
  serverTime?: string;
  clockDifferenceS?: number;
  cause: { code: string; text: string; help: string };
}

interface Caught {
  error: { message: string };
  statusCode?: number;
  signing?: Signing;
}

interface Answered {
  statusCode: number;
  payload: unknown;
  signing?: Signing;
}

function flow(baseUrl: string, config: Record<string, unknown> = {}, request: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'cfg', type: 'oauth1-config', name: 'service', baseUrl, retries: 0, ...config },
    { id: 'me', type: 'oauth1-get-me', z: 'tab', server: 'cfg', wires: [['out']] },
    { id: 'req', type: 'oauth1-request', z: 'tab', server: 'cfg', method: 'GET', url: '', ret: 'obj', ...request, wires: [['out']] },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
  ];
}

/** Get me's refusal as Catch sees it. */
async function refusedGetMe(baseUrl: string, credentials: Record<string, string>, config: Record<string, unknown> = {}): Promise<Caught> {
  await loadFlow(TYPES, flow(baseUrl, config), { cfg: credentials });
  const caught = nextMessage<Caught>('caught');
  helper.getNode('me').receive({ payload: {} });
  return caught;
}

/** A proxy that sends every request twice, as a retrying gateway may: the service answers the second one. */
async function startDoublingProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const forward = (req: http.IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const out = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      out.on('error', reject);
      out.end(body);
    });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      void forward(req, body)
        .then(() => forward(req, body))
        .then((second) => res.writeHead(second.status, second.headers).end(second.body))
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('a refused signature explained (in the Node-RED runtime)', function () {
  this.timeout(20_000);
  let demo: DemoServer;
  before(async () => {
    demo = await startDemoServer();
  });
  after(() => demo?.close());
  afterEach(() => helper.unload());

  it('a wrong token secret: Catch names the signature itself and msg.signing shows what was signed, without the secret', async () => {
    const msg = await refusedGetMe(demo.url, { ...DEMO_CREDENTIALS, tokenSecret: 'wrong-token-secret' });
    assert.match(
      msg.error.message,
      /^401 OAUTH_SIGNATURE_EXCEPTION: .*\. Likely cause: The service computed another signature: compare msg\.signing\.baseString/,
    );
    const signing = msg.signing!;
    assert.equal(signing.cause.code, 'signature');
    assert.equal(signing.method, 'GET');
    assert.equal(signing.url, `${demo.url}/users/v1/me`);
    assert.equal(signing.signatureMethod, 'HMAC-SHA1');
    assert.equal(signing.placement, 'header');
    assert.match(signing.baseString, /^GET&http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fusers%2Fv1%2Fme&oauth_consumer_key%3Ddemo-consumer-key%26/);
    assert.ok(!signing.parameters.some(({ name }) => name === 'oauth_signature'));
    assert.equal(signing.parameters.find(({ name }) => name === 'oauth_timestamp')?.value, String(signing.timestamp));
    assert.ok(Math.abs(signing.clockDifferenceS ?? 99) <= 2, `clock difference ${signing.clockDifferenceS}`);
    assert.ok(!JSON.stringify(signing).includes('wrong-token-secret'));
    assert.ok(!JSON.stringify(signing).includes(DEMO_CREDENTIALS.token), 'the token is a credential too');
    assert.match(signing.baseString, /oauth_token%3D…%26/);
    assert.ok(!JSON.stringify(signing).includes(DEMO_CREDENTIALS.consumerSecret));
  });

  it('a wrong token: the token is unknown or expired', async () => {
    const msg = await refusedGetMe(demo.url, { ...DEMO_CREDENTIALS, token: 'someone-elses-token' });
    assert.match(msg.error.message, /^401 OAUTH_TOKEN_EXCEPTION: .*Likely cause: The service does not know the token, or it expired or was revoked/);
    assert.equal(msg.signing?.cause.code, 'token');
  });

  it('a wrong consumer key: the service does not know it, and the sentence names it', async () => {
    const msg = await refusedGetMe(demo.url, { ...DEMO_CREDENTIALS, consumerKey: 'sandbox-key' });
    assert.match(msg.error.message, /Likely cause: The service does not know the consumer key "sandbox-key"/);
    assert.equal(msg.signing?.cause.code, 'consumer-key');
  });

  it('an old timestamp behind a gateway that sends no Date header: the timestamp is refused', async () => {
    const skewed = await startDemoServer({ clockOffsetMs: 30 * 60_000, sendDate: false });
    try {
      const msg = await refusedGetMe(skewed.url, { ...DEMO_CREDENTIALS });
      assert.match(
        msg.error.message,
        /^401 OAUTH_TIMESTAMP_EXCEPTION: .*Likely cause: The service refused the timestamp \d+: it must be the current time in seconds \(UTC\)/,
      );
      assert.equal(msg.signing?.cause.code, 'timestamp');
      assert.equal(msg.signing?.serverTime, undefined);
    } finally {
      await skewed.close();
    }
  });

  it('a reused nonce (a gateway sent the request twice): the service saw the nonce before', async () => {
    const proxy = await startDoublingProxy(demo.url);
    try {
      const msg = await refusedGetMe(proxy.url, { ...DEMO_CREDENTIALS });
      assert.match(msg.error.message, /^401 DUPLICATE_REQUEST_EXCEPTION: .*Likely cause: The service saw this oauth_nonce before/);
      assert.equal(msg.signing?.cause.code, 'nonce');
    } finally {
      await proxy.close();
    }
  });

  it("a NetSuite realm in the hosts' spelling: oauth1 request's 401 message names the realm to use", async () => {
    const config = { signatureMethod: 'HMAC-SHA256', realm: '1234567-sb1' };
    await loadFlow(TYPES, flow(demo.baseUrls.netsuite, config, { url: 'record/v1/metadata-catalog/' }), { cfg: { ...DEMO_CREDENTIALS } });
    const answered = nextMessage<Answered>('out');
    helper.getNode('req').receive({ payload: '' });
    const msg = await answered;
    assert.equal(msg.statusCode, 401);
    assert.equal(msg.signing?.cause.code, 'realm');
    assert.equal(
      msg.signing?.cause.text,
      `The realm "1234567-sb1" does not name the account: NetSuite wants the account id in upper case with an underscore, "${NETSUITE_DEMO_ACCOUNT}".`,
    );
    assert.equal(msg.signing?.realm, '1234567-sb1');
    assert.match(msg.signing?.cause.help ?? '', /#realm-does-not-match-the-account$/);
  });

  it("an oauth_problem the service names (Jira's signature_method_rejected)", async () => {
    await loadFlow(TYPES, flow(demo.baseUrls.jira, {}, { url: 'rest/api/2/myself' }), { cfg: { ...DEMO_CREDENTIALS } });
    const answered = nextMessage<Answered>('out');
    helper.getNode('req').receive({ payload: '' });
    const msg = await answered;
    assert.equal(msg.statusCode, 401);
    assert.equal(msg.signing?.cause.code, 'problem');
    assert.match(msg.signing?.cause.text ?? '', /^The service names the problem "signature_method_rejected": it does not accept this signature method/);
  });

  it('oauth1 request with "send non-2xx to Catch": the error names the cause and Catch gets msg.signing', async () => {
    await loadFlow(TYPES, flow(demo.url, {}, { url: 'users/v1/me', senderr: true }), { cfg: { ...DEMO_CREDENTIALS, tokenSecret: 'wrong' } });
    const caught = nextMessage<Caught>('caught');
    helper.getNode('req').receive({ payload: '' });
    const msg = await caught;
    assert.match(msg.error.message, /HTTP 401\. Likely cause: The service computed another signature/);
    assert.equal(msg.signing?.cause.code, 'signature');
  });

  it('a successful request carries no msg.signing, and drops one an earlier request left', async () => {
    await loadFlow(TYPES, flow(demo.url, {}, { url: 'users/v1/me' }), { cfg: { ...DEMO_CREDENTIALS } });
    const answered = nextMessage<Answered>('out');
    helper.getNode('req').receive({ payload: '', signing: { stale: true } });
    const msg = await answered;
    assert.equal(msg.statusCode, 200);
    assert.equal(msg.signing, undefined);
  });

  describe('against oauthlib', () => {
    let verifier: Verifier;
    before(async () => {
      verifier = await startVerifier();
    });
    after(() => verifier?.close());

    for (const placement of ['header', 'query']) {
      it(`msg.signing.baseString is the base string oauthlib computes for the request (${placement} placement, query and form body)`, async () => {
        const request = { method: 'POST', url: 'things/?b=2&a=a%20b&sel(x)' };
        await loadFlow(TYPES, flow(verifier.url, { placement, signatureMethod: 'HMAC-SHA256' }, request), {
          cfg: { ...VERIFIER_CREDENTIALS, consumerSecret: 'not the consumer secret' },
        });
        const answered = nextMessage<Answered>('out');
        helper.getNode('req').receive({ payload: 'x=1&y=%2B%20z', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        const msg = await answered;
        assert.equal(msg.statusCode, 401);
        const echo = msg.payload as VerifierEcho;
        assert.ok(echo.baseString, 'oauthlib says which base string it expected');
        // The client cuts the token from what oauthlib echoes as msg.signing leaves it out: equal with the token put back in both.
        const withToken = (text: string | undefined) => (text ?? '').replace('oauth_token%3D…', `oauth_token%3D${VERIFIER_CREDENTIALS.token}`);
        assert.match(msg.signing?.baseString ?? '', /oauth_token%3D…%26/);
        assert.equal(withToken(msg.signing?.baseString), withToken(echo.baseString));
        assert.ok(withToken(echo.baseString).includes(`oauth_token%3D${VERIFIER_CREDENTIALS.token}%26`));
        assert.equal(msg.signing?.cause.code, 'signature');
        assert.deepEqual(
          msg.signing?.parameters.filter(({ name }) => !name.startsWith('oauth_')),
          [
            { name: 'a', value: 'a b' },
            { name: 'b', value: '2' },
            { name: 'sel(x)', value: '' },
            { name: 'x', value: '1' },
            { name: 'y', value: '+ z' },
          ],
        );
      });
    }
  });
});
