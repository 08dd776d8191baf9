/**
 * No message lost on redeploy: 100 jobs in flight in run workflow, a redeploy at several
 * moments (before the start reaches the service, during a slow start, after the jobs are
 * queued, while polling), and every message ends in exactly one output or one Catch error.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_WORKFLOW_IDS } from '../demo/alteryx';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { startDemoServer, type DemoServer } from '../demo/server';
import { collectMessages, helper, loadFlow, wait, type FlowNode } from './support/node-red';

const TYPES = ['oauth1-config', 'oauth1-run-workflow'];
const CREDENTIALS = { cfg: { consumerKey: DEMO_CREDENTIALS.consumerKey, consumerSecret: DEMO_CREDENTIALS.consumerSecret } };
const JOBS = 100;
const START_DELAY_MS = 1_000;

interface SlowStarts {
  url: string;
  /** Job starts the service has answered. */
  started: number;
  close(): Promise<void>;
}

/** A proxy in front of the demo service that holds every job start (POST …/jobs/) for a while, as a busy Alteryx Server does. */
async function startSlowStarts(target: string): Promise<SlowStarts> {
  const proxy = { url: '', started: 0, close: async () => undefined as void };
  const server = http.createServer((req, res) => {
    const isStart = req.method === 'POST' && /\/jobs\/(\?|$)/.test(req.url ?? '');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      setTimeout(
        () => {
          const forward = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers, agent: false }, (answer) => {
            if (isStart) proxy.started++;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          });
          forward.on('error', () => res.destroy());
          forward.end(Buffer.concat(chunks));
        },
        isStart ? START_DELAY_MS : 0,
      );
    });
  });
  // Longer than the test: an idle socket closed by the server while the client reuses it would be a reset POST.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

function flow(baseUrl: string, run: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'cfg', type: 'oauth1-config', name: 'slow gallery', baseUrl, placement: 'query', retries: 0 },
    {
      id: 'run',
      type: 'oauth1-run-workflow',
      z: 'tab',
      server: 'cfg',
      workflowId: DEMO_WORKFLOW_IDS.salesReport,
      priority: '0',
      wait: true,
      pollInterval: 0.25,
      timeout: 60,
      outputFormat: '',
      wires: [['out']],
      ...run,
    },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']], x: 100, y: 200 },
    { id: 'caught', type: 'helper', z: 'tab' },
  ];
}

describe('run workflow: no message lost on redeploy (100 jobs, the demo service behind a slow start)', function () {
  this.timeout(60_000);
  let demo: DemoServer;
  let slow: SlowStarts;
  before(async () => {
    demo = await startDemoServer({ jobTiming: { queuedMs: 50, runningMs: 400 } });
    slow = await startSlowStarts(demo.url);
  });
  after(async () => {
    await slow?.close();
    await demo?.close();
  });
  afterEach(() => helper.unload());

  const moments: Array<[string, number, 'nodes' | 'full', Record<string, unknown>]> = [
    ['before the starts reach the service', 0, 'nodes', {}],
    ['during the starts', 300, 'nodes', {}],
    ['after the jobs are queued', START_DELAY_MS + 150, 'nodes', {}],
    ['while polling', START_DELAY_MS + 600, 'nodes', {}],
    ['during the starts, the whole flow redeployed', 300, 'full', {}],
    ['during the starts, without waiting for the jobs', 300, 'nodes', { wait: false }],
  ];
  for (const [moment, afterMs, deploy, run] of moments) {
    it(`a redeploy ${moment}: each message ends in exactly one output or one Catch error`, async () => {
      const nodes = flow(`${slow.url}/gallery/api`, run);
      await loadFlow(TYPES, nodes, CREDENTIALS);
      const out = collectMessages('out');
      const caught = collectMessages('caught');
      const outs = [out];
      const catches = [caught];
      const ids = Array.from({ length: JOBS }, (_, index) => `job-${index}`);
      for (const id of ids) helper.getNode('run').receive({ _msgid: id, payload: { Country: 'BE' } });
      await wait(afterMs);
      const changed = nodes.map((node) => (node.id === 'run' || (deploy === 'full' && node.id === 'cfg') ? { ...node, name: `redeployed ${afterMs}` } : node));
      await helper.setFlows(changed, deploy, CREDENTIALS);
      if (deploy === 'full') {
        // A full deploy starts new helper nodes too.
        const [newOut, newCaught] = [collectMessages('out'), collectMessages('caught')];
        outs.push(newOut);
        catches.push(newCaught);
      }

      const outcomes = (): string[] => [...outs.flat(), ...catches.flat()].map((msg) => String(msg._msgid));
      const started = Date.now();
      while (outcomes().length < JOBS && Date.now() - started < 30_000) await wait(50);
      await wait(500);
      const counts = new Map<string, number>();
      for (const id of outcomes()) counts.set(id, (counts.get(id) ?? 0) + 1);
      const lost = ids.filter((id) => !counts.has(id));
      const twice = [...counts].filter(([, count]) => count > 1).map(([id]) => id);
      assert.deepEqual(
        { lost: lost.length, twice: twice.length },
        { lost: 0, twice: 0 },
        `lost ${lost.slice(0, 5).join(', ')}; twice ${twice.slice(0, 5).join(', ')}`,
      );
      const errors = catches.flat().map((msg) => (msg.error as { message: string }).message);
      assert.deepEqual(errors, [], 'a start let finish is no error');
    });
  }
});
