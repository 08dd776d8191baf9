/**
 * A proxy's password in no output: an `http_proxy` that does not parse (its password holds
 * a `/`) is quoted without its user information in msg.payload, at Catch and in the log.
 */
import assert from 'node:assert/strict';
import { collectMessages, helper, loadFlow, logLines, requestFlow, wait } from './support/node-red';
import { withProxyEnvironment } from './support/proxy-env';
import { startVerifier, VERIFIER_CREDENTIALS, type Verifier } from './support/oauthlib-verifier';

const PASSWORD = 'pa/ss-Qz7';

describe('oauth1-request: a proxy password in no output', function () {
  this.timeout(20_000);
  let verifier: Verifier;
  before(async () => {
    verifier = await startVerifier();
  });
  after(() => verifier?.close());
  afterEach(() => helper.unload());

  it('an http_proxy that does not parse is quoted without its password: msg.payload, Catch and the log', async () => {
    await withProxyEnvironment({ http_proxy: `http://proxy-user:${PASSWORD}@proxy.example:3128` }, async () => {
      await loadFlow(['oauth1-config', 'oauth1-request'], requestFlow(verifier.url, { url: 'x' }), { cfg: { ...VERIFIER_CREDENTIALS } });
      const out = collectMessages('out');
      const caught = collectMessages('caught');
      helper.getNode('req').receive({});
      const started = Date.now();
      while (caught.length === 0 && Date.now() - started < 5_000) await wait(10);
      await wait(20);
      const texts = [...out.map((msg) => JSON.stringify(msg.payload)), ...caught.map((msg) => JSON.stringify(msg.error)), ...logLines()];
      assert.equal(caught.length, 1);
      for (const quoted of [JSON.stringify(out[0]?.payload), JSON.stringify(caught[0]?.error)]) assert.match(quoted, /http:\/\/…@proxy\.example:3128/);
      for (const text of texts) assert.ok(!text.includes('ss-Qz7'), `the proxy password is in ${text}`);
    });
  });
});
