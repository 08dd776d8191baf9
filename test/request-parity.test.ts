/**
 * oauth1 request does what the core http request node does, signed: multipart,
 * payload as query, cookies, mustache URLs, redirects and TLS per message, errors as
 * messages, the header marker. Signed requests are checked by oauthlib.
 */
import assert from 'node:assert/strict';
import { collectMessages, helper, loadFlow, logLines, nextMessage, requestFlow as flow, restoreSettings, wait } from './support/node-red';
import { startTlsServer } from './support/https-echo-server';
import { startVerifier, VERIFIER_CREDENTIALS, type Verifier, type VerifierEcho } from './support/oauthlib-verifier';
import { hang, json, redirect, respond, startFaultServer, type FaultServer } from './support/fault-server';
import { withProxyEnvironment } from './support/proxy-env';
import { startRecordingProxy } from './support/recording-proxy';
import { hashSum } from '../src/lib/header-marker';

const TYPES = ['oauth1-config', 'oauth1-request'];
const CREDENTIALS = { cfg: { ...VERIFIER_CREDENTIALS } };
/** For servers that do not check signatures. */
const PLAIN_CREDENTIALS = { cfg: { consumerKey: 'parity-key', consumerSecret: 'parity-secret' } };

/** The parts of a multipart body: name, file name, content type and data. */
function parts(echo: VerifierEcho): Array<{ name: string; filename?: string; type?: string; data: string }> {
  const boundary = /boundary=(.+)$/.exec(echo.contentType ?? '')?.[1] ?? '';
  return echo.body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const [head, ...rest] = part.replace(/^\r\n/, '').split('\r\n\r\n');
      return {
        name: /name="([^"]*)"/.exec(head ?? '')?.[1] ?? '',
        filename: /filename="([^"]*)"/.exec(head ?? '')?.[1],
        type: /Content-Type: (.+)/i.exec(head ?? '')?.[1],
        data: rest.join('\r\n\r\n').replace(/\r\n$/, ''),
      };
    });
}

async function send(input: Record<string, unknown>, target = 'out'): Promise<Record<string, unknown>> {
  const received = nextMessage(target);
  helper.getNode('req').receive(input);
  return await received;
}

