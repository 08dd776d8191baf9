import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import OAuth = require('oauth-1.0a');
import {
  hashFunction,
  normalizeUrl,
  OAuth1Signer,
  parseParameters,
  parsePrivateKey,
  percentEncode,
  SIGNATURE_METHODS,
  signatureBaseString,
  signRequest,
  usesPrivateKey,
  withoutProtocolParameters,
  type RequestToSign,
  type SignatureMethod,
  type SignedRequest,
  type SigningOptions,
  type SigningOverrides,
} from '../src/lib/oauth1';
import { OAUTH_TEST_CASES_PKCS8, OAUTHLIB_TEST_PKCS1 } from './support/rsa-test-keys';

const ALTERYX = { consumerKey: 'testkey', consumerSecret: 'testsecret' };
const FIXED = { nonce: '123456789', timestamp: 1700000000 };

describe('signing library (src/lib/oauth1)', () => {
  describe('signature methods', () => {
    it('signs HMAC-SHA512 with a 64-byte HMAC', () => {
      const signed = signRequest({ method: 'GET', url: 'https://h/' }, ALTERYX, { signatureMethod: 'HMAC-SHA512' }, FIXED);
      assert.equal(signed.oauthParams.oauth_signature_method, 'HMAC-SHA512');
      assert.equal(Buffer.from(signed.oauthParams.oauth_signature, 'base64').length, 64);
    });

    for (const [method, digest] of [
      ['RSA-SHA1', 'sha1'],
      ['RSA-SHA256', 'sha256'],
      ['RSA-SHA512', 'sha512'],
    ] as const) {
      it(`signs ${method} with a PKCS#1 or PKCS#8 private key and no consumer secret: the public key verifies the base string`, () => {
        for (const privateKey of [OAUTHLIB_TEST_PKCS1, OAUTH_TEST_CASES_PKCS8]) {
          const url = 'https://h/a?select(id)&x=1';
          const signed = signRequest({ method: 'GET', url }, { consumerKey: 'key', consumerSecret: '', privateKey }, { signatureMethod: method }, FIXED);
          const { oauth_signature: signature, ...protocol } = signed.oauthParams;
          const baseString = signatureBaseString('GET', 'https://h/a', [['select(id)', ''], ['x', '1'], ...Object.entries(protocol)]);
          assert.ok(verify(digest, Buffer.from(baseString), createPublicKey(privateKey), Buffer.from(signature, 'base64')));
        }
      });
    }

    it('refuses an RSA method without a private key, or with one that does not parse, naming the problem and never the key', () => {
      const broken = OAUTH_TEST_CASES_PKCS8.replace('MIICdgIBADAN', 'MIICdgIBAXAN');
      assert.throws(() => new OAuth1Signer({ consumerKey: 'k', consumerSecret: '' }, { signatureMethod: 'RSA-SHA1' }), {
        name: 'TypeError',
        message: 'private key missing: RSA-SHA1 signs with a PEM RSA private key',
      });
      for (const privateKey of ['not a key', broken, OAUTH_TEST_CASES_PKCS8.slice(0, 200)]) {
        assert.throws(
          () => new OAuth1Signer({ consumerKey: 'k', consumerSecret: '', privateKey }, { signatureMethod: 'RSA-SHA256' }),
          (error: Error) =>
            error instanceof TypeError &&
            /^private key does not parse: expected an unencrypted PEM RSA private key/.test(error.message) &&
            !error.message.includes('MIIC'),
        );
      }
    });

    it('reads a PEM key whose line breaks a single-line password field or an environment variable lost', () => {
      const reference = signRequest(
        { method: 'GET', url: 'https://h/' },
        { consumerKey: 'k', consumerSecret: '', privateKey: OAUTH_TEST_CASES_PKCS8 },
        { signatureMethod: 'RSA-SHA1' },
        FIXED,
      );
      for (const separator of ['', ' ', '\\n', '\r\n']) {
        const privateKey = OAUTH_TEST_CASES_PKCS8.trim().split('\n').join(separator);
        const signed = signRequest(
          { method: 'GET', url: 'https://h/' },
          { consumerKey: 'k', consumerSecret: '', privateKey },
          { signatureMethod: 'RSA-SHA1' },
          FIXED,
        );
        assert.equal(signed.oauthParams.oauth_signature, reference.oauthParams.oauth_signature, JSON.stringify(separator));
      }
    });

    it('has no RSA hash function without a private key', () => {
      assert.throws(() => hashFunction('RSA-SHA256'), { name: 'TypeError', message: 'private key missing: RSA-SHA256 signs with a PEM RSA private key' });
    });

    it('refuses a private key that is not RSA', () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      assert.throws(
        () => new OAuth1Signer({ consumerKey: 'k', consumerSecret: '', privateKey: pem }, { signatureMethod: 'RSA-SHA1' }),
        /private key is a ec key: RSA-SHA1 needs an RSA key/,
      );
    });

    it('still needs a consumer secret for HMAC and PLAINTEXT', () => {
      const noSecret = { consumerKey: 'k' } as { consumerKey: string; consumerSecret: string };
      for (const signatureMethod of ['HMAC-SHA1', 'PLAINTEXT'] as const) {
        assert.throws(() => new OAuth1Signer(noSecret, { signatureMethod }), /consumer secret missing/);
      }
    });
  });

  describe('realm (RFC 5849 §3.5.1, §3.4.1.3.1)', () => {
    it('sends the realm as the first parameter of the Authorization header and never signs it', () => {
      const withRealm = signRequest({ method: 'GET', url: 'https://h/a?x=1' }, ALTERYX, { realm: '1234567_SB1', signatureMethod: 'HMAC-SHA256' }, FIXED);
      const without = signRequest({ method: 'GET', url: 'https://h/a?x=1' }, ALTERYX, { signatureMethod: 'HMAC-SHA256' }, FIXED);
      assert.match(withRealm.headers.Authorization ?? '', /^OAuth realm="1234567_SB1", oauth_consumer_key="testkey", /);
      assert.equal(withRealm.oauthParams.oauth_signature, without.oauthParams.oauth_signature);
      assert.equal(withRealm.oauthParams.realm, undefined);
    });

    it('does not send the realm with query placement', () => {
      const signed = signRequest({ method: 'GET', url: 'https://h/a?x=1' }, ALTERYX, { realm: 'Photos', placement: 'query' }, FIXED);
      assert.ok(!signed.url.includes('realm'));
      assert.deepEqual(signed.headers, {});
    });

    it('refuses a realm that would break out of its quoted string', () => {
      for (const realm of ['a"b', 'a\\b', 'a\r\nX-Injected: 1']) {
        assert.throws(() => new OAuth1Signer(ALTERYX, { realm }), /realm must not contain quotes, backslashes or control characters/);
      }
    });
  });

  describe('oauth_body_hash (OAuth Request Body Hash draft)', () => {
    const json = Buffer.from('{"questions":[],"priority":"0"}');
    const base64Digest = (algorithm: string, body: Buffer) => createHash(algorithm).update(body).digest('base64');

    it("hashes the exact body bytes of a non-form request with the signature method's digest, SHA-1 for PLAINTEXT", () => {
      const digests: Array<[SignatureMethod, string]> = [
        ['HMAC-SHA1', 'sha1'],
        ['HMAC-SHA256', 'sha256'],
        ['HMAC-SHA512', 'sha512'],
        ['PLAINTEXT', 'sha1'],
      ];
      for (const [signatureMethod, digest] of digests) {
        const signed = signRequest({ method: 'POST', url: 'https://h/jobs', body: json }, ALTERYX, { signatureMethod, bodyHash: true }, FIXED);
        assert.equal(signed.oauthParams.oauth_body_hash, base64Digest(digest, json), signatureMethod);
      }
      const rsa = signRequest(
        { method: 'POST', url: 'https://h/jobs', body: json },
        { consumerKey: 'k', consumerSecret: '', privateKey: OAUTHLIB_TEST_PKCS1 },
        { signatureMethod: 'RSA-SHA256', bodyHash: true },
        FIXED,
      );
      assert.equal(rsa.oauthParams.oauth_body_hash, base64Digest('sha256', json));
    });

    it('signs the body hash, so another body gives another signature', () => {
      const one = signRequest({ method: 'POST', url: 'https://h/jobs', body: json }, ALTERYX, { bodyHash: true }, FIXED);
      const other = signRequest({ method: 'POST', url: 'https://h/jobs', body: Buffer.from('{}') }, ALTERYX, { bodyHash: true }, FIXED);
      assert.notEqual(one.oauthParams.oauth_signature, other.oauthParams.oauth_signature);
      assert.match(one.headers.Authorization ?? '', /^OAuth oauth_body_hash="[^"]+", oauth_consumer_key=/);
    });

    it('hashes the empty string when there is no body', () => {
      const signed = signRequest({ method: 'GET', url: 'https://h/' }, ALTERYX, { bodyHash: true }, FIXED);
      assert.equal(signed.oauthParams.oauth_body_hash, '2jmj7l5rSw0yVb/vlWAYkK/YBwk=');
    });

    it('adds no body hash to form bodies, whose parameters are signed instead, nor when the option is off', () => {
      const form = signRequest({ method: 'POST', url: 'https://h/', formBody: 'a=1', body: Buffer.from('a=1') }, ALTERYX, { bodyHash: true }, FIXED);
      assert.equal(form.oauthParams.oauth_body_hash, undefined);
      const off = signRequest({ method: 'POST', url: 'https://h/', body: json }, ALTERYX, {}, FIXED);
      assert.equal(off.oauthParams.oauth_body_hash, undefined);
    });

    it('appends the body hash to the URL with query placement', () => {
      const signed = signRequest(
        { method: 'PUT', url: 'https://h/p?x=1', body: Buffer.from('Hello World!') },
        ALTERYX,
        { bodyHash: true, placement: 'query' },
        FIXED,
      );
      assert.match(signed.url, /^https:\/\/h\/p\?x=1&oauth_body_hash=Lve95gjOVATpfV8EL5X4nxwjKHE%3D&oauth_consumer_key=testkey&/);
    });
  });

  describe('guards', () => {
    it("percent-encodes per RFC 3986, including !*'()", () => {
      assert.equal(percentEncode("a b!*'()~-._+%/€"), 'a%20b%21%2A%27%28%29~-._%2B%25%2F%E2%82%AC');
    });

    it('lower-cases scheme and host, drops the default port and the fragment', () => {
      const { baseUri, sendUrl } = normalizeUrl('HTTPS://API.Example.COM:443/Users/V1/me?x=1#section');
      assert.equal(baseUri, 'https://api.example.com/Users/V1/me');
      assert.equal(sendUrl, 'https://api.example.com/Users/V1/me?x=1');
    });

    it('keeps a non-default port', () => {
      assert.equal(normalizeUrl('http://h:8080/a').baseUri, 'http://h:8080/a');
    });

    it('signs RQL keys without values like select(id,email) and sends them untouched', () => {
      const { queryPairs, sendUrl } = normalizeUrl('https://h/users/v1/?select(id,email)&limit(10)');
      assert.deepEqual(queryPairs, [
        ['select(id,email)', ''],
        ['limit(10)', ''],
      ]);
      assert.equal(sendUrl, 'https://h/users/v1/?select(id,email)&limit(10)');
    });

    it('decodes the query exactly once: + is a space, %25 is a literal %, a stray % stays literal', () => {
      const { queryPairs, sendUrl } = normalizeUrl('https://h/?a=x+y&b=100%25&c=50%&d=%E2%82%AC');
      assert.deepEqual(queryPairs, [
        ['a', 'x y'],
        ['b', '100%'],
        ['c', '50%'],
        ['d', '€'],
      ]);
      assert.equal(sendUrl, 'https://h/?a=x+y&b=100%25&c=50%25&d=%E2%82%AC');
    });

    it('keeps repeated keys and signs them sorted by value', () => {
      const one = signRequest({ method: 'GET', url: 'https://h/?k=b&k=a' }, ALTERYX, {}, FIXED).oauthParams.oauth_signature;
      const two = signRequest({ method: 'GET', url: 'https://h/?k=a&k=b' }, ALTERYX, {}, FIXED).oauthParams.oauth_signature;
      const single = signRequest({ method: 'GET', url: 'https://h/?k=a' }, ALTERYX, {}, FIXED).oauthParams.oauth_signature;
      assert.equal(one, two);
      assert.notEqual(one, single);
    });

    it('treats a key named __proto__ as data', () => {
      const withProto = signRequest({ method: 'GET', url: 'https://h/?__proto__=x' }, ALTERYX, {}, FIXED).oauthParams.oauth_signature;
      const without = signRequest({ method: 'GET', url: 'https://h/' }, ALTERYX, {}, FIXED).oauthParams.oauth_signature;
      assert.notEqual(withProto, without);
    });

    it('drops stale oauth_* parameters copied into the URL', () => {
      const stale = 'https://h/jobs/?oauth_timestamp=1539784724&oauth_nonce=7Ck8g&x=1&oauth_signature=TC1b%3D';
      const signed = signRequest({ method: 'POST', url: stale }, ALTERYX, { placement: 'query' }, FIXED);
      const clean = signRequest({ method: 'POST', url: 'https://h/jobs/?x=1' }, ALTERYX, { placement: 'query' }, FIXED);
      assert.equal(signed.url, clean.url);
      assert.equal((signed.url.match(/oauth_nonce=/g) ?? []).length, 1);
    });

    it('signs form bodies', () => {
      const withForm = signRequest({ method: 'POST', url: 'https://h/', formBody: 'a=1' }, ALTERYX, {}, FIXED);
      const without = signRequest({ method: 'POST', url: 'https://h/' }, ALTERYX, {}, FIXED);
      assert.notEqual(withForm.oauthParams.oauth_signature, without.oauthParams.oauth_signature);
    });

    it('query placement appends only the oauth_* pairs; header placement leaves the URL alone', () => {
      const query = signRequest({ method: 'GET', url: 'https://h/a?x=1' }, ALTERYX, { placement: 'query' }, FIXED);
      const added = new URL(query.url).searchParams;
      assert.deepEqual(
        [...added.keys()].filter((k) => !k.startsWith('oauth_')),
        ['x'],
      );
      assert.equal(added.get('oauth_signature'), query.oauthParams.oauth_signature);
      assert.deepEqual(query.headers, {});
      const header = signRequest({ method: 'GET', url: 'https://h/a?x=1' }, ALTERYX, {}, FIXED);
      assert.equal(header.url, 'https://h/a?x=1');
      assert.match(header.headers.Authorization ?? '', /^OAuth oauth_consumer_key="testkey", oauth_nonce="123456789", /);
    });

    it('signs HMAC-SHA256 and PLAINTEXT when asked', () => {
      const sha256 = signRequest({ method: 'GET', url: 'https://h/' }, ALTERYX, { signatureMethod: 'HMAC-SHA256' }, FIXED);
      assert.equal(Buffer.from(sha256.oauthParams.oauth_signature, 'base64').length, 32);
      assert.equal(sha256.oauthParams.oauth_signature_method, 'HMAC-SHA256');
      const plain = signRequest({ method: 'GET', url: 'https://h/' }, { ...ALTERYX, token: 't', tokenSecret: 's&t' }, { signatureMethod: 'PLAINTEXT' }, FIXED);
      assert.equal(plain.oauthParams.oauth_signature, 'testsecret&s%26t');
      // A token secret belongs to a token: without the token it is not part of the key.
      const tokenless = signRequest({ method: 'GET', url: 'https://h/' }, { ...ALTERYX, tokenSecret: 's' }, { signatureMethod: 'PLAINTEXT' }, FIXED);
      assert.equal(tokenless.oauthParams.oauth_signature, 'testsecret&');
    });

    it('takes a fresh crypto nonce and the current timestamp on every call', () => {
      const signer = new OAuth1Signer(ALTERYX);
      const nonces = new Set<string>();
      for (let i = 0; i < 1000; i++) nonces.add(signer.sign({ method: 'GET', url: 'https://h/' }).oauthParams.oauth_nonce);
      assert.equal(nonces.size, 1000);
      for (const nonce of nonces) assert.match(nonce, /^[0-9a-f]{24}$/);
      const timestamp = Number(signer.sign({ method: 'GET', url: 'https://h/' }).oauthParams.oauth_timestamp);
      assert.ok(Math.abs(timestamp - Date.now() / 1000) < 2);
      const shifted = Number(signer.sign({ method: 'GET', url: 'https://h/' }, { clockOffsetMs: 3_600_000 }).oauthParams.oauth_timestamp);
      assert.ok(Math.abs(shifted - timestamp - 3600) < 2);
    });

    it('refuses what it cannot sign with a clear message', () => {
      assert.throws(() => signRequest({ method: 'GET', url: 'ftp://h/' }, ALTERYX), /unsupported protocol "ftp:"/);
      assert.throws(() => signRequest({ method: 'GET', url: 'not a url' }, ALTERYX), /Invalid URL/);
      assert.throws(() => new OAuth1Signer({ consumerKey: '', consumerSecret: 'x' }), /consumer key missing/);
    });

    it('removes oauth_* pairs from URLs shown to users', () => {
      assert.equal(withoutProtocolParameters('https://h/a?x=1&oauth_signature=abc&oauth_nonce=1'), 'https://h/a?x=1');
      assert.equal(withoutProtocolParameters('https://h/a?oauth_signature=abc'), 'https://h/a');
    });
  });
});

