/** src/lib/explain.ts: the Explain panel signs a typed request and shows what would be sent, never a secret. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { explainSignature, type ExplainAnswer, type Explanation } from '../src/lib/explain';
import { percentEncode, signRequest } from '../src/lib/oauth1';
import type { ServiceOptions } from '../src/lib/service';
import { helper, loadFlow } from './support/node-red';
import { VERIFIER_RSA_PRIVATE_KEY } from './support/oauthlib-verifier';

/**
 * X's worked example, "Creating a signature" (developer.x.com/en/docs/authentication/oauth-1-0a/creating-a-signature,
 * formerly developer.twitter.com): every input of it can be typed into the panel.
 */
const X_DOCS = {
  settings: {
    baseUrl: 'https://api.twitter.com',
    signatureMethod: 'HMAC-SHA1',
    placement: 'header',
    credentials: {
      consumerKey: 'xvz1evFS4wEEPTGEFPHBog',
      consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
      token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
      tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
    },
  } satisfies ServiceOptions,
  explain: {
    method: 'POST',
    url: '1.1/statuses/update.json?include_entities=true',
    formBody: 'status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21',
    nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg',
    timestamp: '1318622958',
  },
  baseString:
    'POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521',
  signature: 'hCtSmYh+iHYCEqBWrE7C7hYmtUk=',
};

function explained(settings: ServiceOptions, explain: Record<string, unknown>): Explanation {
  const answer = explainSignature(settings, explain);
  assert.ok(answer.ok, answer.ok ? '' : answer.message);
  return answer;
}

