/**
 * A hostile Alteryx server against the bounds of one job: many outputs, outputs that
 * inflate (gzip) to just under the per-response cap, outputs that trickle past the deadline.
 * Sizes stay small: the bounds are set low, the behaviour is the same.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { AlteryxApi, AlteryxError, cancelAfterTimeout, completeJob, downloadOutputs, type AlteryxJob } from '../src/lib/alteryx';
import type { HttpClient } from '../src/lib/client';
import { OutputBudget, outputCountProblem, outputLimits, DEFAULT_OUTPUT_LIMITS, MEGABYTE } from '../src/lib/job-bounds';
import { createServiceClient } from '../src/lib/service';
import { DeadlineSignal } from '../src/lib/time';
import { json, startFaultServer, type Fault, type FaultServer } from './support/fault-server';

const CREDENTIALS = { consumerKey: 'key', consumerSecret: 'secret' };
const JOB_PATH = '/api/v1/jobs/job-1/';

function completedJob(outputCount: number): AlteryxJob {
  const outputs = Array.from({ length: outputCount }, (_, index) => ({ id: `o${index}`, name: `Part ${index}.csv`, formats: ['Csv'] }));
  return { id: 'job-1', status: 'Completed', disposition: 'Success', outputs, messages: [] };
}

/** A gzip body of a few kB that inflates to `bytes` bytes of CSV. */
function inflating(bytes: number): Fault {
  const body = gzipSync(Buffer.alloc(bytes, 'a'));
  return (_request, res) => {
    res.writeHead(200, { 'Content-Type': 'text/csv', 'Content-Encoding': 'gzip', 'Content-Length': String(body.length) });
    res.end(body);
  };
}

function slow(delayMs: number): Fault {
  return (_request, res) => {
    setTimeout(() => res.writeHead(200, { 'Content-Type': 'text/csv' }).end('a,b\n'), delayMs);
  };
}