describe('oauth-1.0a does the signing it can do (src/lib/oauth1)', () => {
  const credentials = { consumerKey: 'key', consumerSecret: 'secret', token: 'token', tokenSecret: 'token secret' };
  const overrides = { nonce: 'abcdefghijklmnopqrstuvwx', timestamp: 1700000000 };

  /** Signs `request` and says whether oauth-1.0a's authorize() and toHeader() were called. */
  function signWatching(options: SigningOptions, request: RequestToSign, extra: SigningOverrides = {}): { calls: string[]; signed: SignedRequest } {
    const calls: string[] = [];
    const authorize = OAuth.prototype.authorize;
    const toHeader = OAuth.prototype.toHeader;
    OAuth.prototype.authorize = function (this: OAuth, ...args: Parameters<OAuth['authorize']>) {
      calls.push('authorize');
      return authorize.apply(this, args);
    };
    OAuth.prototype.toHeader = function (this: OAuth, ...args: Parameters<OAuth['toHeader']>) {
      calls.push('toHeader');
      return toHeader.apply(this, args);
    };
    try {
      return { calls, signed: new OAuth1Signer(credentials, options).sign(request, {}, { ...overrides, ...extra }) };
    } finally {
      OAuth.prototype.authorize = authorize;
      OAuth.prototype.toHeader = toHeader;
    }
  }

  it('signs a query, a form body, a realm and a body hash with authorize()', () => {
    const { calls, signed } = signWatching(
      { realm: 'Photos', bodyHash: true },
      { method: 'post', url: 'https://Example.com:443/p?b=2&a=1&a=0&select(id)', body: Buffer.from('{}') },
    );
    assert.deepEqual(calls, ['authorize']);
    const bodyHash = percentEncode(createHash('sha1').update('{}').digest('base64'));
    assert.ok(signed.headers.Authorization?.startsWith(`OAuth realm="Photos", oauth_body_hash="${bodyHash}", `), signed.headers.Authorization);
    const form = signWatching({}, { method: 'POST', url: 'https://example.com/p', formBody: 'x=1&x=2&y=' });
    assert.deepEqual(form.calls, ['authorize']);
  });

  it("writes the Authorization header oauth-1.0a's toHeader() writes for the same signature", () => {
    const cases: Array<{ options: SigningOptions; request: RequestToSign; token?: boolean }> = [
      { options: {}, request: { method: 'GET', url: 'https://example.com/p?b=2&a=1&a=0&select(id)' } },
      { options: { realm: 'Photos', bodyHash: true }, request: { method: 'POST', url: 'https://example.com/p', body: Buffer.from('{"a":1}') } },
      { options: { realm: '1234567_SB1', signatureMethod: 'HMAC-SHA256' }, request: { method: 'PUT', url: 'https://h/a%20b/?q=a+b&r=!*()' } },
      { options: {}, request: { method: 'POST', url: 'https://h/p', formBody: 'x=1&x=2&y=' }, token: false },
      { options: {}, request: { method: 'POST', url: 'https://h/oauth/request_token', callback: 'https://app.example/cb?x=1&y=a b' }, token: false },
    ];
    for (const { options, request, token = true } of cases) {
      const signer = new OAuth1Signer(token ? credentials : { consumerKey: 'key', consumerSecret: 'secret' }, options);
      const signed = signer.sign(request, {}, overrides);
      const library = new OAuth({
        consumer: { key: 'key', secret: 'secret' },
        signature_method: options.signatureMethod ?? 'HMAC-SHA1',
        hash_function: () => 'unused',
        ...(options.realm ? { realm: options.realm } : {}),
      });
      // toHeader() writes what it is given: the same protocol parameters, the signature included.
      const params = signed.oauthParams;
      const expected = library.toHeader({
        ...params,
        oauth_consumer_key: params.oauth_consumer_key ?? '',
        oauth_nonce: params.oauth_nonce ?? '',
        oauth_signature_method: params.oauth_signature_method ?? '',
        oauth_timestamp: Number(params.oauth_timestamp),
        oauth_version: params.oauth_version ?? '',
        oauth_signature: params.oauth_signature ?? '',
      }).Authorization;
      assert.equal(signed.headers.Authorization, expected, JSON.stringify(request));
    }
  });

  it('keeps its own base string where oauth-1.0a cannot: no oauth_version, a __proto__ parameter, oauth_* in a form body', () => {
    assert.deepEqual(signWatching({}, { method: 'GET', url: 'https://example.com/p' }, { includeVersion: false }).calls, []);
    assert.deepEqual(signWatching({}, { method: 'GET', url: 'https://example.com/p?__proto__=x' }).calls, []);
    assert.deepEqual(signWatching({}, { method: 'POST', url: 'https://example.com/p', formBody: 'oauth_extra=1' }).calls, []);
  });

  it('signs an empty realm with authorize() and keeps realm="" in the header (toHeader() drops it)', () => {
    const { calls, signed } = signWatching({ realm: '' }, { method: 'GET', url: 'https://example.com/p' });
    assert.deepEqual(calls, ['authorize']);
    assert.match(signed.headers.Authorization ?? '', /^OAuth realm="", oauth_consumer_key="key"/);
  });

  it('gives the same signature as its own base string would, for every method', () => {
    const pem = OAUTH_TEST_CASES_PKCS8;
    for (const signatureMethod of SIGNATURE_METHODS) {
      const signer = new OAuth1Signer({ ...credentials, privateKey: pem }, { signatureMethod });
      const request = { method: 'PUT', url: 'https://example.com/a%20b/?q=a+b&q=%2A&r=!', formBody: 'f=1&f=%C3%BC' };
      const viaLibrary = signer.sign(request, {}, overrides).oauthParams;
      const { oauth_signature: signature, ...params } = viaLibrary;
      const normalized = normalizeUrl(request.url);
      const baseString = signatureBaseString(request.method, normalized.baseUri, [
        ...normalized.queryPairs,
        ...parseParameters(request.formBody),
        ...Object.entries(params),
      ]);
      const key = `${percentEncode(credentials.consumerSecret)}&${percentEncode(credentials.tokenSecret)}`;
      const privateKey = usesPrivateKey(signatureMethod) ? parsePrivateKey(pem, signatureMethod) : undefined;
      assert.equal(signature, hashFunction(signatureMethod, privateKey)(baseString, key), signatureMethod);
    }
  });
});
