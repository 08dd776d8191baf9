/**
 * A service's limits, kept for the flow, through the real Node-RED runtime against the demo
 * service, which enforces each kind for real: NetSuite's account concurrency (429
 * CONCURRENCY_LIMIT_EXCEEDED), X's 15-minute window (x-rate-limit-*, a bare 429) and the
 * IETF RateLimit headers with Retry-After.
 */
import assert from 'node:assert/strict';
import type { NodeMessage } from 'node-red';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { NETSUITE_DEMO_ACCOUNT } from '../demo/presets';
import { startDemoServer, type DemoOptions, type DemoServer } from '../demo/server';
import { json, startFaultServer } from './support/fault-server';
import { collectMessages, helper, loadFlow, nextMessage, wait, type FlowNode } from './support/node-red';

type Out = NodeMessage & {
  statusCode?: number;
  payload?: unknown;
  rateLimit?: { limit?: number; remaining?: number; reset?: string };
  error?: { message: string };
};

const NETSUITE_REST = 'record/v1/metadata-catalog/';

function flow(baseUrl: string, config: Record<string, unknown>, request: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'cfg', type: 'oauth1-config', baseUrl, retries: 0, ...config },
    { id: 'node', type: 'oauth1-request', z: 'tab', server: 'cfg', method: 'GET', url: '', ret: 'obj', wires: [['out']], ...request },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: ['node'], uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
    { id: 'status', type: 'status', z: 'tab', scope: ['node'], wires: [['statuses']] },
    { id: 'statuses', type: 'helper', z: 'tab' },
  ];
}

const NETSUITE_CONFIG = { signatureMethod: 'HMAC-SHA256', realm: NETSUITE_DEMO_ACCOUNT };

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`gave up waiting for ${what}`);
    await wait(10);
  }
}

