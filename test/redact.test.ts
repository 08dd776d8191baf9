import assert from 'node:assert/strict';
import {
  createRedactor,
  credentialSecrets,
  credentialsRedactor,
  plaintextSignature,
  redactResponse,
  redactValue,
  SecretList,
  shortSecrets,
} from '../src/lib/redact';

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

  it('hides a secret that appears inside a longer one whole, leaving no tail of the longer one', () => {
    const short = 'abcdefgh';
    const long = 'abcdefgh-ijk-lmn';
    const hide = createRedactor([short, long]);
    assert.equal(hide(`sent ${long} and ${short}`), 'sent … and …');
  });

  it('hides a secret percent-encoded twice, as a query inside a URL parameter carries it', () => {
    const secret = 'a b/c-secret';
    assert.equal(createRedactor([secret])(`next=${encodeURIComponent(`x?s=${encodeURIComponent(secret)}`)}`), `next=${encodeURIComponent('x?s=')}…`);
  });

  it('hides bearer tokens after a space, an encoded space or a plus, and the token pairs of OAuth 2 and 1', () => {
    assert.equal(redact('Authorization: bearer abc.def'), 'Authorization: bearer …');
    assert.equal(redact('h=Bearer%20abc%2Fdef'), 'h=Bearer%20…');
    assert.equal(redact('h=Bearer+abc'), 'h=Bearer+…');
    assert.equal(redact('refresh_token=r1&client_secret=c2&x=1'), 'refresh_token=…&client_secret=…&x=1');
    assert.equal(redact("{'oauth_token': 'tok'}"), "{'oauth_token': '…'}");
    assert.equal(redact('oauth_signature%3D%22sig%22'), 'oauth_signature%3D%22…');
    assert.equal(redact('oauth_token_secret_hint and bearer'), 'oauth_token_secret_hint and bearer');
  });
});

describe('createRedactor, built inside each test', () => {
  it('ignores empty and missing secrets instead of hiding every character or the word "undefined"', () => {
    const hide = createRedactor([undefined, '', 'x9-secret']);
    assert.equal(hide('undefined is not x9-secret'), 'undefined is not …');
  });

  it('hides a secret as form encoders write it: encodeURIComponent with + for space, and URLSearchParams', () => {
    const hide = createRedactor(["a b!c'd-secret"]);
    assert.equal(hide("jquery a+b!c'd-secret"), 'jquery …');
    assert.equal(hide('searchparams a+b%21c%27d-secret'), 'searchparams …');
  });
});

describe('credentialsRedactor', () => {
  it("hides a service's secrets, token, private key and PLAINTEXT signature, and leaves the consumer key", () => {
    const privateKey = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\n-----END PRIVATE KEY-----';
    const hide = credentialsRedactor({ consumerSecret, token, tokenSecret, privateKey });
    const signature = plaintextSignature(consumerSecret, tokenSecret) ?? '';
    const text = `key=ck ${consumerSecret} ${tokenSecret} ${token} ${privateKey} sig ${encodeURIComponent(signature)}`;
    assert.equal(hide(text), 'key=ck … … … … sig …');
  });

  it('has no PLAINTEXT signature without a consumer secret, and joins an absent token secret as empty', () => {
    assert.equal(plaintextSignature(undefined, 'ts'), undefined);
    assert.equal(plaintextSignature('', 'ts'), undefined);
    assert.equal(plaintextSignature('c s', undefined), 'c%20s&');
    // The signature "consumer&" goes whole, not as a hidden secret followed by its "&".
    assert.equal(credentialsRedactor({ consumerSecret: 'consumer' })('consumer& and consumer%26'), '… and …');
  });
});

describe('redactValue', () => {
  const hide = createRedactor(['s3cret-value']);

  it('keeps numbers, booleans, null and Buffers as they are', () => {
    const buffer = Buffer.from('s3cret-value');
    assert.deepEqual(redactValue({ n: 1, b: true, z: null, buffer }, hide), { n: 1, b: true, z: null, buffer });
    assert.equal(redactValue({ buffer }, hide).buffer, buffer);
    assert.equal(redactValue('a s3cret-value', hide), 'a …');
  });

  it('goes twenty levels deep and leaves anything deeper as it is, so a cycle cannot hang it', () => {
    type Nested = { text: string; next?: Nested };
    const build = (levels: number): Nested => (levels === 0 ? { text: 's3cret-value' } : { text: 's3cret-value', next: build(levels - 1) });
    let node: Nested | undefined = redactValue(build(25), hide);
    const texts: string[] = [];
    while (node) {
      texts.push(node.text);
      node = node.next;
    }
    assert.deepEqual(texts.slice(0, 21), Array(21).fill('…'));
    assert.deepEqual(texts.slice(21), Array(5).fill('s3cret-value'));
    const cycle: Record<string, unknown> = { text: 's3cret-value' };
    cycle.self = cycle;
    assert.equal((redactValue(cycle, hide) as { text: string }).text, '…');
  });
});

