/**
 * "Get token" against a provider we did not write: oauthlib's request-token, authorization
 * and access-token endpoints (test/verifier/oauthlib_provider.py), driven through the config
 * dialog's admin routes in the Node-RED runtime. The pair obtained then signs a request
 * that oauthlib's resource endpoint accepts, sent by an oauth1-request node.
 */
import assert from 'node:assert/strict';
import { startProvider, PROVIDER_CONSUMER, type Provider } from './support/oauthlib-provider';
import { helper, loadFlow, nextMessage, type FlowNode } from './support/node-red';

const EDITOR = 'http://127.0.0.1:1880';

function storedCredentials(id: string): Record<string, string> | undefined {
  return (helper as unknown as { credentials: { get(id: string): Record<string, string> | undefined } }).credentials.get(id);
}

describe('Get token against oauthlib (an independent OAuth 1.0a provider)', function () {
  this.timeout(30_000);
  let provider: Provider;
  before(async () => {
    provider = await startProvider();
  });
  after(() => provider?.close());
  afterEach(() => helper.unload());

  async function deploy(credentials: Record<string, string>): Promise<void> {
    const flow: FlowNode[] = [
      { id: 'svc', type: 'oauth1-config', name: 'oauthlib', baseUrl: provider.url },
      { id: 'req', type: 'oauth1-request', z: 'f', server: 'svc', method: 'GET', url: 'me', ret: 'obj', wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f' },
    ];
    await loadFlow(['oauth1-config', 'oauth1-request'], flow, { svc: credentials });
  }

  async function authorize(callbackUrl: string): Promise<string> {
    const form = {
      baseUrl: provider.url,
      requestTokenUrl: 'request_token',
      authorizeUrl: `${provider.url}/authorize`,
      accessTokenUrl: 'access_token',
      credentials: PROVIDER_CONSUMER,
      callbackUrl,
    };
    // As the editor posts: to its own host (the browser's Host header), from its own origin.
    const answer = await helper.request().post('/oauth1-config/svc/authorize').set('host', new URL(EDITOR).host).set('origin', EDITOR).send(form).expect(200);
    assert.equal(answer.body.ok, true, answer.body.message);
    assert.equal((await fetch(answer.body.authorizeUrl)).status, 200, "oauthlib's authorize page");
    return new URL(answer.body.authorizeUrl).searchParams.get('oauth_token') ?? '';
  }

  function approve(requestToken: string): Promise<Response> {
    return fetch(`${provider.url}/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ oauth_token: requestToken }),
    });
  }

  async function signedRequestIsAccepted(): Promise<void> {
    const stored = storedCredentials('svc');
    assert.ok(stored?.token && stored.tokenSecret);
    await helper.unload();
    await deploy(stored);
    const answer = nextMessage('out');
    helper.getNode('req').receive({ payload: '' });
    const msg = await answer;
    assert.equal(msg.statusCode, 200, JSON.stringify(msg.payload));
    assert.equal((msg.payload as { first_name: string }).first_name, 'Olivia');
  }

  it('with a callback: authorize, approve, callback; the pair signs an accepted request', async () => {
    await deploy({ ...PROVIDER_CONSUMER });
    const approved = await approve(await authorize(`${EDITOR}/oauth1-config/svc/callback`));
    assert.equal(approved.status, 302);
    const location = new URL(approved.headers.get('location') ?? '');
    assert.equal(location.pathname, '/oauth1-config/svc/callback');
    const page = await helper.request().get(`${location.pathname}${location.search}`);
    assert.equal(page.status, 200, page.text);
    await signedRequestIsAccepted();
  });

  it('oob (PIN): the verifier posted from the dialog gets the pair; a wrong one is refused by oauthlib', async () => {
    await deploy({ ...PROVIDER_CONSUMER });
    const wrong = await helper
      .request()
      .post('/oauth1-config/svc/verifier')
      .send({ verifier: 'guessed' + (await authorize('oob')) });
    assert.equal(wrong.body.ok, false);
    assert.equal(storedCredentials('svc')?.token, undefined);
    const shown = new URLSearchParams(await (await approve(await authorize('oob'))).text());
    const answer = await helper
      .request()
      .post('/oauth1-config/svc/verifier')
      .send({ verifier: shown.get('oauth_verifier') })
      .expect(200);
    assert.equal(answer.body.ok, true, answer.body.message);
    await signedRequestIsAccepted();
  });
});
