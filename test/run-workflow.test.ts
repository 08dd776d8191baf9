import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_WORKFLOW_IDS } from '../demo/alteryx';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { startDemoServer, type DemoServer } from '../demo/server';
import type { AlteryxJob, OutputData } from '../src/lib/alteryx';
import { collectMessages, helper, loadFlow, loadFlowWithContextStore, logLines, nextMessage, wait, type FlowNode } from './support/node-red';

const TYPES = ['oauth1-config', 'oauth1-run-workflow'];
const { salesReport, customerImport, nightlyForecast } = DEMO_WORKFLOW_IDS;
const CREDENTIALS = { cfg: { consumerKey: DEMO_CREDENTIALS.consumerKey, consumerSecret: DEMO_CREDENTIALS.consumerSecret } };
/** Short jobs and polls: other test runs share this machine, so waits are generous but few. */
const JOB_TIMING = { queuedMs: 60, runningMs: 200 };

interface Status {
  fill?: string;
  shape?: string;
  text?: string;
}

interface Caught {
  error: { message: string; source: { id: string } };
  payload: unknown;
  statusCode?: number;
  signing?: { cause: { code: string; text: string }; baseString: string };
  topic?: string;
}

/** The runtime internals a restart needs: the test helper knows no context stores. */
interface RuntimeInternals {
  _redNodes: {
    loadFlows(...args: unknown[]): Promise<unknown>;
    stopFlows(): Promise<unknown>;
    loadContextsPlugin(): Promise<unknown>;
    closeContextsPlugin(): Promise<unknown>;
  };
  _RED: {
    hooks: { add(name: string, hook: (event: { msg: { _msgid: string }; node: { id: string }; error?: unknown }) => void): void; remove(name: string): void };
  };
}
const internals = helper as unknown as RuntimeInternals;

function flow(baseUrl: string, run: Record<string, unknown> = {}, config: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'cfg', type: 'oauth1-config', name: 'demo gallery', baseUrl, placement: 'query', ...config },
    {
      id: 'run',
      type: 'oauth1-run-workflow',
      z: 'tab',
      server: 'cfg',
      workflowId: salesReport,
      priority: '0',
      wait: true,
      pollInterval: 0.05,
      timeout: 10,
      outputFormat: '',
      wires: [['out']],
      ...run,
    },
    { id: 'out', type: 'helper', z: 'tab' },
    // Positioned: the runtime takes catch and status nodes without x/y for config nodes (setFlows adds none).
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']], x: 100, y: 200 },
    { id: 'caught', type: 'helper', z: 'tab' },
    { id: 'status', type: 'status', z: 'tab', scope: ['run'], wires: [['statuses']], x: 100, y: 300 },
    { id: 'statuses', type: 'helper', z: 'tab' },
  ];
}

function lastStatus(messages: Array<Record<string, unknown>>): Status {
  const { fill, shape, text } = (messages.at(-1)?.status ?? {}) as Status;
  return { fill, shape, text };
}

function statusTexts(messages: Array<Record<string, unknown>>): string[] {
  return messages.map((msg) => (msg.status as Status).text ?? '');
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await wait(10);
  }
}

/** Calls of `done` (and `node.error`) of the run node, through the runtime's onComplete hook. */
function recordCompletions(): Array<{ msgid: string; error?: unknown }> {
  const completions: Array<{ msgid: string; error?: unknown }> = [];
  internals._RED.hooks.add('onComplete.runWorkflowTest', (event) => {
    if (event.node.id === 'run') completions.push({ msgid: event.msg._msgid, error: event.error });
  });
  return completions;
}

