import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_WORKFLOW_IDS } from '../demo/alteryx';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { startDemoServer, type DemoServer } from '../demo/server';
import { AlteryxApi, NO_CANCEL_IN_GALLERY_V1, type AlteryxJob, type OutputData } from '../src/lib/alteryx';
import type { HttpClient } from '../src/lib/client';
import { createServiceClient } from '../src/lib/service';
import { json, respond, startFaultServer, type Fault, type FaultServer } from './support/fault-server';
import {
  catchNode,
  collectMessages,
  coreNode,
  helper,
  ourNode,
  loadFlow,
  loadFlowWithContextStore,
  logLines,
  nextMessage,
  restoreSettings,
  wait,
  type FlowNode,
} from './support/node-red';

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
    helper.getNode('run').receive({ payload: { Country: 'NL', Year: 2023, IncludeReturns: false }, topic: 'monthly' });
    const msg = await received;
    const job = msg.payload as AlteryxJob;
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
    assert.ok(
      texts.some((text) => /^queued \d+ s$/.test(text)),
      texts.join(' | '),
    );
    assert.ok(
      texts.some((text) => /^running \d+ s$/.test(text)),
      texts.join(' | '),
    );
    // Then the disposition.
    assert.deepEqual(lastStatus(statuses), { fill: 'green', shape: 'dot', text: 'success' });
  });

  it('takes questions as an array of {name, value}, header signing, and binary outputs as Buffers', async () => {
    await loadFlow(TYPES, flow(gallery, { outputFormat: 'Raw', priority: '2' }, { placement: 'header' }), CREDENTIALS);
    const received = nextMessage('out');
    helper.getNode('run').receive({
      payload: [
        { name: 'Country', value: 'FR' },
        { name: 'IncludeReturns', value: true },
      ],
    });
    const msg = await received;
    const job = msg.payload as AlteryxJob;
    assert.equal(job.priority, '2');
    const [csv, workbook] = msg.outputs as OutputData[];
    assert.match(csv?.data as string, /\r\nFR,2024,true,Widgets,108,1296.00\r\n/);
    assert.ok(Buffer.isBuffer(workbook?.data), 'an xlsx as Raw is binary');
    assert.equal(workbook?.data.subarray(0, 2).toString('latin1'), 'PK');
  });

  it('without wait emits the queued job at once, after one request', async () => {
    await loadFlow(TYPES, flow(gallery, { wait: false, outputFormat: 'Csv' }), CREDENTIALS);
    const statuses = collectMessages('statuses');
    const before = demo.stats.requests.length;
    const received = nextMessage('out');
    helper.getNode('run').receive({ payload: 1_700_000_000_000 });
    const msg = await received;
    assert.equal((msg.payload as AlteryxJob).status, 'Queued');
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
    helper.getNode('run').receive({ workflowId: salesReport });
    assert.equal(((await received).payload as AlteryxJob).appId, salesReport);

    const caught = nextMessage<Caught>('caught');
    helper.getNode('run').receive({ workflowId: 'Q3 report/übersicht' });
    const failure = await caught;
    assert.equal(failure.error.message, '404 unknown workflow "Q3 report/übersicht"');
    const requested = demo.stats.requests.at(-1)?.path;
    assert.equal(requested, '/gallery/api/v1/workflows/Q3%20report%2F%C3%BCbersicht/jobs/');

    const missing = nextMessage<Caught>('caught');
    helper.getNode('run').receive({ payload: {} });
    assert.equal((await missing).error.message, 'no workflow id: set one in the node or send msg.workflowId');
  });

  it('sends a job with disposition Error to Catch with its first error message, the job on msg.payload', async () => {
    await loadFlow(TYPES, flow(gallery, { workflowId: customerImport, outputFormat: 'Csv' }), CREDENTIALS);
    const statuses = collectMessages('statuses');
    const out = collectMessages('out');
    const caught = nextMessage<Caught>('caught');
    helper.getNode('run').receive({ payload: { SourceFile: 'march.csv' }, topic: 'import' });
    const msg = await caught;
    const job = msg.payload as AlteryxJob;
    assert.equal(msg.error.message, `Alteryx job ${job.id} failed: Input Data (3): File not found "march.csv" (tool 3)`);
    // The help quotes this text as the Catch node shows it.
    const help = fs.readFileSync(path.join(__dirname, '..', 'src', 'nodes', 'oauth1-run-workflow', 'locales', 'en-US', 'oauth1-run-workflow.html'), 'utf8');
    assert.match(help.replace(/\s+/g, ' '), /<code>Alteryx job 5f… failed: Input Data \(3\): File not found \(tool 3\)<\/code>/);
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
    helper.getNode('run').receive({});
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
    helper.getNode('run').receive({ payload: { Country: 'BE' } });
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
    helper.getNode('run').receive({});
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
    helper.getNode('run').receive({ _msgid: 'first' });
    helper.getNode('run').receive({ _msgid: 'second' });
    await until(() => statusTexts(statuses).includes('2 jobs'), 'the jobs to be polled');
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
    for (const country of countries) helper.getNode('run').receive({ _msgid: `msg-${country}`, payload: { Country: country } });
    await until(() => out.length === countries.length, 'four results');
    assert.equal(demo.stats.jobsStarted, jobsBefore + countries.length);
    for (const msg of out) {
      const country = String(msg._msgid).slice(4);
      assert.match((msg.outputs as OutputData[])[0]?.data as string, new RegExp(`\\r\\n${country},2024,false,Widgets,`));
    }
    assert.equal(new Set(out.map((msg) => (msg.payload as AlteryxJob).id)).size, countries.length);
    assert.ok(
      statusTexts(statuses).some((text) => /^[234] jobs$/.test(text)),
      `the ring counts the running jobs: ${statusTexts(statuses).join(' | ')}`,
    );
  });

  it('runs under Alteryx Server /webapi with the OAuth 2 scheme, one token for the whole job', async () => {
    await loadFlow(TYPES, flow(`${demo.url}/webapi`, { outputFormat: 'Csv' }, { scheme: 'oauth2' }), CREDENTIALS);
    const tokens = demo.stats.tokensIssued;
    const received = nextMessage('out');
    helper.getNode('run').receive({ payload: { Country: 'DE' } });
    const msg = await received;
    assert.equal((msg.payload as AlteryxJob).disposition, 'Success');
    assert.match((msg.outputs as OutputData[])[0]?.data as string, /\r\nDE,2024,/);
    assert.equal(demo.stats.tokensIssued, tokens + 1);
  });

  it('refuses a string payload and a config without credentials with clear errors', async () => {
    await loadFlow(TYPES, flow(gallery), CREDENTIALS);
    let caught = nextMessage<Caught>('caught');
    helper.getNode('run').receive({ payload: 'Country=BE' });
    assert.match((await caught).error.message, /msg.payload is a string: send the questions as an object/);
    await helper.unload();
    await loadFlow(TYPES, flow(gallery), { cfg: { consumerKey: 'k' } });
    caught = nextMessage<Caught>('caught');
    helper.getNode('run').receive({});
    assert.match((await caught).error.message, /demo gallery: consumer secret missing/);
  });

  describe('against a hostile Alteryx server', () => {
    let hostile: FaultServer;
    beforeEach(async () => {
      hostile = await startFaultServer();
      hostile.route('/api/v1/workflows/app/jobs/', json({ id: 'job-1', status: 'Queued' }));
    });
    afterEach(() => hostile.close());

    function listOutputs(count: number, fault: Fault): void {
      const outputs = Array.from({ length: count }, (_, index) => ({ id: `o${index}`, name: `Part ${index}.csv`, formats: ['Csv'] }));
      hostile.route('/api/v1/jobs/job-1/', json({ id: 'job-1', status: 'Completed', disposition: 'Success', outputs, messages: [] }));
      for (let index = 0; index < count; index++) hostile.route(`/api/v1/jobs/job-1/output/o${index}/`, fault);
    }
    const outputRequests = () => hostile.requests.filter((request) => request.path.includes('/output/')).length;

    it("keeps to the node's bounds of a job, outputs and megabytes, and sends nothing but the error", async () => {
      const limits = { workflowId: 'app', outputFormat: 'Csv', maxOutputs: 2, maxOutputsMB: 1 };
      await loadFlow(TYPES, flow(`${hostile.url}/api`, limits), CREDENTIALS);
      const sent = collectMessages('out');
      const statuses = collectMessages('statuses');
      listOutputs(3, respond(200, 'a,b\n', { 'Content-Type': 'text/csv' }));
      let caught = nextMessage<Caught>('caught');
      helper.getNode('run').receive({});
      assert.equal(
        (await caught).error.message,
        'Alteryx job job-1: it lists 3 outputs, more than the 2 a job may download (max outputs); none was downloaded',
      );
      assert.equal(outputRequests(), 0);
      await wait(20);
      assert.deepEqual(lastStatus(statuses), { fill: 'red', shape: 'ring', text: 'outputs too large' });

      listOutputs(2, respond(200, Buffer.alloc(600 * 1024, 'a'), { 'Content-Type': 'text/csv' }));
      caught = nextMessage<Caught>('caught');
      helper.getNode('run').receive({});
      assert.match((await caught).error.message, /output "Part 1\.csv" does not fit in the 1 MB a job's outputs may take in all/);
      assert.equal(sent.length, 0);
    });

    it('gives up after its timeout while downloading outputs too, sending no result', async () => {
      await loadFlow(TYPES, flow(`${hostile.url}/api`, { workflowId: 'app', outputFormat: 'Csv', timeout: 0.5 }), CREDENTIALS);
      const sent = collectMessages('out');
      listOutputs(6, (_request, res) => void setTimeout(() => res.writeHead(200, { 'Content-Type': 'text/csv' }).end('a\n'), 300));
      const caught = nextMessage<Caught>('caught');
      const started = Date.now();
      helper.getNode('run').receive({});
      assert.match((await caught).error.message, /^Alteryx job job-1: no result within 0\.5 s \(downloading output 2 of 6\)$/);
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 1_500, `gave up after ${elapsed} ms, not after the 6 downloads (1.8 s)`);
      await wait(1_500);
      assert.equal(sent.length, 0);
    });
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
      helper.getNode('run').receive({ _msgid: 'm1', topic: 'keep me', payload: { Country: 'NL' } });
      await until(() => statusTexts(statuses).some((text) => text.startsWith('running')), 'the job to run');
      const jobsBefore = slow.stats.jobsStarted;
      const changed = nodes.map((node) => (node.id === 'run' ? { ...node, name: 'renamed', pollInterval: 0.1 } : node));
      await helper.setFlows(changed, 'nodes', CREDENTIALS);
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
      helper.getNode('run').receive({});
      await until(() => statusTexts(statuses).some((text) => text.startsWith('running')), 'the job to run');
      await helper.setFlows(
        nodes.filter((node) => node.id !== 'run' && node.id !== 'status'),
        'full',
        CREDENTIALS,
      );
      const requests = slow.stats.requests.length;
      await wait(300);
      assert.equal(slow.stats.requests.length, requests, 'no poll after the node is gone');
    });

    const dirs: string[] = [];
    afterEach(async () => {
      // Closed first: a context store writes its files when it closes, which would bring a removed directory back.
      await helper.unload();
      await internals._redNodes.closeContextsPlugin();
      restoreSettings();
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
        helper.getNode('run').receive({ _msgid: 'before-restart', topic: 'nightly', payload: { Country: 'FR' } });
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
        assert.deepEqual(lastStatus(statuses), { fill: 'green', shape: 'dot', text: 'success' });
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
      assert.deepEqual(unknown.body, { ok: false, message: '404 unknown workflow "nope"', statusCode: 404 });
    });

    it('says why when the service is not deployed or refuses the key', async () => {
      await loadFlow(TYPES, flow(gallery), { cfg: { consumerKey: DEMO_CREDENTIALS.consumerKey, consumerSecret: 'wrong' } });
      const missing = await helper.request().get('/oauth1-run-workflow/not-deployed/workflows').expect(404);
      assert.deepEqual(missing.body, { ok: false, message: 'deploy the OAuth1 service first: the list is fetched with its saved credentials' });
      const refused = await helper.request().get('/oauth1-run-workflow/cfg/workflows').expect(502);
      assert.match(
        (refused.body as { message: string }).message,
        /^401 The provided signature\(oauth_signature\) is invalid\. Likely cause: The service computed another signature/,
      );
      assert.equal((refused.body as { statusCode: number }).statusCode, 401);
    });

    it('answers every refusal as the other admin routes do, {ok: false, message}, a cross-site request included', async () => {
      await loadFlow(TYPES, flow(gallery), { cfg: { consumerKey: DEMO_CREDENTIALS.consumerKey } });
      const unusable = await helper.request().get('/oauth1-run-workflow/cfg/workflows').expect(400);
      assert.deepEqual(Object.keys(unusable.body as object).sort(), ['message', 'ok']);
      assert.match((unusable.body as { message: string }).message, /consumer secret missing/);
      const crossSite = await helper.request().get('/oauth1-run-workflow/cfg/workflows').set('sec-fetch-site', 'cross-site').expect(403);
      assert.equal((crossSite.body as { ok: boolean }).ok, false);
      assert.match((crossSite.body as { message: string }).message, /another site/);
    });
  });
});

