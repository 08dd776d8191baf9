/**
 * "Get token" in a real Node-RED process with adminAuth on (scripts/node-red-env): the token
 * routes need the admin token and `oauth1-config.write`, the provider's redirect to the
 * callback needs none, and the pair obtained survives a deploy and a restart of Node-RED
 * (it is in flows_cred.json), where get me then signs with it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { DEMO_USER } from '../demo/extrahorizon';
import { startDemoServer, type DemoServer } from '../demo/server';
import { freePort, prepareUserDir, startNodeRed, type RunningNodeRed } from '../scripts/node-red-env';

/** bcrypt of "local-test-only", as in test/admin-auth.test.ts: a throwaway password for a loopback Node-RED of this test. */
const PASSWORD = 'local-test-only';
const PASSWORD_HASH = '$2b$08$HoIWtLPoXm27z26wXMcWTegOfOd.wUlJTihl6hojG6ltX2LiyoL3y';
const { consumerKey, consumerSecret } = DEMO_CREDENTIALS;

describe('Get token with adminAuth on, kept across a restart (a real Node-RED)', function () {
  this.timeout(120_000);
  let demo: DemoServer;
  let red: RunningNodeRed | undefined;
  const output: string[] = [];
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth1-token-restart-'));
  let port: number;
  const env = { ...process.env };
  const auth: Record<string, string> = {};

  before(async () => {
    demo = await startDemoServer();
    port = await freePort();
    const tab = 'tab1';
    prepareUserDir({
      userDir,
      port,
      flows: [
        { id: tab, type: 'tab', label: 'whoami' },
        { id: 'svc', type: 'oauth1-config', name: 'service', baseUrl: demo.url, scheme: 'oauth1', placement: 'header', signatureMethod: 'HMAC-SHA1' },
        { id: 'in', type: 'http in', z: tab, url: '/whoami', method: 'get', x: 100, y: 40, wires: [['me']] },
        { id: 'me', type: 'oauth1-get-me', z: tab, server: 'svc', x: 300, y: 40, wires: [['out']] },
        { id: 'out', type: 'http response', z: tab, x: 500, y: 40, wires: [] },
      ],
      credentials: { svc: { consumerKey, consumerSecret } },
      settings: {
        adminAuth: { type: 'credentials', users: [{ username: 'writer', password: PASSWORD_HASH, permissions: '*' }] },
        logging: { console: { level: 'info', metrics: false, audit: true } },
      },
    });
    red = await startNodeRed(userDir, port, env, (line) => output.push(line));
    const response = await fetch(`${red.url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username: 'writer', password: PASSWORD }),
    });
    assert.equal(response.status, 200);
    auth.authorization = `Bearer ${((await response.json()) as { access_token: string }).access_token}`;
  });

  after(async () => {
    await red?.stop();
    await demo?.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  function admin(pathname: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
    return fetch(`${red!.url}${pathname}`, {
      method: init.method ?? 'GET',
      headers: { 'content-type': 'application/json', origin: red!.url, ...auth, ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  }

  it('authorize needs the admin token; the callback does not; deploy saves the pair; after a restart get me signs with it', async () => {
    const form = {
      baseUrl: demo.url,
      requestTokenUrl: 'oauth1/request_token',
      authorizeUrl: 'oauth1/authorize',
      accessTokenUrl: 'oauth1/access_token',
      // As the dialog sends a deployed node's unchanged secret.
      credentials: { consumerKey, consumerSecret: '__PWRD__' },
      callbackUrl: `${red!.url}/oauth1-config/svc/callback`,
    };
    const anonymous = await fetch(`${red!.url}/oauth1-config/svc/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(form),
    });
    assert.equal(anonymous.status, 401);

    const started = (await (await admin('/oauth1-config/svc/authorize', { method: 'POST', body: form })).json()) as {
      ok: boolean;
      authorizeUrl: string;
      message?: string;
    };
    assert.equal(started.ok, true, started.message);
    const approved = await fetch(`${demo.url}/oauth1/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ oauth_token: new URL(started.authorizeUrl).searchParams.get('oauth_token') ?? '' }),
    });
    // The browser follows the provider's redirect: no admin token, another site.
    const callback = await fetch(approved.headers.get('location') ?? '', { headers: { 'sec-fetch-site': 'cross-site' } });
    const page = await callback.text();
    assert.equal(callback.status, 200, page);
    const token = /"token":"([^"]+)"/.exec(page)?.[1];
    assert.ok(token, 'the page tells the dialog the token');
    assert.ok(
      output.some((line) => line.includes('"event":"oauth1-config.token-stored"')),
      'an audit line',
    );

    // Deploy as the editor does once the dialog holds the token: the token field changed, the secret "unchanged".
    const current = (await (await admin('/flows', { headers: { 'node-red-api-version': 'v2' } })).json()) as {
      rev: string;
      flows: Array<Record<string, unknown>>;
    };
    const flows = current.flows.map((node) => (node.id === 'svc' ? { ...node, credentials: { token } } : node));
    const deployed = await admin('/flows', {
      method: 'POST',
      body: { rev: current.rev, flows },
      headers: { 'node-red-api-version': 'v2', 'node-red-deployment-type': 'full' },
    });
    assert.equal(deployed.status, 200, await deployed.text());

    await red!.stop();
    red = await startNodeRed(userDir, port, env, (line) => output.push(line));
    // Without the pair, get me fails and the http in request gets no answer: the timeout says so.
    const me = await fetch(`${red.url}/whoami`, { signal: AbortSignal.timeout(15_000) });
    const user = (await me.json()) as { email?: string };
    assert.equal(me.status, 200, JSON.stringify(user));
    assert.equal(user.email, DEMO_USER.email);
  });
});