describe('redactResponse and SecretList (what the client hands out)', () => {
  const secrets = new SecretList([consumerSecret, tokenSecret, undefined, '']);
  const response = (body: unknown, extra: Partial<{ headers: Record<string, string | string[]>; url: string; jsonError: string }> = {}) => ({
    statusCode: 401,
    attempts: 1,
    headers: {},
    url: 'https://api.example.com/x',
    body,
    ...extra,
  });

  it('cuts every encoded form of a secret from text, headers, the URL and the JSON error', () => {
    const redacted = redactResponse(
      response(`echo ${encodeURIComponent(consumerSecret)} and ${tokenSecret}`, {
        headers: { 'x-echo': consumerSecret, 'set-cookie': ['a=1', `b=${encodeURIComponent(tokenSecret)}`] },
        url: `https://api.example.com/login?next=${encodeURIComponent(encodeURIComponent(tokenSecret))}`,
        jsonError: `Unexpected token in "${consumerSecret}"`,
      }),
      secrets,
    );
    assert.equal(redacted.body, 'echo … and …');
    assert.deepEqual(redacted.headers, { 'x-echo': '…', 'set-cookie': ['a=1', 'b=…'] });
    assert.equal(redacted.url, 'https://api.example.com/login?next=…');
    assert.equal(redacted.jsonError, 'Unexpected token in "…"');
    assert.equal(redacted.statusCode, 401);
  });

  it('cuts the bytes of a secret from a binary body, and hands back the very same Buffer when none is in it', () => {
    const clean = Buffer.from([0, 1, 2, 255]);
    assert.equal(redactResponse(response(clean), secrets).body, clean);
    const echoed = Buffer.concat([Buffer.from([0, 255]), Buffer.from(tokenSecret), Buffer.from([7]), Buffer.from(tokenSecret)]);
    assert.deepEqual(
      redactResponse(response(echoed), secrets).body,
      Buffer.concat([Buffer.from([0, 255]), Buffer.from('…'), Buffer.from([7]), Buffer.from('…')]),
    );
  });

  it('walks parsed JSON at any depth, keys included, without recursion', () => {
    let deep: unknown = { leaf: `x${consumerSecret}x` };
    for (let level = 0; level < 20_000; level++) deep = [deep];
    let walked = redactResponse(response(deep), secrets).body;
    for (let level = 0; level < 20_000; level++) walked = (walked as unknown[])[0];
    assert.deepEqual(walked, { leaf: 'x…x' });
    assert.deepEqual(redactResponse(response({ [tokenSecret]: [1, null, true, tokenSecret] }), secrets).body, { '…': [1, null, true, '…'] });
  });

  it('takes the current secrets as they change (a renewed bearer token), for texts and responses', () => {
    let current = 'first-token-123';
    const list = new SecretList([consumerSecret], () => [current]);
    const text = credentialsRedactor({ consumerSecret }, () => [current]);
    assert.equal(text('token first-token-123 unknown'), 'token … unknown');
    assert.equal(redactResponse(response('first-token-123'), list).body, '…');
    current = 'second-token-456';
    assert.equal(text('token first-token-123 / second-token-456'), 'token first-token-123 / …');
    assert.equal(redactResponse(response('second-token-456'), list).body, '…');
  });

  it('leaves an answer alone when the service has no secrets', () => {
    const answer = response({ oauth_token: 'another services token' });
    assert.equal(redactResponse(answer, new SecretList([])), answer);
  });
});

