/**
 * What the shell does for every request node: msg.requestTimeout parsing, no raw CR/LF in a
 * text, short status texts, the problems said at deploy (missing TLS node, PLAINTEXT or OAuth 2 over http).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectMessages, helper, loadFlow, logLines, wait, type FlowNode } from './support/node-red';

const CREDENTIALS = { cfg: { consumerKey: 'key-Kq1', consumerSecret: 'cs-Zq9', token: 'tok-Wp2', tokenSecret: 'ts-Xr3' } };
const TYPES = ['oauth1-config', 'oauth1-request', 'oauth1-get-me', 'oauth1-run-workflow'];
const ANSWER_AFTER_MS = 60;

interface Slow {
  url: string;
  requests: Array<{ method?: string; url?: string }>;
  close(): Promise<void>;
}

/** Answers every request with a user object after {@link ANSWER_AFTER_MS}: a 1 ms timeout would fail. */
async function startSlowService(): Promise<Slow> {
  const service: Slow = { url: '', requests: [], close: async () => undefined };
  const server = http.createServer((req, res) => {
    service.requests.push({ method: req.method, url: req.url });
    req.resume();
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"first_name":"Ada"}'), ANSWER_AFTER_MS);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  service.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return service;
}

function flow(baseUrl: string, config: Record<string, unknown> = {}, request: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'cfg', type: 'oauth1-config', name: 'slow', baseUrl, retries: 0, ...config },
    { id: 'req', type: 'oauth1-request', z: 'tab', server: 'cfg', method: 'use', url: '', ret: 'obj', wires: [['out']], ...request },
    { id: 'me', type: 'oauth1-get-me', z: 'tab', server: 'cfg', wires: [['out']] },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
    { id: 'status', type: 'status', z: 'tab', scope: null, wires: [['statuses']] },
    { id: 'statuses', type: 'helper', z: 'tab' },
  ];
}

async function outcomes(count: number, ...lists: unknown[][]): Promise<void> {
  const started = Date.now();
  while (lists.reduce((sum, list) => sum + list.length, 0) < count && Date.now() - started < 5_000) await wait(10);
}

function warnings(): string[] {
  return logLines().filter((line) => line.includes('"level":30'));
}

