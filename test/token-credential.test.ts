/**
 * The token is a secret like the token secret (README, msg.signing): Node-RED's own admin API
 * (`GET /credentials/oauth1-config/<id>`, which the editor reads to fill the dialog) answers
 * only that one is set (`has_token`), to a read-only user as to the editor, and the dialog's
 * Test connection still uses the stored token when the field is left unchanged (`__PWRD__`).
 * In a real Node-RED with adminAuth on (scripts/node-red-env), as test/admin-auth.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { startDemoServer, type DemoServer } from '../demo/server';
import { freePort, prepareUserDir, startNodeRed, type RunningNodeRed } from '../scripts/node-red-env';
import { adminToken } from './support/admin-token';

/** bcrypt of "local-test-only": a throwaway password for a Node-RED that listens on loopback for this test only. */
const PASSWORD = 'local-test-only';
const PASSWORD_HASH = '$2b$08$HoIWtLPoXm27z26wXMcWTegOfOd.wUlJTihl6hojG6ltX2LiyoL3y';
const { consumerKey, consumerSecret, token, tokenSecret } = DEMO_CREDENTIALS;

describe('the token is a password credential (a real Node-RED with adminAuth)', function () {
  this.timeout(90_000);
  let demo: DemoServer;
  let red: RunningNodeRed;
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth1-token-credential-'));
  const accessTokens: Record<string, string> = {};

  before(async () => {
    demo = await startDemoServer();
    const port = await freePort();
    prepareUserDir({
      userDir,
      port,
      flows: [{ id: 'svc', type: 'oauth1-config', name: 'service', baseUrl: demo.url, preset: 'extrahorizon', signatureMethod: 'HMAC-SHA1' }],
      credentials: { svc: { consumerKey, consumerSecret, token, tokenSecret } },
      settings: {
        adminAuth: {
          type: 'credentials',
          users: [
            { username: 'writer', password: PASSWORD_HASH, permissions: '*' },
            { username: 'reader', password: PASSWORD_HASH, permissions: 'read' },
          ],
        },
      },
    });
    red = await startNodeRed(userDir, port, process.env, () => undefined);
    for (const [username, scope] of [
      ['writer', '*'],
      ['reader', 'read'],
    ] as const) {
      accessTokens[username] = await adminToken(red.url, username, scope, PASSWORD);
    }
  });

  after(async () => {
    await red?.stop();
    await demo?.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  for (const user of ['reader', 'writer']) {
    it(`GET /credentials/oauth1-config/<id> as the ${user}: has_token, never the token (nor another secret)`, async () => {
      const response = await fetch(`${red.url}/credentials/oauth1-config/svc`, { headers: { authorization: `Bearer ${accessTokens[user]}` } });
      assert.equal(response.status, 200);
      const text = await response.text();
      const answer = JSON.parse(text) as Record<string, unknown>;
      assert.equal(answer.has_token, true, text);
      assert.ok(!('token' in answer), text);
      for (const secret of [token, consumerSecret, tokenSecret]) assert.ok(!text.includes(secret), text);
      assert.equal(answer.consumerKey, consumerKey, 'the consumer key stays readable: the dialog shows it');
    });
  }

  it('Test connection with the token left unchanged (__PWRD__) signs with the stored token', async () => {
    const response = await fetch(`${red.url}/oauth1-config/svc/test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessTokens.writer}` },
      body: JSON.stringify({
        preset: 'extrahorizon',
        baseUrl: demo.url,
        signatureMethod: 'HMAC-SHA1',
        credentials: { consumerKey, consumerSecret: '__PWRD__', token: '__PWRD__', tokenSecret: '__PWRD__' },
      }),
    });
    const result = (await response.json()) as { ok: boolean; message: string };
    assert.equal(result.ok, true, result.message);
    assert.ok(!JSON.stringify(result).includes(token), result.message);
  });
});
