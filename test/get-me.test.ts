import assert from 'node:assert/strict';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { DEMO_USER } from '../demo/extrahorizon';
import { startDemoServer, type DemoServer } from '../demo/server';
import { createServiceClient } from '../src/lib/service';
import { describeError, ExtraHorizonError, getMe } from '../src/lib/extrahorizon';
import { collectMessages, helper, loadFlow, logLines, nextMessage, wait, type FlowNode } from './support/node-red';

const TYPES = ['oauth1-config', 'oauth1-get-me'];

function flow(baseUrl: string, config: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'exh', type: 'oauth1-config', name: 'Extra Horizon', baseUrl, ...config },
    { id: 'me', type: 'oauth1-get-me', z: 'tab', server: 'exh', wires: [['out']] },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
    { id: 'status', type: 'status', z: 'tab', scope: null, wires: [['statuses']] },
    { id: 'statuses', type: 'helper', z: 'tab' },
  ];
}

interface User {
  id: string;
  first_name: string;
  email: string;
  creation_timestamp: number;
}

describe('get me (Extra Horizon users/v1/me against the demo service)', function () {
  this.timeout(20_000);
  let demo: DemoServer;
  before(async () => {
    demo = await startDemoServer();
  });
  after(() => demo?.close());

  describe('library (src/lib/extrahorizon)', () => {
    it('returns the user with snake_case fields and epoch-millisecond timestamps', async () => {
      const client = createServiceClient({ baseUrl: demo.url, credentials: DEMO_CREDENTIALS });
      const { user, statusCode } = await getMe<User>(client);
      assert.equal(statusCode, 200);
      assert.equal(typeof user.first_name, 'string');
      assert.ok(user.creation_timestamp > 1e12, 'epoch milliseconds');
    });

    it('throws ExtraHorizonError with the service body for a wrong secret', async () => {
      const client = createServiceClient({ baseUrl: demo.url, credentials: { ...DEMO_CREDENTIALS, tokenSecret: 'wrong' } });
      await assert.rejects(getMe(client), (error: unknown) => {
        assert.ok(error instanceof ExtraHorizonError);
        assert.equal(error.statusCode, 401);
        assert.equal((error.body as { name: string }).name, 'OAUTH_SIGNATURE_EXCEPTION');
        assert.match(error.message, /^401 OAUTH_SIGNATURE_EXCEPTION: /);
        return true;
      });
    });

    it('describes errors with and without an Extra Horizon body', () => {
      assert.equal(
        describeError(404, { code: 16, name: 'RESOURCE_UNKNOWN_EXCEPTION', message: 'no such route' }),
        '404 RESOURCE_UNKNOWN_EXCEPTION: no such route',
      );
      assert.equal(describeError(502, '<html>Bad gateway</html>'), '502: <html>Bad gateway</html>');
      assert.equal(describeError(500, ''), '500: no error details from the service');
    });
  });

  describe('node (in the Node-RED runtime)', () => {
    afterEach(() => helper.unload());

    for (const placement of ['header', 'query']) {
      it(`emits the user on msg.payload and keeps the other msg properties (${placement} placement)`, async () => {
        await loadFlow(TYPES, flow(demo.url, { placement }), { exh: { ...DEMO_CREDENTIALS } });
        const received = nextMessage('out');
        helper.getNode('me').receive({ topic: 'who', correlation: 42 });
        const msg = await received;
        assert.equal(msg.statusCode, 200);
        assert.equal((msg.payload as User).email, DEMO_USER.email);
        assert.equal(msg.topic, 'who');
        assert.equal(msg.correlation, 42);
      });
    }

    it('sends a bad secret to Catch with statusCode, the error body and a readable message', async () => {
      await loadFlow(TYPES, flow(demo.url), { exh: { ...DEMO_CREDENTIALS, consumerSecret: 'not-the-secret' } });
      const caught = nextMessage('caught');
      const statuses = collectMessages('statuses');
      helper.getNode('me').receive({ topic: 'who' });
      const msg = await caught;
      assert.equal(msg.statusCode, 401);
      assert.deepEqual(Object.keys(msg.payload as object).sort(), ['code', 'message', 'name']);
      assert.equal((msg.payload as { name: string }).name, 'OAUTH_SIGNATURE_EXCEPTION');
      assert.match((msg.error as { message: string }).message, /^401 OAUTH_SIGNATURE_EXCEPTION: .+/);
      assert.equal(msg.topic, 'who');
      await wait(20);
      assert.deepEqual(statuses.at(-1)?.status, { fill: 'red', shape: 'ring', text: '401', source: (statuses.at(-1)?.status as { source: unknown }).source });
    });

    it('reports a missing token at deploy and refuses each message with a clear error', async () => {
      const { consumerKey, consumerSecret } = DEMO_CREDENTIALS;
      await loadFlow(TYPES, flow(demo.url), { exh: { consumerKey, consumerSecret } });
      assert.ok(logLines().some((line) => line.includes('token missing: get me needs a token and token secret')));
      const requestsBefore = demo.stats.requests.length;
      const caught = nextMessage('caught');
      helper.getNode('me').receive({});
      assert.equal(((await caught).error as { message: string }).message, 'token missing: get me needs a token and token secret');
      assert.equal(demo.stats.requests.length, requestsBefore, 'nothing was sent');
    });

    it('works with ${ENV} credentials, as in the Extra Horizon Python example', async () => {
      const names = ['API_OAUTH_CONSUMER_KEY', 'API_OAUTH_CONSUMER_SECRET', 'API_OAUTH_TOKEN', 'API_OAUTH_TOKEN_SECRET'] as const;
      const values = [DEMO_CREDENTIALS.consumerKey, DEMO_CREDENTIALS.consumerSecret, DEMO_CREDENTIALS.token, DEMO_CREDENTIALS.tokenSecret];
      names.forEach((name, i) => (process.env[name] = values[i]));
      process.env.EXH_BASE_URL = demo.url;
      try {
        await loadFlow(TYPES, flow('${EXH_BASE_URL}'), {
          exh: {
            consumerKey: '${API_OAUTH_CONSUMER_KEY}',
            consumerSecret: '${API_OAUTH_CONSUMER_SECRET}',
            token: '${API_OAUTH_TOKEN}',
            tokenSecret: '${API_OAUTH_TOKEN_SECRET}',
          },
        });
        const received = nextMessage('out');
        helper.getNode('me').receive({});
        assert.equal((await received).statusCode, 200);
      } finally {
        for (const name of [...names, 'EXH_BASE_URL']) delete process.env[name];
      }
    });
  });
});
