/**
 * Where the client sends credentials, and what it refuses to send: each case is
 * an attack or a bug a review found, reproduced against local servers.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import zlib from 'node:zlib';
import { HttpClient } from '../src/lib/client';
import { RequestError } from '../src/lib/request-error';
import { clearTextProblem, createServiceClient, originList, type ServiceOptions } from '../src/lib/service';
import type { OAuth1Credentials } from '../src/lib/oauth1';
import { json, redirect, respond, startFaultServer, type FaultServer, type RecordedRequest } from './support/fault-server';
import { startVerifier, VERIFIER_CREDENTIALS, type Verifier, type VerifierEcho } from './support/oauthlib-verifier';
import { requestRejection } from './support/assertions';
import { startTlsServer } from './support/https-echo-server';

const CREDENTIALS: OAuth1Credentials = {
  consumerKey: 'security-consumer',
  consumerSecret: 'CONSUMER-secret-Zt4',
  token: 'security-token',
  tokenSecret: 'TOKEN-secret-Pw8',
};
const HOUR = 3_600_000;

describe('HTTP client: credentials stay with their service (src/lib/client)', function () {
  this.timeout(20_000);
  let service: FaultServer;
  let other: FaultServer;
  const clients: HttpClient[] = [];

  function client(settings: Partial<ServiceOptions> = {}): HttpClient {
    const created = createServiceClient({ baseUrl: service.url, credentials: CREDENTIALS, retries: 0, ...settings });
    clients.push(created);
    return created;
  }

  before(async () => {
    [service, other] = await Promise.all([startFaultServer({ credentials: CREDENTIALS }), startFaultServer({ credentials: CREDENTIALS })]);
  });
  afterEach(() => {
    for (const created of clients.splice(0)) created.destroy();
    service.requests.length = 0;
    other.requests.length = 0;
  });
  after(() => Promise.all([service?.close(), other?.close()]));

  describe('origins', () => {
    it('sends nothing to another origin named by an absolute URL, and says how to allow it', async () => {
      other.route('/steal', json({}));
      service.route('/steal', json({}));
      const http = client();
      // Another port, and the same server under another name: both other origins.
      for (const url of [`${other.url}/steal`, `http://localhost:${service.port}/steal`]) {
        const error = await requestRejection(http.request({ url }));
        assert.equal(error.code, 'EORIGIN');
        const origin = new URL(url).origin;
        assert.equal(
          error.message,
          `not sent: ${origin} is not the service's origin (${service.url}); to sign for it, add it to "Also sign for" in the OAuth1 service`,
        );
      }
      for (const signatureMethod of ['PLAINTEXT', 'HMAC-SHA1'] as const) {
        for (const placement of ['header', 'query'] as const) {
          await requestRejection(client({ signatureMethod, placement }).request({ url: `${other.url}/steal` }));
        }
      }
      await requestRejection(client({ scheme: 'oauth2' }).request({ url: `${other.url}/steal` }));
      assert.deepEqual(other.requests, []);
      assert.deepEqual(service.requests, [], 'not even a token request');
    });

    it('signs for the origins in extraOrigins, normalised, and still refuses the rest', async () => {
      other.route('/allowed', json({ ok: true }));
      const http = client({ extraOrigins: [`${other.url.toUpperCase()}/some/path`] });
      const response = await http.request({ url: `${other.url}/allowed` });
      assert.equal(response.statusCode, 200);
      const [signed] = other.requests as [RecordedRequest];
      assert.equal(signed.signature, 'valid');
      const error = await requestRejection(http.request({ url: `http://localhost:${other.port}/allowed` }));
      assert.match(error.message, new RegExp(`is not the service's origin \\(${service.url}, ${other.url}\\)`));
    });

    it('reads the "Also sign for" text as a list of origins', () => {
      assert.deepEqual(originList(' https://a.example.com, https://b.example.com\nhttp://c:8080  '), [
        'https://a.example.com',
        'https://b.example.com',
        'http://c:8080',
      ]);
      assert.deepEqual(originList(''), []);
      assert.deepEqual(originList(undefined), []);
    });

    it('refuses a bad extraOrigins entry at construction', () => {
      for (const bad of ['not a url', 'ftp://files.example.com', 'api.example.com']) {
        assert.throws(
          () => client({ extraOrigins: [bad] }),
          (error: Error) => {
            assert.ok(error instanceof RequestError);
            assert.equal(error.code, 'EINVALIDURL');
            assert.match(error.message, /"Also sign for": ".*" is not an origin such as https:\/\/api\.example\.com/);
            return true;
          },
        );
      }
    });

    it('signs for nothing without a base URL or extraOrigins, and for extraOrigins alone when given', async () => {
      other.route('/x', json({}));
      const error = await requestRejection(client({ baseUrl: undefined }).request({ url: `${other.url}/x` }));
      assert.equal(error.code, 'EORIGIN');
      assert.match(error.message, /no base URL and nothing in "Also sign for"/);
      assert.equal(other.requests.length, 0);
      assert.equal((await client({ baseUrl: undefined, extraOrigins: [other.url] }).request({ url: `${other.url}/x` })).statusCode, 200);
    });

    it('sends an unsigned request (authorize: false) anywhere, without learning the clock from it', async () => {
      other.route('/skewed', (request, res) => {
        res.setHeader('Date', new Date(Date.now() + HOUR).toUTCString());
        json({})(request, res, Date.now());
      });
      service.route('/me', json({}));
      const http = client();
      assert.equal((await http.request({ url: `${other.url}/skewed`, authorize: false })).statusCode, 200);
      assert.equal(other.requests[0]?.placement, 'none');
      await http.request({ url: '/me' });
      const [signed] = service.requests as [RecordedRequest];
      assert.ok(Math.abs(Number(signed.oauth.oauth_timestamp) * 1000 - Date.now()) < 10_000, 'signed with a clock another host set');
    });
  });

  describe('PLAINTEXT and OAuth 2 only over https or loopback', () => {
    it('clearTextProblem refuses plain http to a host that is not loopback, for PLAINTEXT and OAuth 2 only', () => {
      const [plaintext, hmac, oauth2] = [{ signatureMethod: 'PLAINTEXT' }, { signatureMethod: 'HMAC-SHA1' }, { scheme: 'oauth2' }] as const;
      for (const url of ['http://api.example.com/', 'http://10.0.0.1:8080/x', 'http://127.example.com/', 'http://[::2]/', 'HTTP://Gallery.Example.com']) {
        assert.match(
          clearTextProblem(url, plaintext) ?? '',
          /^PLAINTEXT sends the secrets themselves: http:\/\/.* is plain http to another machine; use https, or an HMAC signature method$/,
          url,
        );
        assert.match(
          clearTextProblem(url, oauth2) ?? '',
          /^OAuth 2 sends the access token itself: http:\/\/.* is plain http to another machine; use https$/,
          url,
        );
        assert.equal(clearTextProblem(url, hmac), undefined);
      }
      for (const url of [
        'https://api.example.com/',
        'http://127.0.0.1:1880/',
        'http://127.8.9.10/',
        'http://localhost/',
        'http://LOCALHOST:3000',
        'http://[::1]:8080/',
        undefined,
        '',
      ]) {
        assert.equal(clearTextProblem(url, plaintext), undefined, String(url));
        assert.equal(clearTextProblem(url, oauth2), undefined, String(url));
      }
    });

    it('the client refuses PLAINTEXT over http to a host name that is not loopback with EINSECURE, sending nothing', async () => {
      service.route('/me', json({}));
      // This machine's name: it reaches the local server here, but is no loopback name.
      const baseUrl = `http://${os.hostname()}:${service.port}`;
      for (const placement of ['header', 'query'] as const) {
        const error = await requestRejection(client({ baseUrl, signatureMethod: 'PLAINTEXT', placement }).request({ url: '/me' }));
        assert.equal(error.code, 'EINSECURE');
        assert.match(error.message, /^PLAINTEXT sends the secrets themselves/);
      }
      assert.deepEqual(service.requests, []);
      for (const loopback of [service.url, `http://localhost:${service.port}`]) {
        assert.equal((await client({ baseUrl: loopback, signatureMethod: 'PLAINTEXT' }).request({ url: '/me' })).statusCode, 200);
      }
    });
  });

  describe('bodies are signed as they are sent (checked by oauthlib)', () => {
    let verifier: Verifier;
    before(async () => {
      verifier = await startVerifier();
    });
    after(() => verifier?.close());

    const FORM = 'application/x-www-form-urlencoded';
    // [name, body, headers, the bytes oauthlib must see, the content type it must see]
    const payloads: Array<[string, unknown, Record<string, string>, string, string | null]> = [
      ['a string that reads like a form', 'a=1&b=two', {}, 'a=1&b=two', null],
      ['a Buffer', Buffer.from('x=1&y=2'), {}, 'x=1&y=2', null],
      ['an object as JSON', { a: 1, b: ['x'] }, {}, '{"a":1,"b":["x"]}', 'application/json'],
      ['an object as a form', { a: '1', b: 'two words' }, { 'Content-Type': FORM }, 'a=1&b=two%20words', FORM],
      ['a string with its own content type', 'hello', { 'Content-Type': 'text/plain' }, 'hello', 'text/plain'],
      ['no body', undefined, {}, '', null],
      ['an empty string', '', {}, '', null],
    ];
    for (const placement of ['header', 'query'] as const) {
      for (const method of ['POST', 'PUT', 'PATCH']) {
        for (const [name, body, headers, sent, contentType] of payloads) {
          it(`${method} with ${name} (${placement} placement)`, async () => {
            const http = createServiceClient({ baseUrl: verifier.url, credentials: VERIFIER_CREDENTIALS, placement, retries: 0 });
            clients.push(http);
            const response = await http.request<VerifierEcho>({ method, url: '/body?q=1', headers, body, responseType: 'json' });
            assert.equal(response.statusCode, 200, `oauthlib refused it; expected base string: ${response.body.baseString}`);
            assert.equal(response.body.body, sent);
            assert.equal(response.body.contentType, contentType);
          });
        }
      }
    }
  });

  describe('response size limit', () => {
    it('refuses a body over maxResponseBytes with ETOOLARGE, and takes one at the limit', async () => {
      service.route('/big', respond(200, 'x'.repeat(1000)));
      assert.equal((await client({ maxResponseBytes: 1000 }).request({ url: '/big' })).body, 'x'.repeat(1000));
      const error = await requestRejection(client({ maxResponseBytes: 999 }).request({ url: '/big' }));
      assert.equal(error.code, 'ETOOLARGE');
      assert.equal(error.message, `the response body is larger than 999 bytes (maxResponseBytes) (127.0.0.1:${service.port})`);
    });

    it('counts the decompressed size: a small gzip body that inflates to 256 MB is cut off early, not inflated into memory', async function () {
      this.timeout(60_000);
      // Concatenated gzip members inflate one after the other: 16 × 16 MB of zeros from about 260 KB.
      const member = zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
      const bomb = Buffer.concat(Array.from({ length: 16 }, () => member));
      assert.ok(bomb.length < 1024 * 1024);
      service.route('/bomb', respond(200, bomb, { 'Content-Encoding': 'gzip', 'Content-Type': 'application/octet-stream' }));
      const before = process.memoryUsage();
      const error = await requestRejection(client({ maxResponseBytes: 1024 * 1024 }).request({ url: '/bomb', responseType: 'buffer' }));
      const after = process.memoryUsage();
      assert.equal(error.code, 'ETOOLARGE');
      const grown = after.rss + after.arrayBuffers - (before.rss + before.arrayBuffers);
      assert.ok(grown < 64 * 1024 * 1024, `memory grew by ${Math.round(grown / 1024 / 1024)} MB`);
    });
  });

  describe('CR/LF from input never reaches a message raw', () => {
    it('escapes CR/LF of a method, a header name and a URL in the error text, sending nothing', async () => {
      const http = client();
      const cases: Array<[Parameters<HttpClient['request']>[0], string, RegExp]> = [
        [{ method: 'GET\r\nX-Injected: 1', url: '/x' }, 'EINVALIDMETHOD', /^unsupported method "GET\\r\\nX-Injected: 1": use one of/],
        [{ url: '/x', headers: { 'X-A\r\nInjected': '1' } }, 'EINVALIDHEADER', /^invalid header name "X-A…"/],
        [{ url: '/x', headers: { '\r\nX-B': '1' } }, 'EINVALIDHEADER', /^invalid header name: HTTP allows/],
        [{ url: 'http://exa mple.com/\r\nInjected: 1' }, 'EINVALIDURL', /^invalid URL "http:\/\/exa mple\.com\/\\r\\nInjected: 1"$/],
        [{ url: 'ftp://x/\r\nInjected: 1' }, 'EINVALIDURL', /^unsupported protocol "ftp:" in "ftp:\/\/x\/\\r\\nInjected: 1"/],
      ];
      for (const [request, code, message] of cases) {
        const error = await requestRejection(http.request(request));
        assert.equal(error.code, code);
        assert.doesNotMatch(error.message, /[\r\n]/);
        assert.match(error.message, message);
      }
      assert.deepEqual(service.requests, []);
    });
  });

  describe('redirects to another origin', () => {
    it("forward none of the user's headers but Accept, Accept-Language, User-Agent and the Content-Type of a kept body", async () => {
      other.route('/landing', json({}));
      service.route('/away', redirect(`${other.url}/landing`, 307));
      service.route('/near', redirect('/landing', 307));
      service.route('/landing', json({}));
      const headers = {
        'X-Api-Key': 'users-api-key',
        'x-custom': 'anything',
        Accept: 'application/json',
        'Accept-Language': 'nl',
        'User-Agent': 'flow/1',
        'Content-Type': 'text/plain',
      };
      const http = client();
      await http.request({ method: 'PUT', url: '/away', headers, body: 'kept body' });
      const [landed] = other.requests as [RecordedRequest];
      assert.equal(landed.headers['x-api-key'], undefined);
      assert.equal(landed.headers['x-custom'], undefined);
      assert.deepEqual(
        [landed.headers.accept, landed.headers['accept-language'], landed.headers['user-agent'], landed.headers['content-type'], landed.body.toString()],
        ['application/json', 'nl', 'flow/1', 'text/plain', 'kept body'],
      );
      // The same origin gets them all.
      await http.request({ method: 'PUT', url: '/near', headers, body: 'kept body' });
      assert.equal(service.requestsTo('/landing')[0]?.headers['x-api-key'], 'users-api-key');
    });

    it('carry no cookie another origin set: service → other origin (Set-Cookie) → back to the service, which gets none', async () => {
      service.route('/login', redirect(`${other.url}/plant`));
      other.route('/plant', respond(302, '', { Location: `${service.url}/home`, 'Set-Cookie': 'session=planted-by-other; Path=/' }));
      service.route('/home', json({}));
      const response = await client().request({ url: '/login' });
      assert.equal(response.statusCode, 200);
      const [home] = service.requestsTo('/home') as [RecordedRequest];
      assert.equal(home.headers.cookie, undefined, 'session fixation: the service got the cookie another origin set');
      // The Set-Cookie is still reported where it came from, in msg.redirectList.
      assert.deepEqual(response.redirects?.[1]?.setCookie, ['session=planted-by-other; Path=/']);
    });

    it("carry the service's own cookie along its own origin", async () => {
      service.route('/start', respond(302, '', { Location: '/end', 'Set-Cookie': 'own=1; Path=/' }));
      service.route('/end', json({}));
      await client().request({ url: '/start' });
      assert.equal(service.requestsTo('/end')[0]?.headers.cookie, 'own=1');
    });
  });

  describe('OAuth 2', () => {
    const token = (value: string) => json({ access_token: value, token_type: 'bearer', expires_in: 3600 });

    it('asks for the token at baseUrl + tokenPath (oauth2/token by default) and sends the bearer token there only', async () => {
      service.route('/oauth2/token', token('default-path-token'));
      service.route('/auth/v2/token', token('own-path-token'));
      service.route('/me', json({}));
      await client({ scheme: 'oauth2' }).request({ url: '/me' });
      const ownPath = client({ scheme: 'oauth2', tokenPath: 'auth/v2/token' });
      await ownPath.request({ url: '/me' });
      assert.deepEqual(
        service.requestsTo('/me').map((request) => request.headers.authorization),
        ['Bearer default-path-token', 'Bearer own-path-token'],
      );
      assert.equal((await requestRejection(ownPath.request({ url: `${other.url}/me` }))).code, 'EORIGIN');
      assert.deepEqual(other.requests, []);
    });

    it('refuses plain http to a host that is not loopback, sending neither the client secret nor a bearer token', async () => {
      service.route('/oauth2/token', token('clear-text-token'));
      service.route('/me', json({}));
      // This machine's name: it reaches the local server here, but is no loopback name.
      const baseUrl = `http://${os.hostname()}:${service.port}`;
      const error = await requestRejection(client({ baseUrl, scheme: 'oauth2' }).request({ url: '/me' }));
      assert.equal(error.code, 'EINSECURE');
      assert.match(error.message, /^OAuth 2 sends the access token itself: http:\/\/.* is plain http to another machine; use https$/);
      // The token request on its own, as the authorizer sends it: refused by the client too.
      const tokenRequest = await requestRejection(
        client({ baseUrl, scheme: 'oauth2' }).request({
          method: 'POST',
          url: 'oauth2/token',
          body: `grant_type=client_credentials&client_secret=${CREDENTIALS.consumerSecret}`,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          authorize: false,
          credentialsInBody: true,
        }),
      );
      assert.equal(tokenRequest.code, 'EINSECURE');
      assert.match(tokenRequest.message, /^the token request sends the client secret itself: /);
      assert.deepEqual(service.requests, [], 'a credential went out in clear');
      // To this machine by a loopback name, plain http is fine.
      assert.equal((await client({ scheme: 'oauth2' }).request({ url: '/me' })).statusCode, 200);
    });

    it('refuses msg.rejectUnauthorized = false: the cached bearer token does not go to whoever answers', async () => {
      const tls = await startTlsServer();
      try {
        service.route('/oauth2/token', token('unchecked-token'));
        // The API over https, the token from this machine over http: a token is at hand either way.
        const settings: Partial<ServiceOptions> = {
          baseUrl: tls.url,
          extraOrigins: [service.url],
          scheme: 'oauth2',
          tokenPath: `${service.url}/oauth2/token`,
        };
        const error = await requestRejection(client(settings).request({ url: '/me', rejectUnauthorized: false }));
        assert.equal(error.code, 'EINSECURE');
        assert.match(error.message, /^OAuth 2 sends the access token itself: not with msg\.rejectUnauthorized = false/);
        assert.equal(tls.requests.length, 0, 'the bearer token went to an unchecked certificate');
        // A TLS configuration of the service decides the check itself: msg.rejectUnauthorized is ignored there.
        const checked = await client({ ...settings, tls: { ca: tls.cert } }).request({ url: '/me', rejectUnauthorized: false });
        assert.equal(checked.statusCode, 200);
        assert.equal(tls.requests[0]?.headers.authorization, 'Bearer unchecked-token');
      } finally {
        await tls.close();
      }
    });

    it('sends the client secret to no other origin, even when tokenPath names one', async () => {
      other.route('/token', token('stolen'));
      const error = await requestRejection(client({ scheme: 'oauth2', tokenPath: `${other.url}/token` }).request({ url: '/me' }));
      assert.equal(error.code, 'EORIGIN');
      assert.deepEqual(other.requests, [], 'the client secret went to another origin');
      assert.deepEqual(service.requests, []);
    });
  });
});
