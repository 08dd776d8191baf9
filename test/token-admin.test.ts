/**
 * The config dialog's token routes (src/nodes/oauth1-config/tokens-admin.ts) in the real
 * Node-RED runtime against the demo service: the 3-legged dance through authorize, the
 * demo's approve page and the callback; the PIN (oob) verifier; Extra Horizon's sign-in
 * with MFA. Every refusal stores nothing; the token secret and the password never reach
 * an answer or a log line; the stored pair then works for get me and oauth1 request.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { DEMO_USER } from '../demo/extrahorizon';
import { startDemoServer, type DemoServer } from '../demo/server';
import { DEMO_MFA_CODE, DEMO_MFA_METHOD, DEMO_MFA_USER, DEMO_PASSWORD } from '../demo/tokens';
import { startEchoServer, type EchoServer } from './support/echo-server';
import { helper, loadFlow, logLines, nextMessage, type FlowNode } from './support/node-red';

const { consumerKey, consumerSecret } = DEMO_CREDENTIALS;
/** The editor's address as the browser sees it; the callback must be on it. */
const EDITOR = 'http://127.0.0.1:1880';
const CALLBACK = `${EDITOR}/oauth1-config/svc/callback`;

interface StoredCredentials {
  consumerKey?: string;
  consumerSecret?: string;
  token?: string;
  tokenSecret?: string;
}

function storedCredentials(id = 'svc'): StoredCredentials | undefined {
  return (helper as unknown as { credentials: { get(id: string): StoredCredentials | undefined } }).credentials.get(id);
}

