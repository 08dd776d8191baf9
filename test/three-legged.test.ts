import assert from 'node:assert/strict';
import { authorizationPageUrl, callbackPath, isOwnCallbackUrl, parseTokenAnswer, PENDING_LIFETIME_MS, PendingAuthorizations } from '../src/lib/three-legged';

/** The editor as the request to start a sign-in reached it: its Host header, admin API at the root. */
const EDITOR = { host: 'localhost:1880', adminRoot: '' };

describe('3-legged OAuth 1.0a pieces', () => {
  it('reads a form-encoded token answer (RFC 5849 §2.1) and a JSON one', () => {
    const form = parseTokenAnswer('oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03&oauth_callback_confirmed=true');
    assert.deepEqual(form, { token: 'hh5s93j4hdidpola', tokenSecret: 'hdhd0244k9j7ao03', callbackConfirmed: true, extra: {} });
    const json = parseTokenAnswer(Buffer.from('{"oauth_token":"a","oauth_token_secret":"b","user_id":42,"screen_name":"ada"}'));
    assert.deepEqual(json.extra, { user_id: '42', screen_name: 'ada' });
    assert.throws(() => parseTokenAnswer('error=nope'), /no oauth_token/);
    assert.throws(() => parseTokenAnswer('{broken'), /no oauth_token/);
  });

  it("accepts only this package's callback route for this node on the editor's own host and admin root, or oob", () => {
    assert.ok(isOwnCallbackUrl('http://localhost:1880/oauth1-config/abc/callback', 'abc', EDITOR));
    assert.ok(isOwnCallbackUrl('https://LOCALHOST:1880/oauth1-config/abc/callback', 'abc', EDITOR), 'https behind a proxy, host in another case');
    assert.ok(isOwnCallbackUrl('https://nr.example.com/admin/oauth1-config/abc/callback', 'abc', { host: 'nr.example.com:443', adminRoot: '/admin' }));
    assert.ok(isOwnCallbackUrl('https://nr.example.com/admin/oauth1-config/abc/callback', 'abc', { host: 'nr.example.com', adminRoot: '/admin/' }));
    assert.ok(isOwnCallbackUrl('oob', 'abc', EDITOR));
    for (const bad of [
      'https://evil.example/collect',
      'https://evil.example/oauth1-config/abc/callback',
      'http://localhost:1880/x/oauth1-config/abc/callback',
      'http://localhost:1881/oauth1-config/abc/callback',
      'http://localhost:1880/oauth1-config/other/callback',
      'http://localhost:1880/oauth1-config/abc/callback?next=https://evil.example',
      'http://user:pw@localhost:1880/oauth1-config/abc/callback',
      'javascript:alert(1)//oauth1-config/abc/callback',
      'not a url',
    ]) {
      assert.equal(isOwnCallbackUrl(bad, 'abc', EDITOR), false, bad);
    }
    assert.equal(
      isOwnCallbackUrl('https://nr.example.com/oauth1-config/abc/callback', 'abc', { host: 'nr.example.com', adminRoot: '/admin' }),
      false,
      'outside the admin root',
    );
    assert.equal(isOwnCallbackUrl('http://localhost:1880/oauth1-config/abc/callback', 'abc', { host: '', adminRoot: '' }), false, 'no Host');
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

  it('reads an answer with spaces around it, an empty token secret and an unconfirmed callback', () => {
    assert.deepEqual(parseTokenAnswer('  oauth_token=t&oauth_token_secret=&oauth_callback_confirmed=false&oauth_expires_in=3600&user=ada\n'), {
      token: 't',
      tokenSecret: '',
      callbackConfirmed: false,
      extra: { user: 'ada' },
    });
    assert.deepEqual(parseTokenAnswer(' {"oauth_token":"t","oauth_token_secret":"s","nested":{"a":1},"flag":true} '), {
      token: 't',
      tokenSecret: 's',
      callbackConfirmed: false,
      extra: {},
    });
    for (const bad of ['oauth_token_secret=s', 'oauth_token=&oauth_token_secret=s', 'oauth_token=t', '{"oauth_token":"t"}']) {
      assert.throws(() => parseTokenAnswer(bad), /^Error: the answer holds no oauth_token and oauth_token_secret$/, bad);
    }
  });

  it('names the callback route with the node id as one path segment, and accepts no fragment or other protocol', () => {
    assert.equal(callbackPath('a/b c'), '/oauth1-config/a%2Fb%20c/callback');
    assert.ok(isOwnCallbackUrl('http://localhost:1880/oauth1-config/a%2Fb/callback', 'a/b', EDITOR));
    assert.equal(isOwnCallbackUrl('http://localhost:1880/oauth1-config/abc/callback#x', 'abc', EDITOR), false);
    assert.equal(isOwnCallbackUrl('ftp://localhost:1880/oauth1-config/abc/callback', 'abc', EDITOR), false);
    assert.equal(isOwnCallbackUrl('http://user@localhost:1880/oauth1-config/abc/callback', 'abc', EDITOR), false);
    assert.equal(isOwnCallbackUrl('http://localhost:1880/oauth1-config/abc/callback/more', 'abc', EDITOR), false);
    assert.equal(isOwnCallbackUrl('OOB', 'abc', EDITOR), false);
  });

  it('keeps a pending token until the last millisecond of its 10 minutes', () => {
    let now = 0;
    const pending = new PendingAuthorizations<null>(() => now);
    pending.add('n', { token: 't', tokenSecret: 's' }, null);
    now = PENDING_LIFETIME_MS - 1;
    assert.equal(pending.takeForNode('n')?.expiresAt, PENDING_LIFETIME_MS);
    pending.add('n', { token: 't2', tokenSecret: 's' }, null);
    now += PENDING_LIFETIME_MS;
    assert.equal(pending.takeForNode('n'), undefined, 'expired');
    pending.add('n', { token: 't3', tokenSecret: 's' }, null);
    assert.equal(pending.takeForNode('other'), undefined, "another node's token is not handed out");
    assert.equal(pending.takeForNode('n')?.token, 't3');
  });

  it('keeps at most 100 pending dances, forgetting the oldest first, and one per node', () => {
    const pending = new PendingAuthorizations<number>();
    for (let index = 0; index < 101; index++) pending.add(`node-${index}`, { token: `t${index}`, tokenSecret: 's' }, index);
    assert.equal(pending.take('node-0', 't0'), undefined, 'the oldest went');
    assert.equal(pending.take('node-1', 't1')?.settings, 1);
    assert.equal(pending.take('node-100', 't100')?.settings, 100);
    pending.add('node-2', { token: 'other', tokenSecret: 's' }, 2);
    assert.equal(pending.take('node-3', 't3')?.settings, 3, 'a node replacing its own dance leaves the others');
    assert.equal(pending.take('node-2', 't2'), undefined);
  });
});
