import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { normalizeUrl, OAuth1Signer, percentEncode, signRequest, withoutProtocolParameters } from '../src/lib/oauth1';

const ALTERYX = { consumerKey: 'testkey', consumerSecret: 'testsecret' };
const FIXED = { nonce: '123456789', timestamp: 1700000000 };

describe('signing library (src/lib/oauth1)', () => {
  describe('reproduces the design vectors (checked with oauthlib)', () => {
    const vectors: Array<[string, string, string]> = [
      ['POST', 'https://gallery.example.com/gallery/api/v1/workflows/5bc4a813156ae016dcb442bd/jobs/', '5gRMqguTzf+QHKjIZ5xXEhLqN2k='],
      ['GET', 'https://gallery.example.com:443/gallery/api/v1/jobs/abc/output/def/?format=Csv', '1M3ubdHP940QFOEFH4q6c73pi1s='],
      ['GET', 'https://Gallery.Example.com/gallery/api/v1/workflows/subscription/?search=a%20b%2Bc%2A&limit=10', 'ddJyPX4nFvCJ4H9ODODM+3EDUz8='],
      ['POST', 'http://dminform:80/gallery/api/v1/workflows/5bc4a813156ae016dcb442bd/jobs/', '47bGOQRVUg4P+J4bN1n+MhRFZrc='],
    ];
    for (const [method, url, expected] of vectors) {
      it(`${method} ${url}`, () => {
        for (const placement of ['header', 'query'] as const) {
          assert.equal(signRequest({ method, url }, ALTERYX, { placement }, FIXED).oauthParams.oauth_signature, expected);
        }
      });
    }
  });

  describe('reproduces RFC 5849', () => {
    it('§1.2: the signed photo request of the protocol example', () => {
      const signed = signRequest(
        { method: 'GET', url: 'http://photos.example.net/photos?file=vacation.jpg&size=original' },
        { consumerKey: 'dpf43f3p2l4k3l03', consumerSecret: 'kd94hf93k423kf44', token: 'nnch734d00sl2jdk', tokenSecret: 'pfkkdhi9sl3r4s00' },
        {},
        { nonce: 'chapoH', timestamp: 137131202, includeVersion: false },
      );
      assert.equal(signed.oauthParams.oauth_signature, 'MdpQcU8iPSUjWoN/UDMsK2sui9I=');
    });

    it('§3.4.1.1: the base string of the example, with query, form body, repeated keys and empty values', () => {
      // The RFC prints this base string; signing it with HMAC-SHA1 must give what our signer gives.
      const baseString =
        'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D' +
        '%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1' +
        '%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7';
      const consumerSecret = 'j49sk3j29djd';
      const tokenSecret = 'dh893hdasih9';
      const signed = signRequest(
        { method: 'POST', url: 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b', formBody: 'c2&a3=2+q' },
        { consumerKey: '9djdj82h48djs9d2', consumerSecret, token: 'kkk9d7dh3k39sjv7', tokenSecret },
        {},
        { nonce: '7d8f3e4a', timestamp: 137131201, includeVersion: false },
      );
      const expected = createHmac('sha1', `${consumerSecret}&${tokenSecret}`).update(baseString).digest('base64');
      assert.equal(signed.oauthParams.oauth_signature, expected);
    });
  });

  describe('guards', () => {
    it('percent-encodes per RFC 3986, including !*\'()', () => {
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
      assert.deepEqual(queryPairs, [['select(id,email)', ''], ['limit(10)', '']]);
      assert.equal(sendUrl, 'https://h/users/v1/?select(id,email)&limit(10)');
    });

    it('decodes the query exactly once: + is a space, %25 is a literal %, a stray % stays literal', () => {
      const { queryPairs, sendUrl } = normalizeUrl('https://h/?a=x+y&b=100%25&c=50%&d=%E2%82%AC');
      assert.deepEqual(queryPairs, [['a', 'x y'], ['b', '100%'], ['c', '50%'], ['d', '€']]);
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
      assert.deepEqual([...added.keys()].filter((k) => !k.startsWith('oauth_')), ['x']);
      assert.equal(added.get('oauth_signature'), query.oauthParams.oauth_signature);
      assert.deepEqual(query.headers, {});
      const header = signRequest({ method: 'GET', url: 'https://h/a?x=1' }, ALTERYX, {}, FIXED);
      assert.equal(header.url, 'https://h/a?x=1');
      assert.match(header.headers.Authorization ?? '', /^OAuth oauth_consumer_key="testkey", oauth_nonce="123456789", /);
    });

    it('uses HMAC-SHA256 and PLAINTEXT when asked', () => {
      const sha256 = signRequest({ method: 'GET', url: 'https://h/' }, ALTERYX, { signatureMethod: 'HMAC-SHA256' }, FIXED);
      assert.equal(Buffer.from(sha256.oauthParams.oauth_signature as string, 'base64').length, 32);
      assert.equal(sha256.oauthParams.oauth_signature_method, 'HMAC-SHA256');
      const plain = signRequest({ method: 'GET', url: 'https://h/' }, { ...ALTERYX, token: 't', tokenSecret: 's&t' }, { signatureMethod: 'PLAINTEXT' }, FIXED);
      assert.equal(plain.oauthParams.oauth_signature, 'testsecret&s%26t');
    });

    it('takes a fresh crypto nonce and the current timestamp on every call', () => {
      const signer = new OAuth1Signer(ALTERYX);
      const nonces = new Set<string>();
      for (let i = 0; i < 1000; i++) nonces.add(signer.sign({ method: 'GET', url: 'https://h/' }).oauthParams.oauth_nonce as string);
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