describe('token routes of the config dialog (Node-RED runtime, demo service)', function () {
  this.timeout(20_000);
  let demo: DemoServer;
  let attacker: EchoServer;
  before(async () => {
    [demo, attacker] = await Promise.all([startDemoServer(), startEchoServer()]);
  });
  after(async () => {
    await demo?.close();
    await attacker?.close();
  });
  afterEach(async () => {
    sinon.restore();
    await helper.unload();
  });

  /** The dialog form: the demo as a 3-legged service, consumer pair typed in. */
  function form(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      baseUrl: demo.url,
      requestTokenUrl: 'oauth1/request_token',
      authorizeUrl: 'oauth1/authorize',
      accessTokenUrl: `${demo.url}/oauth1/access_token`,
      credentials: { consumerKey, consumerSecret },
      ...extra,
    };
  }

  async function deploy(credentials: StoredCredentials = { consumerKey, consumerSecret }): Promise<void> {
    const flow: FlowNode[] = [{ id: 'svc', type: 'oauth1-config', name: 'service', baseUrl: demo.url }];
    await loadFlow(['oauth1-config'], flow, { svc: credentials as Record<string, string> });
  }

  /** As the editor posts: to its own host (the browser's Host header), from its own origin. */
  function post(path: string, body: unknown) {
    return helper
      .request()
      .post(path)
      .set('host', new URL(EDITOR).host)
      .set('origin', EDITOR)
      .send(body as object);
  }

  async function authorize(callbackUrl = CALLBACK, extra: Record<string, unknown> = {}): Promise<URL> {
    const answer = await post('/oauth1-config/svc/authorize', form({ callbackUrl, ...extra })).expect(200);
    assert.equal(answer.body.ok, true, answer.body.message);
    return new URL(answer.body.authorizeUrl);
  }

  /** Clicks "Approve" on the demo's page; returns where the demo sends the browser (or the page showing the code). */
  async function approve(authorizeUrl: URL): Promise<Response> {
    assert.equal((await fetch(authorizeUrl)).status, 200);
    return fetch(`${demo.url}/oauth1/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ oauth_token: authorizeUrl.searchParams.get('oauth_token') ?? '' }),
    });
  }

  /** Follows the demo's redirect to the callback route, as the browser would (no admin token, cross-site). */
  async function followToCallback(approved: Response, id = 'svc') {
    const location = new URL(approved.headers.get('location') ?? '');
    return helper.request().get(`/oauth1-config/${id}/callback${location.search}`).set('sec-fetch-site', 'cross-site');
  }

  async function getMeWith(credentials: StoredCredentials): Promise<Record<string, unknown>> {
    await helper.unload();
    const flow: FlowNode[] = [
      { id: 'svc', type: 'oauth1-config', name: 'service', baseUrl: demo.url },
      { id: 'me', type: 'oauth1-get-me', z: 'f', server: 'svc', wires: [['out']] },
      { id: 'req', type: 'oauth1-request', z: 'f', server: 'svc', method: 'GET', url: 'users/v1/me', ret: 'obj', wires: [['out2']] },
      { id: 'out', type: 'helper', z: 'f' },
      { id: 'out2', type: 'helper', z: 'f' },
    ];
    await loadFlow(['oauth1-config', 'oauth1-get-me', 'oauth1-request'], flow, { svc: credentials as Record<string, string> });
    const me = nextMessage('out');
    helper.getNode('me').receive({ payload: '' });
    const requested = nextMessage('out2');
    helper.getNode('req').receive({ payload: '' });
    const viaRequest = await requested;
    assert.equal(viaRequest.statusCode, 200);
    return (await me).payload as Record<string, unknown>;
  }

  it('authorize → approve → callback stores the pair; the page tells the dialog the token, never its secret', async () => {
    await deploy();
    const authorizeUrl = await authorize();
    assert.equal(`${authorizeUrl.origin}${authorizeUrl.pathname}`, `${demo.url}/oauth1/authorize`);
    const page = await followToCallback(await approve(authorizeUrl));
    assert.equal(page.status, 200, page.text);
    const stored = storedCredentials();
    assert.ok(stored?.token && stored.tokenSecret, 'the pair is in the credential store');
    assert.equal(stored.consumerSecret, consumerSecret, 'the consumer pair is kept');
    assert.ok(page.text.includes(stored.token), 'the page carries the token');
    assert.ok(!page.text.includes(stored.tokenSecret), 'the page never carries the token secret');
    assert.match(page.text, /window\.opener\.postMessage\(data,window\.location\.origin\)/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'nonce-/);
    assert.deepEqual(await getMeWith(stored), DEMO_USER);
  });

  it('a reused, foreign or expired request token and a wrong verifier are refused and store nothing', async () => {
    await deploy();
    const before = storedCredentials();
    // Foreign: a request token of node svc at the callback of another node.
    const foreign = await followToCallback(await approve(await authorize()), 'other');
    assert.equal(foreign.status, 400);
    assert.match(foreign.text, /unknown, already used or expired/);
    assert.equal(storedCredentials('other'), undefined);

    // Reused: the second visit of the same callback address.
    const approved = await approve(await authorize());
    assert.equal((await followToCallback(approved)).status, 200);
    const afterFirst = storedCredentials();
    const again = await followToCallback(approved);
    assert.equal(again.status, 400);
    assert.deepEqual(storedCredentials(), afterFirst);

    // Wrong verifier: the provider refuses, nothing is stored.
    const wrong = new URL(CALLBACK);
    wrong.searchParams.set('oauth_token', (await authorize()).searchParams.get('oauth_token') ?? '');
    wrong.searchParams.set('oauth_verifier', 'guessed');
    const refused = await helper.request().get(`/oauth1-config/svc/callback${wrong.search}`);
    assert.equal(refused.status, 400);
    assert.match(refused.text, /No token: access token: the provider answered 401/);
    assert.deepEqual(storedCredentials(), afterFirst);

    // Expired: 10 minutes later the request token is gone.
    const late = await approve(await authorize());
    sinon.useFakeTimers({ now: Date.now() + 10 * 60_000 + 1000, toFake: ['Date'] });
    assert.equal((await followToCallback(late)).status, 400);
    sinon.restore();
    assert.deepEqual(storedCredentials(), afterFirst);
    assert.notDeepEqual(afterFirst, before);
  });

  it('refuses a callbackUrl that is not this editor’s callback route for this node: no open redirect, nothing sent', async () => {
    await deploy();
    const sent = demo.stats.requests.length;
    for (const callbackUrl of [
      `${attacker.url}/collect`,
      `${attacker.url}/oauth1-config/svc/callback`,
      `${EDITOR}/oauth1-config/other/callback`,
      `${EDITOR}/oauth1-config/svc/callback?next=${attacker.url}`,
      '',
    ]) {
      const answer = await post('/oauth1-config/svc/authorize', form({ callbackUrl })).expect(400);
      assert.match(answer.body.message, /callbackUrl must be "oob" or this editor's own/);
    }
    // A client that says it is another site (curl can send any Origin) gets no callback there either.
    for (const callbackUrl of [`${attacker.url}/oauth1-config/svc/callback`, `${attacker.url}/prefix/oauth1-config/svc/callback`]) {
      const answer = await post('/oauth1-config/svc/authorize', form({ callbackUrl })).set('origin', attacker.url).expect(400);
      assert.match(answer.body.message, /callbackUrl must be "oob" or this editor's own/);
    }
    const prefixed = await post('/oauth1-config/svc/authorize', form({ callbackUrl: `${EDITOR}/elsewhere/oauth1-config/svc/callback` })).expect(400);
    assert.match(prefixed.body.message, /callbackUrl must be "oob"/, 'the path is the whole callback route, not one that ends in it');
    const javascript = await post('/oauth1-config/svc/authorize', form({ callbackUrl: CALLBACK, authorizeUrl: 'javascript://x/%0aalert(1)' })).expect(400);
    assert.match(javascript.body.message, /authorize URL must be an http/);
    assert.equal(demo.stats.requests.length, sent);
    assert.equal(attacker.requests.length, 0);
  });

  it('form-encoded posts get 415 on every token route and store nothing', async () => {
    await deploy();
    const before = storedCredentials();
    for (const route of ['authorize', 'verifier', 'password-token']) {
      await helper
        .request()
        .post(`/oauth1-config/svc/${route}`)
        .type('form')
        .send(`baseUrl=${encodeURIComponent(demo.url)}&callbackUrl=oob&email=${encodeURIComponent(DEMO_USER.email)}&password=${DEMO_PASSWORD}&verifier=x`)
        .expect(415);
    }
    assert.deepEqual(storedCredentials(), before);
  });

  it('stored secrets (__PWRD__) are not sent to a token URL of another service', async () => {
    await deploy();
    const answer = await post(
      '/oauth1-config/svc/authorize',
      form({ baseUrl: attacker.url, requestTokenUrl: `${attacker.url}/rt`, callbackUrl: 'oob', credentials: { consumerKey, consumerSecret: '__PWRD__' } }),
    ).expect(400);
    assert.match(answer.body.message, /^type the secrets in again/);
    const elsewhere = await post('/oauth1-config/svc/authorize', form({ requestTokenUrl: `${attacker.url}/rt`, callbackUrl: 'oob' })).expect(200);
    assert.equal(elsewhere.body.ok, false);
    assert.match(elsewhere.body.message, /not sent: .*Also sign for/);
    assert.equal(attacker.requests.length, 0);
  });

  it('PIN providers: the code typed in the dialog gets the token; a wrong one stores nothing', async () => {
    await deploy();
    const before = storedCredentials();
    const codeOf = async (approved: Response) => /<code id="verifier">([^<]+)<\/code>/.exec(await approved.text())?.[1] ?? '';
    await codeOf(await approve(await authorize('oob')));
    const empty = await post('/oauth1-config/svc/verifier', { verifier: ' ' }).expect(400);
    assert.match(empty.body.message, /type the code/);
    const wrong = await post('/oauth1-config/svc/verifier', { verifier: 'guessed' }).expect(200);
    assert.equal(wrong.body.ok, false);
    assert.deepEqual(storedCredentials(), before);
    const none = await post('/oauth1-config/svc/verifier', { verifier: 'guessed' }).expect(400);
    assert.match(none.body.message, /no sign-in is waiting/);

    const code = await codeOf(await approve(await authorize('oob')));
    const answer = await post('/oauth1-config/svc/verifier', { verifier: code }).expect(200);
    assert.equal(answer.body.ok, true);
    const stored = storedCredentials();
    assert.equal(answer.body.token, stored?.token);
    assert.ok(!JSON.stringify(answer.body).includes(stored?.tokenSecret ?? '?'));
  });

  describe('Extra Horizon sign-in (password-token)', () => {
    const signIn = (body: Record<string, unknown>) =>
      post('/oauth1-config/svc/password-token', { baseUrl: demo.url, preset: 'extrahorizon', credentials: { consumerKey, consumerSecret }, ...body });

    it('stores the pair and answers the token and whom it belongs to; it works for get me', async () => {
      await deploy();
      const answer = await signIn({ email: DEMO_USER.email, password: DEMO_PASSWORD }).expect(200);
      assert.equal(answer.body.ok, true, answer.body.message);
      assert.equal(answer.body.who, DEMO_USER.first_name);
      const stored = storedCredentials();
      assert.equal(answer.body.token, stored?.token);
      assert.deepEqual(Object.keys(answer.body).sort(), ['ok', 'token', 'who']);
      assert.deepEqual(await getMeWith(stored ?? {}), DEMO_USER);
    });

    it('with MFA: answers the challenge, then the code gets the pair', async () => {
      await deploy();
      const first = await signIn({ email: DEMO_MFA_USER.email, password: DEMO_PASSWORD }).expect(200);
      assert.equal(first.body.ok, false);
      assert.deepEqual(first.body.mfa.methods, [DEMO_MFA_METHOD]);
      assert.equal(storedCredentials()?.token, undefined);
      const wrongCode = await signIn({ mfa: { token: first.body.mfa.token, methodId: DEMO_MFA_METHOD.id, code: '000000' } }).expect(200);
      assert.equal(wrongCode.body.ok, false);
      assert.match(wrongCode.body.message, /INVALID_MFA_CODE_EXCEPTION/);
      const second = await signIn({ mfa: { token: first.body.mfa.token, methodId: DEMO_MFA_METHOD.id, code: DEMO_MFA_CODE } }).expect(200);
      assert.equal(second.body.ok, true);
      assert.equal(second.body.who, DEMO_MFA_USER.first_name);
      assert.equal(((await getMeWith(storedCredentials() ?? {})) as { email: string }).email, DEMO_MFA_USER.email);
    });

    it('on a service not deployed yet, Test connection takes the pair Sign in just obtained as typed in, for that service only', async () => {
      await deploy();
      const fresh = (route: string, body: Record<string, unknown>) =>
        post(`/oauth1-config/fresh/${route}`, { baseUrl: demo.url, preset: 'extrahorizon', credentials: { consumerKey, consumerSecret }, ...body });
      const signedIn = await fresh('password-token', { email: DEMO_USER.email, password: DEMO_PASSWORD }).expect(200);
      assert.equal(signedIn.body.ok, true, signedIn.body.message);
      // What the dialog then posts: the token in its field, the secret field "unchanged".
      const dialog = { credentials: { consumerKey, consumerSecret, token: signedIn.body.token, tokenSecret: '__PWRD__' } };
      const tested = await fresh('test', dialog).expect(200);
      assert.equal(tested.body.ok, true, tested.body.message);
      assert.match(tested.body.message, new RegExp(DEMO_USER.email.replace('.', '\\.')));
      const elsewhere = await fresh('test', { ...dialog, baseUrl: attacker.url }).expect(200);
      assert.equal(elsewhere.body.ok, false);
      assert.match(elsewhere.body.message, /^type the secrets in again: the token the dialog obtained is only used for the service it was obtained for/);
      const otherToken = await fresh('test', { credentials: { ...dialog.credentials, token: 'another-token' } }).expect(200);
      assert.match(otherToken.body.message, /^type the secrets in again: this node is not deployed/, 'the obtained secret goes with its own token only');
      assert.equal(attacker.requests.length, 0);
    });

    it("a wrong password answers Extra Horizon's message, stores nothing, and the password is nowhere", async () => {
      const password = 'a-wrong-password-to-look-for';
      await deploy();
      const before = storedCredentials();
      const answer = await signIn({ email: DEMO_USER.email, password }).expect(200);
      assert.deepEqual(answer.body, { ok: false, message: '401 AUTHENTICATION_EXCEPTION: The email and password do not match.' });
      assert.deepEqual(storedCredentials(), before);
      const missing = await signIn({ email: DEMO_USER.email }).expect(400);
      assert.match(missing.body.message, /email and password/);
      assert.ok(!logLines().some((line) => line.includes(password)), 'the password is in no log line');
    });
  });
});