describe('echoes in the encodings services write (third security review)', () => {
  const consumerKey = 'review-consumer-key';
  const secret = 'Review consumer/secret+1&2';
  const tokenSecret = 'review-token-secret';
  const list = new SecretList(credentialSecrets({ consumerKey, consumerSecret: secret, token: 'review-token-value', tokenSecret }));
  const redactText = createRedactor(list);
  /** Every character as a JSON \u escape, as a writer that escapes all may do. */
  const allEscaped = (text: string) => [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
  const echoes: Array<[string, string]> = [
    ['lower-case percent-encoding', encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())],
    ["Python's quote() (/ kept)", encodeURIComponent(secret).replace(/%2F/g, '/')],
    ["Python's quote_plus()", encodeURIComponent(secret).replace(/%20/g, '+')],
    ['JSON with / as \\/ (PHP)', JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/')],
    ['JSON with & as \\u0026 (Go)', JSON.stringify(secret).slice(1, -1).replace(/&/g, '\\u0026')],
    ['JSON with every character escaped, upper-case hex', allEscaped(secret).toUpperCase().replace(/\\U/g, '\\u')],
    ['a Basic header: base64 of key:secret', Buffer.from(`${consumerKey}:${secret}`).toString('base64')],
  ];

  for (const [name, echo] of echoes) {
    it(`cuts ${name} from a text, keeping the rest`, () => {
      const text = `{"note": "you sent ${echo} here", "name": "Alteryx data analytics"}`;
      assert.equal(list.foundIn(text), true, `${name} not found in ${text}`);
      assert.equal(redactText(text), '{"note": "you sent … here", "name": "Alteryx data analytics"}');
    });

    it(`cuts ${name} from a parsed answer found by its text`, () => {
      const sourceText = `{"note":"you sent ${echo} here","list":[{"k":"${echo}"}]}`;
      const response = { body: JSON.parse(sourceText) as unknown, headers: {}, url: 'https://h/x' };
      const clean = redactResponse(response, list, { sourceText });
      assert.deepEqual(clean.body, { note: 'you sent … here', list: [{ k: '…' }] });
    });
  }

  it('leaves a clean parsed answer as it is, without walking it', () => {
    const body = { items: [{ name: 'Alteryx data analytics' }] };
    const clean = redactResponse({ body, headers: {}, url: 'https://h/x' }, list, { sourceText: JSON.stringify(body) });
    assert.equal(clean.body, body);
  });

  it('cuts bearer tokens and credential pairs from the body of an error answer, not of a success', () => {
    const sourceText = '{"seen":"oauth_token=other-service-token&x=1","auth":"Bearer abc.def"}';
    const answer = (strict: boolean) =>
      redactResponse({ body: JSON.parse(sourceText) as unknown, headers: {}, url: 'https://h/x' }, list, { sourceText, strict }).body;
    assert.deepEqual(answer(true), { seen: 'oauth_token=…&x=1', auth: 'Bearer …' });
    assert.deepEqual(answer(false), JSON.parse(sourceText));
  });
});

describe('secrets too short to be one', () => {
  it('does not rewrite answers for a secret under 8 characters', () => {
    const list = new SecretList(credentialSecrets({ consumerKey: 'k', consumerSecret: 'a', token: 'tok', tokenSecret: 'b' }));
    const text = '{"name": "Alteryx data analytics"}';
    assert.equal(list.foundIn(text), false);
    assert.equal(createRedactor(list)(text), text);
    const body = JSON.parse(text) as unknown;
    assert.deepEqual(redactResponse({ body, headers: { 'x-name': 'a b a' }, url: 'https://h/a' }, list).headers, { 'x-name': 'a b a' });
  });

  it('names the short ones, for the warning at deploy', () => {
    assert.deepEqual(shortSecrets({ consumerSecret: 'a', token: '', tokenSecret: 'long-enough-secret' }), ['consumerSecret']);
    assert.deepEqual(shortSecrets({ consumerSecret: 'exactly8' }), []);
  });
});

describe('redactValue', () => {
  it('hands a clean value back as it is: no copy of a large answer', () => {
    const value = { list: Array.from({ length: 1000 }, () => ({ name: 'x' })) };
    assert.equal(
      redactValue(value, (text) => text.replace('secret-value', '…')),
      value,
    );
  });

  it('copies only what it changes, keys included', () => {
    const value = { keep: { a: 1 }, hide: ['secret-value'], 'secret-value': 2 };
    const clean = redactValue(value, (text) => text.replace('secret-value', '…'));
    assert.deepEqual(clean, { keep: { a: 1 }, hide: ['…'], '…': 2 });
    assert.equal(clean.keep, value.keep);
    assert.deepEqual(value.hide, ['secret-value'], 'the original is unchanged');
  });
});
