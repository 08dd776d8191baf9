/**
 * The admin endpoints with adminAuth on, in a real Node-RED process (scripts/node-red-env):
 * permissions are checked, a user with write permission still cannot point the stored
 * secrets at another host, and each use of them leaves an audit line naming the user.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { startDemoServer, type DemoServer } from '../demo/server';
import { freePort, prepareUserDir, startNodeRed, type RunningNodeRed } from '../scripts/node-red-env';
import { startEchoServer, type EchoServer } from './support/echo-server';
import { adminToken } from './support/admin-token';

/** bcrypt of "local-test-only": a throwaway password for a Node-RED that listens on loopback for this test only. */
const PASSWORD = 'local-test-only';
const PASSWORD_HASH = '$2b$08$HoIWtLPoXm27z26wXMcWTegOfOd.wUlJTihl6hojG6ltX2LiyoL3y';
const { consumerKey, consumerSecret, token, tokenSecret } = DEMO_CREDENTIALS;
const STORED = { consumerKey, consumerSecret: '__PWRD__', token, tokenSecret: '__PWRD__' };

describe('admin endpoints with adminAuth on (a real Node-RED)', function () {
  this.timeout(90_000);
  let demo: DemoServer;
  let attacker: EchoServer;
  let red: RunningNodeRed;
  const output: string[] = [];
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth1-admin-auth-'));
  const tokens: Record<string, string> = {};

  before(async () => {
    [demo, attacker] = await Promise.all([startDemoServer(), startEchoServer()]);
    const port = await freePort();
    prepareUserDir({
      userDir,
      port,
      flows: [{ id: 'svc', type: 'oauth1-config', name: 'service', baseUrl: demo.url, scheme: 'oauth1', placement: 'header', signatureMethod: 'HMAC-SHA1' }],
      credentials: { svc: { consumerKey, consumerSecret, token, tokenSecret } },
      settings: {
        adminAuth: {
          type: 'credentials',
          users: [
            { username: 'writer', password: PASSWORD_HASH, permissions: '*' },
            { username: 'reader', password: PASSWORD_HASH, permissions: 'read' },
          ],
        },
        logging: { console: { level: 'info', metrics: false, audit: true } },
      },
    });
    red = await startNodeRed(userDir, port, process.env, (line) => output.push(line));
    for (const [username, scope] of [
      ['writer', '*'],
      ['reader', 'read'],
    ] as const) {
      tokens[username] = await adminToken(red.url, username, scope, PASSWORD);
    }
  });

  after(async () => {
    await red?.stop();
    await demo?.close();
    await attacker?.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    attacker.requests.length = 0;
  });

  /** The first line Node-RED printed after `from` that contains `text`. */
  async function waitForLine(from: number, text: string): Promise<string> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const line = output.slice(from).find((printed) => printed.includes(text));
      if (line) return line;
      if (Date.now() > deadline) assert.fail(`no line with ${text} in:\n${output.slice(from).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  function testRoute(user: string | undefined, body: string, contentType = 'application/json'): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': contentType };
    if (user) headers.authorization = `Bearer ${tokens[user]}`;
    return fetch(`${red.url}/oauth1-config/svc/test`, { method: 'POST', headers, body });
  }

  it('checks permissions: none without a token, oauth1-config.write to test, oauth1-run-workflow.read to list', async () => {
    const body = JSON.stringify({ preset: 'extrahorizon', baseUrl: demo.url, credentials: STORED });
    assert.equal((await testRoute(undefined, body)).status, 401);
    // Node-RED answers a missing permission with 401 too, and audits it.
    const before = output.length;
    assert.equal((await testRoute('reader', body)).status, 401);
    await waitForLine(before, '"event":"permission.fail"');
    const list = await fetch(`${red.url}/oauth1-run-workflow/svc/workflows`, { headers: { authorization: `Bearer ${tokens.reader}` } });
    assert.ok(![401, 403].includes(list.status), `a reader may list workflows (got ${list.status})`);
  });

  it('a user with write permission cannot post a form, nor send the stored secrets to another host', async () => {
    const form = new URLSearchParams({
      preset: 'extrahorizon',
      baseUrl: attacker.url,
      signatureMethod: 'PLAINTEXT',
      'credentials[consumerKey]': consumerKey,
      'credentials[consumerSecret]': '__PWRD__',
    });
    assert.equal((await testRoute('writer', form.toString(), 'application/x-www-form-urlencoded')).status, 415);
    const answer = await testRoute(
      'writer',
      JSON.stringify({ preset: 'extrahorizon', baseUrl: attacker.url, signatureMethod: 'PLAINTEXT', credentials: STORED }),
    );
    assert.equal(answer.status, 200);
    const { ok, message } = (await answer.json()) as { ok: boolean; message: string };
    assert.equal(ok, false);
    assert.match(message, /^type the secrets in again: /);
    assert.equal(attacker.requests.length, 0, `the other host received: ${attacker.seen()}`);
  });

  it('uses the stored secrets for the deployed service, with an audit line that names the user', async () => {
    const before = output.length;
    const answer = await testRoute('writer', JSON.stringify({ preset: 'extrahorizon', baseUrl: demo.url, credentials: STORED }));
    const result = (await answer.json()) as { ok: boolean; message: string };
    assert.equal(result.ok, true, result.message);
    const line = await waitForLine(before, '"event":"oauth1-config.test"');
    assert.match(line, /"id":"svc"/);
    assert.ok(line.includes(`"origin":"${demo.url}"`), line);
    assert.match(line, /"username":"writer"/);
    for (const secret of [consumerSecret, tokenSecret]) assert.ok(!output.some((logged) => logged.includes(secret)), 'a secret in the log');
  });
});
