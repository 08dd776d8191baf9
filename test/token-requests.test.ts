/**
 * The library's token calls against loopback providers whose HMAC-SHA1 check is written
 * out independently (test/support/fault-server.ts): the 3-legged request and access token
 * steps, and Extra Horizon's password sign-in with MFA.
 */
import assert from 'node:assert/strict';
import { createServiceClient } from '../src/lib/service';
import { ExtraHorizonError, mfaToken, passwordToken, MFA_TOKEN_PATH, PASSWORD_TOKEN_PATH } from '../src/lib/extrahorizon';
import { accessToken, authorizationPage, requestToken, TokenRequestError, type TokenDanceSettings } from '../src/lib/token-requests';
import { json, redirect, respond, startFaultServer, type FaultServer } from './support/fault-server';

const CONSUMER = { consumerKey: 'tl-consumer', consumerSecret: 'tl-consumer-secret' };
const REQUEST_PAIR = { token: 'tl-request-token', tokenSecret: 'tl-request-secret' };

function settingsFor(server: FaultServer, extra: Partial<TokenDanceSettings> = {}): TokenDanceSettings {
  return {
    baseUrl: `${server.url}/api`,
    credentials: { ...CONSUMER },
    requestTokenUrl: 'oauth/request_token',
    authorizeUrl: `${server.url}/oauth/authorize`,
    accessTokenUrl: `${server.url}/oauth/access_token`,
    ...extra,
  };
}

