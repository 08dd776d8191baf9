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
});
