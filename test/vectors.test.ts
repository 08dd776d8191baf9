/**
 * Known-answer tests: published signatures, reproduced exactly through `signRequest` (the
 * entry point `dist/lib/oauth1.js` exports) or, where the publisher signed a base string
 * whose `oauth_signature_method` names another method, through the signer's hash function.
 * Each test names where its expected value was printed.
 */
import assert from 'node:assert/strict';
import { hashFunction, parsePrivateKey, signRequest, type OAuth1Credentials, type Placement, type SignatureMethod } from '../src/lib/oauth1';
import { OAUTH_TEST_CASES_PKCS8, OAUTHLIB_TEST_PKCS1 } from './support/rsa-test-keys';

const PLACEMENTS: Placement[] = ['header', 'query'];

/** The consumer and token of OAuth Core 1.0a Appendix A and RFC 5849 §1.2. */
const PHOTOS_CONSUMER = { consumerKey: 'dpf43f3p2l4k3l03', consumerSecret: 'kd94hf93k423kf44' };
const PHOTOS_TOKEN = { ...PHOTOS_CONSUMER, token: 'nnch734d00sl2jdk', tokenSecret: 'pfkkdhi9sl3r4s00' };

describe('known-answer vectors', () => {
  // Alteryx Gallery publishes no signed example: these are oauthlib's own answers
  // (oauthlib.oauth1.Client('testkey', client_secret='testsecret', nonce='123456789',
  // timestamp='1700000000').sign(url, http_method), python3-oauthlib 3.2.2), URLs chosen for
  // what people get wrong: a default port, an upper-case host, %20, %2B and %2A in the query.
  describe('Alteryx Gallery, 1-legged HMAC-SHA1, as oauthlib Client signs it', () => {
    const ALTERYX = { consumerKey: 'testkey', consumerSecret: 'testsecret' };
    const FIXED = { nonce: '123456789', timestamp: 1700000000 };
    const vectors: Array<[string, string, string]> = [
      ['POST', 'https://gallery.example.com/gallery/api/v1/workflows/5bc4a813156ae016dcb442bd/jobs/', '5gRMqguTzf+QHKjIZ5xXEhLqN2k='],
      ['GET', 'https://gallery.example.com:443/gallery/api/v1/jobs/abc/output/def/?format=Csv', '1M3ubdHP940QFOEFH4q6c73pi1s='],
      ['GET', 'https://Gallery.Example.com/gallery/api/v1/workflows/subscription/?search=a%20b%2Bc%2A&limit=10', 'ddJyPX4nFvCJ4H9ODODM+3EDUz8='],
      ['POST', 'http://dminform:80/gallery/api/v1/workflows/5bc4a813156ae016dcb442bd/jobs/', '47bGOQRVUg4P+J4bN1n+MhRFZrc='],
    ];
    for (const [method, url, expected] of vectors) {
      it(`signs ${method} ${url} as ${expected} in header and query`, () => {
        for (const placement of PLACEMENTS) {
          assert.equal(signRequest({ method, url }, ALTERYX, { placement }, FIXED).oauthParams.oauth_signature, expected);
        }
      });
    }
  });

  describe('OAuth Core 1.0a, Appendix A', () => {
    it('A.5.3: signs the photo request HMAC-SHA1 as tR3+Ty81lMeYAr/Fid0kMTYa/WM=', () => {
      for (const placement of PLACEMENTS) {
        const signed = signRequest(
          { method: 'GET', url: 'http://photos.example.net/photos?file=vacation.jpg&size=original' },
          PHOTOS_TOKEN,
          { placement },
          { nonce: 'kllo9940pd9333jh', timestamp: 1191242096 },
        );
        assert.equal(signed.oauthParams.oauth_signature, 'tR3+Ty81lMeYAr/Fid0kMTYa/WM=');
      }
    });

    it('A.2: signs the request token request PLAINTEXT as kd94hf93k423kf44& (no token)', () => {
      const signed = signRequest(
        { method: 'POST', url: 'https://photos.example.net/request_token', callback: 'http://printer.example.com/request_token_ready' },
        PHOTOS_CONSUMER,
        { signatureMethod: 'PLAINTEXT' },
        { nonce: 'hsu94j3884jdopsl', timestamp: 1191242090 },
      );
      assert.equal(signed.oauthParams.oauth_signature, 'kd94hf93k423kf44&');
      assert.match(signed.headers.Authorization ?? '', /oauth_signature="kd94hf93k423kf44%26"/);
    });
  });

  describe('RFC 5849 §1.2 (realm "Photos", no oauth_version, as the RFC prints them)', () => {
    const RFC = { nonce: 'wIjqoS', timestamp: 137131200, includeVersion: false };

    it('signs the temporary credentials request with its callback as 74KNZJeDHnMBp0EMJ9ZHt/XKycU=, realm first in the header', () => {
      const request = { method: 'POST', url: 'https://photos.example.net/initiate', callback: 'http://printer.example.com/ready' };
      const signed = signRequest(request, PHOTOS_CONSUMER, { realm: 'Photos' }, RFC);
      assert.equal(signed.oauthParams.oauth_signature, '74KNZJeDHnMBp0EMJ9ZHt/XKycU=');
      assert.equal(
        signed.headers.Authorization,
        'OAuth realm="Photos", oauth_callback="http%3A%2F%2Fprinter.example.com%2Fready", oauth_consumer_key="dpf43f3p2l4k3l03", ' +
          'oauth_nonce="wIjqoS", oauth_signature="74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131200"',
      );
      // §3.4.1.3.1: the realm is excluded from the signature, so without it the signature is the same.
      assert.equal(signRequest(request, PHOTOS_CONSUMER, {}, RFC).oauthParams.oauth_signature, '74KNZJeDHnMBp0EMJ9ZHt/XKycU=');
    });

    it('signs the token request with its verifier as gKgrFCywp7rO0OXSjdot/IHF7IU=', () => {
      const signed = signRequest(
        { method: 'POST', url: 'https://photos.example.net/token', verifier: 'hfdp7dh39dks9884' },
        { ...PHOTOS_CONSUMER, token: 'hh5s93j4hdidpola', tokenSecret: 'hdhd0244k9j7ao03' },
        { realm: 'Photos' },
        { nonce: 'walatlh', timestamp: 137131201, includeVersion: false },
      );
      assert.equal(signed.oauthParams.oauth_signature, 'gKgrFCywp7rO0OXSjdot/IHF7IU=');
    });

    it('signs the protected resource request as MdpQcU8iPSUjWoN/UDMsK2sui9I=', () => {
      const signed = signRequest(
        { method: 'GET', url: 'http://photos.example.net/photos?file=vacation.jpg&size=original' },
        PHOTOS_TOKEN,
        { realm: 'Photos' },
        { nonce: 'chapoH', timestamp: 137131202, includeVersion: false },
      );
      assert.equal(signed.oauthParams.oauth_signature, 'MdpQcU8iPSUjWoN/UDMsK2sui9I=');
      assert.match(signed.headers.Authorization ?? '', /^OAuth realm="Photos", oauth_consumer_key=/);
    });
  });

  describe('RFC 5849 §3.4.1.1 example request, signed by oauthlib (oauthlib/oauthlib tests/oauth1/rfc5849/test_signatures.py)', () => {
    /** The base string RFC 5849 §3.4.1.1 prints, which oauthlib's test suite signs with every method. */
    const RFC_BASE_STRING =
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D' +
      '%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1' +
      '%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7';
    const HMAC_CLIENT = { clientSecret: 'ECrDNoq1VYzzzzzzzzzyAK7TwZNtPnkqatqZZZZ', resourceOwnerSecret: 'just-a-string    asdasd' };
    const SIGNING_KEY = 'ECrDNoq1VYzzzzzzzzzyAK7TwZNtPnkqatqZZZZ&just-a-string%20%20%20%20asdasd';

    it('builds the printed base string from the query, the form body with a key without value and +, and repeated keys: HMAC-SHA1 wsdNmjGB7lvis0UJuPAmjvX/PXw=', () => {
      const signed = signRequest(
        { method: 'POST', url: 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b', formBody: 'c2&a3=2+q' },
        { consumerKey: '9djdj82h48djs9d2', consumerSecret: HMAC_CLIENT.clientSecret, token: 'kkk9d7dh3k39sjv7', tokenSecret: HMAC_CLIENT.resourceOwnerSecret },
        {},
        { nonce: '7d8f3e4a', timestamp: 137131201, includeVersion: false },
      );
      assert.equal(signed.oauthParams.oauth_signature, 'wsdNmjGB7lvis0UJuPAmjvX/PXw=');
    });

    const hmacVectors: Array<[SignatureMethod, string]> = [
      ['HMAC-SHA1', 'wsdNmjGB7lvis0UJuPAmjvX/PXw='],
      ['HMAC-SHA256', 'wdfdHUKXHbOnOGZP8WFAWMSAmWzN3EVBWWgXGlC/Eo4='],
      ['HMAC-SHA512', 'u/vlyZFDxOWOZ9UUXwRBJHvq8/T4jCA74ocRmn2ECnjUBTAeJiZIRU8hDTjS88Tz1fGONffMpdZxUkUTW3k1kg=='],
    ];
    for (const [method, expected] of hmacVectors) {
      it(`${method}: signs the printed base string as ${expected}`, () => {
        assert.equal(hashFunction(method)(RFC_BASE_STRING, SIGNING_KEY), expected);
      });
    }

    const rsaVectors: Array<[SignatureMethod, string]> = [
      [
        'RSA-SHA1',
        'mFY2KOEnlYWsTvUA+5kxuBIcvBYXu+ljw9ttVJQxKduMueGSVPCB1tK1PlqVLK738HK0t19ecBJfb6rMxUwrriw+MlBO+jpojkZIWccw1J4cAb4qu4M81DbpUAq4j/1w/QyTR4TWCODlEfN7Zfgy8+pf+TjiXfIwRC1jEWbuL1E=',
      ],
      [
        'RSA-SHA256',
        'jqKl6m0WS69tiVJV8ZQ6aQEfJqISoZkiPBXRv6Al2+iFSaDpfeXjYm+Hbx6m1azRdrZ/35PM3cvuid3LwW/siAkzb0xQcGnTyAPH8YcGWzmnKGY7LsB7fkqThchNxvRK/N7s9M1WMnfZZ+1dQbbwtTs1TG1+iexUcV7r3M7Heec=',
      ],
      [
        'RSA-SHA512',
        'jL1CnjlsNd25qoZVHZ2oJft47IRYTjpF5CvCUjL3LY0NTnbEeVhE4amWXUFBe9GLDWdUh/79ZWNOrCirBFIP26cHLApjYdt4ZG7EVK0/GubS2v8wT1QPRsog8zyiMZkmg4JXdWCGXG8YRvRJTg+QKhXuXwS6TcMNakrgzgFIVhA=',
      ],
    ];
    for (const [method, expected] of rsaVectors) {
      it(`${method}: signs the printed base string with oauthlib's PKCS#1 test key as ${expected.slice(0, 16)}…`, () => {
        const key = parsePrivateKey(OAUTHLIB_TEST_PKCS1, method);
        // RSA ignores the HMAC signing key: any value gives the same signature.
        assert.equal(hashFunction(method, key)(RFC_BASE_STRING, 'not used'), expected);
      });
    }
  });

  describe('oauthlib Client (oauthlib/oauthlib tests/oauth1/rfc5849/test_client.py, SignatureMethodTest and SignatureTypeTest)', () => {
    const CLIENT = { consumerKey: 'client_key', consumerSecret: '' };
    const FIXED = { nonce: 'abc', timestamp: 1234567890 };
    const cases: Array<[SignatureMethod, OAuth1Credentials, string]> = [
      ['HMAC-SHA1', CLIENT, 'hH5BWYVqo7QI4EmPBUUe9owRUUQ='],
      ['HMAC-SHA256', CLIENT, 'JzgJWBxX664OiMW3WE4MEjtYwOjI/paUWHqtdHe68Es='],
      [
        'RSA-SHA1',
        { ...CLIENT, privateKey: OAUTHLIB_TEST_PKCS1 },
        'ktvzkUhtrIawBcq21DRJrAyysTc3E1Zq5GdGu8EzHOtbeaCmOBDLGHAcqlm92mj7xp5E1Z6i2vbExPimYAJL7FzkLnkRE5YEJR4rNtIgAf1OZbYsIUmmBO+CLuStuu5Lg3tAluwC7XkkgoXCBaRKT1mUXzPHJILzZ8iFOvS6w5E=',
      ],
    ];
    for (const [signatureMethod, credentials, expected] of cases) {
      it(`${signatureMethod}: signs GET http://example.com (empty path signed as /) as ${expected.slice(0, 16)}…`, () => {
        assert.equal(signRequest({ method: 'GET', url: 'http://example.com' }, credentials, { signatureMethod }, FIXED).oauthParams.oauth_signature, expected);
      });
    }

    it('query placement: sends POST http://i.b/path signed as 08G5Snvw+gDAzBF+CmT5KqlrPKo= in the query', () => {
      const signed = signRequest(
        { method: 'POST', url: 'http://i.b/path' },
        CLIENT,
        { placement: 'query' },
        { nonce: '14205877133089081931378988215', timestamp: 1378988215 },
      );
      assert.equal(new URL(signed.url).searchParams.get('oauth_signature'), '08G5Snvw+gDAzBF+CmT5KqlrPKo=');
    });
  });

  describe('OAuth test cases (wiki.oauth.net/TestCases), as in mttkay/signpost OAuthMessageSignerTest.java', () => {
    it('RSA-SHA1: signs the photo request with the test cases PKCS#8 key as jvTp/wX1TYtByB1m…', () => {
      const credentials: OAuth1Credentials = { consumerKey: 'dpf43f3p2l4k3l03', consumerSecret: '', privateKey: OAUTH_TEST_CASES_PKCS8 };
      for (const placement of PLACEMENTS) {
        const signed = signRequest(
          { method: 'GET', url: 'http://photos.example.net/photos?file=vacaction.jpg&size=original' },
          credentials,
          { signatureMethod: 'RSA-SHA1', placement },
          { nonce: '13917289812797014437', timestamp: 1196666512 },
        );
        assert.equal(
          signed.oauthParams.oauth_signature,
          'jvTp/wX1TYtByB1m+Pbyo0lnCOLIsyGCH7wke8AUs3BpnwZJtAuEJkvQL2/9n4s5wUmUl4aCI4BwpraNx4RtEXMe5qg5T1LVTGliMRpKasKsW//e+RinhejgCuzoH26dyF8iY2ZZ/5D1ilgeijhV/vBka5twt399mXwaYdCwFYE=',
        );
      }
    });

    it('HMAC-SHA256: signs the OAuth Core 1.0a A.5.1 base string as 0gCtTYQAxqCKhIE0sltgx7UgHkAs10vrpuYE7xpRBnE=', () => {
      const a5BaseString =
        'GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03' +
        '%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096' +
        '%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal';
      assert.equal(hashFunction('HMAC-SHA256')(a5BaseString, 'kd94hf93k423kf44&pfkkdhi9sl3r4s00'), '0gCtTYQAxqCKhIE0sltgx7UgHkAs10vrpuYE7xpRBnE=');
    });
  });

  it('Twitter "Creating a signature": signs the status update with its form body as tnnArxj06cWHq44gCs1OSKk/jLY= (as in bennadel/Crypto.cfc examples/twitter_authentication.cfm)', () => {
    const signed = signRequest(
      {
        method: 'POST',
        url: 'https://api.twitter.com/1/statuses/update.json?include_entities=true',
        formBody: 'status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21',
      },
      {
        consumerKey: 'xvz1evFS4wEEPTGEFPHBog',
        consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
        token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
        tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
      },
      {},
      { nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg', timestamp: 1318622958 },
    );
    assert.equal(signed.oauthParams.oauth_signature, 'tnnArxj06cWHq44gCs1OSKk/jLY=');
  });

  describe('OAuth Request Body Hash draft, Appendix A, as signed by joestump/python-oauth2 tests/test_oauth.py (test_request_hash_of_body)', () => {
    // python-oauth2 signs with the consumer secret only: its token "token" is sent without a secret.
    const CONSUMER = { consumerKey: 'consumer', consumerSecret: 'con-test-secret', token: 'token', tokenSecret: '' };
    const url = 'http://www.example.com/resource';
    const vectors: Array<[string, string, Buffer | undefined, string, number, string, string]> = [
      [
        'A.1 (1a): PUT "Hello World!"',
        'PUT',
        Buffer.from('Hello World!'),
        '10288510250934',
        1236874155,
        'Lve95gjOVATpfV8EL5X4nxwjKHE=',
        't+MX8l/0S8hdbVQL99nD0X1fPnM=',
      ],
      [
        'A.1 (1b): PUT "Hello World!"',
        'PUT',
        Buffer.from('Hello World!'),
        '10369470270925',
        1236874236,
        'Lve95gjOVATpfV8EL5X4nxwjKHE=',
        'CTFmrqJIGT7NsWJ42OrujahTtTc=',
      ],
      [
        'A.2: GET without a body hashes the empty string',
        'GET',
        undefined,
        '8628868109991',
        1238395022,
        '2jmj7l5rSw0yVb/vlWAYkK/YBwk=',
        'Zhl++aWSP0O3/hYQ0CuBc7jv38I=',
      ],
    ];
    for (const [name, method, body, nonce, timestamp, bodyHash, signature] of vectors) {
      it(`${name}: oauth_body_hash ${bodyHash}, signature ${signature}`, () => {
        const signed = signRequest({ method, url, body }, CONSUMER, { bodyHash: true }, { nonce, timestamp });
        assert.equal(signed.oauthParams.oauth_body_hash, bodyHash);
        assert.equal(signed.oauthParams.oauth_signature, signature);
      });
    }
  });
});