describe('Explain: what a request would send (src/lib/explain)', () => {
  it('reproduces X\'s worked example "Creating a signature": base string, signature and header', () => {
    const answer = explained(X_DOCS.settings, X_DOCS.explain);
    assert.equal(answer.baseString, X_DOCS.baseString);
    assert.equal(answer.signature, X_DOCS.signature);
    assert.equal(answer.sent, false);
    assert.equal(answer.url, 'https://api.twitter.com/1.1/statuses/update.json?include_entities=true');
    assert.equal(
      answer.authorization,
      'OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1318622958", oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", oauth_version="1.0"',
    );
    assert.deepEqual(
      answer.parameters.find(({ name }) => name === 'status'),
      { name: 'status', value: 'Hello Ladies + Gentlemen, a signed OAuth request!' },
    );
    const json = JSON.stringify(answer);
    assert.ok(!json.includes(X_DOCS.settings.credentials.consumerSecret) && !json.includes(X_DOCS.settings.credentials.tokenSecret));
  });

  /**
   * NetSuite's worked example, Oracle NetSuite Help "The Signature for Web Services and RESTlets"
   * (docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1534941088.html) and its
   * "REST Web Services Header Example" / "RESTlet Base String": the inputs as printed there; the
   * expected signatures as independent TBA libraries' tests quote them from that page (the
   * part of the page we could read stops before its outputs).
   */
  describe("NetSuite's worked example", () => {
    const credentials = {
      consumerKey: 'ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4',
      consumerSecret: 'd26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5',
      token: '2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc',
      tokenSecret: 'c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295',
    };
    const fixed = { nonce: 'fjaLirsIcCGVZWzBX0pg', timestamp: '1508242306' };

    it('REST web services: GET record/v1/employee/40 signs to B5OIWznZ…, realm first in the header', () => {
      const settings: ServiceOptions = {
        baseUrl: 'https://123456.suitetalk.api.netsuite.com/services/rest',
        signatureMethod: 'HMAC-SHA256',
        realm: '123456',
        credentials,
      };
      const answer = explained(settings, { method: 'GET', url: 'record/v1/employee/40', ...fixed });
      assert.equal(answer.signature, 'B5OIWznZ2YP0OB7VrJrGkYsTh+8H+5T9Hag+o92q0zY=');
      assert.match(answer.authorization ?? '', /^OAuth realm="123456", oauth_consumer_key="ef40afdd/);
      assert.match(answer.authorization ?? '', /oauth_signature="B5OIWznZ2YP0OB7VrJrGkYsTh%2B8H%2B5T9Hag%2Bo92q0zY%3D"/);
    });

    it('RESTlet: POST restlet.nl with four query parameters, its base string and signature +KK4SKNg…', () => {
      const settings: ServiceOptions = { baseUrl: 'https://123456.restlets.api.netsuite.com', signatureMethod: 'HMAC-SHA256', realm: '123456', credentials };
      const url = 'app/site/hosting/restlet.nl?script=6&deploy=1&customParam=someValue&testParam=someOtherValue';
      const answer = explained(settings, { method: 'POST', url, ...fixed });
      assert.equal(
        answer.baseString,
        'POST&https%3A%2F%2F123456.restlets.api.netsuite.com%2Fapp%2Fsite%2Fhosting%2Frestlet.nl&customParam%3DsomeValue%26deploy%3D1%26oauth_consumer_key%3Def40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4%26oauth_nonce%3DfjaLirsIcCGVZWzBX0pg%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1508242306%26oauth_token%3D2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc%26oauth_version%3D1.0%26script%3D6%26testParam%3DsomeOtherValue',
      );
      assert.equal(answer.signature, '+KK4SKNgz4ZiILGLwOMtfYlgcXSy1eis8ldE9X90azQ=');
    });
  });

  it('takes the same request as an absolute URL', () => {
    const answer = explained(X_DOCS.settings, { ...X_DOCS.explain, url: 'https://api.twitter.com/1.1/statuses/update.json?include_entities=true' });
    assert.equal(answer.signature, X_DOCS.signature);
  });

  it('HMAC-SHA256 with a realm (NetSuite style): the realm leads the header, is not signed, and the signature checks out', () => {
    const settings: ServiceOptions = {
      baseUrl: 'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest',
      signatureMethod: 'HMAC-SHA256',
      realm: '1234567_SB1',
      credentials: { consumerKey: 'ck', consumerSecret: 'cs', token: 'tk', tokenSecret: 'ts' },
    };
    const answer = explained(settings, { url: 'record/v1/customer?limit=5', nonce: 'abc', timestamp: 1700000000 });
    assert.match(answer.authorization ?? '', /^OAuth realm="1234567_SB1", oauth_consumer_key="ck"/);
    assert.ok(!answer.baseString.includes('realm'));
    assert.equal(answer.signature, createHmac('sha256', 'cs&ts').update(answer.baseString).digest('base64'));
  });

  it('query placement: the URL as it would be sent', () => {
    const answer = explained(
      { baseUrl: 'https://gallery.example.com/gallery/api', placement: 'query', credentials: { consumerKey: 'k', consumerSecret: 's' } },
      { url: 'v1/workflows/subscription/', nonce: 'n', timestamp: '1' },
    );
    assert.match(
      answer.signedUrl ?? '',
      /^https:\/\/gallery\.example\.com\/gallery\/api\/v1\/workflows\/subscription\/\?oauth_consumer_key=k&oauth_nonce=n&.*oauth_signature=[^&]+/,
    );
    assert.equal(answer.authorization, undefined);
  });

  it('query placement with typed-in secrets: the URL is the one the signer sends, with the signature and token', () => {
    const settings: ServiceOptions = { ...X_DOCS.settings, placement: 'query' };
    const answer = explained(settings, X_DOCS.explain);
    const sent = signRequest(
      { method: 'POST', url: answer.url, formBody: X_DOCS.explain.formBody },
      settings.credentials,
      { placement: 'query' },
      { nonce: X_DOCS.explain.nonce, timestamp: Number(X_DOCS.explain.timestamp) },
    );
    assert.equal(answer.signedUrl, sent.url);
    assert.equal(answer.signature, X_DOCS.signature);
  });

  for (const placement of ['header', 'query'] as const) {
    it(`PLAINTEXT (${placement}): the signature is the secrets, so it is hidden everywhere, whatever the URL and realm hold`, () => {
      const credentials = { consumerKey: 'k', consumerSecret: "cs!'()* +&", token: 't', tokenSecret: 'ts%/+' };
      const settings: ServiceOptions = { baseUrl: 'https://h.example.com', signatureMethod: 'PLAINTEXT', placement, credentials };
      // "oauth_signature=" in the path, the query and the realm: the header and URL are not edited after signing.
      const answer = explained(placement === 'header' ? { ...settings, realm: 'oauth_signature=' } : settings, {
        url: '/oauth_signature=/x?q=oauth_signature=',
      });
      assert.equal(answer.signatureHidden, 'plaintext');
      assert.equal(answer.signature, undefined);
      const json = JSON.stringify(answer);
      for (const secret of [credentials.consumerSecret, credentials.tokenSecret]) {
        for (const form of [secret, encodeURIComponent(secret), encodeURIComponent(encodeURIComponent(secret))])
          assert.ok(!json.includes(form), `${form} in ${json}`);
      }
      assert.match(answer.authorization ?? answer.signedUrl ?? '', placement === 'header' ? /oauth_signature="…"/ : /oauth_signature=…/);
    });
  }

  it('RSA-SHA1 shows the signature (public information) and never the private key', () => {
    const answer = explained(
      {
        baseUrl: 'https://jira.example.com',
        signatureMethod: 'RSA-SHA1',
        credentials: { consumerKey: 'k', consumerSecret: '', token: 't', privateKey: VERIFIER_RSA_PRIVATE_KEY },
      },
      { url: 'rest/api/2/myself' },
    );
    assert.ok(answer.signature && answer.signature.length > 100);
    assert.ok(!JSON.stringify(answer).includes(VERIFIER_RSA_PRIVATE_KEY.split('\n')[1]));
  });

  it('refuses what it cannot explain, in one line: another origin, OAuth 2, a bad method or timestamp, missing secrets', () => {
    const settings: ServiceOptions = { baseUrl: 'https://api.example.com', credentials: { consumerKey: 'k', consumerSecret: 's' } };
    const refusals: Array<[ServiceOptions, Record<string, unknown>, RegExp]> = [
      [settings, { url: 'https://elsewhere.example.com/x' }, /^not signed: https:\/\/elsewhere\.example\.com is not the service's origin/],
      [{ ...settings, scheme: 'oauth2' }, { url: '/x' }, /OAuth 2 bearer tokens/],
      [settings, { method: 'TRACE', url: '/x' }, /unsupported method "TRACE"/],
      [settings, { url: '/x', timestamp: 'yesterday' }, /whole seconds/],
      [{ ...settings, credentials: { consumerKey: 'k', consumerSecret: '' } }, { url: '/x' }, /consumer secret missing/],
      [{ credentials: { consumerKey: 'k', consumerSecret: 's' } }, { url: '/x' }, /relative and the config node has no base URL/],
    ];
    for (const [service, input, message] of refusals) {
      const answer = explainSignature(service, input);
      assert.equal(answer.ok, false);
      assert.match(answer.ok ? '' : answer.message, message);
    }
  });
});

/**
 * The Explain route with a deployed node's stored secrets (`__PWRD__`), in the Node-RED
 * runtime: whatever a user who may test connections types (URL, realm, nonce, timestamp),
 * the answer holds no secret, no token, and no signature that could be sent later.
 */
describe('the Explain route with stored secrets (POST /oauth1-config/:id/explain)', function () {
  this.timeout(20_000);
  const STORED = { consumerKey: 'explain-key', consumerSecret: 'cs!Stored *Zq9', token: 'tok-Stored-77', tokenSecret: 'ts/Stored+Wx' };
  const BASE_URL = 'https://api.example.com/v1';
  afterEach(() => helper.unload());

  async function deploy(config: Record<string, unknown>): Promise<void> {
    await loadFlow(['oauth1-config'], [{ id: 'svc', type: 'oauth1-config', name: 'service', baseUrl: BASE_URL, ...config }], { svc: STORED });
  }

  /** The dialog's form with every secret and the token left unchanged. */
  async function explainStored(config: Record<string, unknown>, explain: Record<string, unknown>): Promise<{ body: ExplainAnswer; text: string }> {
    const credentials = { consumerKey: STORED.consumerKey, consumerSecret: '__PWRD__', token: '__PWRD__', tokenSecret: '__PWRD__' };
    const answer = await helper
      .request()
      .post('/oauth1-config/svc/explain')
      .send({ preset: 'custom', baseUrl: BASE_URL, ...config, credentials, explain })
      .expect(200);
    return { body: answer.body as ExplainAnswer, text: answer.text };
  }

  /** Raw and in every encoding a request gives it: the secrets, the PLAINTEXT signature and the token. */
  function assertNothingStored(text: string): void {
    const plaintext = `${percentEncode(STORED.consumerSecret)}&${percentEncode(STORED.tokenSecret)}`;
    for (const value of [STORED.consumerSecret, STORED.tokenSecret, plaintext, STORED.token]) {
      for (const form of [value, encodeURIComponent(value), percentEncode(value), percentEncode(percentEncode(value))])
        assert.ok(!text.includes(form), `the answer shows ${form}: ${text}`);
    }
  }

  it('PLAINTEXT in the query: a URL whose path and query hold "oauth_signature=" shows no secret', async () => {
    const config = { signatureMethod: 'PLAINTEXT', placement: 'query' };
    await deploy(config);
    const { body, text } = await explainStored(config, { url: 'oauth_signature=/x?q=oauth_signature=&oauth_signature=' });
    assert.equal(body.ok, true, text);
    assertNothingStored(text);
    assert.match(
      body.ok ? (body.signedUrl ?? '') : '',
      /^https:\/\/api\.example\.com\/v1\/oauth_signature=\/x\?q=oauth_signature=&oauth_consumer_key=explain-key&/,
    );
  });

  it('PLAINTEXT in the header: a realm "oauth_signature=" shows no secret', async () => {
    const config = { signatureMethod: 'PLAINTEXT', placement: 'header' };
    await deploy(config);
    const { body, text } = await explainStored({ ...config, realm: 'oauth_signature=' }, { url: 'me' });
    assert.equal(body.ok, true, text);
    assertNothingStored(text);
    assert.match(body.ok ? (body.authorization ?? '') : '', /^OAuth realm="oauth_signature=", oauth_consumer_key="explain-key", /);
  });

  it('HMAC-SHA1: the stored token shows as … in the parameters, the base string and the header, and no signature is answered', async () => {
    const config = { signatureMethod: 'HMAC-SHA1', placement: 'header' };
    await deploy(config);
    const { body, text } = await explainStored(config, { url: 'me', nonce: 'n0nce', timestamp: String(Math.floor(Date.now() / 1000)) });
    assert.ok(body.ok, text);
    assertNothingStored(text);
    assert.equal(body.signature, undefined);
    assert.equal(body.signatureHidden, 'stored-secrets');
    assert.match(
      body.authorization ?? '',
      /oauth_signature="…", oauth_signature_method="HMAC-SHA1", oauth_timestamp="\d+", oauth_token="…", oauth_version="1\.0"$/,
    );
    assert.match(body.baseString, /%26oauth_token%3D…%26oauth_version%3D1\.0$/);
    assert.deepEqual(
      body.parameters.find(({ name }) => name === 'oauth_token'),
      { name: 'oauth_token', value: '…' },
    );
  });

  it('HMAC-SHA1 in the query with the timestamp 4102444800 (year 2100): nothing that could be sent later', async () => {
    const config = { signatureMethod: 'HMAC-SHA1', placement: 'query' };
    await deploy(config);
    const { body, text } = await explainStored(config, { url: 'me', nonce: 'chosen', timestamp: '4102444800' });
    assert.ok(body.ok, text);
    assertNothingStored(text);
    assert.equal(body.signature, undefined);
    assert.match(body.signedUrl ?? '', /&oauth_signature_method=HMAC-SHA1&oauth_timestamp=4102444800&oauth_token=…&oauth_version=1\.0&oauth_signature=…$/);
    // The base string stays comparable with one a service printed for that request.
    assert.match(body.baseString, /oauth_nonce%3Dchosen%26.*oauth_timestamp%3D4102444800/);
  });

  it('typed-in secrets on the same deployed node: the whole answer, signature and token included', async () => {
    const config = { signatureMethod: 'HMAC-SHA1', placement: 'header' };
    await deploy(config);
    const answer = await helper
      .request()
      .post('/oauth1-config/svc/explain')
      .send({
        preset: 'custom',
        baseUrl: BASE_URL,
        ...config,
        credentials: X_DOCS.settings.credentials,
        explain: { ...X_DOCS.explain, url: 'https://api.example.com/v1/x' },
      })
      .expect(200);
    const body = answer.body as Explanation;
    assert.equal(body.ok, true, answer.text);
    assert.ok(body.signature);
    assert.equal(body.signatureHidden, undefined);
    assert.match(body.authorization ?? '', new RegExp(`oauth_token="${X_DOCS.settings.credentials.token}"`));
  });
});