describe('the bounds of one Alteryx job against a hostile server', function () {
  this.timeout(15_000);
  let server: FaultServer;
  let client: HttpClient;
  let api: AlteryxApi;

  beforeEach(async () => {
    server = await startFaultServer();
    client = createServiceClient({ baseUrl: `${server.url}/api`, credentials: CREDENTIALS, retries: 0 });
    api = new AlteryxApi(client);
  });
  afterEach(async () => {
    client.destroy();
    await server.close();
  });

  function serveOutputs(count: number, fault: Fault): void {
    server.route(JOB_PATH, json(completedJob(count)));
    for (let index = 0; index < count; index++) server.route(`/api/v1/jobs/job-1/output/o${index}/`, fault);
  }
  const outputRequests = () => server.requests.filter((request) => request.path.includes('/output/')).length;

  it('refuses a job listing more outputs than a job may download (50 by default), before downloading any', async () => {
    serveOutputs(60, inflating(10));
    await assert.rejects(downloadOutputs(api, completedJob(60), 'Csv'), {
      code: 'ELIMIT',
      message: 'Alteryx job job-1: it lists 60 outputs, more than the 50 a job may download (max outputs); none was downloaded',
    });
    assert.equal(outputRequests(), 0);
  });

  it('stops at the total size: outputs inflating to 4 MB each stop at the third of a 10 MB job, and nothing is returned', async () => {
    serveOutputs(5, inflating(4 * MEGABYTE));
    const limits = { maxOutputBytes: 10 * MEGABYTE };
    const started = Date.now();
    await assert.rejects(
      completeJob(api, 'job-1', { pollIntervalMs: 10, startedAt: started, deadline: started + 10_000, outputFormat: 'Csv', outputLimits: limits }),
      {
        code: 'ELIMIT',
        message:
          'Alteryx job job-1: output "Part 2.csv" does not fit in the 10 MB a job\'s outputs may take in all (max outputs size), 8 MB before it; nothing was sent',
      },
    );
    // The third response was cut at the 2 MB left, not read to its end; no fourth was asked for.
    assert.equal(outputRequests(), 3);
  });

  it("lets a request lower the client's response cap, to zero bytes, but never raise it", async () => {
    const capped = createServiceClient({ baseUrl: `${server.url}/api`, credentials: CREDENTIALS, retries: 0, maxResponseBytes: 1_000 });
    server.route('/api/big', inflating(2_000));
    server.route('/api/one', inflating(1));
    try {
      await assert.rejects(capped.request({ url: 'big', maxResponseBytes: 10_000 }), { code: 'ETOOLARGE' });
      await assert.rejects(capped.request({ url: 'one', maxResponseBytes: 0 }), { code: 'ETOOLARGE' });
      assert.equal((await capped.request({ url: 'one', maxResponseBytes: 1 })).body, 'a');
    } finally {
      capped.destroy();
    }
  });

  it('does not cancel a job whose outputs took too long: it has finished', async () => {
    let cancels = 0;
    const fake = { cancelJob: async () => void cancels++ } as unknown as AlteryxApi;
    const timeout = new AlteryxError('Alteryx job job-1: no result within 0.4 s (downloading output 3 of 8)', 'ETIMEOUT', { job: completedJob(8) });
    assert.equal(await cancelAfterTimeout(fake, 'job-1', timeout), timeout);
    const running = new AlteryxError('Alteryx job job-1: no result within 0.4 s (still Running)', 'ETIMEOUT', { job: { id: 'job-1', status: 'Running' } });
    assert.match((await cancelAfterTimeout(fake, 'job-1', running)).message, /cancelled on the server$/);
    assert.equal(cancels, 1);
  });

  it('gives up at the deadline while downloading, as while waiting: outputs that trickle in do not extend it', async () => {
    serveOutputs(8, slow(150));
    const started = Date.now();
    await assert.rejects(completeJob(api, 'job-1', { pollIntervalMs: 10, startedAt: started, deadline: started + 400, outputFormat: 'Csv' }), {
      code: 'ETIMEOUT',
      message: /^Alteryx job job-1: no result within 0\.4 s \(downloading output 3 of 8\)$/,
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 1_000, `gave up after ${elapsed} ms, not after all 8 downloads (1.2 s)`);
    assert.ok(outputRequests() <= 3);
  });
});

describe('job bounds', () => {
  it('takes positive limits as given and anything else as the defaults', () => {
    assert.deepEqual(outputLimits(), DEFAULT_OUTPUT_LIMITS);
    assert.deepEqual(outputLimits({ maxOutputs: 3, maxOutputBytes: 1.5 * MEGABYTE }), { maxOutputs: 3, maxOutputBytes: 1.5 * MEGABYTE });
    assert.deepEqual(outputLimits({ maxOutputs: 0, maxOutputBytes: Number.NaN }), DEFAULT_OUTPUT_LIMITS);
  });

  it('allows exactly the limit of outputs and of bytes, not one more', () => {
    const limits = { maxOutputs: 2, maxOutputBytes: 10 };
    assert.equal(outputCountProblem(2, limits), undefined);
    assert.match(outputCountProblem(3, limits) ?? '', /lists 3 outputs, more than the 2/);
    const budget = new OutputBudget(limits);
    assert.equal(budget.take(6), true);
    assert.equal(budget.remaining, 4);
    assert.equal(budget.take(5), false);
    assert.equal(budget.take(4), true);
    assert.equal(budget.remaining, 0);
  });

  it('aborts at the deadline and tells it from an abort of its own signal', async () => {
    const outer = new AbortController();
    const passed = new DeadlineSignal(Date.now() - 1, outer.signal);
    assert.equal(passed.signal.aborted, true);
    assert.equal(passed.expired, true);
    const later = new DeadlineSignal(Date.now() + 60_000, outer.signal);
    outer.abort();
    assert.equal(later.signal.aborted, true);
    assert.equal(later.expired, false);
    later.dispose();
  });
});
