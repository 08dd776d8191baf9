/**
 * The pending-jobs store of run workflow against a context store that answers slowly, as a
 * remote store does: a job started before the stored jobs are read must not overwrite them.
 */
import assert from 'node:assert/strict';
import { DEMO_WORKFLOW_IDS } from '../demo/alteryx';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { startDemoServer, type DemoServer } from '../demo/server';
import { AlteryxApi, type AlteryxJob } from '../src/lib/alteryx';
import { createServiceClient } from '../src/lib/service';
import { JobHandOver, PendingJobs, type JobsOwner, type PendingJob } from '../src/nodes/oauth1-run-workflow/pending-jobs';
import { collectMessages, helper, loadFlowWithContextStore, restoreSettings, wait, type FlowNode } from './support/node-red';

const TYPES = ['oauth1-config', 'oauth1-run-workflow'];
const CREDENTIALS = { cfg: { consumerKey: DEMO_CREDENTIALS.consumerKey, consumerSecret: DEMO_CREDENTIALS.consumerSecret } };
const READ_DELAY_MS = 400;

type Callback = (error?: Error, value?: unknown) => void;

/** A context store plugin that keeps values in memory and answers every read late. */
function slowStore(initial: Record<string, Record<string, unknown>>): (config: unknown) => unknown {
  const data = new Map<string, Record<string, unknown>>(Object.entries(structuredClone(initial)));
  return () => ({
    open: async () => undefined,
    close: async () => undefined,
    get(scope: string, key: string, callback: Callback) {
      // The value as it is when the read completes: a write in between would be read back.
      setTimeout(() => callback(undefined, structuredClone(data.get(scope)?.[key])), READ_DELAY_MS);
    },
    set(scope: string, key: string, value: unknown, callback?: Callback) {
      const values = data.get(scope) ?? {};
      if (value === undefined) delete values[key];
      else values[key] = structuredClone(value);
      data.set(scope, values);
      callback?.();
    },
    keys(scope: string, callback: Callback) {
      callback(undefined, Object.keys(data.get(scope) ?? {}));
    },
    delete: async (scope: string) => void data.delete(scope),
    clean: async () => undefined,
  });
}

async function loadWithStore(store: (config: unknown) => unknown, nodes: FlowNode[]): Promise<void> {
  await loadFlowWithContextStore(TYPES, nodes, CREDENTIALS, { module: store });
}

describe('run workflow: pending jobs in a slow context store', function () {
  this.timeout(20_000);
  let demo: DemoServer;
  before(async () => {
    demo = await startDemoServer({ jobTiming: { queuedMs: 50, runningMs: 300 } });
  });
  after(() => demo?.close());
  afterEach(async () => {
    await helper.unload();
    restoreSettings();
  });

  it('reads the stored jobs before it writes: a job started meanwhile does not overwrite them', async () => {
    const gallery = `${demo.url}/gallery/api`;
    // A job an earlier Node-RED started and stored before it stopped.
    const api = new AlteryxApi(createServiceClient({ baseUrl: gallery, credentials: DEMO_CREDENTIALS }));
    const earlier: AlteryxJob = await api.startJob(DEMO_WORKFLOW_IDS.salesReport, { questions: [] });
    const now = Date.now();
    const stored = { [earlier.id]: { appId: DEMO_WORKFLOW_IDS.salesReport, startedAt: now, deadline: now + 20_000, msg: { _msgid: 'stored', payload: {} } } };
    const nodes: FlowNode[] = [
      { id: 'tab', type: 'tab' },
      { id: 'cfg', type: 'oauth1-config', baseUrl: gallery },
      {
        id: 'run',
        type: 'oauth1-run-workflow',
        z: 'tab',
        server: 'cfg',
        workflowId: DEMO_WORKFLOW_IDS.salesReport,
        wait: true,
        pollInterval: 0.05,
        timeout: 20,
        outputFormat: '',
        wires: [['out']],
      },
      { id: 'out', type: 'helper', z: 'tab' },
    ];
    await loadWithStore(slowStore({ 'run:tab': { alteryxJobs: stored } }), nodes);
    const out = collectMessages('out');
    helper.getNode('run').receive({ _msgid: 'fresh', payload: {} });
    const started = Date.now();
    while (out.length < 2 && Date.now() - started < 8_000) await wait(20);
    assert.deepEqual(out.map((msg) => msg._msgid).sort(), ['fresh', 'stored']);
  });
});

/** A node with an in-memory context that answers at once. */
function owner(stored: Record<string, unknown> = {}): JobsOwner & { stored: () => unknown } {
  let value: unknown = stored;
  return {
    id: 'run',
    stored: () => value,
    context: () => ({
      get: (_key, callback) => callback(undefined, value),
      set: (_key, next, callback) => {
        value = next;
        callback();
      },
    }),
  };
}

const entry = (id: string): PendingJob => ({ appId: 'wf', startedAt: 1, deadline: 2, msg: { _msgid: id } });

describe('pending jobs (hand-over between instances of a node)', () => {
  it("gives a stopped instance's jobs to the next one, resumed once its context is read", () => {
    const handOver = new JobHandOver();
    const resumed: string[] = [];
    const first = new PendingJobs(owner(), handOver, { resume: () => undefined, storeFailed: () => undefined });
    first.load();
    first.add('job-1', entry('m1'));
    void first.close(false);
    const second = new PendingJobs(owner(), handOver, { resume: (jobId) => resumed.push(jobId), storeFailed: () => undefined });
    assert.deepEqual(resumed, [], 'not before the context is read');
    second.load();
    assert.deepEqual(resumed, ['job-1']);
  });

  it('hands a job whose start ends after its node closed to the instance already running', () => {
    const handOver = new JobHandOver();
    const resumed: string[] = [];
    const first = new PendingJobs(owner(), handOver, { resume: () => undefined, storeFailed: () => undefined });
    first.load();
    void first.close(false);
    const nextOwner = owner();
    const second = new PendingJobs(nextOwner, handOver, { resume: (jobId) => resumed.push(jobId), storeFailed: () => undefined });
    second.load();
    first.add('late-job', entry('late'));
    assert.deepEqual(resumed, ['late-job']);
    assert.deepEqual(Object.keys(nextOwner.stored() as object), ['late-job'], 'and kept in its context');
  });

  it('keeps a late job for the next instance when none runs yet, and forgets the jobs of a deleted node', async () => {
    const handOver = new JobHandOver();
    const first = new PendingJobs(owner(), handOver, { resume: () => undefined, storeFailed: () => undefined });
    first.load();
    await first.close(false);
    first.add('late-job', entry('late'));
    const resumed: string[] = [];
    const second = new PendingJobs(owner(), handOver, { resume: (jobId) => resumed.push(jobId), storeFailed: () => undefined });
    second.load();
    assert.deepEqual(resumed, ['late-job']);
    const deleted = owner();
    const third = new PendingJobs(deleted, new JobHandOver(), { resume: () => undefined, storeFailed: () => undefined });
    third.load();
    third.add('job-3', entry('m3'));
    await third.close(true);
    assert.equal(deleted.stored(), undefined);
  });
});