describe("a service's limits, kept for the flow", function () {
  this.timeout(60_000);
  let demo: DemoServer | undefined;

  afterEach(async () => {
    await helper.unload();
    await demo?.close();
    demo = undefined;
  });

  async function start(options: DemoOptions, baseUrl: (demo: DemoServer) => string, config: Record<string, unknown>, request: Record<string, unknown> = {}) {
    demo = await startDemoServer(options);
    await loadFlow(['oauth1-config', 'oauth1-request'], flow(baseUrl(demo), config, request), { cfg: { ...DEMO_CREDENTIALS } });
    return {
      demo,
      out: collectMessages<Out>('out'),
      caught: collectMessages<Out>('caught'),
      statuses: collectMessages<Out & { status?: { text?: string; fill?: string } }>('statuses'),
      send: (count: number, msg: Record<string, unknown> = {}) => {
        for (let index = 0; index < count; index++) helper.getNode('node').receive({ ...msg, index });
      },
    };
  }

  it('a burst of 60 to a service that allows 5 at a time: every message answered 200, no refusal provoked, at most 5 in flight', async () => {
    const run = await start(
      { netsuiteConcurrency: 5, netsuiteServiceMs: 20 },
      (d) => d.baseUrls.netsuite,
      { ...NETSUITE_CONFIG, maxConcurrent: 5 },
      { url: NETSUITE_REST },
    );
    run.send(60);
    await until(() => run.out.length + run.caught.length === 60, '60 answers');
    assert.deepEqual(run.caught, []);
    assert.deepEqual(
      run.out.map((msg) => msg.statusCode),
      Array(60).fill(200),
    );
    assert.equal(run.demo.stats.limitRefusals, 0, 'no refusal provoked');
    assert.equal(run.demo.stats.netsuitePeakInFlight, 5);
    assert.ok(
      run.statuses.some((msg) => /^waiting: \d+ queued$/.test(msg.status?.text ?? '') && msg.status?.fill === 'yellow'),
      JSON.stringify(run.statuses.slice(0, 5)),
    );
  });

  it('the same burst without the limit configured: the refusals are sent again, signed anew, not counted as retries, and every message is answered', async () => {
    const run = await start(
      { netsuiteConcurrency: 5, netsuiteServiceMs: 20 },
      (d) => d.baseUrls.netsuite,
      { ...NETSUITE_CONFIG, maxWait: 60 },
      { url: NETSUITE_REST },
    );
    run.send(60);
    await until(() => run.out.length + run.caught.length === 60, '60 answers');
    assert.deepEqual(run.caught, []);
    assert.ok(run.out.every((msg) => msg.statusCode === 200));
    assert.ok(run.demo.stats.limitRefusals > 0, 'without the limit the service refuses some');
  });

  it('a message beyond Max queued is refused at once with an error naming the limit; the others are answered', async () => {
    const run = await start(
      { netsuiteConcurrency: 5, netsuiteServiceMs: 300 },
      (d) => d.baseUrls.netsuite,
      { ...NETSUITE_CONFIG, maxConcurrent: 1, maxQueued: 2 },
      { url: NETSUITE_REST },
    );
    run.send(5);
    await until(() => run.caught.length === 2, 'two refusals');
    assert.ok(run.out.length < 3, 'refused before the others were answered');
    for (const msg of run.caught) assert.match(msg.error?.message ?? '', /requests already wait for the service's limits \(at most 2 may wait\): not sent/);
    await until(() => run.out.length === 3, 'three answers');
  });

  it("X's spent window holds the next message until its reset, then it goes, with msg.rateLimit from X's headers", async () => {
    const run = await start(
      { xRateWindow: { limit: 2, seconds: 2 } },
      (d) => d.baseUrls.x,
      { signatureMethod: 'HMAC-SHA1', maxWait: 30 },
      { url: '2/users/me' },
    );
    run.send(2);
    await until(() => run.out.length === 2, 'the window of two');
    const [first, second] = run.out;
    assert.equal(first.rateLimit?.limit, 2);
    assert.deepEqual([first.rateLimit?.remaining, second.rateLimit?.remaining].sort(), [0, 1]);
    const reset = Math.max(...run.out.map((msg) => Date.parse(msg.rateLimit?.reset ?? '')));
    run.send(1);
    await until(() => run.out.length === 3, 'the third after the reset', 10_000);
    assert.ok(Date.now() >= reset - 1000, 'not before the reset');
    assert.equal(run.out[2].statusCode, 200);
    assert.deepEqual(run.caught, []);
    assert.equal(run.demo.stats.limitRefusals, 0, 'the spent window was heeded, not provoked');
  });

  it('a message that would wait longer than Max wait ends at once with an error at Catch; one the service refused for longer hands on its 429', async () => {
    const run = await start(
      { ietfRateWindow: { limit: 1, seconds: 60, retryAfterSeconds: 45 } },
      (d) => d.baseUrls.ietf,
      { signatureMethod: 'HMAC-SHA1', maxWait: 5 },
      { url: 'items' },
    );
    run.send(2);
    await until(() => run.out.length === 2, 'both answers');
    assert.deepEqual(
      run.out.map((msg) => msg.statusCode).sort(),
      [200, 429],
      "the refused one hands on the service's own answer, as the core node hands on any",
    );
    assert.ok(run.out.every((msg) => msg.rateLimit?.limit === 1));
    const started = Date.now();
    run.send(1);
    await until(() => run.caught.length === 1, 'the refused message');
    assert.ok(Date.now() - started < 1000, 'at once, not after Max wait');
    assert.match(run.caught[0].error?.message ?? '', /would wait \d+ s for the service's limits \(.+\), longer than the 5 s allowed \(Max wait\): not sent/);
    assert.equal(run.demo.stats.requests.length, 2, 'the third was never sent');
  });

  it('on redeploy, messages waiting for their turn end with done(): none is left hanging', async () => {
    const run = await start(
      { netsuiteConcurrency: 5, netsuiteServiceMs: 500 },
      (d) => d.baseUrls.netsuite,
      { ...NETSUITE_CONFIG, maxConcurrent: 1 },
      { url: NETSUITE_REST },
    );
    // Node-RED's done(error?) of each message, as the runtime calls it.
    const node = helper.getNode('node') as unknown as { _complete(msg: unknown, error?: unknown): void };
    const ended: unknown[] = [];
    const complete = node._complete.bind(node);
    node._complete = (msg, error) => {
      ended.push(error);
      complete(msg, error);
    };
    run.send(4);
    await until(() => run.demo.stats.netsuiteInFlight === 1, 'the first in flight');
    await helper.unload();
    await until(() => ended.length === 4, 'every message done', 5_000);
    assert.ok(run.demo.stats.requests.length <= 1, 'the waiting ones were not sent');
  });

  it("Test connection of the deployed service waits its turn in the service's queue", async () => {
    const run = await start(
      { netsuiteConcurrency: 5, netsuiteServiceMs: 300 },
      (d) => d.baseUrls.netsuite,
      { ...NETSUITE_CONFIG, maxConcurrent: 1 },
      { url: NETSUITE_REST },
    );
    run.send(1);
    await until(() => run.demo.stats.netsuiteInFlight === 1, 'the message in flight');
    const form = {
      preset: 'netsuite',
      baseUrl: run.demo.baseUrls.netsuite,
      scheme: 'oauth1',
      placement: 'header',
      signatureMethod: 'HMAC-SHA256',
      realm: NETSUITE_DEMO_ACCOUNT,
      credentials: { consumerKey: DEMO_CREDENTIALS.consumerKey, consumerSecret: '__PWRD__', token: DEMO_CREDENTIALS.token, tokenSecret: '__PWRD__' },
    };
    const answer = (await helper.request().post('/oauth1-config/cfg/test').send(form).expect(200)).body as { ok: boolean; message: string };
    assert.equal(answer.ok, true, answer.message);
    assert.equal(run.demo.stats.netsuitePeakInFlight, 1, 'the test went after the message, not beside it');
    assert.equal(run.out.length, 1);
  });

  it('run workflow puts the rate limit its service last reported on the job it emits', async () => {
    const service = await startFaultServer();
    try {
      const reset = Math.ceil(Date.now() / 1000) + 900;
      const job = { id: 'job-1', status: 'Queued', disposition: 'None', outputs: [], messages: [] };
      service.route(
        '/v1/workflows/wf/jobs/',
        json(job, 200, { 'x-rate-limit-limit': '300', 'x-rate-limit-remaining': '299', 'x-rate-limit-reset': String(reset) }),
      );
      await loadFlow(
        ['oauth1-config', 'oauth1-run-workflow'],
        [
          { id: 'tab', type: 'tab' },
          { id: 'cfg', type: 'oauth1-config', baseUrl: service.url, placement: 'query', retries: 0 },
          { id: 'run', type: 'oauth1-run-workflow', z: 'tab', server: 'cfg', workflowId: 'wf', wait: false, outputFormat: '', wires: [['out']] },
          { id: 'out', type: 'helper', z: 'tab' },
        ],
        { cfg: { consumerKey: 'limits-consumer', consumerSecret: 'limits-consumer-secret' } },
      );
      const emitted = nextMessage<Out>('out');
      helper.getNode('run').receive({ payload: {} });
      const msg = await emitted;
      assert.deepEqual(msg.rateLimit, { limit: 300, remaining: 299, reset: new Date(reset * 1000).toISOString() });
    } finally {
      await service.close();
    }
  });
});
