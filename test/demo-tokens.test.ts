/**
 * The demo's token routes (demo/tokens.ts) driven by the library's token calls: the
 * 3-legged dance with its one-click authorize page, Extra Horizon's sign-in with MFA, and
 * the tokens they issue then working for get me.
 */
import assert from 'node:assert/strict';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { DEMO_USER } from '../demo/extrahorizon';
import { startDemoServer, type DemoServer } from '../demo/server';
import { DEMO_MFA_CODE, DEMO_MFA_METHOD, DEMO_MFA_USER, DEMO_PASSWORD } from '../demo/tokens';
import { ExtraHorizonError, getMe, mfaToken, passwordToken } from '../src/lib/extrahorizon';
import { createServiceClient } from '../src/lib/service';
import { accessToken, authorizationPage, requestToken, type TokenDanceSettings } from '../src/lib/token-requests';

const CONSUMER = { consumerKey: DEMO_CREDENTIALS.consumerKey, consumerSecret: DEMO_CREDENTIALS.consumerSecret };
const CALLBACK = 'http://127.0.0.1:1880/oauth1-config/n1/callback';

describe('demo token routes', () => {
  let demo: DemoServer;
  before(async () => {
    demo = await startDemoServer();
  });
  after(() => demo.close());

  const settings = (): TokenDanceSettings => ({
    baseUrl: demo.url,
    credentials: { ...CONSUMER },
    requestTokenUrl: 'oauth1/request_token',
    authorizeUrl: 'oauth1/authorize',
    accessTokenUrl: 'oauth1/access_token',
  });

  async function whoIs(pair: { token: string; tokenSecret: string }): Promise<unknown> {
    const client = createServiceClient({ baseUrl: demo.url, credentials: { ...CONSUMER, ...pair } });
    try {
      return (await getMe(client)).user;
    } finally {
      client.destroy();
    }
  }

  /** Clicks "Approve" on the demo's page: the form posts the request token back. */
  async function approve(requestTokenValue: string): Promise<Response> {
    const page = await fetch(authorizationPage(settings(), requestTokenValue));
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<button id="approve"/);
    return fetch(`${demo.url}/oauth1/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ oauth_token: requestTokenValue }),
    });
  }

  it('runs the 3-legged dance: the issued access token works for get me, once', async () => {
    const request = await requestToken(settings(), CALLBACK);
    const approved = await approve(request.token);
    assert.equal(approved.status, 302);
    const location = new URL(approved.headers.get('location') ?? '');
    assert.equal(`${location.origin}${location.pathname}`, CALLBACK);
    assert.equal(location.searchParams.get('oauth_token'), request.token);
    const verifier = location.searchParams.get('oauth_verifier') ?? '';
    const pair = await accessToken(settings(), request, verifier);
    assert.deepEqual(await whoIs(pair), DEMO_USER);
    // The request token is used up, and never opened a resource.
    await assert.rejects(accessToken(settings(), request, verifier), /401/);
    await assert.rejects(whoIs(request), /OAUTH_TOKEN_EXCEPTION/);
  });

  it('refuses a wrong verifier and an unapproved request token; shows the code to an oob client', async () => {
    const request = await requestToken(settings(), 'oob');
    await assert.rejects(accessToken(settings(), request, 'guessed'), /verifier/);
    const approved = await approve(request.token);
    const code = /<code id="verifier">([^<]+)<\/code>/.exec(await approved.text())?.[1] ?? '';
    await assert.rejects(accessToken(settings(), request, 'guessed'), /verifier_invalid/);
    const pair = await accessToken(settings(), request, code);
    assert.equal(((await whoIs(pair)) as { email: string }).email, DEMO_USER.email);
  });

  it('refuses a request token signed with the wrong consumer secret', async () => {
    await assert.rejects(requestToken({ ...settings(), credentials: { ...CONSUMER, consumerSecret: 'wrong' } }, CALLBACK), /401/);
  });

  it("signs in with Extra Horizon's password route, and with MFA for the MFA user", async () => {
    const client = createServiceClient({ baseUrl: demo.url, credentials: { ...CONSUMER } });
    try {
      const plain = await passwordToken(client, DEMO_USER.email, DEMO_PASSWORD);
      assert.ok(plain.ok);
      assert.equal(((await whoIs(plain)) as { email: string }).email, DEMO_USER.email);

      const challenge = await passwordToken(client, DEMO_MFA_USER.email, DEMO_PASSWORD);
      assert.ok(!challenge.ok);
      assert.deepEqual(challenge.mfa.methods, [DEMO_MFA_METHOD]);
      await assert.rejects(mfaToken(client, { token: challenge.mfa.token, methodId: DEMO_MFA_METHOD.id, code: '000000' }), /INVALID_MFA_CODE/);
      const signedIn = await mfaToken(client, { token: challenge.mfa.token, methodId: DEMO_MFA_METHOD.id, code: DEMO_MFA_CODE });
      assert.ok(signedIn.ok);
      assert.equal(((await whoIs(signedIn)) as { email: string }).email, DEMO_MFA_USER.email);

      await assert.rejects(passwordToken(client, DEMO_USER.email, 'wrong'), (error: Error) => {
        assert.ok(error instanceof ExtraHorizonError);
        assert.equal(error.message, '401 AUTHENTICATION_EXCEPTION: The email and password do not match.');
        return true;
      });
    } finally {
      client.destroy();
    }
  });
});