describe('node shell (every request node)', function () {
  this.timeout(20_000);
  let service: Slow;
  before(async () => {
    service = await startSlowService();
  });
  after(() => service?.close());
  afterEach(() => helper.unload());

  for (const node of ['req', 'me']) {
    for (const value of [true, -5, Number.NaN, 'soon', 0]) {
      it(`${node}: ignores msg.requestTimeout ${String(value)} with a warning and uses the default`, async () => {
        await loadFlow(TYPES, flow(service.url), CREDENTIALS);
        const out = collectMessages('out');
        const caught = collectMessages('caught');
        helper.getNode(node).receive({ url: 'users/v1/me', requestTimeout: value });
        await outcomes(1, out, caught);
        assert.equal(caught.length, 0, JSON.stringify(caught.map((msg) => msg.error)));
        assert.equal(out[0]?.statusCode, 200);
        await wait(20);
        // oauth1 request warns as the core http request node does, in its catalog's words (the test runtime shows the keys).
        const expected =
          node === 'req' ? /httpin\.errors\.timeout-is(nan|negative)/ : /msg\.requestTimeout must be a positive number of milliseconds; using the default/;
        assert.ok(
          warnings().some((line) => expected.test(line)),
          warnings().join('\n'),
        );
      });
    }

    it(`${node}: honours a positive msg.requestTimeout, also as a string`, async () => {
      await loadFlow(TYPES, flow(service.url), CREDENTIALS);
      const caught = collectMessages('caught');
      const statuses = collectMessages('statuses');
      helper.getNode(node).receive({ url: 'users/v1/me', requestTimeout: '10' });
      await outcomes(1, caught);
      // oauth1 request in the core node's words (its catalog key in the test runtime), get me in its own.
      const expected = node === 'req' ? /^common\.notification\.errors\.no-response$/ : /no response within 10 ms/;
      assert.match((caught[0]?.error as { message: string }).message, expected);
      await wait(20);
      assert.equal((statuses.at(-1)?.status as { text: string }).text, 'timeout');
    });
  }

  it('never puts a CR or LF of msg.method or of a header name raw into an error or log line', async () => {
    await loadFlow(TYPES, flow(service.url), CREDENTIALS);
    const caught = collectMessages('caught');
    const statuses = collectMessages('statuses');
    const requests = service.requests.length;
    helper.getNode('req').receive({ url: 'x', method: 'GET\r\nX-Forged: 1' });
    helper.getNode('req').receive({ url: 'y', method: 'POST', headers: { 'X-A\r\nX-Forged': '1' }, payload: 'a' });
    await outcomes(2, caught);
    await wait(20);
    const texts = [...caught.map((msg) => (msg.error as { message: string }).message), ...statuses.map((msg) => JSON.stringify(msg.status)), ...logLines()];
    assert.equal(caught.length, 2);
    assert.match(texts[0], /GET\\r\\nX-Forged/, 'the method is shown, escaped');
    for (const text of texts) assert.ok(!/[\r\n]X-Forged/.test(text), `raw CR/LF in ${JSON.stringify(text)}`);
    assert.equal(service.requests.length, requests, 'nothing was sent');
  });

  it('keeps a status text short: the full problem goes to the log', async () => {
    await loadFlow(TYPES, flow(service.url), { cfg: {} });
    // The helper spies on Node.prototype.status: the calls made at deploy, before any status node listens.
    const spy = helper.getNode('req').status as unknown as { getCalls(): Array<{ thisValue: { id: string }; args: Array<{ text?: string }> }> };
    const texts = spy
      .getCalls()
      .filter((call) => call.thisValue.id === 'req')
      .map((call) => call.args[0]?.text ?? '');
    assert.deepEqual(texts, ['consumer key and consum…']);
    assert.ok(warnings().some((line) => line.includes('consumer key and consumer secret missing')));
  });

  it('warns at deploy when the TLS configuration node is missing', async () => {
    await loadFlow(TYPES, flow(service.url, { tls: 'no-such-tls-node' }), CREDENTIALS);
    assert.ok(
      warnings().some((line) => line.includes('the TLS configuration node is missing; using the default TLS settings')),
      warnings().join('\n'),
    );
  });

  it('refuses PLAINTEXT over plain http to another host: warning and red status at deploy, an error and nothing sent', async () => {
    // Never contacted: the request is refused before anything is sent.
    await loadFlow(TYPES, flow('http://service.example', { signatureMethod: 'PLAINTEXT' }), CREDENTIALS);
    const caught = collectMessages('caught');
    await wait(20);
    assert.ok(
      warnings().some((line) => line.includes('PLAINTEXT sends the secrets themselves: refused over plain http to service.example')),
      warnings().join('\n'),
    );
    const spy = helper.getNode('req').status as unknown as { getCalls(): Array<{ thisValue: { id: string }; args: Array<{ fill?: string; shape?: string }> }> };
    for (const id of ['req', 'me']) {
      const shown = spy
        .getCalls()
        .filter((call) => call.thisValue.id === id)
        .map((call) => `${call.args[0]?.fill} ${call.args[0]?.shape}`);
      assert.deepEqual(shown, ['red ring'], `${id} at deploy`);
    }
    helper.getNode('req').receive({ url: 'x' });
    await outcomes(1, caught);
    assert.match((caught[0]?.error as { message: string }).message, /PLAINTEXT .* refused over plain http/);
  });

  it('refuses OAuth 2 over plain http to another host as PLAINTEXT: warning and red status at deploy, an error and nothing sent', async () => {
    await loadFlow(TYPES, flow('http://service.example', { scheme: 'oauth2' }), CREDENTIALS);
    const caught = collectMessages('caught');
    await wait(20);
    assert.ok(
      warnings().some((line) => line.includes('OAuth 2 sends the client secret and the access token themselves: refused over plain http to service.example')),
      warnings().join('\n'),
    );
    const spy = helper.getNode('req').status as unknown as { getCalls(): Array<{ thisValue: { id: string }; args: Array<{ fill?: string; shape?: string }> }> };
    const shown = spy
      .getCalls()
      .filter((call) => call.thisValue.id === 'req')
      .map((call) => `${call.args[0]?.fill} ${call.args[0]?.shape}`);
    assert.deepEqual(shown, ['red ring']);
    helper.getNode('req').receive({ url: 'x' });
    await outcomes(1, caught);
    assert.match((caught[0]?.error as { message: string }).message, /OAuth 2 .* refused over plain http/);
    await helper.unload();
    await loadFlow(TYPES, flow(service.url, { scheme: 'oauth2' }), CREDENTIALS);
    assert.equal((helper.getNode('cfg') as unknown as { problem?: string }).problem, undefined, 'to this machine it is allowed');
  });

  it('allows PLAINTEXT over plain http to this machine, and over https', async () => {
    for (const baseUrl of [service.url, 'http://localhost:1', 'https://service.example']) {
      await loadFlow(TYPES, flow(baseUrl, { signatureMethod: 'PLAINTEXT' }), CREDENTIALS);
      assert.equal((helper.getNode('cfg') as unknown as { problem?: string }).problem, undefined, baseUrl);
      await helper.unload();
    }
  });
  it('a private key that does not parse: warning and red status on the request nodes at deploy, never the key, nothing sent', async () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const keyLine = pem.split('\n')[3];
    const broken = pem.replace(keyLine, keyLine.slice(0, 10));
    const requests = service.requests.length;
    await loadFlow(TYPES, flow(service.url, { signatureMethod: 'RSA-SHA1' }), { cfg: { consumerKey: 'key-Kq1', privateKey: broken } });
    const caught = collectMessages('caught');
    await wait(20);
    assert.ok(
      warnings().some((line) => line.includes('private key does not parse')),
      warnings().join('\n'),
    );
    for (const line of logLines()) assert.ok(!line.includes(keyLine.slice(0, 10)), 'the key is never logged');
    const spy = helper.getNode('req').status as unknown as { getCalls(): Array<{ thisValue: { id: string }; args: Array<{ fill?: string; shape?: string }> }> };
    const shown = spy
      .getCalls()
      .filter((call) => call.thisValue.id === 'req')
      .map((call) => `${call.args[0]?.fill} ${call.args[0]?.shape}`);
    assert.deepEqual(shown, ['red ring']);
    helper.getNode('req').receive({ url: 'x' });
    await outcomes(1, caught);
    assert.match((caught[0]?.error as { message: string }).message, /private key does not parse/);
    assert.equal(service.requests.length, requests, 'nothing was sent');
  });
});
