import assert from 'node:assert/strict';
import type { ClientResponse } from '../src/lib/response';
import { ClientCredentialsAuthorizer } from '../src/lib/oauth2';

function tokenResponse(token: string, expiresIn = 3600): ClientResponse {
  return { statusCode: 200, headers: {}, body: { access_token: token, token_type: 'bearer', expires_in: expiresIn }, url: 'x', attempts: 1 };
}

const REQUEST = { method: 'GET', url: 'https://h/webapi/v1/jobs/1/' };

describe('OAuth 2 client credentials (src/lib/oauth2)', () => {
  it('asks once for concurrent requests and keeps the token until shortly before it expires', async () => {
    let now = 0;
    const forms: string[] = [];
    const authorizer = new ClientCredentialsAuthorizer(
      'id',
      's&cret',
      async (form) => {
        forms.push(form);
        return tokenResponse(`token-${forms.length}`, 600);
      },
      () => now,
    );
    const [a, b] = await Promise.all([authorizer.authorize(REQUEST, {}), authorizer.authorize(REQUEST, {})]);
    assert.equal(a.headers.Authorization, 'Bearer token-1');
    assert.equal(b.headers.Authorization, 'Bearer token-1');
    assert.deepEqual(forms, ['grant_type=client_credentials&client_id=id&client_secret=s%26cret']);
    now = 539_000;
    assert.equal((await authorizer.authorize(REQUEST, {})).headers.Authorization, 'Bearer token-1');
    now = 541_000; // within a minute of the 600 s expiry
    assert.equal((await authorizer.authorize(REQUEST, {})).headers.Authorization, 'Bearer token-2');
  });

  it('fetches a new token after a 401', async () => {
    let issued = 0;
    const authorizer = new ClientCredentialsAuthorizer('id', 'secret', async () => tokenResponse(`token-${++issued}`));
    await authorizer.authorize(REQUEST, {});
    assert.equal(authorizer.refreshAfterUnauthorized(), true);
    assert.equal((await authorizer.authorize(REQUEST, {})).headers.Authorization, 'Bearer token-2');
  });

  it('aborting one waiting request leaves the others their token', async () => {
    let release: (response: ClientResponse) => void = () => undefined;
    const authorizer = new ClientCredentialsAuthorizer('id', 'secret', () => new Promise((resolve) => (release = resolve)));
    const aborted = new AbortController();
    const first = authorizer.authorize(REQUEST, { signal: aborted.signal });
    const second = authorizer.authorize(REQUEST, {});
    aborted.abort();
    await assert.rejects(first, /aborted/);
    release(tokenResponse('shared'));
    assert.equal((await second).headers.Authorization, 'Bearer shared');
  });

  it('says why a token request failed, without the secret', async () => {
    const authorizer = new ClientCredentialsAuthorizer('id', 'top-secret', async () => ({
      ...tokenResponse('x'),
      statusCode: 401,
      body: { error: 'invalid_client' },
    }));
    await assert.rejects(authorizer.authorize(REQUEST, {}), (error: Error) => {
      assert.equal(error.message, 'OAuth 2 token request failed with HTTP 401: invalid_client');
      assert.ok(!error.message.includes('top-secret'));
      return true;
    });
  });

  it('keeps a token without expires_in for an hour less a minute, and a short-lived one until a tenth of its life is left', async () => {
    let now = 0;
    let lifetime: unknown;
    let issued = 0;
    const authorizer = new ClientCredentialsAuthorizer(
      'id',
      'secret',
      async () => ({ ...tokenResponse(`token-${++issued}`), body: { access_token: `token-${issued}`, expires_in: lifetime } }),
      () => now,
    );
    const bearer = async () => (await authorizer.authorize(REQUEST, {})).headers.Authorization;
    lifetime = undefined;
    assert.equal(await bearer(), 'Bearer token-1');
    now = 3_539_000;
    assert.equal(await bearer(), 'Bearer token-1');
    now = 3_540_000;
    assert.equal(await bearer(), 'Bearer token-2');

    lifetime = '10';
    authorizer.refreshAfterUnauthorized();
    now = 0;
    assert.equal(await bearer(), 'Bearer token-3');
    now = 8_999;
    assert.equal(await bearer(), 'Bearer token-3');
    now = 9_000;
    assert.equal(await bearer(), 'Bearer token-4');
  });

  it('refuses a 2xx answer without a text access_token, giving the status alone when the body says nothing', async () => {
    for (const body of ['<html>login</html>', { token_type: 'bearer' }, { access_token: 42 }, null]) {
      const authorizer = new ClientCredentialsAuthorizer('id', 'secret', async () => ({ ...tokenResponse('x'), body }));
      await assert.rejects(authorizer.authorize(REQUEST, {}), { message: 'OAuth 2 token request failed with HTTP 200' }, JSON.stringify(body));
    }
  });

  it('prefers error_description and asks again after a failed token request', async () => {
    let calls = 0;
    const authorizer = new ClientCredentialsAuthorizer('id', 'secret', async () =>
      ++calls === 1
        ? { ...tokenResponse('x'), statusCode: 400, body: { error: 'invalid_client', error_description: 'Unknown client id' } }
        : tokenResponse('second'),
    );
    await assert.rejects(authorizer.authorize(REQUEST, {}), { message: 'OAuth 2 token request failed with HTTP 400: Unknown client id' });
    assert.equal((await authorizer.authorize(REQUEST, {})).headers.Authorization, 'Bearer second');
    assert.equal(calls, 2);
  });

  it('rejects at once for a signal already aborted, and leaves the URL as the request has it', async () => {
    const authorizer = new ClientCredentialsAuthorizer('id', 'secret', async () => tokenResponse('t'));
    await assert.rejects(authorizer.authorize(REQUEST, { signal: AbortSignal.abort() }), { message: 'request aborted' });
    const fresh = new ClientCredentialsAuthorizer('id', 'secret', async () => tokenResponse('t'));
    const attempt = await fresh.authorize({ method: 'GET', url: 'https://h/webapi/v1/jobs/1/?a=b c' }, { signal: new AbortController().signal });
    assert.equal(attempt.url, 'https://h/webapi/v1/jobs/1/?a=b%20c');
    assert.deepEqual(Object.keys(attempt.headers), ['Authorization']);
  });

  it('refuses a token from an error answer even when it holds an access_token', async () => {
    const authorizer = new ClientCredentialsAuthorizer('id', 'secret', async () => ({ ...tokenResponse('x'), statusCode: 401, body: { access_token: 'x' } }));
    await assert.rejects(authorizer.authorize(REQUEST, {}), { message: 'OAuth 2 token request failed with HTTP 401' });
  });

  it('passes a failed token request on to a caller waiting with a signal', async () => {
    const authorizer = new ClientCredentialsAuthorizer('id', 'secret', async () => ({
      ...tokenResponse('x'),
      statusCode: 400,
      body: { error: 'invalid_scope' },
    }));
    await assert.rejects(authorizer.authorize(REQUEST, { signal: new AbortController().signal }), {
      message: 'OAuth 2 token request failed with HTTP 400: invalid_scope',
    });
  });
});
