/** src/lib/service.ts: what a configured service needs before anything is sent. */
import assert from 'node:assert/strict';
import { bareSecretOf, missingCredentials, OAuth1Authorizer, originList } from '../src/lib/service';

describe('service settings (src/lib/service)', () => {
  describe('missingCredentials', () => {
    it('is undefined for a consumer pair, with or without a complete token pair', () => {
      assert.equal(missingCredentials({ consumerKey: 'k', consumerSecret: 's' }), undefined);
      assert.equal(missingCredentials({ consumerKey: 'k', consumerSecret: 's', token: 't', tokenSecret: 'ts' }), undefined);
    });

    it('names each missing part, joined with "and"', () => {
      assert.equal(missingCredentials({}), 'consumer key and consumer secret missing');
      assert.equal(missingCredentials({ consumerSecret: 's' }), 'consumer key missing');
      assert.equal(missingCredentials({ consumerKey: 'k' }), 'consumer secret missing');
      assert.equal(missingCredentials({ consumerKey: '', consumerSecret: '' }), 'consumer key and consumer secret missing');
    });

    it('asks for the token secret only when a token is given', () => {
      assert.equal(missingCredentials({ consumerKey: 'k', consumerSecret: 's', token: 't' }), 'token secret missing');
      assert.equal(missingCredentials({ consumerKey: 'k', consumerSecret: 's', tokenSecret: 'ts' }), undefined);
      assert.equal(missingCredentials({ token: 't' }), 'consumer key and consumer secret and token secret missing');
    });

    it('RSA-SHA*: takes a token without a token secret, as RFC 5849 §3.4.3 signs with the private key alone', () => {
      for (const method of ['RSA-SHA1', 'RSA-SHA256', 'RSA-SHA512'] as const) {
        assert.equal(missingCredentials({ consumerKey: 'k', token: 't', privateKey: 'pem' }, method), undefined);
      }
      assert.equal(missingCredentials({ consumerKey: 'k', consumerSecret: 's', token: 't' }, 'HMAC-SHA256'), 'token secret missing');
    });
  });

  describe('originList', () => {
    it('keeps an entry that is not a URL as written, so the client can refuse it by name', () => {
      assert.deepEqual(originList('api.example.com,https://b.example.com/path?q=1'), ['api.example.com', 'https://b.example.com']);
    });
  });

  describe('OAuth1Authorizer', () => {
    const credentials = { consumerKey: 'k', consumerSecret: 's' };

    it('says its signature is the secrets themselves for PLAINTEXT only, as bareSecretOf does', () => {
      const plain = new OAuth1Authorizer(credentials, { signatureMethod: 'PLAINTEXT' });
      assert.equal(plain.bareSecret, bareSecretOf({ signatureMethod: 'PLAINTEXT' }));
      assert.ok(plain.bareSecret);
      assert.equal(new OAuth1Authorizer(credentials, { signatureMethod: 'HMAC-SHA1' }).bareSecret, undefined);
      assert.equal(new OAuth1Authorizer(credentials).bareSecret, undefined);
    });

    it('signs with the clock offset it is given', () => {
      const authorizer = new OAuth1Authorizer(credentials, { placement: 'query' });
      const hourAhead = authorizer.authorize({ method: 'GET', url: 'https://api.example.com/x' }, { clockOffsetMs: 3_600_000 });
      const timestamp = Number(new URL(hourAhead.url).searchParams.get('oauth_timestamp'));
      assert.ok(Math.abs(timestamp * 1000 - (Date.now() + 3_600_000)) < 10_000, `timestamp ${timestamp}`);
    });
  });
});

describe('originList: what the user typed stays visible', () => {
  it('keeps an entry without a scheme as written, so the refusal names it', () => {
    assert.deepEqual(originList('localhost:8080, https://a.example.com/x'), ['localhost:8080', 'https://a.example.com']);
  });
});
