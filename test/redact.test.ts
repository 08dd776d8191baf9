import assert from 'node:assert/strict';
import { createRedactor, plaintextSignature, redactValue } from '../src/lib/redact';

const consumerSecret = "kd94 hf93!k423*kf44'(x)";
const tokenSecret = 'pfkk/dhi9+sl3r4s00~';
const token = 'nnch734d00sl2jdk';
const redact = createRedactor([consumerSecret, tokenSecret, token, plaintextSignature(consumerSecret, tokenSecret), undefined, '']);

describe('createRedactor', () => {
  it('hides each secret raw, as a URI component, RFC 3986 encoded and form encoded', () => {
    for (const secret of [consumerSecret, tokenSecret, token]) {
      const forms = [
        secret,
        encodeURIComponent(secret),
        encodeURIComponent(secret).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
        new URLSearchParams({ s: secret }).toString().slice(2),
      ];
      for (const form of forms) {
        const text = redact(`401: you sent ${form} here`);
        assert.equal(text, '401: you sent … here', `form ${form}`);
      }
    }
  });

  it('hides the PLAINTEXT signature as a header and a query echo it', () => {
    const signature = plaintextSignature(consumerSecret, tokenSecret)!;
    const header = `Authorization: OAuth oauth_consumer_key="key", oauth_signature="${encodeURIComponent(signature)}"`;
    const query = `GET /x?oauth_signature=${encodeURIComponent(signature)}&oauth_nonce=1`;
    for (const text of [redact(header), redact(query)]) {
      for (const secret of [consumerSecret, tokenSecret, encodeURIComponent(consumerSecret), signature, encodeURIComponent(signature)])
        assert.ok(!text.includes(secret), text);
    }
    assert.match(redact(query), /oauth_nonce=1/);
  });

  it('hides bearer tokens and signatures it was never told about', () => {
    assert.equal(redact('sent Authorization: Bearer eyJhbGciOi.J9-x_y/z+w=='), 'sent Authorization: Bearer …');
    assert.equal(redact('q: oauth_signature=abc%2Bdef%3D&oauth_version=1.0'), 'q: oauth_signature=…&oauth_version=1.0');
    assert.equal(redact('{"oauth_signature":"abc+def="}'), '{"oauth_signature":"…"}');
    assert.equal(redact('header oauth_signature="wOJIO9A2W5mFwDgiDvZbTSMK%2FPY%3D", x'), 'header oauth_signature="…", x');
    assert.equal(redact('{"access_token":"tok-123","token_type":"bearer"}'), '{"access_token":"…","token_type":"bearer"}');
  });

  it('leaves a text without secrets as it is', () => {
    const text = '404 unknown workflow "Q3 report/übersicht" (GET https://h/x?a=b)';
    assert.equal(redact(text), text);
    assert.equal(createRedactor([])(text), text);
  });

  it('redacts every string of an error body, copying it', () => {
    const body = { message: `bad ${tokenSecret}`, nested: [{ header: `Bearer abc` }], code: 401 };
    assert.deepEqual(redactValue(body, redact), { message: 'bad …', nested: [{ header: 'Bearer …' }], code: 401 });
    assert.equal(body.message, `bad ${tokenSecret}`);
  });
});
