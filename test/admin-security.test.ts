/**
 * The admin endpoints of the package under attack, in the real Node-RED
 * runtime (adminAuth off, as `npm start` runs): a cross-site HTML form, a form that points
 * the stored secrets at another host, `${ENV}` values for a node that does not exist.
 * A loopback "attacker" server records whatever reaches it; it must record nothing.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { startDemoServer, type DemoServer } from '../demo/server';
import { settingsFromForm, storedSecretsAllowed, storedSecretsProblem } from '../src/nodes/shared/admin-routes';
import { startEchoServer, type EchoServer } from './support/echo-server';
import { coreNode, helper, loadFlow, ourNode, type FlowNode } from './support/node-red';

const { consumerKey, consumerSecret, token, tokenSecret } = DEMO_CREDENTIALS;
const ENV_SECRET = 'value-of-an-unrelated-environment-variable';

describe('admin endpoints: no cross-site use, stored secrets only for the deployed service', function () {
  this.timeout(20_000);
  let demo: DemoServer;
  let attacker: EchoServer;
  before(async () => {
    demo = await startDemoServer();
    attacker = await startEchoServer();
  });
  after(async () => {
    await demo?.close();
    await attacker?.close();
  });
  beforeEach(() => {
    attacker.requests.length = 0;
  });
  afterEach(() => helper.unload());

  /** The deployed service: the demo, HMAC-SHA1 in the header, the demo's credentials stored. */
  async function deployService(config: Record<string, unknown> = {}): Promise<void> {
    const flow: FlowNode[] = [{ id: 'svc', type: 'oauth1-config', name: 'service', baseUrl: demo.url, ...config }];
    await loadFlow(['oauth1-config', 'oauth1-run-workflow'], flow, { svc: { consumerKey, consumerSecret, token, tokenSecret } });
  }

  function assertNothingReachedTheAttacker(): void {
    assert.equal(attacker.requests.length, 0, `the attacker received: ${attacker.seen()}`);
  }

  describe('a cross-site HTML form (application/x-www-form-urlencoded)', () => {
    it('cannot send the stored secrets in clear with PLAINTEXT to another host: 415, nothing sent', async () => {
      await deployService();
      const form = new URLSearchParams({
        preset: 'extrahorizon',
        baseUrl: attacker.url,
        signatureMethod: 'PLAINTEXT',
        placement: 'query',
        'credentials[consumerKey]': consumerKey,
        'credentials[consumerSecret]': '__PWRD__',
        'credentials[token]': token,
        'credentials[tokenSecret]': '__PWRD__',
      });
      await helper.request().post('/oauth1-config/svc/test').type('form').send(form.toString()).expect(415);
      assertNothingReachedTheAttacker();
    });

    it('cannot send the stored consumer secret as an OAuth 2 client_secret: 415, nothing sent', async () => {
      await deployService();
      const form = `baseUrl=${encodeURIComponent(attacker.url)}&scheme=oauth2&credentials[consumerKey]=${consumerKey}&credentials[consumerSecret]=__PWRD__`;
      await helper.request().post('/oauth1-config/svc/test').type('form').send(form).expect(415);
      assertNothingReachedTheAttacker();
    });

    it('a text/plain body (what a form with enctype="text/plain" sends) is refused too', async () => {
      await deployService();
      const json = JSON.stringify({ preset: 'extrahorizon', baseUrl: attacker.url, credentials: { consumerKey, consumerSecret: '__PWRD__' } });
      await helper.request().post('/oauth1-config/svc/test').set('content-type', 'text/plain').send(json).expect(415);
      assertNothingReachedTheAttacker();
    });

    it('a request a browser marks cross-site (Sec-Fetch-Site) is refused on every route, GET included', async () => {
      await deployService();
      const body = { preset: 'extrahorizon', baseUrl: demo.url, credentials: { consumerKey, consumerSecret, token, tokenSecret } };
      for (const site of ['cross-site', 'same-site']) {
        await helper.request().post('/oauth1-config/svc/test').set('sec-fetch-site', site).send(body).expect(403);
        await helper.request().get('/oauth1-run-workflow/svc/workflows').set('sec-fetch-site', site).expect(403);
        await helper.request().get('/oauth1-run-workflow/svc/workflows/x/questions').set('sec-fetch-site', site).expect(403);
      }
      // The editor itself (same origin) and tools that send no such header keep working.
      const answer = await helper.request().post('/oauth1-config/svc/test').set('sec-fetch-site', 'same-origin').send(body).expect(200);
      assert.equal(answer.body.ok, true, answer.body.message);
      const list = await helper.request().get('/oauth1-run-workflow/svc/workflows');
      assert.notEqual(list.status, 403);
    });
  });

  describe('the Explain route (POST /oauth1-config/:id/explain): signs with the stored secrets, sends nothing', () => {
    const PLAINTEXT_FORM = {
      preset: 'custom',
      signatureMethod: 'PLAINTEXT',
      credentials: { consumerKey, consumerSecret: '__PWRD__', token, tokenSecret: '__PWRD__' },
      explain: { method: 'GET', url: 'users/v1/me' },
    };

    it('a cross-site HTML form, a text/plain body and a cross-site fetch are refused: the PLAINTEXT secrets never come back', async () => {
      await deployService({ signatureMethod: 'PLAINTEXT' });
      const form = new URLSearchParams({
        baseUrl: demo.url,
        signatureMethod: 'PLAINTEXT',
        'credentials[consumerKey]': consumerKey,
        'credentials[consumerSecret]': '__PWRD__',
        'credentials[tokenSecret]': '__PWRD__',
        'explain[url]': 'users/v1/me',
      });
      const answers = [
        await helper.request().post('/oauth1-config/svc/explain').type('form').send(form.toString()).expect(415),
        await helper
          .request()
          .post('/oauth1-config/svc/explain')
          .set('content-type', 'text/plain')
          .send(JSON.stringify({ ...PLAINTEXT_FORM, baseUrl: demo.url }))
          .expect(415),
        await helper
          .request()
          .post('/oauth1-config/svc/explain')
          .set('sec-fetch-site', 'cross-site')
          .send({ ...PLAINTEXT_FORM, baseUrl: demo.url })
          .expect(403),
      ];
      for (const answer of answers) assert.ok(!answer.text.includes(consumerSecret) && !answer.text.includes(tokenSecret), answer.text);
    });

    it('stored secrets only for the deployed origin: another base URL asks for the secrets again', async () => {
      await deployService();
      const answer = await helper
        .request()
        .post('/oauth1-config/svc/explain')
        .send({ baseUrl: attacker.url, credentials: { consumerKey, consumerSecret: '__PWRD__', token, tokenSecret: '__PWRD__' }, explain: { url: '/x' } })
        .expect(200);
      assert.equal(answer.body.ok, false);
      assert.match(answer.body.message, /^type the secrets in again: /);
    });

    it('the deployed service: signs with the stored secrets, one audit line, and nothing reaches the service', async () => {
      await deployService({ signatureMethod: 'PLAINTEXT' });
      const before = demo.stats.requests.length;
      const answer = await helper
        .request()
        .post('/oauth1-config/svc/explain')
        .send({ ...PLAINTEXT_FORM, baseUrl: demo.url })
        .expect(200);
      assert.equal(answer.body.ok, true, answer.body.message);
      assert.equal(answer.body.sent, false);
      assert.match(answer.body.authorization, /oauth_signature="…"/);
      assert.equal(answer.body.signature, undefined);
      assert.ok(!answer.text.includes(consumerSecret) && !answer.text.includes(tokenSecret), answer.text);
      assert.equal(demo.stats.requests.length, before, 'nothing was sent to the service');
      const spy = helper.log() as unknown as { args: Array<[Record<string, unknown>]> };
      assert.equal(spy.args.filter(([entry]) => entry?.event === 'oauth1-config.explain').length, 1);
    });
  });

  describe('a JSON form whose base URL, scheme or signature method differs from the deployed node', () => {
    async function postTest(id: string, body: Record<string, unknown>): Promise<{ ok: boolean; message: string }> {
      const response = await helper.request().post(`/oauth1-config/${id}/test`).send(body).expect(200);
      return response.body as { ok: boolean; message: string };
    }

    it('another origin: asks for the secrets to be typed in again, sends nothing', async () => {
      await deployService();
      for (const signatureMethod of ['PLAINTEXT', 'HMAC-SHA1']) {
        const answer = await postTest('svc', {
          preset: 'extrahorizon',
          baseUrl: `${attacker.url}/x`,
          signatureMethod,
          placement: 'query',
          credentials: { consumerKey, consumerSecret: '__PWRD__', token, tokenSecret: '__PWRD__' },
        });
        assert.equal(answer.ok, false);
        assert.match(answer.message, /^type the secrets in again: /);
        assert.ok(answer.message.includes(demo.url), `names the deployed origin: ${answer.message}`);
      }
      const oauth2 = await postTest('svc', {
        preset: 'extrahorizon',
        baseUrl: attacker.url,
        scheme: 'oauth2',
        credentials: { consumerKey, consumerSecret: '__PWRD__' },
      });
      assert.match(oauth2.message, /^type the secrets in again: /);
      assertNothingReachedTheAttacker();
    });

    it('the same origin with another scheme or signature method, or another port, is refused too', async () => {
      await deployService();
      const before = demo.stats.requests.length;
      const stored = { consumerKey, consumerSecret: '__PWRD__', token, tokenSecret: '__PWRD__' };
      for (const change of [
        { signatureMethod: 'PLAINTEXT' },
        { scheme: 'oauth2' },
        { preset: 'extrahorizon', baseUrl: demo.url.replace('127.0.0.1', 'localhost') },
      ]) {
        const answer = await postTest('svc', { preset: 'extrahorizon', baseUrl: demo.url, credentials: stored, ...change });
        assert.equal(answer.ok, false, JSON.stringify(change));
        assert.match(answer.message, /^type the secrets in again: /);
      }
      assert.equal(demo.stats.requests.length, before, 'nothing was sent');
    });

    it('extra origins the deployed node does not have are refused with stored secrets', async () => {
      await deployService();
      const answer = await postTest('svc', {
        preset: 'extrahorizon',
        baseUrl: demo.url,
        extraOrigins: attacker.url,
        credentials: { consumerKey, consumerSecret: '__PWRD__', token, tokenSecret: '__PWRD__' },
      });
      assert.equal(answer.ok, false);
      assert.match(answer.message, /^type the secrets in again: .*also sign for/);
    });

    it('${ENV} values are not resolved for a node that is not deployed', async () => {
      process.env.OAUTH1_ADMIN_TEST_SECRET = ENV_SECRET;
      try {
        await deployService();
        for (const id of ['no-such-node', 'svc']) {
          const answer = await postTest(id, {
            preset: 'extrahorizon',
            baseUrl: attacker.url,
            signatureMethod: 'PLAINTEXT',
            placement: 'query',
            credentials: { consumerKey, consumerSecret: '${OAUTH1_ADMIN_TEST_SECRET}' },
          });
          assert.equal(answer.ok, false);
          assert.match(answer.message, /^type the secrets in again: /);
        }
        const asUrl = await postTest('no-such-node', {
          preset: 'extrahorizon',
          baseUrl: '${OAUTH1_ADMIN_TEST_SECRET}',
          credentials: { consumerKey, consumerSecret: 'typed-in' },
        });
        assert.match(asUrl.message, /^type the secrets in again: /);
        assert.ok(!asUrl.message.includes(ENV_SECRET));
      } finally {
        delete process.env.OAUTH1_ADMIN_TEST_SECRET;
      }
      assertNothingReachedTheAttacker();
      assert.ok(!attacker.seen().includes(ENV_SECRET));
    });

    it('secrets typed in go where the form says (nothing stored is used)', async () => {
      await deployService();
      const answer = await postTest('svc', {
        preset: 'extrahorizon',
        baseUrl: attacker.url,
        credentials: { consumerKey: 'typed-key', consumerSecret: 'typed-secret' },
      });
      assert.equal(answer.ok, false);
      assert.equal(attacker.requests.length, 1);
      assert.ok(!attacker.seen().includes(consumerSecret));
    });
  });

  describe('a form reusing stored values elsewhere', () => {
    async function postTest(body: Record<string, unknown>): Promise<{ ok: boolean; message: string }> {
      const response = await helper.request().post('/oauth1-config/svc/test').send(body).expect(200);
      return response.body as { ok: boolean; message: string };
    }

    it("${NAME} stands only for what the deployed node's own field holds: no other variable of the process is read", async () => {
      process.env.OAUTH1_ADMIN_TEST_SECRET = ENV_SECRET;
      process.env.OAUTH1_ADMIN_TEST_KEY = consumerKey;
      try {
        await deployService();
        const before = demo.stats.requests.length;
        const stored = { consumerSecret: '__PWRD__', token, tokenSecret: '__PWRD__' };
        for (const form of [
          { baseUrl: demo.url, credentials: { ...stored, consumerKey: '${OAUTH1_ADMIN_TEST_SECRET}' } },
          { baseUrl: demo.url, realm: '${OAUTH1_ADMIN_TEST_SECRET}', credentials: { ...stored, consumerKey } },
        ]) {
          const answer = await postTest({ preset: 'extrahorizon', ...form });
          assert.equal(answer.ok, false);
          assert.match(answer.message, /^type the secrets in again: \$\{OAUTH1_ADMIN_TEST_SECRET\} in (consumerKey|realm): /);
          assert.ok(!answer.message.includes(ENV_SECRET));
        }
        assert.equal(demo.stats.requests.length, before, 'nothing was sent');

        // A node deployed with `${NAME}` in a field: the form's same `${NAME}` there is that field's value.
        await helper.unload();
        const flow: FlowNode[] = [{ id: 'svc', type: 'oauth1-config', name: 'service', baseUrl: demo.url }];
        await loadFlow(['oauth1-config'], flow, { svc: { consumerKey: '${OAUTH1_ADMIN_TEST_KEY}', consumerSecret, token, tokenSecret } });
        const own = await postTest({ preset: 'extrahorizon', baseUrl: demo.url, credentials: { ...stored, consumerKey: '${OAUTH1_ADMIN_TEST_KEY}' } });
        assert.equal(own.ok, true, own.message);
        const other = await postTest({ preset: 'extrahorizon', baseUrl: demo.url, credentials: { ...stored, consumerKey: '${OAUTH1_ADMIN_TEST_SECRET}' } });
        assert.match(other.message, /^type the secrets in again: /);
      } finally {
        delete process.env.OAUTH1_ADMIN_TEST_SECRET;
        delete process.env.OAUTH1_ADMIN_TEST_KEY;
      }
    });

    it("stored secrets go through no other TLS configuration and no other placement than the deployed node's", async () => {
      const lax: FlowNode = { id: 'lax', type: 'tls-config', name: 'no certificate check', verifyservercert: false };
      const flow = [{ id: 'svc', type: 'oauth1-config', name: 'service', baseUrl: demo.url, signatureMethod: 'PLAINTEXT' }, lax];
      await helper.load([ourNode('oauth1-config'), coreNode('core/network/05-tls.js')] as never, flow, {
        svc: { consumerKey, consumerSecret, token, tokenSecret },
      });
      const before = demo.stats.requests.length;
      const form = {
        preset: 'extrahorizon',
        baseUrl: demo.url,
        signatureMethod: 'PLAINTEXT',
        credentials: { consumerKey, consumerSecret: '__PWRD__', token, tokenSecret: '__PWRD__' },
      };
      const throughLax = await postTest({ ...form, tls: 'lax' });
      assert.equal(throughLax.ok, false);
      assert.match(throughLax.message, /^type the secrets in again: .*another TLS configuration lax$/);
      const inQuery = await postTest({ ...form, placement: 'query' });
      assert.match(inQuery.message, /^type the secrets in again: .*another placement query$/);
      assert.equal(demo.stats.requests.length, before, 'nothing was sent');
      const same = await postTest({ ...form, tls: '_ADD_', placement: 'header' });
      assert.equal(same.ok, true, same.message);
    });
  });

  describe('log lines', () => {
    /** What each log call of the runtime got as its text, as a log handler receives it. */
    function loggedTexts(): string[] {
      const spy = helper.log() as unknown as { args: Array<[{ msg?: unknown; id?: unknown }]> };
      const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value ?? ''));
      return spy.args.map(([entry]) => `${shown(entry?.msg)} ${shown(entry?.id)}`);
    }

    it('escapes the node id and the error text of an admin route: a %0A in :id forges no log line', async () => {
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
      await new Promise((resolve) => closed.close(resolve));
      await deployService();
      const forged = 'svc\n1 Jan 00:00:00 - [warn] forged line\r\u2028\u0085';
      const body = {
        preset: 'extrahorizon',
        baseUrl: closedUrl,
        credentials: { consumerKey, consumerSecret: 'typed-in' },
        email: 'a@example.com',
        password: 'pw',
      };
      const answer = await helper
        .request()
        .post(`/oauth1-config/${encodeURIComponent(forged)}/password-token`)
        .send(body);
      assert.equal(answer.status, 500, JSON.stringify(answer.body));
      const lines = loggedTexts().filter((line) => line.includes('forged line'));
      assert.ok(lines.length > 0, 'the failure was logged');
      for (const line of lines) assert.doesNotMatch(line, /[\r\n\u2028\u2029\u0085]/, `a raw line break in ${JSON.stringify(line)}`);
      assert.ok(lines.some((line) => line.includes('svc\\n1 Jan')));
    });
  });

  describe('the deployed service itself', () => {
    it('uses the stored secrets when origin, scheme and signature method match, with an audit line', async () => {
      await deployService();
      const answer = await helper
        .request()
        .post('/oauth1-config/svc/test')
        .send({
          preset: 'extrahorizon',
          baseUrl: `${demo.url}/`,
          scheme: 'oauth1',
          signatureMethod: 'HMAC-SHA1',
          credentials: { consumerKey, consumerSecret: '__PWRD__', token, tokenSecret: '__PWRD__' },
        })
        .expect(200);
      assert.equal(answer.body.ok, true, answer.body.message);
      const spy = helper.log() as unknown as { args: Array<[Record<string, unknown>]> };
      const audits = spy.args.map(([entry]) => entry).filter((entry) => entry?.event === 'oauth1-config.test');
      assert.equal(audits.length, 1, 'one audit line');
      assert.equal(audits[0].id, 'svc');
      assert.equal(audits[0].origin, demo.url);
      assert.equal(audits[0].path, '/oauth1-config/svc/test');
    });

    it('a redirect from the deployed service to another host gets no credentials', async () => {
      const redirector = http.createServer((req, res) => {
        res.writeHead(302, { location: `${attacker.url}${req.url ?? '/'}` });
        res.end();
      });
      await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
      const redirectorUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
      try {
        await deployService({ preset: 'extrahorizon', baseUrl: redirectorUrl, signatureMethod: 'PLAINTEXT', placement: 'query' });
        const answer = await helper
          .request()
          .post('/oauth1-config/svc/test')
          .send({
            preset: 'extrahorizon',
            baseUrl: redirectorUrl,
            signatureMethod: 'PLAINTEXT',
            placement: 'query',
            credentials: { consumerKey, consumerSecret: '__PWRD__', token, tokenSecret: '__PWRD__' },
          })
          .expect(200);
        assert.equal(answer.body.ok, false);
        assert.equal(attacker.requests.length, 1, 'the redirect was followed');
        for (const secret of [consumerSecret, tokenSecret, 'oauth_']) assert.ok(!attacker.seen().includes(secret), `${secret} reached the other host`);
      } finally {
        await new Promise((resolve) => redirector.close(resolve));
      }
    });
  });
});

