import assert from 'node:assert/strict';
import net from 'node:net';
import { collectMessages, helper, loadFlow, logLines, nextMessage, requestFlow as flow, wait } from './support/node-red';
import { startVerifier, VERIFIER_CREDENTIALS, type Verifier, type VerifierEcho } from './support/oauthlib-verifier';

const TYPES = ['oauth1-config', 'oauth1-request'];

type Echo = VerifierEcho;

const CREDENTIALS = { cfg: { ...VERIFIER_CREDENTIALS } };

describe('oauth1-request node (in the Node-RED runtime, against oauthlib)', function () {
  this.timeout(20_000);
  let verifier: Verifier;
  before(async () => {
    verifier = await startVerifier();
  });
  after(() => verifier?.close());
  afterEach(() => helper.unload());

  it('GETs a relative URL joined to the base URL and emits payload, statusCode, headers, responseUrl', async () => {
    await loadFlow(TYPES, flow(`${verifier.url}/api/`, { url: '/users/v1/?select(id,email)&limit(10)' }), CREDENTIALS);
    const received = nextMessage('out');
    helper.getNode('req').receive({ payload: 'ignored for GET', topic: 'kept' });
    const msg = await received;
    assert.equal(msg.statusCode, 200);
    const echo = msg.payload as Echo;
    assert.equal(echo.path, '/api/users/v1/');
    assert.deepEqual(echo.query, [
      ['select(id,email)', ''],
      ['limit(10)', ''],
    ]);
    assert.equal((msg.headers as Record<string, string>)['content-type'], 'application/json');
    assert.equal(msg.responseUrl, `${verifier.url}/api/users/v1/?select(id,email)&limit(10)`);
    assert.equal(msg.topic, 'kept');
  });

  for (const placement of ['header', 'query']) {
    it(`takes msg.url, msg.method, msg.headers and a JSON msg.payload (${placement} placement)`, async () => {
      await loadFlow(TYPES, flow(verifier.url, { method: 'use' }, { placement }), CREDENTIALS);
      const received = nextMessage('out');
      helper.getNode('req').receive({ url: '/v1/workflows/abc/jobs/', method: 'post', headers: { 'X-Trace': '1' }, payload: { questions: [] } });
      const msg = await received;
      assert.equal(msg.statusCode, 200);
      const echo = msg.payload as Echo;
      assert.equal(echo.method, 'POST');
      assert.deepEqual(JSON.parse(echo.body), { questions: [] });
      assert.equal(echo.contentType, 'application/json');
    });
  }

  it('signs a form payload when msg.headers say application/x-www-form-urlencoded', async () => {
    await loadFlow(TYPES, flow(verifier.url, { method: 'POST', url: 'form' }), CREDENTIALS);
    const received = nextMessage('out');
    helper.getNode('req').receive({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: { a: 'x y', b: '1+1' } });
    const msg = await received;
    assert.equal(msg.statusCode, 200, JSON.stringify(msg.payload));
    // As the core node encodes forms (querystring): a space is %20.
    assert.equal((msg.payload as Echo).body, 'a=x%20y&b=1%2B1');
  });

  it('returns text and binary bodies as chosen in Return', async () => {
    await loadFlow(TYPES, flow(verifier.url, { url: 'x', ret: 'txt' }), CREDENTIALS);
    let received = nextMessage('out');
    helper.getNode('req').receive({});
    assert.equal(typeof (await received).payload, 'string');
    await helper.unload();
    await loadFlow(TYPES, flow(verifier.url, { url: 'x', ret: 'bin' }), CREDENTIALS);
    received = nextMessage('out');
    helper.getNode('req').receive({});
    const msg = await received;
    assert.ok(Buffer.isBuffer(msg.payload));
    assert.equal(JSON.parse(msg.payload.toString()).ok, true);
  });

  it('emits a 401 as a message with statusCode, not as an error', async () => {
    await loadFlow(TYPES, flow(verifier.url, { url: 'users/v1/me' }), { cfg: { ...VERIFIER_CREDENTIALS, consumerSecret: 'wrong' } });
    const caught = collectMessages('caught');
    const received = nextMessage('out');
    helper.getNode('req').receive({});
    const msg = await received;
    assert.equal(msg.statusCode, 401);
    assert.equal((msg.payload as { name: string }).name, 'OAUTH_SIGNATURE_EXCEPTION');
    await wait(50);
    assert.equal(caught.length, 0);
  });

  it('reads ${ENV} credentials', async () => {
    process.env.TEST_OAUTH_CONSUMER_KEY = VERIFIER_CREDENTIALS.consumerKey;
    process.env.TEST_OAUTH_CONSUMER_SECRET = VERIFIER_CREDENTIALS.consumerSecret;
    try {
      await loadFlow(TYPES, flow(verifier.url, { url: 'users/v1/me' }), {
        cfg: { consumerKey: '${TEST_OAUTH_CONSUMER_KEY}', consumerSecret: '${TEST_OAUTH_CONSUMER_SECRET}' },
      });
      const received = nextMessage('out');
      helper.getNode('req').receive({});
      assert.equal((await received).statusCode, 200);
    } finally {
      delete process.env.TEST_OAUTH_CONSUMER_KEY;
      delete process.env.TEST_OAUTH_CONSUMER_SECRET;
    }
  });

  it('sends a network failure to Catch with a clear message and a red ring', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await loadFlow(TYPES, flow(`http://127.0.0.1:${port}`, { url: 'users/v1/me' }), CREDENTIALS);
    const caught = nextMessage('caught');
    const statuses = collectMessages('statuses');
    helper.getNode('req').receive({ _msgid: 'm1' });
    const msg = await caught;
    const error = msg.error as { message: string };
    assert.match(error.message, /^GET users\/v1\/me: ECONNREFUSED \(127\.0\.0\.1:\d+\)$/);
    assert.equal(msg._msgid, 'm1');
    await wait(20);
    const last = statuses.at(-1)?.status as { fill: string; shape: string; text: string };
    assert.deepEqual([last.fill, last.shape, last.text], ['red', 'ring', 'ECONNREFUSED']);
  });

  it('times out after msg.requestTimeout, reports it to Catch, and stays usable', async () => {
    const sockets = new Set<net.Socket>();
    const hanging = net.createServer((socket) => {
      sockets.add(socket);
      // Hangs on the slow request and answers the one after it (another origin would not be signed for).
      socket.once('data', (data) => {
        if (String(data).includes('/after-timeout')) socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      });
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const port = (hanging.address() as net.AddressInfo).port;
    try {
      await loadFlow(TYPES, flow(`http://127.0.0.1:${port}`, { method: 'use' }), CREDENTIALS);
      const caught = nextMessage('caught');
      const out = collectMessages('out');
      const started = Date.now();
      helper.getNode('req').receive({ method: 'POST', url: 'slow', requestTimeout: 300 });
      const msg = await caught;
      // As the core node: its words at Catch (untranslated in the test runtime), the details on the message sent on.
      assert.equal((msg.error as { message: string }).message, 'common.notification.errors.no-response');
      assert.deepEqual(
        out.map(({ statusCode, payload }) => [statusCode, payload]),
        [['ETIMEDOUT', 'RequestError: no response within 300 ms : slow']],
      );
      assert.ok(Date.now() - started < 2000);
      const received = nextMessage('out');
      helper.getNode('req').receive({ method: 'GET', url: 'after-timeout' });
      assert.equal((await received).statusCode, 200);
    } finally {
      for (const socket of sockets) socket.destroy();
      hanging.close();
    }
  });

  it('warns and keeps the text when JSON was asked for and the body is not JSON', async () => {
    const server = net.createServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot json!'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await loadFlow(TYPES, flow(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, { url: 'x' }), CREDENTIALS);
      const received = nextMessage('out');
      helper.getNode('req').receive({});
      const msg = await received;
      assert.equal(msg.payload, 'not json!');
      assert.ok(logLines().some((line) => line.includes('JSON parse error')));
    } finally {
      server.close();
    }
  });

  it('reports missing credentials at deploy and sends each message to Catch instead of crashing', async () => {
    await loadFlow(TYPES, flow(verifier.url, { url: 'users/v1/me' }), { cfg: { consumerKey: 'k' } });
    assert.ok(logLines().some((line) => line.includes('consumer secret missing')));
    const caught = nextMessage('caught');
    helper.getNode('req').receive({});
    assert.match(((await caught).error as { message: string }).message, /verifier: consumer secret missing/);
  });

  it('refuses an unsupported msg.method and a non-string msg.url with clear errors', async () => {
    await loadFlow(TYPES, flow(verifier.url, { method: 'use' }), CREDENTIALS);
    let caught = nextMessage('caught');
    helper.getNode('req').receive({ method: 'BREW', url: 'x' });
    assert.match(((await caught).error as { message: string }).message, /unsupported method "BREW"/);
    caught = nextMessage('caught');
    helper.getNode('req').receive({ url: 42 });
    assert.match(((await caught).error as { message: string }).message, /msg.url must be a string/);
  });

  it('never shows a secret in messages, status, errors or logs, even with PLAINTEXT in the query', async () => {
    // PLAINTEXT puts the encoded secrets on the wire as oauth_signature: the worst case for leaks.
    const secrets = { consumerKey: 'leak-key', consumerSecret: 'SECRET-consumer-Zq9', token: 'leak-token', tokenSecret: 'SECRET-token-Xw3' };
    const own = await startVerifier(secrets);
    try {
      await loadFlow(TYPES, flow(own.url, { method: 'use' }, { placement: 'query', signatureMethod: 'PLAINTEXT' }), { cfg: secrets });
      const everything: unknown[] = [];
      for (const id of ['out', 'caught', 'statuses']) everything.push(collectMessages(id));
      const ok = nextMessage('out');
      helper.getNode('req').receive({ url: 'users/v1/me' });
      assert.equal((await ok).statusCode, 200);
      const failed = nextMessage('caught');
      helper.getNode('req').receive({ url: 'http://127.0.0.1:1/unreachable' });
      await failed;
      const seen = JSON.stringify(everything) + logLines().join('\n');
      for (const secret of [secrets.consumerSecret, secrets.tokenSecret]) {
        assert.ok(!seen.includes(secret), `${secret} leaked`);
        assert.ok(!seen.includes(encodeURIComponent(secret)), `${secret} leaked encoded`);
      }
      assert.ok(seen.includes('"statusCode":200'));
    } finally {
      await own.close();
    }
  });
});