describe('token requests (3-legged OAuth 1.0a)', () => {
  const servers: FaultServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  async function provider(credentials: { consumerKey: string; consumerSecret: string; token?: string; tokenSecret?: string }): Promise<FaultServer> {
    const server = await startFaultServer({ credentials });
    servers.push(server);
    return server;
  }

  it('asks for a request token signed with the consumer pair and the callback, at a URL relative to the base URL', async () => {
    const server = await provider(CONSUMER);
    server.route(
      '/api/oauth/request_token',
      respond(200, `oauth_token=${REQUEST_PAIR.token}&oauth_token_secret=${REQUEST_PAIR.tokenSecret}&oauth_callback_confirmed=true`),
    );
    const callback = 'http://127.0.0.1:1880/oauth1-config/n1/callback';
    const pair = await requestToken(settingsFor(server), callback);
    assert.deepEqual(pair, REQUEST_PAIR);
    const [sent] = server.requestsTo('/api/oauth/request_token');
    assert.equal(sent?.method, 'POST');
    assert.equal(sent?.signature, 'valid');
    assert.equal(sent?.oauth.oauth_callback, callback);
    assert.equal(sent?.oauth.oauth_token, undefined);
    assert.equal(authorizationPage(settingsFor(server), pair.token), `${server.url}/oauth/authorize?oauth_token=${REQUEST_PAIR.token}`);
  });

  it('refuses a provider that does not confirm the callback (OAuth 1.0 without the "a")', async () => {
    const server = await provider(CONSUMER);
    server.route('/api/oauth/request_token', respond(200, `oauth_token=a&oauth_token_secret=b`));
    await assert.rejects(requestToken(settingsFor(server), 'oob'), /did not confirm the callback/);
  });

  it('exchanges the verifier for the access token, signed with the request token pair', async () => {
    const server = await provider({ ...CONSUMER, ...REQUEST_PAIR });
    server.route('/oauth/access_token', respond(200, 'oauth_token=access-1&oauth_token_secret=access-secret-1&user_id=42'));
    const pair = await accessToken(settingsFor(server), REQUEST_PAIR, 'verifier-123');
    assert.deepEqual(pair, { token: 'access-1', tokenSecret: 'access-secret-1', extra: { user_id: '42' } });
    const [sent] = server.requestsTo('/oauth/access_token');
    assert.equal(sent?.signature, 'valid');
    assert.equal(sent?.oauth.oauth_verifier, 'verifier-123');
    assert.equal(sent?.oauth.oauth_token, REQUEST_PAIR.token);
    assert.equal(sent?.oauth.oauth_callback, undefined);
  });

  it("says what the provider answered to a refused verifier, without the request token's secret", async () => {
    const server = await provider({ ...CONSUMER, ...REQUEST_PAIR });
    server.route('/oauth/access_token', respond(401, `bad verifier for secret ${REQUEST_PAIR.tokenSecret}`));
    await assert.rejects(accessToken(settingsFor(server), REQUEST_PAIR, 'wrong'), (error: Error) => {
      assert.ok(error instanceof TokenRequestError);
      assert.match(error.message, /access token: the provider answered 401/);
      assert.doesNotMatch(error.message, new RegExp(REQUEST_PAIR.tokenSecret));
      return true;
    });
  });

  it('sends nothing to a token URL outside the base URL origin and "Also sign for", and signs for one listed there', async () => {
    const api = await provider(CONSUMER);
    const tokens = await startFaultServer({ host: '127.0.0.1', credentials: CONSUMER });
    servers.push(tokens);
    tokens.route('/oauth/request_token', respond(200, 'oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true'));
    const elsewhere = settingsFor(api, { requestTokenUrl: `${tokens.url}/oauth/request_token` });
    await assert.rejects(requestToken(elsewhere, 'oob'), /not sent: .* is not the service's origin.*Also sign for/);
    assert.equal(tokens.requests.length, 0);
    const listed = await requestToken({ ...elsewhere, extraOrigins: [tokens.url] }, 'oob');
    assert.equal(listed.token, 't');
    assert.equal(tokens.requests[0]?.signature, 'valid');
  });

  it('names a missing token URL and refuses OAuth 2', async () => {
    const server = await provider(CONSUMER);
    await assert.rejects(requestToken(settingsFor(server, { requestTokenUrl: '' }), 'oob'), /request token URL missing/);
    await assert.rejects(requestToken(settingsFor(server, { scheme: 'oauth2' }), 'oob'), /OAuth 2/);
    assert.equal(server.requests.length, 0);
  });
});

describe('Extra Horizon password sign-in', () => {
  let server: FaultServer;
  beforeEach(async () => {
    server = await startFaultServer({ credentials: CONSUMER });
  });
  afterEach(() => server.close());
  const client = () => createServiceClient({ baseUrl: server.url, credentials: { ...CONSUMER } });

  it('posts email and password as JSON, signed with the consumer pair only, and returns the pair', async () => {
    server.route(`/${PASSWORD_TOKEN_PATH}`, json({ id: 'x', userId: 'u1', token: 'exh-token', tokenSecret: 'exh-secret' }));
    const result = await passwordToken(client(), 'ada@example.com', 'pw 1');
    assert.deepEqual(result, { ok: true, token: 'exh-token', tokenSecret: 'exh-secret', userId: 'u1' });
    const [sent] = server.requests;
    assert.equal(sent?.signature, 'valid');
    assert.equal(sent?.oauth.oauth_token, undefined);
    assert.deepEqual(JSON.parse(sent?.body.toString() ?? ''), { email: 'ada@example.com', password: 'pw 1' });
  });

  it('returns the MFA challenge, then gets the pair with the code', async () => {
    const mfa = { token: 'mfa-1', tokenExpiresIn: 300, methods: [{ id: 'm1', type: 'totp', name: 'Phone', tags: [] }] };
    server.route(`/${PASSWORD_TOKEN_PATH}`, json({ code: 129, name: 'MFA_REQUIRED_EXCEPTION', message: 'MFA required', mfa }, 403));
    server.route(`/${MFA_TOKEN_PATH}`, json({ token: 'exh-token', tokenSecret: 'exh-secret' }));
    assert.deepEqual(await passwordToken(client(), 'ada@example.com', 'pw'), { ok: false, mfa });
    assert.deepEqual(await mfaToken(client(), { token: 'mfa-1', methodId: 'm1', code: '123456' }), {
      ok: true,
      token: 'exh-token',
      tokenSecret: 'exh-secret',
      userId: undefined,
    });
    assert.deepEqual(JSON.parse(server.requestsTo(`/${MFA_TOKEN_PATH}`)[0]?.body.toString() ?? ''), { token: 'mfa-1', methodId: 'm1', code: '123456' });
  });

  for (const status of [307, 308]) {
    it(`never re-sends the password or the MFA code along a ${status} to another origin`, async () => {
      const elsewhere = await startFaultServer({ credentials: CONSUMER });
      try {
        elsewhere.route(`/${PASSWORD_TOKEN_PATH}`, json({ token: 'stolen', tokenSecret: 'stolen' }));
        elsewhere.route(`/${MFA_TOKEN_PATH}`, json({ token: 'stolen', tokenSecret: 'stolen' }));
        server.route(`/${PASSWORD_TOKEN_PATH}`, redirect(`${elsewhere.url}/${PASSWORD_TOKEN_PATH}`, status));
        server.route(`/${MFA_TOKEN_PATH}`, redirect(`${elsewhere.url}/${MFA_TOKEN_PATH}`, status));
        await assert.rejects(passwordToken(client(), 'ada@example.com', 'followed-pw'), (error: Error) => {
          assert.ok(error instanceof ExtraHorizonError);
          assert.equal(error.message, `${status}: redirected to ${elsewhere.url}, another origin: the sign-in is not sent there`);
          return true;
        });
        await assert.rejects(mfaToken(client(), { token: 'mfa-1', methodId: 'm1', code: '654321' }), ExtraHorizonError);
        assert.deepEqual(
          elsewhere.requests.map((request) => request.body.toString()),
          [],
          'the sign-in went to another origin',
        );
      } finally {
        await elsewhere.close();
      }
    });
  }

  it('follows a 307 on its own origin with the password', async () => {
    server.route(`/${PASSWORD_TOKEN_PATH}`, redirect(`/v2/${PASSWORD_TOKEN_PATH}`, 307));
    server.route(`/v2/${PASSWORD_TOKEN_PATH}`, json({ token: 'exh-token', tokenSecret: 'exh-secret' }));
    assert.equal((await passwordToken(client(), 'ada@example.com', 'pw')).ok, true);
    assert.deepEqual(JSON.parse(server.requestsTo(`/v2/${PASSWORD_TOKEN_PATH}`)[0]?.body.toString() ?? ''), { email: 'ada@example.com', password: 'pw' });
  });

  it("throws Extra Horizon's own message for a wrong password, without the password", async () => {
    server.route(`/${PASSWORD_TOKEN_PATH}`, json({ code: 106, name: 'AUTHENTICATION_EXCEPTION', message: 'Password and email do not match' }, 401));
    await assert.rejects(passwordToken(client(), 'ada@example.com', 'secret-pw'), (error: Error) => {
      assert.ok(error instanceof ExtraHorizonError);
      assert.equal(error.message, '401 AUTHENTICATION_EXCEPTION: Password and email do not match');
      assert.doesNotMatch(error.message, /secret-pw/);
      return true;
    });
  });
});
