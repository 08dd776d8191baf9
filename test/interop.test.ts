/**
 * Interoperability: requests signed by our library and sent by our client must be accepted
 * by oauthlib, an implementation we did not write (the one behind requests_oauthlib).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import fc from 'fast-check';
import type { HttpClient } from '../src/lib/client';
import { createServiceClient } from '../src/lib/service';
import { OAuth1Signer, parseParameters, SIGNATURE_METHODS, PLACEMENTS, usesPrivateKey, type OAuth1Credentials, type SigningOptions } from '../src/lib/oauth1';
import { OAUTH_TEST_CASES_PKCS8 } from './support/rsa-test-keys';
import { startVerifier, VERIFIER_CREDENTIALS, VERIFIER_RSA_PRIVATE_KEY, type Verifier, type VerifierEcho } from './support/oauthlib-verifier';

type Echo = VerifierEcho;

/**
 * oauthlib percent-decodes `oauth_*` query parameters twice (collect_parameters unescapes
 * them again), so a PLAINTEXT signature, which is the encoded secrets, only survives query
 * placement when the secrets need no encoding. RFC 5849 §3.5.3 decodes once, as we do.
 * That one combination is checked against a second verifier with plain secrets.
 */
const PLAIN_SECRETS = { consumerKey: 'plain-key', consumerSecret: 'plainsecret', token: 'plain-token', tokenSecret: 'plaintokensecret' };

/** What the server should decode from a query: our parser, minus the stale oauth_* pairs the signer drops. */
function expectedQuery(url: string): Array<[string, string]> {
  const query = new URL(url).search.slice(1);
  return parseParameters(query.replace(/%(?![0-9A-Fa-f]{2})/g, '%25')).filter(([key]) => !key.startsWith('oauth_'));
}

function describeFailure(echo: Echo, url: string): string {
  return `oauthlib refused ${url}\n  its base string: ${echo.baseString}`;
}

