/**
 * A service that echoes the request must not put the service's credentials into any
 * output: a 401 quoting the PLAINTEXT Authorization header, a login redirect carrying the
 * original URL in `?next=`, a bearer token in an error. Checked in the Node-RED runtime for
 * every way a node hands something out: payload (text, Buffer, parsed JSON), headers,
 * responseUrl, status, Catch and the admin answers.
 */
import assert from 'node:assert/strict';
import type { NodeMessage } from 'node-red';
import { helper, loadFlow, logLines, nextMessage, translate, type FlowNode } from './support/node-red';
import { json, respond, startFaultServer, type Fault, type FaultServer } from './support/fault-server';

const CREDENTIALS = {
  consumerKey: 'echo-consumer',
  consumerSecret: 'ECHO consumer/secret+1',
  token: 'echo-token-Kq2',
  tokenSecret: 'ECHO-token&secret~2',
};
const BEARER = 'bearer-Tk9-zz81-echoed';

/** Every way the secrets above can come back: raw, URI-encoded once or twice (a `?next=` holding a signed URL). */
const LEAKS = [CREDENTIALS.consumerSecret, CREDENTIALS.tokenSecret, CREDENTIALS.token, BEARER].flatMap((secret) => [
  secret,
  encodeURIComponent(secret),
  encodeURIComponent(encodeURIComponent(secret)),
]);

function assertNoSecret(value: unknown, where: string): void {
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'string' ? value : JSON.stringify(value);
  for (const leak of LEAKS) assert.ok(!text.includes(leak), `${where} holds a secret (${leak}): ${text}`);
}

/** Answers with `status` and a body quoting the request's Authorization header and URL, as text or JSON. */
function echoRequest(status: number, as: 'text' | 'json'): Fault {
  return (request, res, now) => {
    const seen = { authorization: request.headers.authorization ?? '', url: request.url };
    if (as === 'json') json({ message: 'not allowed', seen: [{ deep: seen }] }, status, { 'X-Seen-Url': request.url })(request, res, now);
    else respond(status, `Refused. You sent: Authorization: ${seen.authorization} for ${seen.url}`, { 'X-Seen-Url': request.url })(request, res, now);
  };
}

function requestFlow(baseUrl: string, request: Record<string, unknown>, config: Record<string, unknown>): FlowNode[] {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'cfg', type: 'oauth1-config', baseUrl, signatureMethod: 'PLAINTEXT', ...config },
    { id: 'node', type: 'oauth1-request', z: 'tab', server: 'cfg', method: 'GET', url: '', ret: 'txt', wires: [['out']], ...request },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']], x: 100, y: 200 },
    { id: 'caught', type: 'helper', z: 'tab' },
    { id: 'status', type: 'status', z: 'tab', scope: null, wires: [['statuses']], x: 100, y: 300 },
    { id: 'statuses', type: 'helper', z: 'tab' },
  ];
}

type Out = NodeMessage & Record<string, unknown>;

