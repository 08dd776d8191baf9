/**
 * Proxies and PLAINTEXT through one: which proxy a request takes, as
 * the core http request node decides it; that it tunnels; and that what the proxy sees
 * holds no credential of the service.
 */
import assert from 'node:assert/strict';
import { getProxyForUrl, proxyFor, proxyOptionsOf, shouldProxy } from '../src/lib/proxy';
import { createServiceClient, type ServiceOptions } from '../src/lib/service';
import type { HttpClient } from '../src/lib/client';
import { requestRejection } from './support/assertions';
import { startVerifier, VERIFIER_CREDENTIALS, type Verifier, type VerifierEcho } from './support/oauthlib-verifier';
import { startRecordingProxy, type RecordingProxy } from './support/recording-proxy';
import { startTlsServer, type TlsServer } from './support/https-echo-server';
import { withProxyEnvironment } from './support/proxy-env';

describe('proxies (src/lib/proxy)', function () {
  this.timeout(20_000);

  describe('proxyFor: the core node’s choice', () => {
    const url = (text: string) => new URL(text);
    it('takes http_proxy for http and https_proxy for https, upper case too, all_proxy last', () => {
      assert.equal(proxyFor(url('http://api.example.com/x'), undefined, { env: { http_proxy: 'http://p:3128' } })?.href, 'http://p:3128/');
      assert.equal(proxyFor(url('https://api.example.com/x'), undefined, { env: { http_proxy: 'http://p:3128' } }), undefined);
      assert.equal(proxyFor(url('https://api.example.com/x'), undefined, { env: { HTTPS_PROXY: 'http://s:8080' } })?.href, 'http://s:8080/');
      assert.equal(proxyFor(url('https://api.example.com/x'), undefined, { env: { all_proxy: 'http://a:1' } })?.href, 'http://a:1/');
      assert.equal(proxyFor(url('http://api.example.com/x'), undefined, { env: { http_proxy: 'p:3128' } })?.href, 'http://p:3128/');
    });

    it('skips hosts no_proxy names: exactly, by suffix, by port, or all with *', () => {
      const env = { http_proxy: 'http://p:3128', https_proxy: 'http://p:3128' };
      assert.equal(proxyFor(url('http://127.0.0.1:8080/'), undefined, { env: { ...env, no_proxy: '127.0.0.1' } }), undefined);
      assert.equal(proxyFor(url('https://api.example.com/'), undefined, { env: { ...env, NO_PROXY: '.example.com' } }), undefined);
      assert.equal(proxyFor(url('https://api.example.com/'), undefined, { env: { ...env, no_proxy: '*.example.com' } }), undefined);
      assert.notEqual(proxyFor(url('https://api.example.org/'), undefined, { env: { ...env, no_proxy: '.example.com' } }), undefined);
      assert.notEqual(proxyFor(url('http://h:8080/'), undefined, { env: { ...env, no_proxy: 'h:9090' } }), undefined);
      assert.equal(proxyFor(url('http://h:8080/'), undefined, { env: { ...env, no_proxy: 'h:8080' } }), undefined);
      assert.equal(proxyFor(url('http://anything/'), undefined, { env: { ...env, no_proxy: '*' } }), undefined);
      assert.equal(shouldProxy('localhost', 80, 'localhost, 127.0.0.1'), false);
    });

    it('an http proxy node replaces the environment, with its own ignore list and credentials', () => {
      const env = { https_proxy: 'http://env:1' };
      const node = { url: 'http://node-proxy:3128', noProxy: ['internal.example.com'], username: 'u', password: 'p@ss' };
      const chosen = proxyFor(url('https://api.example.com/'), node, { env });
      assert.equal(chosen?.host, 'node-proxy:3128');
      assert.equal(decodeURIComponent(chosen?.password ?? ''), 'p@ss');
      assert.equal(proxyFor(url('https://internal.example.com/'), node, { env }), undefined);
    });

    it('a proxy URL that is not http(s) is an error, its password not repeated', () => {
      assert.throws(() => proxyFor(url('http://a/'), undefined, { env: { http_proxy: 'socks5://u:secret@p:1080' } }), /must be http or https/);
      assert.throws(
        () => proxyFor(url('http://a/'), undefined, { env: { http_proxy: 'http://u:secret@[bad' } }),
        (error: Error) => !error.message.includes('secret'),
      );
    });
  });

  describe("settings.proxyOptions, as the core node's proxy helper reads them", () => {
    const env = { HTTP_PROXY: 'http://upper:1', http_proxy: 'http://lower:2', npm_config_https_proxy: 'http://npm:3', https_proxy: 'http://plain:4' };

    it('lower case first by default; favourUpperCase turns it round; lowerCaseOnly ignores upper case', () => {
      assert.equal(getProxyForUrl('http://api.example.com/', { env }), 'http://lower:2');
      assert.equal(getProxyForUrl('http://api.example.com/', { env, favourUpperCase: true }), 'http://upper:1');
      assert.equal(getProxyForUrl('http://api.example.com/', { env: { HTTP_PROXY: 'http://upper:1' }, lowerCaseOnly: true }), '');
    });

    it("takes npm's variables first unless excludeNpm", () => {
      assert.equal(getProxyForUrl('https://api.example.com/', { env }), 'http://npm:3');
      assert.equal(getProxyForUrl('https://api.example.com/', { env, excludeNpm: true }), 'http://plain:4');
    });

    it('legacy mode: http_proxy for every scheme, no_proxy entries found anywhere in the URL; NR_PROXY_MODE overrides', () => {
      const legacyEnv = { http_proxy: 'http://old:8080', https_proxy: 'http://unused:1', no_proxy: 'internal, /skip/' };
      assert.equal(getProxyForUrl('https://api.example.com/x', { env: legacyEnv, mode: 'legacy' }), 'http://old:8080');
      assert.equal(getProxyForUrl('https://api.example.com/skip/x', { env: legacyEnv, mode: 'legacy' }), '');
      assert.equal(getProxyForUrl('https://internal.example.com/', { env: legacyEnv, mode: 'legacy' }), '');
      assert.equal(getProxyForUrl('https://api.example.com/x', { env: legacyEnv }), 'http://unused:1');
      const saved = process.env.NR_PROXY_MODE;
      process.env.NR_PROXY_MODE = 'legacy';
      try {
        assert.equal(getProxyForUrl('https://api.example.com/x', { env: legacyEnv, mode: 'strict' }), 'http://old:8080');
      } finally {
        if (saved === undefined) delete process.env.NR_PROXY_MODE;
        else process.env.NR_PROXY_MODE = saved;
      }
    });

    it('keeps only the options it knows, with their types', () => {
      assert.deepEqual(proxyOptionsOf({ mode: 'legacy', lowerCaseOnly: true, favourUpperCase: 'yes', env: { http_proxy: 'x' }, other: 1 }), {
        mode: 'legacy',
        lowerCaseOnly: true,
      });
      assert.deepEqual(proxyOptionsOf(undefined), {});
      assert.deepEqual(proxyOptionsOf({ mode: 'loose' }), {});
    });
  });

  describe('the client through a recording proxy', () => {
    let verifier: Verifier;
    let proxy: RecordingProxy;
    let tls: TlsServer;
    const clients: HttpClient[] = [];
    function client(settings: Partial<ServiceOptions> = {}): HttpClient {
      const created = createServiceClient({ baseUrl: verifier.url, credentials: VERIFIER_CREDENTIALS, retries: 0, ...settings });
      clients.push(created);
      return created;
    }
    before(async () => {
      [verifier, proxy, tls] = await Promise.all([startVerifier(), startRecordingProxy(), startTlsServer()]);
    });
    afterEach(() => {
      for (const created of clients.splice(0)) created.destroy();
      proxy.reset();
    });
    after(() => Promise.all([verifier?.close(), proxy?.close(), tls?.close()]));

    it('with HTTP_PROXY set, refuses PLAINTEXT to loopback (it would reach the proxy in clear), sending nothing', async () => {
      await withProxyEnvironment({ HTTP_PROXY: proxy.url }, async () => {
        const error = await requestRejection(client({ signatureMethod: 'PLAINTEXT' }).request({ url: '/me' }));
        assert.equal(error.code, 'EINSECURE');
        assert.match(error.message, /through the proxy/);
      });
      assert.equal(proxy.seen(), '');
      assert.ok(!proxy.seen().includes(encodeURIComponent(VERIFIER_CREDENTIALS.consumerSecret)));
    });

    it('with HTTP_PROXY set, refuses OAuth 2 to loopback: neither the client secret nor a bearer token reaches the proxy', async () => {
      const credentials = { consumerKey: 'proxied-client-ID', consumerSecret: 'proxied-client-SECRET' };
      await withProxyEnvironment({ HTTP_PROXY: proxy.url }, async () => {
        const error = await requestRejection(client({ scheme: 'oauth2', credentials }).request({ url: '/me' }));
        assert.equal(error.code, 'EINSECURE');
        assert.match(
          error.message,
          /^OAuth 2 sends the access token itself: .* is loopback, but the request would go through the proxy in clear; add the host to no_proxy$/,
        );
      });
      assert.ok(!proxy.seen().includes('proxied-client-SECRET'), 'the client secret went through the proxy in clear');
      assert.equal(proxy.seen(), '');
    });

    it('quotes a proxy URL that does not parse without its user information, even with a / in the password', async () => {
      const written = [
        'http://proxy-user:pa/ss-WORD@proxy.example:3128',
        'proxy-user:pa?ss-WORD@proxy.example:3128',
        'http://proxy-user:pa#ss@WORD@proxy.example:x',
      ];
      const messages: string[] = [];
      for (const value of written) {
        const error = await withProxyEnvironment({ HTTP_PROXY: value }, () => requestRejection(client().request({ url: '/me' })));
        assert.equal(error.code, 'EPROXY', value);
        assert.ok(!/ss-WORD|ss@WORD/.test(error.message), `the proxy password is in "${error.message}"`);
        messages.push(error.message);
      }
      assert.deepEqual(messages, [
        'the proxy URL "http://…@proxy.example:3128" is not a URL',
        'the proxy URL "http://…@proxy.example:3128" is not a URL',
        'the proxy URL "http://…@proxy.example:x" is not a URL',
      ]);
      assert.equal(proxy.seen(), '');
    });

    it('reads the environment as settings.proxyOptions says: with lowerCaseOnly, HTTP_PROXY is not used', async () => {
      await withProxyEnvironment({ HTTP_PROXY: proxy.url }, async () => {
        const response = await client({ proxyOptions: { lowerCaseOnly: true } }).request({ url: '/me' });
        assert.equal(response.statusCode, 200);
        assert.equal(proxy.seen(), '');
        assert.equal((await client().request({ url: '/me' })).statusCode, 200);
        assert.notEqual(proxy.seen(), '', 'without the option the same request goes through the proxy');
      });
    });

    it('sends PLAINTEXT to loopback when no_proxy covers it: directly, the proxy sees nothing', async () => {
      const response = await withProxyEnvironment({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }, () =>
        client({ signatureMethod: 'PLAINTEXT' }).request({ url: '/me' }),
      );
      assert.equal(response.statusCode, 200);
      assert.equal(proxy.seen(), '');
    });

    it('tunnels a signed http request with CONNECT (as the core node), and oauthlib accepts it', async () => {
      const response = await withProxyEnvironment({ http_proxy: proxy.url }, () => client().request<VerifierEcho>({ url: '/me?a=1', responseType: 'json' }));
      assert.equal(response.statusCode, 200, JSON.stringify(response.body));
      assert.deepEqual(response.body.query, [['a', '1']]);
      assert.deepEqual(
        proxy.connects.map((connect) => connect.authority),
        [new URL(verifier.url).host],
      );
      assert.equal(proxy.forwarded.length, 0);
    });

    it('tunnels HTTPS with CONNECT: the proxy sees the host and ciphertext, no credential of the service', async () => {
      const credentials = { consumerKey: 'proxy-consumer-KEY', consumerSecret: 'proxy-SECRET', token: 'proxy-TOKEN', tokenSecret: 'proxy-token-SECRET' };
      for (const signatureMethod of ['HMAC-SHA1', 'PLAINTEXT'] as const) {
        const response = await withProxyEnvironment({ https_proxy: proxy.url }, () =>
          client({ baseUrl: tls.url, credentials, signatureMethod, tls: { ca: tls.cert } }).request({ url: '/me', method: 'POST', body: { a: 'body-VALUE' } }),
        );
        assert.equal(response.statusCode, 200);
        assert.match(String(tls.requests.at(-1)?.headers.authorization), /oauth_consumer_key="proxy-consumer-KEY"/);
        assert.equal(tls.requests.at(-1)?.headers['proxy-authorization'], undefined);
      }
      assert.deepEqual(
        proxy.connects.map((connect) => connect.authority),
        [`localhost:${tls.port}`, `localhost:${tls.port}`],
      );
      const seen = proxy.seen();
      for (const secret of ['proxy-consumer-KEY', 'proxy-SECRET', 'proxy-TOKEN', 'oauth_signature', 'body-VALUE', '/me'])
        assert.ok(!seen.includes(secret), secret);
    });

    it('gives the proxy its own credentials from an http proxy node, on CONNECT only', async () => {
      const guarded = await startRecordingProxy({ requireAuthorization: `Basic ${Buffer.from('proxy-user:proxy pass').toString('base64')}` });
      try {
        const settings = { url: guarded.url, username: 'proxy-user', password: 'proxy pass' };
        const response = await client().request({ url: '/me', proxy: settings });
        assert.equal(response.statusCode, 200);
        assert.equal(guarded.connects.length, 1);
        const refused = await requestRejection(client().request({ url: '/me', proxy: { url: guarded.url } }));
        assert.equal(refused.code, 'ENETWORK');
        assert.match(refused.message, /407/);
      } finally {
        await guarded.close();
      }
    });
  });
});
