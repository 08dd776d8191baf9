/** src/lib/diagnosis.ts: the most likely cause of a refused signature, from what was signed and the answer. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CAUSE_HELP, diagnoseRefusal, isRefusal, oauthProblem, refusalDiagnosis, withLikelyCause, type RefusalAnswer } from '../src/lib/diagnosis';
import { signRequest, type SigningRecord } from '../src/lib/oauth1';
import { netsuiteRealmMismatch, readServiceRefusal } from '../src/lib/presets';

const TIMESTAMP = 1_700_000_000;

function recordOf(url = 'https://api.example.com/users/v1/me', options: { realm?: string } = {}): SigningRecord {
  return signRequest(
    { method: 'GET', url },
    { consumerKey: 'ck-public', consumerSecret: 'cs', token: 'tok', tokenSecret: 'ts' },
    { signatureMethod: 'HMAC-SHA256', realm: options.realm },
    { nonce: 'n1', timestamp: TIMESTAMP },
  ).record();
}

function answer(statusCode: number, body: unknown, headers: RefusalAnswer['headers'] = {}): RefusalAnswer {
  return { statusCode, headers, body };
}

const httpDate = (seconds: number) => new Date(seconds * 1000).toUTCString();

describe('diagnosis of a refused signature (src/lib/diagnosis)', () => {
  describe('the signing record', () => {
    it('holds the base string and the parameters (in base string order once diagnosed), without oauth_signature', () => {
      const signed = recordOf('https://api.example.com/a?b=2&a=1');
      assert.equal(signed.parameters[0]?.name, 'b', 'gathered in request order: sorting waits for a refusal');
      const record = diagnoseRefusal(signed, answer(401, ''));
      assert.equal(record.method, 'GET');
      assert.equal(record.url, 'https://api.example.com/a?b=2&a=1');
      assert.match(record.baseString, /^GET&https%3A%2F%2Fapi\.example\.com%2Fa&a%3D1%26b%3D2%26oauth_consumer_key%3Dck-public/);
      const names = record.parameters.map(({ name }) => name);
      assert.deepEqual(names, ['a', 'b', 'oauth_consumer_key', 'oauth_nonce', 'oauth_signature_method', 'oauth_timestamp', 'oauth_token', 'oauth_version']);
      assert.equal(record.timestamp, TIMESTAMP);
      assert.equal(record.signatureMethod, 'HMAC-SHA256');
      assert.equal(record.placement, 'header');
    });

    it('msg.signing hides the token (a credential, cut from every output): its parameter and its place in the base string', () => {
      const record = recordOf();
      assert.ok(record.baseString.includes('oauth_token%3Dtok%26'));
      const shown = diagnoseRefusal(record, answer(401, ''));
      assert.deepEqual(
        shown.parameters.find(({ name }) => name === 'oauth_token'),
        { name: 'oauth_token', value: '…' },
      );
      assert.equal(shown.baseString, record.baseString.replace('oauth_token%3Dtok%26', 'oauth_token%3D…%26'));
      const encoded = signRequest(
        { method: 'GET', url: 'https://h/x' },
        { consumerKey: 'k', consumerSecret: 's', token: 'a b+c/d', tokenSecret: 't' },
      ).record();
      const hidden = diagnoseRefusal(encoded, answer(401, ''));
      assert.ok(
        !JSON.stringify(hidden).includes('a%252520b') && !hidden.baseString.includes('b%252Bc') && !hidden.baseString.includes('a%2520b'),
        hidden.baseString,
      );
    });

    it('has the realm with header placement only, where it is sent', () => {
      assert.equal(recordOf(undefined, { realm: '1234567_SB1' }).realm, '1234567_SB1');
      const query = signRequest({ method: 'GET', url: 'https://h/x' }, { consumerKey: 'k', consumerSecret: 's' }, { placement: 'query', realm: 'r' }).record();
      assert.equal(query.realm, undefined);
    });

    it('leaves the PLAINTEXT signature (the secrets) out entirely', () => {
      const record = signRequest(
        { method: 'GET', url: 'https://h/x' },
        { consumerKey: 'k', consumerSecret: 'plain-cs', token: 't', tokenSecret: 'plain-ts' },
        { signatureMethod: 'PLAINTEXT' },
      ).record();
      assert.ok(!JSON.stringify(record).includes('plain-cs'));
      assert.ok(!JSON.stringify(record).includes('plain-ts'));
    });
  });

  describe('is it a refusal', () => {
    it('is for a 401, and an error status with an oauth_problem or a service refusal body; never a success', () => {
      assert.equal(isRefusal(answer(401, '')), true);
      assert.equal(isRefusal(answer(400, '', { 'www-authenticate': 'OAuth oauth_problem="timestamp_refused"' })), true);
      assert.equal(isRefusal(answer(403, { errors: [{ code: 32, message: 'Could not authenticate you.' }] })), true);
      assert.equal(isRefusal(answer(403, { message: 'forbidden' })), false);
      assert.equal(isRefusal(answer(200, { ok: true })), false);
      assert.equal(isRefusal(answer(200, 'oauth_problem=token_expired', { 'www-authenticate': 'OAuth oauth_problem="token_expired"' })), false);
      // Extra Horizon's 106 answers a wrong password on its token routes: a 401, but not about the signature.
      assert.equal(isRefusal(answer(401, { code: 106, name: 'AUTHENTICATION_EXCEPTION', message: 'The email and password do not match.' })), false);
    });

    it('gives no msg.signing without a signed attempt (OAuth 2, a hop to another origin) or for a success', () => {
      assert.equal(refusalDiagnosis(undefined, answer(401, '')), undefined);
      let built = 0;
      const lazily = () => {
        built++;
        return recordOf();
      };
      assert.equal(refusalDiagnosis(lazily, answer(200, '{}')), undefined);
      assert.equal(built, 0, 'the record (its base string) is built only for a refusal');
      assert.ok(refusalDiagnosis(lazily, answer(401, '')));
      assert.equal(built, 1);
    });

    it('reads oauth_problem from a WWW-Authenticate: OAuth header and from a form body (Atlassian)', () => {
      assert.equal(oauthProblem({ headers: { 'www-authenticate': 'OAuth realm="x", oauth_problem="nonce_used"' }, body: '' }), 'nonce_used');
      assert.equal(oauthProblem({ headers: {}, body: 'oauth_problem=token_rejected&oauth_problem_advice=x' }), 'token_rejected');
      assert.equal(oauthProblem({ headers: { 'www-authenticate': 'Bearer error="invalid_token"' }, body: '' }), undefined);
    });
  });

  describe('the cause', () => {
    const cases: Array<[string, RefusalAnswer, string, RegExp]> = [
      [
        'oauth_problem timestamp_refused',
        answer(401, '', { 'www-authenticate': 'OAuth oauth_problem="timestamp_refused"' }),
        'timestamp',
        /refused the timestamp 1700000000/,
      ],
      ['oauth_problem nonce_used', answer(401, '', { 'www-authenticate': 'OAuth oauth_problem=nonce_used' }), 'nonce', /oauth_nonce before/],
      ['oauth_problem consumer_key_unknown', answer(401, 'oauth_problem=consumer_key_unknown'), 'consumer-key', /consumer key "ck-public"/],
      ['oauth_problem token_expired', answer(401, 'oauth_problem=token_expired'), 'token', /token, or it expired or was revoked/],
      [
        'oauth_problem signature_method_rejected',
        answer(401, 'oauth_problem=signature_method_rejected'),
        'problem',
        /"signature_method_rejected": .*signature method/,
      ],
      ['an unknown oauth_problem', answer(401, 'oauth_problem=made_up'), 'problem', /"made_up": see its documentation/],
      ['Extra Horizon 107', answer(401, { code: 107, name: 'OAUTH_KEY_EXCEPTION', message: 'x' }), 'consumer-key', /consumer key/],
      ['Extra Horizon 108', answer(401, { code: 108, name: 'OAUTH_TOKEN_EXCEPTION', message: 'x' }), 'token', /token/],
      ['Extra Horizon 109', answer(401, { code: 109, name: 'OAUTH_SIGNATURE_EXCEPTION', message: 'x' }), 'signature', /msg\.signing\.baseString/],
      ['Extra Horizon 110', answer(401, { code: 110, name: 'DUPLICATE_REQUEST_EXCEPTION', message: 'x' }), 'nonce', /nonce/],
      [
        'Alteryx UnauthorizedException',
        answer(401, { exceptionName: 'UnauthorizedException', message: 'The provided signature(oauth_signature) is invalid.' }),
        'signature',
        /base string/,
      ],
      ['X 89 in a text body', answer(401, '{"errors":[{"code":89,"message":"Invalid or expired token."}]}'), 'token', /expired/],
      ['X 135', answer(401, { errors: [{ code: 135, message: 'Timestamp out of bounds.' }] }), 'timestamp', /timestamp/],
      ['X 32', answer(401, { errors: [{ code: 32, message: 'Could not authenticate you.' }] }), 'signature', /base string/],
      [
        'WooCommerce nonce',
        answer(401, { code: 'woocommerce_rest_authentication_error', message: 'Invalid nonce - nonce has already been used.' }),
        'nonce',
        /nonce/,
      ],
      [
        'WooCommerce signature',
        answer(401, { code: 'woocommerce_rest_authentication_error', message: 'Invalid signature - provided signature does not match.' }),
        'signature',
        /base string/,
      ],
      ['Magento oauth_signature_invalid', answer(401, { message: 'oauth_signature_invalid' }), 'signature', /base string/],
      ['a bare 401', answer(401, ''), 'signature', /compare msg\.signing\.baseString/],
    ];
    for (const [what, refusal, code, text] of cases) {
      it(`${what} → ${code}`, () => {
        const diagnosis = diagnoseRefusal(recordOf(), refusal);
        assert.equal(diagnosis.cause.code, code);
        assert.match(diagnosis.cause.text, text);
        assert.match(diagnosis.cause.help, /^https:\/\/github\.com\/.*#[a-z-]+$/);
      });
    }

    it('a vague refusal with the server clock minutes away is the clock, with the difference and the server time', () => {
      const diagnosis = diagnoseRefusal(recordOf(), answer(401, { code: 109, name: 'OAUTH_SIGNATURE_EXCEPTION' }, { date: httpDate(TIMESTAMP + 600) }));
      assert.equal(diagnosis.cause.code, 'timestamp');
      assert.equal(diagnosis.clockDifferenceS, 600);
      assert.equal(diagnosis.serverTime, new Date((TIMESTAMP + 600) * 1000).toISOString());
      assert.match(diagnosis.cause.text, /its clock is 600 s ahead of the signed oauth_timestamp 1700000000/);
      assert.match(diagnoseRefusal(recordOf(), answer(401, '', { date: httpDate(TIMESTAMP - 900) })).cause.text, /900 s behind/);
    });

    it('a server clock within a few minutes does not change the cause, and the service naming one wins over the clock', () => {
      assert.equal(diagnoseRefusal(recordOf(), answer(401, '', { date: httpDate(TIMESTAMP + 120) })).cause.code, 'signature');
      const named = answer(401, { code: 108 }, { date: httpDate(TIMESTAMP + 3600) });
      assert.equal(diagnoseRefusal(recordOf(), named).cause.code, 'token');
    });

    it('NetSuite INVALID_LOGIN with a realm in the hosts\u2019 spelling is the realm, naming the one to use', () => {
      const body = { 'o:errorDetails': [{ detail: 'Invalid login attempt.', 'o:errorCode': 'INVALID_LOGIN' }] };
      const diagnosis = diagnoseRefusal(recordOf('http://127.0.0.1:1880/netsuite/x', { realm: '1234567-sb1' }), answer(401, body));
      assert.equal(diagnosis.cause.code, 'realm');
      assert.match(diagnosis.cause.text, /The realm "1234567-sb1" does not name the account: .*"1234567_SB1"/);
    });

    it('a NetSuite host whose account the realm does not name is the realm, whatever the body', () => {
      const record = recordOf('https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer', { realm: '7654321' });
      assert.equal(diagnoseRefusal(record, answer(401, '')).cause.code, 'realm');
      const right = recordOf('https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer', { realm: '1234567_SB1' });
      assert.equal(diagnoseRefusal(right, answer(401, '')).cause.code, 'signature');
    });
  });

  describe('service knowledge (src/lib/presets)', () => {
    it('names the service whose refusal a body is', () => {
      assert.deepEqual(readServiceRefusal({ exceptionName: 'UnauthorizedException' }), { service: 'Alteryx', cause: 'signature' });
      assert.deepEqual(readServiceRefusal({ 'o:errorDetails': [{ 'o:errorCode': 'INVALID_LOGIN_ATTEMPT' }] }), { service: 'NetSuite', cause: 'signature' });
      assert.equal(readServiceRefusal({ code: 16, name: 'RESOURCE_UNKNOWN_EXCEPTION' }), undefined);
      assert.equal(readServiceRefusal('plain text'), undefined);
    });

    it('compares a realm with a NetSuite host, and with nothing on other hosts unless NetSuite refused', () => {
      assert.equal(netsuiteRealmMismatch('https://1234567.restlets.api.netsuite.com/app', '1234567'), undefined);
      assert.equal(netsuiteRealmMismatch('https://1234567-sb1.restlets.api.netsuite.com/app', undefined), '1234567_SB1');
      assert.equal(netsuiteRealmMismatch('https://proxy.example.com/app', '1234567-sb1', false), undefined);
      assert.equal(netsuiteRealmMismatch('https://proxy.example.com/app', '1234567-sb1', true), '1234567_SB1');
    });
  });

  it('appends the cause to an error text as one more sentence', () => {
    const diagnosis = diagnoseRefusal(recordOf(), answer(401, { code: 110 }));
    assert.equal(
      withLikelyCause('401 DUPLICATE_REQUEST_EXCEPTION: seen.', diagnosis),
      `401 DUPLICATE_REQUEST_EXCEPTION: seen. Likely cause: ${diagnosis.cause.text}`,
    );
    assert.equal(withLikelyCause('404 x', undefined), '404 x');
  });

  it('links each cause to a README section that exists, under "When a service says 401"', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## When a service says 401'));
    assert.ok(section.length < readme.length, 'the README has the section');
    const slugs = [...section.split('\n## ')[0].matchAll(/^#{2,3} (.+)$/gm)].map(([, title]) =>
      title
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-'),
    );
    for (const [cause, link] of Object.entries(CAUSE_HELP)) assert.ok(slugs.includes(link.split('#')[1]), `${cause}: ${link} among ${slugs.join(', ')}`);
  });
});