describe('admin route rules (src/nodes/shared/admin-routes.ts, no Node-RED)', () => {
  const deployed = {
    preset: 'extrahorizon',
    baseUrl: 'https://api.example.com/v1',
    scheme: 'oauth1',
    signatureMethod: 'HMAC-SHA1',
    extraOrigins: ['https://files.example.com'],
  } as const;
  const stored = {
    deployed,
    credentials: { consumerKey: 'key', consumerSecret: 'stored-secret' },
    ownField: (_field: string, reference: string) => `value of ${reference.slice(2, -1)}`,
  };

  it('compares origins, not URLs: path, case and default port do not matter; scheme, host and port do', () => {
    for (const baseUrl of ['https://api.example.com/other', 'HTTPS://API.Example.com:443', 'https://api.example.com']) {
      assert.equal(storedSecretsAllowed({ baseUrl, scheme: 'oauth1', signatureMethod: 'HMAC-SHA1' }, deployed), true, baseUrl);
    }
    for (const baseUrl of ['http://api.example.com/v1', 'https://api.example.com:8443/v1', 'https://evil.example.com/v1', 'api.example.com', '']) {
      assert.equal(storedSecretsAllowed({ baseUrl, scheme: 'oauth1', signatureMethod: 'HMAC-SHA1' }, deployed), false, baseUrl);
    }
    assert.equal(storedSecretsAllowed({ baseUrl: deployed.baseUrl, scheme: 'oauth1', signatureMethod: 'HMAC-SHA1' }, undefined), false, 'not deployed');
  });

  it('names each field that differs from the deployed service, with the value this form has', () => {
    const form = { baseUrl: deployed.baseUrl, scheme: 'oauth1', signatureMethod: 'HMAC-SHA1' } as const;
    const method = storedSecretsProblem({ ...form, signatureMethod: 'HMAC-SHA256' }, deployed) ?? '';
    assert.match(method, /this form has another signature method HMAC-SHA256$/);
    assert.doesNotMatch(method, /base URL/);
    const origin = storedSecretsProblem({ ...form, baseUrl: 'https://api.x.com/2' }, deployed) ?? '';
    assert.match(origin, /this form has another base URL origin https:\/\/api\.x\.com$/);
    assert.doesNotMatch(origin, /signature method/);
    const both = storedSecretsProblem({ ...form, baseUrl: 'https://api.x.com', scheme: 'oauth2', extraOrigins: ['https://evil.example.com'] }, deployed) ?? '';
    assert.match(both, /another base URL origin https:\/\/api\.x\.com, another scheme oauth2, another "also sign for" origin https:\/\/evil\.example\.com$/);
  });

  it('extra origins: only those the deployed node signs for', () => {
    const form = { baseUrl: deployed.baseUrl, scheme: 'oauth1', signatureMethod: 'HMAC-SHA1' } as const;
    assert.equal(storedSecretsAllowed({ ...form, extraOrigins: ['https://files.example.com'] }, deployed), true);
    assert.equal(storedSecretsAllowed({ ...form, extraOrigins: ['https://files.example.com', 'https://evil.example.com'] }, deployed), false);
    assert.match(storedSecretsProblem({ ...form, extraOrigins: ['https://evil.example.com'] }, deployed) ?? '', /also sign for/);
  });

  it('settingsFromForm fills in stored values only for the deployed service', () => {
    const form = { baseUrl: 'https://api.example.com/v1', credentials: { consumerKey: '${KEY}', consumerSecret: '__PWRD__' } };
    const reading = settingsFromForm(form, stored);
    assert.equal(reading.refusal, undefined);
    assert.deepEqual(reading.refusal === undefined && reading.settings.credentials, {
      consumerKey: 'value of KEY',
      consumerSecret: 'stored-secret',
      token: undefined,
      tokenSecret: undefined,
      privateKey: undefined,
    });
    const rsa = settingsFromForm(
      { ...form, signatureMethod: 'RSA-SHA1', realm: ' ${REALM} ', bodyHash: true, credentials: { consumerKey: 'k', privateKey: '__PWRD__' } },
      { ...stored, deployed: { ...deployed, signatureMethod: 'RSA-SHA1' }, credentials: { consumerKey: 'k', privateKey: 'stored-pem' } },
    );
    assert.equal(rsa.refusal, undefined);
    assert.equal(rsa.refusal === undefined && rsa.settings.credentials.privateKey, 'stored-pem', 'the stored private key for __PWRD__');
    assert.equal(rsa.refusal === undefined && rsa.settings.realm, 'value of REALM');
    assert.equal(rsa.refusal === undefined && rsa.settings.bodyHash, true);
    const elsewhere = settingsFromForm(
      { ...form, baseUrl: 'https://evil.example.com', signatureMethod: 'RSA-SHA1', credentials: { consumerKey: 'k', privateKey: '__PWRD__' } },
      { ...stored, deployed: { ...deployed, signatureMethod: 'RSA-SHA1' }, credentials: { consumerKey: 'k', privateKey: 'stored-pem' } },
    );
    assert.match(elsewhere.refusal ?? '', /^type the secrets in again: /, 'the stored private key goes nowhere else');
    assert.match(settingsFromForm({ ...form, baseUrl: 'https://evil.example.com' }, stored).refusal ?? '', /^type the secrets in again: /);
    let read = false;
    const undeployed = settingsFromForm(form, { deployed: undefined, credentials: {}, ownField: () => (read = true) });
    assert.match(undeployed.refusal ?? '', /not deployed/);
    assert.equal(read, false, 'no variable read for an undeployed node');
  });

  it('a ${NAME} the deployed node does not write in that field is refused, naming it and not its value', () => {
    const notOwn = { ...stored, ownField: (field: string) => (field === 'consumerKey' ? 'own key' : undefined) };
    const form = { baseUrl: deployed.baseUrl, credentials: { consumerKey: '${KEY}', consumerSecret: '${HOME}' } };
    assert.equal(
      settingsFromForm(form, notOwn).refusal,
      "type the secrets in again: ${HOME} in consumerSecret: a ${NAME} stands only for the deployed node's own field written the same way",
    );
    const own = settingsFromForm({ ...form, credentials: { consumerKey: '${KEY}', consumerSecret: '__PWRD__' } }, notOwn);
    assert.equal(own.refusal === undefined && own.settings.credentials.consumerKey, 'own key');
  });

  it('names the placement and the TLS configuration when they differ from the deployed node, "" and "_ADD_" meaning none', () => {
    const form = { baseUrl: deployed.baseUrl, scheme: 'oauth1', signatureMethod: 'HMAC-SHA1' } as const;
    const withTls = { ...deployed, placement: 'header', tls: 'tls-1' } as const;
    assert.equal(storedSecretsProblem({ ...form, placement: 'header', tls: 'tls-1' }, withTls), undefined);
    assert.match(storedSecretsProblem({ ...form, placement: 'header', tls: 'tls-2' }, withTls) ?? '', /this form has another TLS configuration tls-2$/);
    assert.match(storedSecretsProblem({ ...form, placement: 'header', tls: '' }, withTls) ?? '', /another TLS configuration \(none\)$/);
    assert.match(storedSecretsProblem({ ...form, placement: 'query', tls: 'tls-1' }, withTls) ?? '', /another placement query$/);
    assert.equal(storedSecretsProblem({ ...form, tls: '_ADD_' }, { ...deployed, tls: '' }), undefined);
    const oauth2 = { ...deployed, scheme: 'oauth2', placement: 'header' } as const;
    assert.equal(storedSecretsProblem({ ...form, scheme: 'oauth2', placement: 'query' }, oauth2), undefined, 'OAuth 2 sends no signature to place');
  });

  it('typed values are taken as typed, anywhere; __PWRD__ means a stored value only for a credential', () => {
    const reading = settingsFromForm(
      {
        baseUrl: 'https://evil.example.com',
        signatureMethod: 'PLAINTEXT',
        credentials: { consumerKey: 'k', consumerSecret: 'typed $ {not a variable}' },
      },
      stored,
    );
    assert.ok(reading.refusal === undefined);
    assert.equal(reading.settings.credentials.consumerSecret, 'typed $ {not a variable}');
    assert.equal(reading.usesStoredValues, false);
    const placeholderUrl = settingsFromForm({ baseUrl: '__PWRD__', credentials: { consumerKey: 'k', consumerSecret: 's' } }, stored);
    assert.ok(placeholderUrl.refusal === undefined && placeholderUrl.settings.baseUrl === '__PWRD__');
  });
});