describe('oauth1-run-workflow node (in the Node-RED runtime, against the demo service)', function () {
  this.timeout(20_000);
  let demo: DemoServer;
  let gallery: string;
  before(async () => {
    demo = await startDemoServer({ jobTiming: JOB_TIMING, tokenLifetimeSeconds: 3600 });
    gallery = `${demo.url}/gallery/api`;
  });
  after(() => demo?.close());
  afterEach(async () => {
    internals._RED.hooks.remove('*.runWorkflowTest');
    await helper.unload();
  });

  it('runs a workflow with the questions of an object payload and emits the job and its outputs on the same message', async () => {
    await loadFlow(TYPES, flow(gallery, { outputFormat: 'Csv' }), CREDENTIALS);
    const statuses = collectMessages('statuses');
    const received = nextMessage('out');
    helper.getNode('run').receive({ payload: { Country: 'NL', Year: 2023, IncludeReturns: false }, topic: 'monthly' } as never);
    const msg = await received;
    const job = msg.payload as unknown as AlteryxJob;
    assert.equal(job.status, 'Completed');
    assert.equal(job.disposition, 'Success');
    assert.equal(job.appId, salesReport);
    assert.equal(msg.topic, 'monthly');
    const outputs = msg.outputs as OutputData[];
    assert.deepEqual(
      outputs.map((output) => [output.name, output.format, output.fileName, typeof output.data]),
      [
        ['Sales.csv', 'Csv', 'Sales.csv', 'string'],
        // The workbook output fetched as CSV: its file name says what the data is.
        ['Sales.xlsx', 'Csv', 'Sales.csv', 'string'],
      ],
    );
    assert.deepEqual(
      outputs.map((output) => output.id),
      job.outputs?.map((output) => output.id),
    );
    const csv = outputs[0]?.data as string;
    assert.ok(!csv.startsWith('\uFEFF'), 'the BOM is removed');
    assert.match(csv, /^Country,Year,IncludeReturns,Product,Units,Revenue\r\nNL,2023,false,Widgets,120,1440.00\r\n/);
    assert.match(csv, /Café tables/);

    await wait(20);
    const texts = statusTexts(statuses);
    assert.equal(texts[0], 'starting');
    assert.ok(texts.includes('queued'), texts.join(' | '));
    assert.ok(
      texts.some((text) => /^running \d+s$/.test(text)),
      texts.join(' | '),
    );
    assert.deepEqual(lastStatus(statuses), { fill: 'green', shape: 'dot', text: 'done' });
  });

  it('takes questions as an array of {name, value}, header signing, and binary outputs as Buffers', async () => {
    await loadFlow(TYPES, flow(gallery, { outputFormat: 'Raw', priority: '2' }, { placement: 'header' }), CREDENTIALS);
    const received = nextMessage('out');
    helper.getNode('run').receive({
      payload: [
        { name: 'Country', value: 'FR' },
        { name: 'IncludeReturns', value: true },
      ],
    } as never);
    const msg = await received;
    const job = msg.payload as unknown as AlteryxJob;
    assert.equal(job.priority, '2');
    const [csv, workbook] = msg.outputs as OutputData[];
    assert.match(csv?.data as string, /\r\nFR,2024,true,Widgets,108,1296.00\r\n/);
    assert.ok(Buffer.isBuffer(workbook?.data), 'an xlsx as Raw is binary');
    assert.equal((workbook?.data as Buffer).subarray(0, 2).toString('latin1'), 'PK');
  });

  it('without wait emits the queued job at once, after one request', async () => {
    await loadFlow(TYPES, flow(gallery, { wait: false, outputFormat: 'Csv' }), CREDENTIALS);
    const statuses = collectMessages('statuses');
    const before = demo.stats.requests.length;
    const received = nextMessage('out');
    helper.getNode('run').receive({ payload: 1_700_000_000_000 } as never);
    const msg = await received;
    assert.equal((msg.payload as unknown as AlteryxJob).status, 'Queued');
    assert.equal(msg.outputs, undefined);
    await wait(150);
    assert.deepEqual(
      demo.stats.requests.slice(before).map((r) => `${r.method} ${r.path.replace(/\?.*/, '')}`),
      [`POST /gallery/api/v1/workflows/${salesReport}/jobs/`],
    );
    assert.deepEqual(lastStatus(statuses), { fill: 'green', shape: 'dot', text: 'queued' });
  });

  it('takes the workflow id from msg.workflowId when the node has none, percent-encoded', async () => {
    await loadFlow(TYPES, flow(gallery, { workflowId: '' }), CREDENTIALS);
    const received = nextMessage('out');
    helper.getNode('run').receive({ workflowId: salesReport } as never);
    assert.equal(((await received).payload as unknown as AlteryxJob).appId, salesReport);

    const caught = nextMessage<Caught>('caught');
    helper.getNode('run').receive({ workflowId: 'Q3 report/übersicht' } as never);
    const failure = await caught;
    assert.equal(failure.error.message, '404 unknown workflow "Q3 report/übersicht"');
    const requested = demo.stats.requests.at(-1)?.path;
    assert.equal(requested, '/gallery/api/v1/workflows/Q3%20report%2F%C3%BCbersicht/jobs/');

    const missing = nextMessage<Caught>('caught');
    helper.getNode('run').receive({ payload: {} } as never);
    assert.equal((await missing).error.message, 'no workflow id: set one in the node or send msg.workflowId');
  });

  it('sends a job with disposition Error to Catch with its first error message, the job on msg.payload', async () => {
    await loadFlow(TYPES, flow(gallery, { workflowId: customerImport, outputFormat: 'Csv' }), CREDENTIALS);
    const statuses = collectMessages('statuses');
    const out = collectMessages('out');
    const caught = nextMessage<Caught>('caught');
    helper.getNode('run').receive({ payload: { SourceFile: 'march.csv' }, topic: 'import' } as never);
    const msg = await caught;
    const job = msg.payload as AlteryxJob;
    assert.equal(msg.error.message, `Alteryx job ${job.id} failed: Input Data (3): File not found "march.csv" (tool 3)`);
    assert.equal(msg.error.source.id, 'run');
    assert.equal(job.status, 'Completed');
    assert.equal(job.disposition, 'Error');
    assert.equal(job.messages?.length, 2);
    assert.equal(msg.topic, 'import');
    await wait(20);
    assert.equal(out.length, 0);
    assert.deepEqual(lastStatus(statuses), { fill: 'red', shape: 'ring', text: 'error' });
  });

  it('reports an unknown workflow as 404 with the status code and the service body on the message', async () => {
    await loadFlow(TYPES, flow(gallery, { workflowId: 'no-such-workflow' }), CREDENTIALS);
    const caught = nextMessage<Caught>('caught');
    helper.getNode('run').receive({} as never);
    const msg = await caught;
    assert.equal(msg.error.message, '404 unknown workflow "no-such-workflow"');
    assert.equal(msg.statusCode, 404);
    assert.deepEqual(msg.payload, { message: "Unable to find workflow with id 'no-such-workflow'." });
  });

  it("shows the service's message for a bad signature (401), and never a secret", async () => {
    const secret = 'SECRET-wrong-Zq9';
    await loadFlow(TYPES, flow(gallery), { cfg: { consumerKey: DEMO_CREDENTIALS.consumerKey, consumerSecret: secret } });
    const seen = [collectMessages('caught'), collectMessages('statuses'), collectMessages('out')];
    const caught = nextMessage<Caught>('caught');
    helper.getNode('run').receive({ payload: { Country: 'BE' } } as never);
    const msg = await caught;
    assert.equal(msg.error.message, `401 The provided signature(oauth_signature) is invalid. Likely cause: ${msg.signing?.cause.text}`);
    assert.equal(msg.signing?.cause.code, 'signature');
    assert.match(msg.signing?.baseString ?? '', /^POST&http%3A%2F%2F127\.0\.0\.1/);
    assert.equal(msg.statusCode, 401);
    assert.equal((msg.payload as { exceptionName: string }).exceptionName, 'UnauthorizedException');
    await wait(20);
    const everything = JSON.stringify(seen) + logLines().join('\n');
    assert.ok(!everything.includes(secret) && !everything.includes(encodeURIComponent(secret)), 'the secret leaked');
    assert.ok(everything.includes('"fill":"red"'));
  });

  it('gives up after the timeout with an error carrying the job, and polls no more', async () => {
    await loadFlow(TYPES, flow(gallery, { workflowId: nightlyForecast, timeout: 0.4 }), CREDENTIALS);
    const statuses = collectMessages('statuses');
    const caught = nextMessage<Caught>('caught');
    const started = Date.now();
    helper.getNode('run').receive({} as never);
    const msg = await caught;
    const elapsed = Date.now() - started;
    const job = msg.payload as AlteryxJob;
    assert.equal(msg.error.message, `Alteryx job ${job.id}: no result within 0.4 s (still Running)`);
    assert.equal(job.status, 'Running');
    assert.ok(elapsed >= 350 && elapsed < 4_000, `gave up after ${elapsed} ms`);
    await wait(20);
    assert.deepEqual(lastStatus(statuses), { fill: 'red', shape: 'ring', text: 'timeout' });
    const requests = demo.stats.requests.length;
    await wait(200);
    assert.equal(demo.stats.requests.length, requests);
  });

  it('stops polling at once on close, completing every message it was waiting for', async () => {
    await loadFlow(TYPES, flow(gallery, { workflowId: nightlyForecast }), CREDENTIALS);
    const completions = recordCompletions();
    const statuses = collectMessages('statuses');
    const out = collectMessages('out');
    helper.getNode('run').receive({ _msgid: 'first' } as never);
    helper.getNode('run').receive({ _msgid: 'second' } as never);
    await until(() => statusTexts(statuses).some((text) => text.startsWith('running')), 'the jobs to run');
    await helper.unload();
    const requests = demo.stats.requests.length;
    assert.deepEqual(completions.map((c) => c.msgid).sort(), ['first', 'second']);
    assert.ok(completions.every((c) => c.error === undefined));
    await wait(300);
    assert.equal(demo.stats.requests.length, requests, 'no request after close');
    assert.equal(out.length, 0);
  });

  it('runs concurrent jobs, each result on the message that started it', async () => {
    await loadFlow(TYPES, flow(gallery, { outputFormat: 'Csv' }), CREDENTIALS);
    const statuses = collectMessages('statuses');
    const out = collectMessages('out');
    const countries = ['BE', 'NL', 'FR', 'DE'];
    const jobsBefore = demo.stats.jobsStarted;
    for (const country of countries) helper.getNode('run').receive({ _msgid: `msg-${country}`, payload: { Country: country } } as never);
    await until(() => out.length === countries.length, 'four results');
    assert.equal(demo.stats.jobsStarted, jobsBefore + countries.length);
    for (const msg of out) {
      const country = String(msg._msgid).slice(4);
      assert.match((msg.outputs as OutputData[])[0]?.data as string, new RegExp(`\\r\\n${country},2024,false,Widgets,`));
    }
    assert.equal(new Set(out.map((msg) => (msg.payload as unknown as AlteryxJob).id)).size, countries.length);
    assert.ok(
      statusTexts(statuses).some((text) => / \([234]\)$/.test(text)),
      `the ring counts the running jobs: ${statusTexts(statuses).join(' | ')}`,
    );
  });

  it('runs under Alteryx Server /webapi with the OAuth 2 scheme, one token for the whole job', async () => {
    await loadFlow(TYPES, flow(`${demo.url}/webapi`, { outputFormat: 'Csv' }, { scheme: 'oauth2' }), CREDENTIALS);
    const tokens = demo.stats.tokensIssued;
    const received = nextMessage('out');
    helper.getNode('run').receive({ payload: { Country: 'DE' } } as never);
    const msg = await received;
    assert.equal((msg.payload as unknown as AlteryxJob).disposition, 'Success');
    assert.match((msg.outputs as OutputData[])[0]?.data as string, /\r\nDE,2024,/);
    assert.equal(demo.stats.tokensIssued, tokens + 1);
  });

  it('refuses a string payload and a config without credentials with clear errors', async () => {
    await loadFlow(TYPES, flow(gallery), CREDENTIALS);
    let caught = nextMessage<Caught>('caught');
    helper.getNode('run').receive({ payload: 'Country=BE' } as never);
    assert.match((await caught).error.message, /msg.payload is a string: send the questions as an object/);
    await helper.unload();
    await loadFlow(TYPES, flow(gallery), { cfg: { consumerKey: 'k' } });
    caught = nextMessage<Caught>('caught');
    helper.getNode('run').receive({} as never);
    assert.match((await caught).error.message, /demo gallery: consumer secret missing/);
  });

  describe('redeploy and restart', () => {
    let slow: DemoServer;
    before(async () => {
      // Jobs long enough to redeploy or restart in the middle of one.
      slow = await startDemoServer({ jobTiming: { queuedMs: 50, runningMs: 1_200 } });
    });
    after(() => slow?.close());

    it('resumes its jobs after a redeploy of the changed node, on copies of their messages, without a context store', async () => {
      const nodes = flow(`${slow.url}/gallery/api`, { outputFormat: 'Csv' });
      await loadFlow(TYPES, nodes, CREDENTIALS);
      const completions = recordCompletions();
      const statuses = collectMessages('statuses');
      const out = collectMessages('out');
      helper.getNode('run').receive({ _msgid: 'm1', topic: 'keep me', payload: { Country: 'NL' } } as never);
      await until(() => statusTexts(statuses).some((text) => text.startsWith('running')), 'the job to run');
      const jobsBefore = slow.stats.jobsStarted;
      const changed = nodes.map((node) => (node.id === 'run' ? { ...node, name: 'renamed', pollInterval: 0.1 } : node));
      await helper.setFlows(changed as never, 'nodes', CREDENTIALS as never);
      assert.deepEqual(
        completions.map((c) => c.msgid),
        ['m1'],
        'the old instance completed its message',
      );
      assert.equal(out.length, 0);

      await until(() => out.length === 1, 'the result after the redeploy', 8_000);
      assert.equal(out[0]?._msgid, 'm1');
      assert.equal(out[0]?.topic, 'keep me');
      assert.match((out[0]?.outputs as OutputData[])[0]?.data as string, /\r\nNL,2024,/);
      assert.equal(slow.stats.jobsStarted, jobsBefore, 'the job is not started again');
    });

    it('forgets its jobs when the node is deleted', async () => {
      const nodes = flow(`${slow.url}/gallery/api`);
      await loadFlow(TYPES, nodes, CREDENTIALS);
      const statuses = collectMessages('statuses');
      helper.getNode('run').receive({} as never);
      await until(() => statusTexts(statuses).some((text) => text.startsWith('running')), 'the job to run');
      await helper.setFlows(nodes.filter((node) => node.id !== 'run' && node.id !== 'status') as never, 'full', CREDENTIALS as never);
      const requests = slow.stats.requests.length;
      await wait(300);
      assert.equal(slow.stats.requests.length, requests, 'no poll after the node is gone');
    });

    const dirs: string[] = [];
    afterEach(() => {
      helper.settings({ contextStorage: undefined });
      for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Loads a flow as the runtime starts: context stores first (the helper alone never loads them). */
    async function loadWithContextStore(dir: string, nodes: FlowNode[]): Promise<void> {
      await loadFlowWithContextStore(TYPES, nodes, CREDENTIALS, { module: 'localfilesystem', config: { dir } });
    }

    it('resumes waiting after Node-RED restarts with a persistent context store, and still emits the result', async () => {
      {
        const nodes = flow(`${slow.url}/gallery/api`, { outputFormat: 'Csv', timeout: 20 });
        const before = fs.mkdtempSync(path.join(os.tmpdir(), 'run-workflow-context-'));
        const after = fs.mkdtempSync(path.join(os.tmpdir(), 'run-workflow-context-'));
        dirs.push(before, after);

        await loadWithContextStore(before, nodes);
        const completions = recordCompletions();
        let statuses = collectMessages('statuses');
        let out = collectMessages('out');
        helper.getNode('run').receive({ _msgid: 'before-restart', topic: 'nightly', payload: { Country: 'FR' } } as never);
        await until(() => statusTexts(statuses).some((text) => text.startsWith('running')), 'the job to run');

        // Stop as Node-RED does: flows first, then the context stores flush to disk.
        await internals._redNodes.stopFlows();
        await internals._redNodes.closeContextsPlugin();
        assert.equal(out.length, 0);
        assert.deepEqual(
          completions.map((c) => c.msgid),
          ['before-restart'],
        );
        // helper.unload() empties the stores it knows: the next start reads a copy, as a restarted Node-RED reads the same files.
        fs.cpSync(before, after, { recursive: true });
        internals._RED.hooks.remove('*.runWorkflowTest');
        await helper.unload();
        const stored = fs.readdirSync(path.join(after, 'context', 'tab'));
        assert.deepEqual(stored, ['run.json']);
        assert.match(fs.readFileSync(path.join(after, 'context', 'tab', 'run.json'), 'utf8'), /before-restart/);

        const jobsBefore = slow.stats.jobsStarted;
        await loadWithContextStore(after, nodes);
        statuses = collectMessages('statuses');
        out = collectMessages('out');
        await until(() => out.length === 1, 'the resumed result', 8_000);
        const msg = out[0] as Record<string, unknown>;
        assert.equal(msg._msgid, 'before-restart');
        assert.equal(msg.topic, 'nightly');
        assert.equal((msg.payload as AlteryxJob).disposition, 'Success');
        assert.match((msg.outputs as OutputData[])[0]?.data as string, /\r\nFR,2024,/);
        assert.equal(slow.stats.jobsStarted, jobsBefore, 'the job is not started again');
        await wait(20);
        assert.deepEqual(lastStatus(statuses), { fill: 'green', shape: 'dot', text: 'done' });
        // Emitted once: the finished job is forgotten.
        const context = helper.getNode('run').context().get('alteryxJobs');
        assert.deepEqual(context, {});
      }
    });
  });

  describe('editor endpoint', () => {
    it('lists the workflows the key can run and their questions, with the saved credentials', async () => {
      await loadFlow(TYPES, flow(gallery), CREDENTIALS);
      const list = await helper.request().get('/oauth1-run-workflow/cfg/workflows').expect(200);
      assert.deepEqual(
        (list.body as Array<{ id: string; name: string }>).map((w) => w.name),
        ['Customer import', 'Nightly forecast', 'Sales report'],
      );
      const questions = await helper.request().get(`/oauth1-run-workflow/cfg/workflows/${salesReport}/questions`).expect(200);
      assert.deepEqual(
        (questions.body as Array<{ name: string }>).map((q) => q.name),
        ['Country', 'Year', 'IncludeReturns'],
      );
      const unknown = await helper.request().get('/oauth1-run-workflow/cfg/workflows/nope/questions').expect(502);
      assert.deepEqual(unknown.body, { error: '404 unknown workflow "nope"', statusCode: 404 });
    });

    it('says why when the service is not deployed or refuses the key', async () => {
      await loadFlow(TYPES, flow(gallery), { cfg: { consumerKey: DEMO_CREDENTIALS.consumerKey, consumerSecret: 'wrong' } });
      const missing = await helper.request().get('/oauth1-run-workflow/not-deployed/workflows').expect(404);
      assert.match((missing.body as { error: string }).error, /deploy the OAuth1 service first/);
      const refused = await helper.request().get('/oauth1-run-workflow/cfg/workflows').expect(502);
      assert.match(
        (refused.body as { error: string }).error,
        /^401 The provided signature\(oauth_signature\) is invalid\. Likely cause: The service computed another signature/,
      );
      assert.equal((refused.body as { statusCode: number }).statusCode, 401);
    });
  });
});