describe('oauth1-run-workflow actions by msg.jobId: status, outputs, cancel (Server API V3 under /webapi)', function () {
  this.timeout(20_000);
  /** Jobs queued long enough to be cancelled while queued, on a machine shared with other test runs. */
  const QUEUED_MS = 1_500;
  let demo: DemoServer;
  let webapi: string;
  const httpClients: HttpClient[] = [];
  before(async () => {
    demo = await startDemoServer({ jobTiming: { queuedMs: QUEUED_MS, runningMs: 300 }, tokenLifetimeSeconds: 3600 });
    webapi = `${demo.url}/webapi`;
  });
  after(async () => {
    for (const client of httpClients) client.destroy();
    await demo?.close();
  });
  afterEach(async () => {
    internals._RED.hooks.remove('*.runWorkflowTest');
    await helper.unload();
  });

  /** The library against the demo, for what happens outside the flow (a job cancelled on the server). */
  function directApi(): AlteryxApi {
    const client = createServiceClient({ baseUrl: webapi, scheme: 'oauth2', credentials: CREDENTIALS.cfg, retries: 0 });
    httpClients.push(client);
    return new AlteryxApi(client, { serverApiV3: true });
  }

  /** A run node on /webapi (OAuth 2) and a second node `ask` whose action the test sets, both on `out` and Catch. */
  function webapiFlow(run: Record<string, unknown> = {}, ask: Record<string, unknown> = {}): FlowNode[] {
    const nodes = flow(webapi, { wait: false, ...run }, { scheme: 'oauth2' });
    nodes.push({
      id: 'ask',
      type: 'oauth1-run-workflow',
      z: 'tab',
      server: 'cfg',
      workflowId: '',
      action: 'status',
      outputFormat: 'Csv',
      wires: [['out']],
      ...ask,
    });
    return nodes;
  }

  /** Sends to a node and resolves with what came out of the flow for it: a message at `out` or a Catch error. */
  function answers(): (nodeId: string, msg: Record<string, unknown>) => Promise<{ out?: Record<string, unknown>; caught?: Caught }> {
    const out = collectMessages('out');
    const caught = collectMessages<Caught>('caught');
    return async (nodeId, msg) => {
      const [outBefore, caughtBefore] = [out.length, caught.length];
      helper.getNode(nodeId).receive(msg);
      await until(() => out.length > outBefore || caught.length > caughtBefore, `an answer of ${nodeId}`);
      return { out: out[outBefore], caught: caught[caughtBefore] };
    };
  }

  /** `start(appId)` starts a job without waiting; `ask(action, jobId)` sends to the node `ask`. */
  function jobClients(): {
    start: (appId: string) => Promise<AlteryxJob>;
    ask: (action: string | undefined, jobId: unknown) => Promise<{ out?: Record<string, unknown>; caught?: Caught }>;
  } {
    const answer = answers();
    return {
      start: async (appId) => (await answer('run', { workflowId: appId })).out?.payload as AlteryxJob,
      ask: (action, jobId) => answer('ask', { action, jobId }),
    };
  }

  it('looks a job up by msg.jobId (status), and msg.action overrides the action of the node', async () => {
    await loadFlow(TYPES, webapiFlow({ workflowId: '' }), CREDENTIALS);
    const { start, ask } = jobClients();
    const job = await start(salesReport);
    const looked = await ask(undefined, job.id);
    assert.equal((looked.out?.payload as AlteryxJob).id, job.id);
    assert.equal((looked.out?.payload as AlteryxJob).status, 'Queued');
    // The run node asked for the status by msg.action: no new job.
    const jobsBefore = demo.stats.jobsStarted;
    const received = nextMessage('out');
    helper.getNode('run').receive({ action: 'status', jobId: job.id });
    assert.equal(((await received).payload as AlteryxJob).id, job.id);
    assert.equal(demo.stats.jobsStarted, jobsBefore);
  });

  it('downloads the outputs of a finished job by id in the node format, and says when the job is not finished yet', async () => {
    await loadFlow(TYPES, webapiFlow({ workflowId: '' }, { action: 'outputs' }), CREDENTIALS);
    const { start, ask } = jobClients();
    const job = await start(salesReport);
    const early = await ask(undefined, job.id);
    assert.equal(early.caught?.error.message, `Alteryx job ${job.id} is queued: its outputs come once it has completed`);
    await wait(QUEUED_MS + 500);
    const fetched = await ask(undefined, job.id);
    assert.equal((fetched.out?.payload as AlteryxJob).disposition, 'Success');
    const outputs = fetched.out?.outputs as OutputData[];
    assert.deepEqual(
      outputs.map((output) => [output.name, output.format]),
      [
        ['Sales.csv', 'Csv'],
        ['Sales.xlsx', 'Csv'],
      ],
    );
    assert.match(outputs[0]?.data as string, /^Country,Year,IncludeReturns,Product,Units,Revenue\r\nBE,2024,/);
  });

  it("cancels a job by id while queued, while running, and after it finished (the server's answer passed on)", async () => {
    await loadFlow(TYPES, webapiFlow({ workflowId: '' }, { action: 'cancel' }), CREDENTIALS);
    const { start, ask } = jobClients();
    const queued = await start(nightlyForecast);
    assert.equal(((await ask('status', queued.id)).out?.payload as AlteryxJob).status, 'Queued');
    const cancelledQueued = await ask(undefined, queued.id);
    assert.equal(cancelledQueued.out?.statusCode, 200);
    assert.deepEqual([(cancelledQueued.out?.payload as AlteryxJob).id, (cancelledQueued.out?.payload as AlteryxJob).disposition], [queued.id, 'Cancelled']);
    assert.ok(demo.stats.requests.some((r) => r.method === 'DELETE' && r.path === `/webapi/v3/jobs/${queued.id}` && r.status === 200));

    const running = await start(nightlyForecast);
    await wait(QUEUED_MS + 100);
    assert.equal(((await ask('status', running.id)).out?.payload as AlteryxJob).status, 'Running');
    assert.equal(((await ask(undefined, running.id)).out?.payload as AlteryxJob).disposition, 'Cancelled');
    assert.equal(((await ask('status', running.id)).out?.payload as AlteryxJob).disposition, 'Cancelled', 'the server keeps it cancelled');

    const finished = await start(salesReport);
    await wait(QUEUED_MS + 500);
    const refused = await ask(undefined, finished.id);
    const message = `Job '${finished.id}' has already finished (Success): only a queued or running job can be cancelled.`;
    assert.equal(refused.caught?.error.message, `cancelling Alteryx job ${finished.id}: 400 ${message}`);
    assert.equal(refused.caught?.statusCode, 400);
    assert.deepEqual(refused.caught?.payload, { message });
    assert.equal(((await ask('status', finished.id)).out?.payload as AlteryxJob).disposition, 'Success');
  });

  it('ends a message waiting for a job cancelled by another node in one Catch error that says "cancelled", with the job on msg, at once', async () => {
    // A poll every 10 s: only the nudge of the cancel can end the wait within the test's time.
    await loadFlow(TYPES, webapiFlow({ workflowId: nightlyForecast, wait: true, pollInterval: 10, timeout: 60 }, { action: 'cancel' }), CREDENTIALS);
    const completions = recordCompletions();
    const statuses = collectMessages('statuses');
    const out = collectMessages('out');
    const caught = collectMessages<Caught>('caught');
    helper.getNode('run').receive({ _msgid: 'waiting', topic: 'forecast' });
    const pending = (): string[] => Object.keys((helper.getNode('run').context().get('alteryxJobs') as Record<string, unknown> | undefined) ?? {});
    await until(() => pending().length === 1, 'the job to be started');
    const [jobId] = pending();
    const cancelledAt = Date.now();
    helper.getNode('ask').receive({ jobId });
    await until(() => caught.length === 1 && out.length === 1, 'the cancel and the end of the wait');
    assert.ok(Date.now() - cancelledAt < 5_000, `ended ${Date.now() - cancelledAt} ms after the cancel`);
    assert.equal((out[0]?.payload as AlteryxJob).disposition, 'Cancelled', 'the cancel node passes the answer on');
    const failure = caught[0];
    assert.equal(failure.error.message, `Alteryx job ${jobId} was cancelled`);
    assert.equal(failure.error.source.id, 'run');
    assert.equal(failure.topic, 'forecast');
    assert.equal((failure.payload as AlteryxJob).id, jobId);
    assert.equal((failure.payload as AlteryxJob).disposition, 'Cancelled');
    await wait(100);
    assert.deepEqual(
      completions.map((c) => [c.msgid, c.error !== undefined]),
      [['waiting', true]],
      'exactly one outcome',
    );
    assert.equal(caught.length, 1);
    assert.deepEqual(lastStatus(statuses), { fill: 'red', shape: 'ring', text: 'cancelled' });
    assert.deepEqual(pending(), []);
  });

  it('ends a waiting message in one Catch error when the same node cancels its job (msg.action), at once', async () => {
    await loadFlow(TYPES, webapiFlow({ workflowId: nightlyForecast, wait: true, pollInterval: 10, timeout: 60 }), CREDENTIALS);
    const completions = recordCompletions();
    const out = collectMessages('out');
    const caught = collectMessages<Caught>('caught');
    helper.getNode('run').receive({ _msgid: 'waiting' });
    const pending = (): string[] => Object.keys((helper.getNode('run').context().get('alteryxJobs') as Record<string, unknown> | undefined) ?? {});
    await until(() => pending().length === 1, 'the job to be started');
    const [jobId] = pending();
    helper.getNode('run').receive({ _msgid: 'cancel', action: 'cancel', jobId });
    await until(() => caught.length === 1 && out.length === 1, 'the cancel and the end of the wait');
    assert.equal(out[0]?._msgid, 'cancel');
    assert.equal(caught[0]?.error.message, `Alteryx job ${jobId} was cancelled`);
    await wait(100);
    assert.deepEqual(completions.map((c) => [c.msgid, c.error !== undefined]).sort(), [
      ['cancel', false],
      ['waiting', true],
    ]);
  });

  it('ends a waiting message in one Catch error when its job is cancelled on the server, outside the flow', async () => {
    await loadFlow(TYPES, webapiFlow({ workflowId: nightlyForecast, wait: true, pollInterval: 0.05, timeout: 60 }), CREDENTIALS);
    const completions = recordCompletions();
    const caught = collectMessages<Caught>('caught');
    helper.getNode('run').receive({ _msgid: 'waiting' });
    const pending = (): string[] => Object.keys((helper.getNode('run').context().get('alteryxJobs') as Record<string, unknown> | undefined) ?? {});
    await until(() => pending().length === 1, 'the job to be started');
    const [jobId] = pending();
    await directApi().cancelJob(jobId);
    await until(() => caught.length === 1, 'the end of the wait');
    assert.equal(caught[0]?.error.message, `Alteryx job ${jobId} was cancelled`);
    await wait(100);
    assert.deepEqual(
      completions.map((c) => c.msgid),
      ['waiting'],
    );
  });

  it('cancels the job on the server when the timeout passes, unless told not to', async () => {
    await loadFlow(TYPES, webapiFlow({ workflowId: nightlyForecast, wait: true, timeout: 0.4 }), CREDENTIALS);
    let caught = nextMessage<Caught>('caught');
    helper.getNode('run').receive({});
    let failure = await caught;
    let job = failure.payload as AlteryxJob;
    assert.equal(failure.error.message, `Alteryx job ${job.id}: no result within 0.4 s (still Queued); cancelled on the server`);
    assert.ok(demo.stats.requests.some((r) => r.method === 'DELETE' && r.path === `/webapi/v3/jobs/${job.id}` && r.status === 200));
    assert.equal((await directApi().job(job.id)).disposition, 'Cancelled');
    await helper.unload();

    await loadFlow(TYPES, webapiFlow({ workflowId: nightlyForecast, wait: true, timeout: 0.4, cancelOnTimeout: false }), CREDENTIALS);
    caught = nextMessage<Caught>('caught');
    helper.getNode('run').receive({});
    failure = await caught;
    job = failure.payload as AlteryxJob;
    assert.equal(failure.error.message, `Alteryx job ${job.id}: no result within 0.4 s (still Queued)`);
    assert.ok(!demo.stats.requests.some((r) => r.method === 'DELETE' && r.path === `/webapi/v3/jobs/${job.id}`));
    assert.equal((await directApi().job(job.id)).status, 'Queued');
  });

  it('refuses to cancel on the Gallery API v1 (OAuth 1.0a) with a clear error, sending nothing; and a missing or odd msg.jobId or msg.action', async () => {
    await loadFlow(TYPES, flow(`${demo.url}/gallery/api`, { action: 'cancel' }), CREDENTIALS);
    const before = demo.stats.requests.length;
    let caught = nextMessage<Caught>('caught');
    helper.getNode('run').receive({ jobId: 'abc' });
    assert.equal((await caught).error.message, NO_CANCEL_IN_GALLERY_V1);
    assert.equal(demo.stats.requests.length, before, 'nothing sent');
    for (const [msg, text] of [
      [{}, "no job id: send the job's id in msg.jobId"],
      [{ jobId: 42 }, 'msg.jobId must be a string, not number'],
      [{ action: 'restart', jobId: 'abc' }, 'msg.action "restart" is not an action: use run, status, cancel or outputs'],
    ] as const) {
      caught = nextMessage<Caught>('caught');
      helper.getNode('run').receive(msg);
      assert.equal((await caught).error.message, text);
    }
    assert.equal(demo.stats.requests.length, before, 'nothing sent');
  });

  describe('the examples', () => {
    const EXAMPLES = path.join(__dirname, '..', 'examples');
    const CORE = [
      'core/common/20-inject.js',
      'core/common/90-comment.js',
      'core/function/15-change.js',
      'core/function/10-switch.js',
      'core/function/89-delay.js',
      'core/parsers/70-CSV.js',
    ].map(coreNode);

    /** An example's nodes (those `keep` keeps) with its debug and dashboard nodes as helper nodes, its service on the demo's /webapi. */
    function example(file: string, serviceId: string, keep: (node: FlowNode) => boolean = () => true): FlowNode[] {
      const nodes = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as FlowNode[];
      return nodes
        .filter((node) => keep(node) && !/^ui-(base|theme|page|group)$/.test(node.type) && node.type !== 'global-config')
        .map((node) => {
          if (node.id === serviceId) return { ...node, baseUrl: webapi };
          if (node.type === 'debug' || String(node.type).startsWith('ui-')) return { id: node.id, type: 'helper', z: node.z, wires: node.wires ?? [] };
          return node;
        });
    }

    async function loadExample(nodes: FlowNode[], serviceId: string): Promise<void> {
      await helper.load([...TYPES.map(ourNode), catchNode, ...CORE] as never, nodes, { [serviceId]: CREDENTIALS.cfg });
    }

    it('flows.json: starts a job, then asks its status, cancels it and fetches the outputs of another by msg.jobId', async () => {
      // The tab, the service and the group of the example (ids …7x), without the nodes of other services.
      const group = (node: FlowNode): boolean => /^a1f0c0de0000007/.test(node.id) || ['a1f0c0de00000001', 'a1f0c0de000000c3'].includes(node.id);
      await loadExample(example('flows.json', 'a1f0c0de000000c3', group), 'a1f0c0de000000c3');
      const out = collectMessages('a1f0c0de00000079');
      const press = async (inject: string): Promise<Record<string, unknown>> => {
        const before = out.length;
        helper.getNode(inject).receive({});
        await until(() => out.length > before, `the answer to ${inject}`);
        return out[before];
      };
      const forecast = (await press('a1f0c0de00000071')).payload as AlteryxJob;
      assert.equal(forecast.status, 'Queued');
      assert.equal(((await press('a1f0c0de00000075')).payload as AlteryxJob).id, forecast.id);
      const cancelled = await press('a1f0c0de00000077');
      assert.deepEqual([cancelled.statusCode, (cancelled.payload as AlteryxJob).disposition], [200, 'Cancelled']);
      assert.equal(((await press('a1f0c0de00000075')).payload as AlteryxJob).disposition, 'Cancelled');
      const report = (await press('a1f0c0de00000072')).payload as AlteryxJob;
      await wait(QUEUED_MS + 500);
      const outputs = await press('a1f0c0de00000076');
      assert.equal((outputs.payload as AlteryxJob).id, report.id);
      assert.match((outputs.outputs as OutputData[])[0]?.data as string, /\r\nNL,2024,false,Widgets,/);
    });

    it('dashboard-run-workflow.json without the dashboard: Run shows the state as it changes, Cancel ends a never-ending job', async () => {
      await loadExample(example('dashboard-run-workflow.json', 'd2b0a1f0c0de00c1'), 'd2b0a1f0c0de00c1');
      const texts = collectMessages('d2b0a1f0c0de0031');
      const table = collectMessages('d2b0a1f0c0de0030');
      const shown = (): string[] => texts.map((msg) => String(msg.payload));
      // The buttons are helper nodes here: press them by sending what they would send to the node they are wired to.
      helper.getNode('d2b0a1f0c0de0041').receive({ payload: '' });
      await until(() => shown().some((text) => /^Job \w+: Running$/.test(text)), 'the forecast to run', 8_000);
      assert.match(shown()[0] ?? '', /^Job \w+: Queued$/);
      helper.getNode('d2b0a1f0c0de0051').receive({ payload: '' });
      await until(() => shown().some((text) => /^Job \w+: Completed, Cancelled$/.test(text)), 'the cancel', 8_000);
      assert.ok(
        shown().some((text) => /^Cancelling job \w+…$/.test(text)),
        shown().join(' | '),
      );

      helper.getNode('d2b0a1f0c0de0014').receive({ payload: '' });
      await until(() => table.length === 1, 'the table of the report', 10_000);
      assert.equal((table[0]?.payload as Array<Record<string, unknown>>).length, 3);
      assert.match(shown().at(-1) ?? '', /^Job \w+: Completed, Success \(2 outputs\)$/);
    });
  });
});
