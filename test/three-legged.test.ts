import assert from 'node:assert/strict';
import { authorizationPageUrl, isOwnCallbackUrl, parseTokenAnswer, PENDING_LIFETIME_MS, PendingAuthorizations } from '../src/lib/three-legged';

describe('3-legged OAuth 1.0a pieces', () => {
  it('reads a form-encoded token answer (RFC 5849 §2.1) and a JSON one', () => {
    const form = parseTokenAnswer('oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03&oauth_callback_confirmed=true');
    assert.deepEqual(form, { token: 'hh5s93j4hdidpola', tokenSecret: 'hdhd0244k9j7ao03', callbackConfirmed: true, extra: {} });
    const json = parseTokenAnswer(Buffer.from('{"oauth_token":"a","oauth_token_secret":"b","user_id":42,"screen_name":"ada"}'));
    assert.deepEqual(json.extra, { user_id: '42', screen_name: 'ada' });
    assert.throws(() => parseTokenAnswer('error=nope'), /no oauth_token/);
    assert.throws(() => parseTokenAnswer('{broken'), /no oauth_token/);
  });

  it("accepts only this package's callback route for this node, or oob", () => {
    assert.ok(isOwnCallbackUrl('http://localhost:1880/oauth1-config/abc/callback', 'abc'));
    assert.ok(isOwnCallbackUrl('https://nr.example.com/admin/oauth1-config/abc/callback', 'abc'));
    assert.ok(isOwnCallbackUrl('oob', 'abc'));
    for (const bad of [
      'https://evil.example/collect',
      'http://localhost:1880/oauth1-config/other/callback',
      'http://localhost:1880/oauth1-config/abc/callback?next=https://evil.example',
      'http://user:pw@localhost:1880/oauth1-config/abc/callback',
      'javascript:alert(1)//oauth1-config/abc/callback',
      'not a url',
    ]) {
      assert.equal(isOwnCallbackUrl(bad, 'abc'), false, bad);
    }
  });

  it("adds the request token to the provider's authorization page, keeping its own query", () => {
    assert.equal(authorizationPageUrl('https://www.discogs.com/oauth/authorize', 'rt 1'), 'https://www.discogs.com/oauth/authorize?oauth_token=rt+1');
    assert.equal(authorizationPageUrl('https://x.example/auth?lang=en', 't'), 'https://x.example/auth?lang=en&oauth_token=t');
  });

  it('hands a pending request token out once, to its own node, within 10 minutes', () => {
    let now = 1_000;
    const pending = new PendingAuthorizations<{ baseUrl: string }>(() => now);
    pending.add('node-a', { token: 't1', tokenSecret: 's1' }, { baseUrl: 'https://a' });
    assert.equal(pending.take('node-b', 't1'), undefined, 'a foreign node');
    assert.equal(pending.take('node-a', 't1')?.tokenSecret, 's1');
    assert.equal(pending.take('node-a', 't1'), undefined, 'used once');

    pending.add('node-a', { token: 't2', tokenSecret: 's2' }, { baseUrl: 'https://a' });
    now += PENDING_LIFETIME_MS;
    assert.equal(pending.take('node-a', 't2'), undefined, 'expired');

    pending.add('node-a', { token: 't3', tokenSecret: 's3' }, { baseUrl: 'https://a' });
    pending.add('node-a', { token: 't4', tokenSecret: 's4' }, { baseUrl: 'https://a' });
    assert.equal(pending.take('node-a', 't3'), undefined, 'a newer dance replaces the older one');
    assert.equal(pending.takeForNode('node-a')?.token, 't4');
  });
});