describe('interoperability with oauthlib', function () {
  this.timeout(120_000);
  let verifier: Verifier;
  let plainVerifier: Verifier;
  before(async () => {
    [verifier, plainVerifier] = await Promise.all([startVerifier(), startVerifier(PLAIN_SECRETS)]);
  });
  after(() => Promise.all([verifier?.close(), plainVerifier?.close()]));

  type Placement = (typeof PLACEMENTS)[number];
  type Method = (typeof SIGNATURE_METHODS)[number];

  function targetFor(placement: Placement, signatureMethod: Method): { url: string; credentials: OAuth1Credentials } {
    return placement === 'query' && signatureMethod === 'PLAINTEXT'
      ? { url: plainVerifier.url, credentials: PLAIN_SECRETS }
      : { url: verifier.url, credentials: VERIFIER_CREDENTIALS };
  }

  /** The credentials a method signs with: RSA-SHA* adds the private key whose public half the verifier holds. */
  function credentialsFor(withToken: boolean, placement: Placement, signatureMethod: Method): OAuth1Credentials {
    const { credentials } = targetFor(placement, signatureMethod);
    const consumer = withToken ? { ...credentials } : { consumerKey: credentials.consumerKey, consumerSecret: credentials.consumerSecret };
    return usesPrivateKey(signatureMethod) ? { ...consumer, privateKey: VERIFIER_RSA_PRIVATE_KEY } : consumer;
  }

  function client(withToken: boolean, placement: Placement, signatureMethod: Method, baseUrl?: string): HttpClient {
    const credentials = credentialsFor(withToken, placement, signatureMethod);
    return createServiceClient({ baseUrl: baseUrl ?? targetFor(placement, signatureMethod).url, credentials, placement, signatureMethod, retries: 0 });
  }

  /**
   * Signs with the library's signer and sends with node:http: to send a body other than the
   * signed one, and to name the realm that protects the resource (`resourceRealm`, which
   * oauthlib's validate_realms compares with the realm of the header).
   */
  async function sendSigned(
    options: SigningOptions & { withToken: boolean; placement: Placement; signatureMethod: Method },
    request: { method: string; path: string; body?: Buffer; contentType?: string; sentBody?: Buffer; resourceRealm?: string },
  ): Promise<{ statusCode: number; body: Echo }> {
    const credentials = credentialsFor(options.withToken, options.placement, options.signatureMethod);
    const signer = new OAuth1Signer(credentials, options);
    const url = `${targetFor(options.placement, options.signatureMethod).url}${request.path}`;
    const signed = signer.sign({ method: request.method, url, body: request.body });
    const body = request.sentBody ?? request.body ?? Buffer.alloc(0);
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...signed.headers, 'Content-Length': body.length };
      if (request.contentType) headers['Content-Type'] = request.contentType;
      if (request.resourceRealm !== undefined) headers['X-Resource-Realm'] = encodeURIComponent(request.resourceRealm);
      const outgoing = http.request(signed.url, { method: request.method, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ statusCode: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Echo }));
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  const awkwardUrls: Array<[string, string]> = [
    ['a plain path', '/users/v1/me'],
    ['RQL keys without values', '/users/v1/?select(id,email)&limit(10)&sort(-creation_timestamp)'],
    ['+ as space, %20 and an encoded +', '/search?q=a+b&q=a%20b&q=%2B'],
    ['%25 literals and a stray %', '/p?pct=100%25&stray=50%'],
    ['non-ASCII, encoded and raw', '/p?euro=%E2%82%AC&face=%F0%9F%98%80&raw=日本'],
    ["reserved characters !*'() encoded and raw", "/p?enc=%21%2A%27%28%29&raw=!*'()"],
    ['empty values, a key without =, repeated keys', '/p?empty=&novalue&dup=2&dup=1&dup=2'],
    ['keys named like Object properties', '/p?__proto__=x&constructor=y&toString=z'],
    ['an encoded path', '/a%20b/c%2Fd/%C3%BC/'],
    ['raw spaces and unicode in the path', '/path with space/ü'],
    // Sent as written, like the core node sends them: oauthlib refuses them raw, so they are written encoded.
    ['characters RFC 3986 forbids in a query, written encoded', '/p?brackets=%5B1%5D&pipe=a%7Cb&caret=%5E&curly=%7Bx%7D'],
    ['stale oauth_* parameters in the URL', '/jobs/?oauth_nonce=stale&oauth_signature=old%3D&x=1'],
    ['a fragment', '/p?x=1#fragment'],
    ['an upper-case host', '/UPPER?X=Y'],
    ['a query that starts with a second ?', '/p??a=1&b=2'],
  ];

  for (const [credentialsName, withToken] of [
    ['with a token', true],
    ['without a token (1-legged)', false],
  ] as const) {
    for (const placement of PLACEMENTS) {
      for (const signatureMethod of SIGNATURE_METHODS) {
        describe(`${signatureMethod}, ${placement} placement, ${credentialsName}`, () => {
          for (const [name, path] of awkwardUrls) {
            it(`accepts ${name}: ${path}`, async () => {
              const target = targetFor(placement, signatureMethod).url;
              const base = name === 'an upper-case host' ? target.replace('127.0.0.1', 'LOCALHOST') : target;
              const url = base + path;
              // The verifier refuses a nonce it has seen: the second request shows that each gets a fresh one.
              const signing = client(withToken, placement, signatureMethod, base);
              for (let round = 0; round < 2; round++) {
                const response = await signing.request<Echo>({ url, responseType: 'json' });
                assert.equal(response.statusCode, 200, `round ${round}: ${describeFailure(response.body, url)}`);
                assert.deepEqual(response.body.query, expectedQuery(url));
                assert.equal(response.body.token, withToken);
              }
            });
          }

          it('accepts a signed form body', async () => {
            const response = await client(withToken, placement, signatureMethod).request<Echo>({
              method: 'POST',
              url: '/form?x=1',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: { name: 'Ada Lovelace', tags: ['a', 'b&c'], empty: '' },
              responseType: 'json',
            });
            assert.equal(response.statusCode, 200, describeFailure(response.body, 'form'));
            // Spaces as %20, as the core http request node encodes forms.
            assert.equal(response.body.body, 'name=Ada%20Lovelace&tags=a&tags=b%26c&empty=');
          });

          it('accepts a realm, which is sent in the header only and never signed', async () => {
            const response = await sendSigned(
              { withToken, placement, signatureMethod, realm: '1234567_SB1' },
              // Query placement sends no realm, so the resource names one only for the header.
              { method: 'GET', path: '/record/v1/customer?limit=5', resourceRealm: placement === 'header' ? '1234567_SB1' : undefined },
            );
            assert.equal(response.statusCode, 200, describeFailure(response.body, 'realm'));
            assert.equal(response.body.realm, placement === 'header' ? '1234567_SB1' : null);
          });

          if (placement === 'header') {
            it("is refused by oauthlib's validate_realms with a realm other than the resource's", async () => {
              const response = await sendSigned(
                { withToken, placement, signatureMethod, realm: '1234567-sb1' },
                { method: 'GET', path: '/record/v1/customer?limit=5', resourceRealm: '1234567_SB1' },
              );
              assert.equal(response.statusCode, 401);
              assert.equal(response.body.realm, '1234567-sb1');
            });
          }

          it('accepts a JSON body with its oauth_body_hash, and refuses the same signature with a tampered body', async () => {
            const options = { withToken, placement, signatureMethod, bodyHash: true };
            const body = Buffer.from(JSON.stringify({ questions: [{ name: 'Country', value: 'BE' }], priority: '0' }));
            const request = { method: 'POST', path: '/v1/workflows/abc/jobs/', body, contentType: 'application/json' };
            const accepted = await sendSigned(options, request);
            assert.equal(accepted.statusCode, 200, describeFailure(accepted.body, 'body hash'));
            assert.ok(accepted.body.bodyHash, 'oauth_body_hash was sent');
            const tampered = await sendSigned(options, { ...request, sentBody: Buffer.from(body.toString().replace('BE', 'NL')) });
            assert.equal(tampered.statusCode, 401);
            assert.equal(tampered.body.message, 'oauth_body_hash does not match the body');
          });

          it('accepts a JSON body, which is not signed', async () => {
            const response = await client(withToken, placement, signatureMethod).request<Echo>({
              method: 'POST',
              url: '/v1/workflows/abc/jobs/',
              body: { questions: [{ name: 'Country', value: 'BE' }], priority: '0' },
              responseType: 'json',
            });
            assert.equal(response.statusCode, 200, describeFailure(response.body, 'json'));
            assert.deepEqual(JSON.parse(response.body.body), { questions: [{ name: 'Country', value: 'BE' }], priority: '0' });
          });
        });
      }
    }
  }

  it('is refused with a wrong secret (the verifier can fail)', async () => {
    const wrong = createServiceClient({ baseUrl: verifier.url, credentials: { ...VERIFIER_CREDENTIALS, tokenSecret: 'wrong' }, retries: 0 });
    const response = await wrong.request<Echo>({ url: '/users/v1/me', responseType: 'json' });
    assert.equal(response.statusCode, 401);
  });

  it('RSA-SHA1 with a token and no token secret is accepted: RFC 5849 §3.4.3 signs with the private key alone', async () => {
    const { tokenSecret: _unused, ...withoutTokenSecret } = VERIFIER_CREDENTIALS;
    const credentials = { ...withoutTokenSecret, privateKey: VERIFIER_RSA_PRIVATE_KEY };
    const client = createServiceClient({ baseUrl: verifier.url, credentials, signatureMethod: 'RSA-SHA1', retries: 0 });
    const response = await client.request<Echo>({ url: '/users/v1/me', responseType: 'json' });
    assert.equal(response.statusCode, 200, JSON.stringify(response.body));
    assert.equal(response.body.token, true);
  });

  it('is refused with another RSA key (the verifier checks RSA signatures)', async () => {
    const otherKey = { ...VERIFIER_CREDENTIALS, privateKey: OAUTH_TEST_CASES_PKCS8 };
    const wrong = createServiceClient({ baseUrl: verifier.url, credentials: otherKey, signatureMethod: 'RSA-SHA1', retries: 0 });
    const response = await wrong.request<Echo>({ url: '/users/v1/me', responseType: 'json' });
    assert.equal(response.statusCode, 401);
  });

  describe('property: any path and query survives signing', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 12 });
    const key = fc.oneof(text, fc.constantFrom('select(id,email)', '__proto__', 'a+b', '%', '100%25', 'x y')).filter((k) => !k.startsWith('oauth_'));
    const encode = fc.constantFrom<(value: string) => string>(
      encodeURIComponent,
      (value) => encodeURIComponent(value).replace(/%20/g, '+'),
      (value) => encodeURIComponent(value).replace(/%2C/g, ',').replace(/%28/g, '(').replace(/%29/g, ')'),
    );
    const pair = fc.record({ key, value: fc.option(text, { nil: undefined }), encode });
    const request = fc.record({
      segments: fc.array(text, { maxLength: 4 }),
      pairs: fc.array(pair, { maxLength: 8 }),
      duplicate: fc.boolean(),
      placement: fc.constantFrom(...PLACEMENTS),
      signatureMethod: fc.constantFrom(...SIGNATURE_METHODS),
      withToken: fc.boolean(),
      form: fc.option(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 6 }).filter((k) => !k.startsWith('oauth_')),
          text,
          { maxKeys: 3 },
        ),
        { nil: undefined },
      ),
    });

    it('accepts any body bytes with their oauth_body_hash and any realm, for every method, 100 random requests', async () => {
      const signedBody = fc.record({
        body: fc.uint8Array({ maxLength: 64 }),
        contentType: fc.constantFrom('application/json', 'application/octet-stream', 'text/plain; charset=utf-8'),
        realm: fc.option(fc.stringMatching(/^[A-Za-z0-9_ .:/-]{0,20}$/), { nil: undefined }),
        placement: fc.constantFrom(...PLACEMENTS),
        signatureMethod: fc.constantFrom(...SIGNATURE_METHODS),
        withToken: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(signedBody, async (r) => {
          const body = Buffer.from(r.body);
          const resourceRealm = r.placement === 'header' ? r.realm : undefined;
          const response = await sendSigned({ ...r, bodyHash: true }, { method: 'PUT', path: '/p/resource', body, contentType: r.contentType, resourceRealm });
          assert.equal(response.statusCode, 200, describeFailure(response.body, `${r.signatureMethod} ${r.placement} ${body.toString('hex')}`));
          assert.equal(response.body.realm, r.placement === 'header' && r.realm !== undefined ? r.realm : null);
        }),
        { numRuns: 100 },
      );
    });

    it('is accepted by oauthlib for 200 random requests', async () => {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const pairs = r.duplicate && r.pairs.length ? [...r.pairs, r.pairs[0]] : r.pairs;
          const query = pairs.map((p) => (p.value === undefined ? p.encode(p.key) : `${p.encode(p.key)}=${p.encode(p.value)}`)).join('&');
          // Python's http.server folds a leading `//` into `/` before oauthlib sees it, hence the fixed first segment.
          const path = '/p/' + r.segments.map(encodeURIComponent).join('/');
          const url = `${targetFor(r.placement, r.signatureMethod).url}${path}${query ? `?${query}` : ''}`;
          const response = await client(r.withToken, r.placement, r.signatureMethod).request<Echo>({
            method: r.form ? 'POST' : 'GET',
            url,
            headers: r.form ? { 'content-type': 'application/x-www-form-urlencoded' } : undefined,
            body: r.form,
            responseType: 'json',
          });
          assert.equal(response.statusCode, 200, describeFailure(response.body, url));
          assert.deepEqual(response.body.query, expectedQuery(url));
        }),
        { numRuns: 200 },
      );
    });
  });
});