describe('echoed secrets: no credential of the service in any output', function () {
  this.timeout(20_000);
  let service: FaultServer;
  before(async () => {
    service = await startFaultServer();
  });
  after(() => service?.close());
  afterEach(() => {
    service.requests.length = 0;
    return helper.unload();
  });

  async function send(request: Record<string, unknown>, config: Record<string, unknown> = {}, msg: Record<string, unknown> = {}): Promise<Out> {
    await loadFlow(['oauth1-config', 'oauth1-request'], requestFlow(service.url, request, config), { cfg: { ...CREDENTIALS } });
    const received = nextMessage<Out>('out');
    helper.getNode('node').receive(msg);
    return received;
  }

  for (const [ret, as] of [
    ['txt', 'text'],
    ['bin', 'text'],
    ['obj', 'json'],
  ] as const) {
    it(`oauth1 request (ret ${ret}): a 401 quoting the PLAINTEXT Authorization header keeps the answer, not the secrets`, async () => {
      service.route('/echo', echoRequest(401, as));
      const msg = await send({ url: 'echo?q=1', ret });
      assert.equal(msg.statusCode, 401);
      assert.match(service.requests[0]?.headers.authorization ?? '', /oauth_signature="ECHO/, 'the test must send the secrets');
      if (ret === 'bin') assert.ok(Buffer.isBuffer(msg.payload));
      if (ret === 'obj') assert.equal((msg.payload as { message: string }).message, 'not allowed');
      else assert.match(String(msg.payload), /^Refused\. You sent: Authorization: OAuth .*oauth_signature="…"/);
      assertNoSecret(msg.payload, 'msg.payload');
      assertNoSecret(msg.headers, 'msg.headers');
    });
  }

  it('oauth1 request: a login redirect whose ?next= holds the signed URL (query placement) reaches neither responseUrl, headers nor payload', async () => {
    service.route('/private', (request, res, now) => respond(302, '', { Location: `/login?next=${encodeURIComponent(request.url)}` })(request, res, now));
    service.route('/login', echoRequest(200, 'text'));
    const msg = await send({ url: 'private' }, { placement: 'query' });
    assert.match(service.requestsTo('/login')[0]?.url ?? '', /next=.*ECHO/, 'the test must put the secrets into next=');
    assert.match(String(msg.responseUrl), /\/login\?next=/);
    assertNoSecret(msg.responseUrl, 'msg.responseUrl');
    assertNoSecret(msg.headers, 'msg.headers');
    assertNoSecret(msg.payload, 'msg.payload');
  });

  it('OAuth 2: the bearer token in use is a secret in msg.payload and msg.headers', async () => {
    service.route('/oauth2/token', json({ access_token: BEARER, token_type: 'bearer', expires_in: 3600 }));
    service.route('/echo', json({ message: `token ${BEARER} has no access here`, token: BEARER }, 403, { 'X-Token': BEARER }));
    const msg = await send({ url: 'echo', ret: 'obj' }, { scheme: 'oauth2', signatureMethod: 'HMAC-SHA1' });
    assert.equal(service.requestsTo('/echo')[0]?.headers.authorization, `Bearer ${BEARER}`);
    assert.equal(msg.statusCode, 403);
    assert.deepEqual(msg.payload, { message: 'token … has no access here', token: '…' });
    assertNoSecret(msg.headers, 'msg.headers');
  });

  describe('OAuth 2 bearer token in the run workflow node and its admin route', () => {
    const oauth2 = { scheme: 'oauth2', signatureMethod: 'HMAC-SHA1', retries: 0 };
    function runFlow(): FlowNode[] {
      return [
        { id: 'tab', type: 'tab' },
        { id: 'cfg', type: 'oauth1-config', baseUrl: service.url, ...oauth2 },
        { id: 'node', type: 'oauth1-run-workflow', z: 'tab', server: 'cfg', workflowId: 'wf1', priority: '0', wait: false, outputFormat: '', wires: [['out']] },
        { id: 'out', type: 'helper', z: 'tab' },
        { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']], x: 100, y: 200 },
        { id: 'caught', type: 'helper', z: 'tab' },
        { id: 'status', type: 'status', z: 'tab', scope: null, wires: [['statuses']], x: 100, y: 300 },
        { id: 'statuses', type: 'helper', z: 'tab' },
      ];
    }
    beforeEach(() => service.route('/oauth2/token', json({ access_token: BEARER, token_type: 'bearer', expires_in: 3600 })));

    it('keeps the token out of the Catch message, the status and msg.payload', async () => {
      service.route('/v1/workflows/wf1/jobs/', json({ message: `token ${BEARER} may not run wf1` }, 400));
      await loadFlow(['oauth1-config', 'oauth1-run-workflow'], runFlow(), { cfg: { ...CREDENTIALS } });
      const caught = nextMessage<Out>('caught');
      const statuses: unknown[] = [];
      helper.getNode('statuses').on('input', (msg: Out) => statuses.push(msg.status));
      helper.getNode('node').receive({ payload: {} });
      const msg = await caught;
      assert.equal(service.requestsTo('/v1/workflows/wf1/jobs/')[0]?.headers.authorization, `Bearer ${BEARER}`);
      const error = msg.error as { message: string };
      assert.match(error.message, /may not run wf1/);
      assertNoSecret(error.message, 'the Catch message');
      assertNoSecret(msg.payload, 'msg.payload');
      assertNoSecret(statuses, 'the status');
    });

    it('keeps the token out of the workflow list route, its error and its answer', async () => {
      await loadFlow(['oauth1-config', 'oauth1-run-workflow'], runFlow(), { cfg: { ...CREDENTIALS } });
      service.route('/v1/workflows/subscription/', json({ message: `token ${BEARER} expired` }, 500));
      const failed = await helper.request().get('/oauth1-run-workflow/cfg/workflows').expect(502);
      assert.match(String(failed.body.message), /expired/);
      assertNoSecret(failed.body, 'the error answer');
      service.route('/v1/workflows/subscription/', json([{ id: 'wf1', name: `shared with ${BEARER}`, metaInfo: { name: `by ${BEARER}` } }]));
      const listed = await helper.request().get('/oauth1-run-workflow/cfg/workflows').expect(200);
      assert.match(JSON.stringify(listed.body), /wf1/);
      assertNoSecret(listed.body, 'the workflow list');
    });
  });

  describe('echoes in the encodings services write, and cookies', () => {
    const { consumerKey, consumerSecret, tokenSecret } = CREDENTIALS;
    const everyCharacterEncoded = (text: string) => [...Buffer.from(text)].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
    /** Each form a secret came back in, as the service wrote it into a JSON text. */
    const forms = {
      lowerHex: encodeURIComponent(consumerSecret).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
      pythonQuote: encodeURIComponent(consumerSecret).replace(/%2F/g, '/'),
      phpJson: consumerSecret.replace(/\//g, '\\/'),
      goJson: tokenSecret.replace(/&/g, '\\u0026'),
      basic: `Basic ${Buffer.from(`${consumerKey}:${consumerSecret}`).toString('base64')}`,
    };
    const text = `{"lowerHex":"${forms.lowerHex}","pythonQuote":"${forms.pythonQuote}","phpJson":"${forms.phpJson}","goJson":"${forms.goJson}","basic":"${forms.basic}","name":"Alteryx data analytics"}`;
    const cookies = [`session=${everyCharacterEncoded(tokenSecret)}; Path=/`, 'theme=dark'];

    beforeEach(() => {
      service.route('/forms', (request, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Set-Cookie': cookies });
        res.end(text);
      });
    });

    it('oauth1 request (ret txt): none of the forms is in msg.payload, the rest of the answer is', async () => {
      const msg = await send({ url: 'forms', ret: 'txt' }, { signatureMethod: 'HMAC-SHA1' });
      for (const [name, form] of Object.entries(forms)) assert.ok(!String(msg.payload).includes(form), `${name} in ${String(msg.payload)}`);
      assert.match(String(msg.payload), /"name":"Alteryx data analytics"/);
    });

    it('oauth1 request (ret obj): every string that held a form is cut, the others kept', async () => {
      const msg = await send({ url: 'forms', ret: 'obj' }, { signatureMethod: 'HMAC-SHA1' });
      assert.deepEqual(msg.payload, { lowerHex: '…', pythonQuote: '…', phpJson: '…', goJson: '…', basic: 'Basic …', name: 'Alteryx data analytics' });
    });

    it('oauth1 request: msg.responseCookies are cut once decoded, where the raw header hid the secret', async () => {
      const msg = await send({ url: 'forms', ret: 'txt' }, { signatureMethod: 'HMAC-SHA1' });
      const jar = msg.responseCookies as Record<string, { value: string }>;
      assertNoSecret(jar, 'msg.responseCookies');
      assert.equal(jar.session?.value, '…');
      assert.equal(jar.theme?.value, 'dark');
    });

    it('a secret too short to be one leaves answers as they are, and is warned about at deploy', async () => {
      service.route('/short', json({ name: 'Alteryx data analytics' }, 200, { 'X-Product': 'Alteryx' }));
      await loadFlow(['oauth1-config', 'oauth1-request'], requestFlow(service.url, { url: 'short', ret: 'obj' }, { signatureMethod: 'HMAC-SHA1' }), {
        cfg: { consumerKey: 'short-key', consumerSecret: 'a' },
      });
      const received = nextMessage<Out>('out');
      helper.getNode('node').receive({});
      const msg = await received;
      assert.deepEqual(msg.payload, { name: 'Alteryx data analytics' });
      assert.equal((msg.headers as Record<string, string>)['x-product'], 'Alteryx');
      const warning = translate('oauth1-config.runtime.shortSecret', { fields: 'consumer secret', length: 8 });
      assert.ok(
        logLines().some((line) => line.includes('"level":30') && line.includes(warning)),
        logLines().join('\n'),
      );
    });
  });
});