describe('oauth1-request: the core http request node’s features, signed', function () {
  this.timeout(20_000);
  let verifier: Verifier;
  let server: FaultServer;
  before(async () => {
    [verifier, server] = await Promise.all([startVerifier(), startFaultServer()]);
  });
  after(() => Promise.all([verifier?.close(), server?.close()]));
  afterEach(() => helper.unload());

  describe('multipart uploads', () => {
    for (const bodyHash of [false, true]) {
      it(`sends strings, Buffers and files as multipart/form-data, the body unsigned${bodyHash ? ', its bytes body-hashed' : ''}; oauthlib accepts it`, async () => {
        await loadFlow(TYPES, flow(verifier.url, { method: 'POST', url: 'upload' }, { bodyHash }), CREDENTIALS);
        const file = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]);
        const msg = await send({
          headers: { 'content-type': 'multipart/form-data' },
          payload: {
            title: 'a b&c=d',
            raw: Buffer.from('bytes'),
            media: { value: file, options: { filename: 'cat.png', contentType: 'image/png' } },
            skipped: null,
            n: 5,
          },
        });
        const echo = msg.payload as VerifierEcho;
        assert.equal(msg.statusCode, 200, JSON.stringify(echo));
        assert.match(echo.contentType ?? '', /^multipart\/form-data; boundary=/);
        assert.equal(Boolean(echo.bodyHash), bodyHash);
        const received = parts(echo);
        assert.deepEqual(
          received.map(({ name, filename, type }) => ({ name, filename, type })),
          [
            { name: 'title', filename: undefined, type: undefined },
            { name: 'raw', filename: undefined, type: 'application/octet-stream' },
            { name: 'media', filename: 'cat.png', type: 'image/png' },
            { name: 'n', filename: undefined, type: undefined },
          ],
        );
        // The file arrives byte for byte (the echo's text body is UTF-8 decoded, its bytes are not).
        const bytes = Buffer.from(echo.bodyBase64 ?? '', 'base64');
        const start = bytes.indexOf(Buffer.from('Content-Type: image/png\r\n\r\n')) + 'Content-Type: image/png\r\n\r\n'.length;
        assert.deepEqual(bytes.subarray(start, start + file.length), file);
        assert.equal(bytes.subarray(start + file.length, start + file.length + 2).toString(), '\r\n');
        assert.equal(received[0]?.data, 'a b&c=d');
        assert.equal(received[3]?.data, '5');
      });
    }
  });

  describe('payload as query, mustache URLs', () => {
    it('appends an object payload to a GET query ("append to query-string parameters"), signed like any query parameter', async () => {
      await loadFlow(TYPES, flow(verifier.url, { url: 'search?x=1', paytoqs: 'query' }), CREDENTIALS);
      const msg = await send({ payload: { q: 'a b', tag: ['x', 'y'] } });
      assert.equal(msg.statusCode, 200, JSON.stringify(msg.payload));
      assert.deepEqual((msg.payload as VerifierEcho).query, [
        ['x', '1'],
        ['q', 'a b'],
        ['tag', 'x'],
        ['tag', 'y'],
      ]);
    });

    it('sends the payload as a GET body with "use as request body"', async () => {
      await loadFlow(TYPES, flow(verifier.url, { url: 'x', paytoqs: 'body' }), CREDENTIALS);
      const msg = await send({ payload: { a: 1 } });
      assert.equal(msg.statusCode, 200, JSON.stringify(msg.payload));
      assert.equal((msg.payload as VerifierEcho).body, '{"a":1}');
    });

    it('refuses a non-object payload for the query, nothing sent', async () => {
      await loadFlow(TYPES, flow(verifier.url, { url: 'x', paytoqs: 'query' }), CREDENTIALS);
      const caught = await send({ payload: 'text' }, 'caught');
      assert.match(String((caught.error as { message: string }).message), /msg.payload must be an object/);
    });

    it('renders {{{mustache}}} in the URL from msg, then holds it to the origin rule', async () => {
      await loadFlow(TYPES, flow(verifier.url, { url: '{{{base}}}/users/{{id}}?q={{{q}}}' }), CREDENTIALS);
      const msg = await send({ base: verifier.url, id: '<1>', q: 'x' });
      assert.equal(msg.statusCode, 200, JSON.stringify(msg.payload));
      // {{id}} is HTML-escaped as mustache does it, {{{q}}} is not.
      assert.equal((msg.payload as VerifierEcho).path, '/users/&lt;1&gt;');
      assert.deepEqual((msg.payload as VerifierEcho).query, [['q', 'x']]);
      const caught = await send({ base: server.url, id: '1', q: '' }, 'caught');
      assert.match(String((caught.error as { message: string }).message), /is not the service's origin/);
      assert.equal(server.requests.length, 0);
    });

    it('gives a scheme-less host:port http://, and refuses an empty URL', async () => {
      await loadFlow(TYPES, flow(verifier.url), CREDENTIALS);
      const msg = await send({ url: `${verifier.url.replace('http://', '')}/x` });
      assert.equal(msg.statusCode, 200, JSON.stringify(msg.payload));
      const caught = await send({}, 'caught');
      assert.match(String((caught.error as { message: string }).message), /no URL/);
    });
  });

  describe('cookies, redirects, the header marker', () => {
    it('sends msg.cookies (strings and {value}) with a Cookie header, signed; oauthlib accepts it', async () => {
      await loadFlow(TYPES, flow(verifier.url, { url: 'x' }), CREDENTIALS);
      const msg = await send({ headers: { cookie: 'kept=1' }, cookies: { a: 'x y', b: { value: 'v;w' }, c: { value: 'raw', encode: false }, d: null } });
      assert.equal(msg.statusCode, 200, JSON.stringify(msg.payload));
      assert.equal((msg.payload as VerifierEcho).cookie, 'kept=1; a=x%20y; b=v%3Bw; c=raw');
    });

    it('reads Set-Cookie into msg.responseCookies and lists redirects in msg.redirectList', async () => {
      server.route('/start', respond(302, '', { Location: '/end', 'Set-Cookie': 'hop=1; Path=/' }));
      server.route('/end', (request, res) => {
        res.setHeader('Set-Cookie', ['session=abc%20d; Path=/; HttpOnly', 'theme=dark']);
        json({ ok: true })(request, res, 0);
      });
      await loadFlow(TYPES, flow(server.url, { url: 'start' }), PLAIN_CREDENTIALS);
      const msg = await send({});
      assert.equal(msg.statusCode, 200);
      assert.deepEqual(msg.responseCookies, { session: { value: 'abc d', Path: '/' }, theme: { value: 'dark' } });
      assert.deepEqual(msg.redirectList, [{ location: `${server.url}/end`, cookies: { hop: { value: '1', Path: '/' } } }]);
      assert.equal(msg.retry, 0);
    });

    it('hands back the 3xx with msg.followRedirects = false, or the node option off', async () => {
      server.route('/moved', redirect('/elsewhere', 301));
      await loadFlow(TYPES, flow(server.url, { url: 'moved' }), PLAIN_CREDENTIALS);
      let msg = await send({ followRedirects: false });
      assert.equal(msg.statusCode, 301);
      assert.deepEqual(msg.redirectList, []);
      await helper.unload();
      await loadFlow(TYPES, flow(server.url, { url: 'moved', followRedirects: false }), PLAIN_CREDENTIALS);
      msg = await send({});
      assert.equal(msg.statusCode, 301);
    });

    it('marks response headers as the core node does and ignores them when fed back unchanged; the marker is never sent', async () => {
      await loadFlow(TYPES, flow(verifier.url, { url: 'x', method: 'POST' }), CREDENTIALS);
      const first = await send({ payload: 'a', headers: { 'content-type': 'text/plain' } });
      const headers = first.headers as Record<string, string>;
      const { 'x-node-red-request-node': marker, ...rest } = headers;
      assert.equal(marker, hashSum(rest));
      // Fed back unchanged: ignored, so the response's application/json does not become the request's.
      const second = await send({ payload: 'b', headers: { ...headers } });
      assert.equal((second.payload as VerifierEcho).contentType, null);
      // Changed: used, without the marker.
      const third = await send({ payload: 'c', headers: { ...headers, 'content-type': 'text/csv' } });
      assert.equal((third.payload as VerifierEcho).contentType, 'text/csv');
    });

    it('takes the dialog’s headers list over msg.headers: fixed values, msg properties, removal', async () => {
      const headers = [
        { keyType: 'other', keyValue: 'X-Fixed', valueType: 'other', valueValue: 'fixed' },
        { keyType: 'Content-Type', valueType: 'text/plain' },
        { keyType: 'other', keyValue: 'Cookie', valueType: 'msg', valueValue: 'topic' },
      ];
      await loadFlow(TYPES, flow(verifier.url, { url: 'x', method: 'POST', headers }), CREDENTIALS);
      const msg = await send({ topic: 'from=msg', payload: 'p', headers: { 'content-type': 'application/json' } });
      const echo = msg.payload as VerifierEcho;
      assert.equal(echo.contentType, 'text/plain');
      assert.equal(echo.cookie, 'from=msg');
    });
  });

  describe('errors the core node’s way', () => {
    it('sends a network failure as a message too (payload the error, statusCode the code), unless senderr', async () => {
      const closed = await startFaultServer();
      const url = closed.url;
      await closed.close();
      await loadFlow(TYPES, flow(url, { url: 'x' }, { retries: 0 }), PLAIN_CREDENTIALS);
      const caught = nextMessage('caught');
      const msg = await send({});
      assert.equal(msg.statusCode, 'ECONNREFUSED');
      assert.match(String(msg.payload), /ECONNREFUSED/);
      await caught;
      await helper.unload();
      await loadFlow(TYPES, flow(url, { url: 'x', senderr: true }, { retries: 0 }), PLAIN_CREDENTIALS);
      const out = collectMessages('out');
      await send({}, 'caught');
      await wait(50);
      assert.equal(out.length, 0);
    });

    it('with senderr, a non-2xx answer goes to Catch only, with its status and body on msg', async () => {
      server.route('/missing', json({ message: 'nope' }, 404));
      await loadFlow(TYPES, flow(server.url, { url: 'missing', senderr: true }), PLAIN_CREDENTIALS);
      const out = collectMessages('out');
      const caught = await send({}, 'caught');
      assert.equal(caught.statusCode, 404);
      assert.deepEqual(caught.payload, { message: 'nope' });
      await wait(50);
      assert.equal(out.length, 0);
    });
  });

  describe('timeouts', () => {
    it('takes settings.httpRequestTimeout when the service names no timeout, as the core node', async () => {
      server.route('/slow', hang());
      helper.settings({ httpRequestTimeout: 200 });
      try {
        await loadFlow(TYPES, flow(server.url, { url: 'slow' }, { retries: 0, requestTimeout: '' }), PLAIN_CREDENTIALS);
        const started = Date.now();
        const msg = await send({});
        assert.equal(msg.statusCode, 'ETIMEDOUT');
        assert.ok(Date.now() - started < 5_000);
      } finally {
        restoreSettings();
      }
    });
  });

  describe('TLS per message', () => {
    it('msg.rejectUnauthorized = false accepts a self-signed certificate, with one warning; otherwise it is refused', async () => {
      const tls = await startTlsServer();
      try {
        await loadFlow(TYPES, flow(tls.url, { url: 'x', ret: 'txt' }, { retries: 0 }), PLAIN_CREDENTIALS);
        const caught = await send({}, 'caught');
        assert.match(String((caught.error as { message: string }).message), /self-signed|certificate/);
        for (const value of [false, 'false']) assert.equal((await send({ rejectUnauthorized: value })).statusCode, 200);
        const warnings = logLines().filter((line) => line.includes('msg.rejectUnauthorized is false'));
        assert.equal(warnings.length, 1);
        await send({ rejectUnauthorized: 'maybe' }, 'caught');
        assert.ok(logLines().some((line) => line.includes('msg.rejectUnauthorized must be true or false')));
        await helper.unload();
        // PLAINTEXT's secrets are safe only as far as TLS is: refused with the check off, nothing sent.
        const before = tls.requests.length;
        await loadFlow(TYPES, flow(tls.url, { url: 'x', ret: 'txt' }, { retries: 0, signatureMethod: 'PLAINTEXT' }), PLAIN_CREDENTIALS);
        const refused = await send({ rejectUnauthorized: false }, 'caught');
        assert.match(String((refused.error as { message: string }).message), /PLAINTEXT sends the secrets themselves: not with msg.rejectUnauthorized = false/);
        assert.equal(tls.requests.length, before);
      } finally {
        await tls.close();
      }
    });
  });

  describe('proxy node', () => {
    it('goes through the selected http proxy node, tunnelled, with its credentials', async () => {
      const proxy = await startRecordingProxy({ requireAuthorization: `Basic ${Buffer.from('pu:pp').toString('base64')}` });
      try {
        const nodes = [...flow(verifier.url, { url: 'x', proxy: 'prox' }), { id: 'prox', type: 'http proxy', url: proxy.url, noproxy: [] }];
        await loadFlow(TYPES, nodes, { ...CREDENTIALS, prox: { username: 'pu', password: 'pp' } });
        const msg = await send({});
        assert.equal(msg.statusCode, 200, JSON.stringify(msg.payload));
        assert.equal(proxy.connects.length, 1);
      } finally {
        await proxy.close();
      }
    });

    it('reads the environment as settings.proxyOptions says, for a message URL too (lowerCaseOnly: HTTP_PROXY unused)', async () => {
      const proxy = await startRecordingProxy();
      try {
        await withProxyEnvironment({ HTTP_PROXY: proxy.url }, async () => {
          // Not in the helper's settings type, which lists only what the runtime itself reads.
          helper.settings({ proxyOptions: { lowerCaseOnly: true } } as object);
          await loadFlow(TYPES, flow(verifier.url, { url: '' }), CREDENTIALS);
          assert.equal((await send({ url: `${verifier.url}/x` })).statusCode, 200);
          assert.equal(proxy.connects.length, 0);
          await helper.unload();
          restoreSettings();
          await loadFlow(TYPES, flow(verifier.url, { url: '' }), CREDENTIALS);
          assert.equal((await send({ url: `${verifier.url}/x` })).statusCode, 200);
          assert.equal(proxy.connects.length, 1, 'without the option HTTP_PROXY is used');
        });
      } finally {
        restoreSettings();
        await proxy.close();
      }
    });
  });
});
