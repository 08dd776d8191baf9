import assert from 'node:assert/strict';
import { DEMO_WORKFLOW_IDS } from '../demo/alteryx';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { startDemoServer, type DemoServer } from '../demo/server';
import {
  AlteryxApi,
  AlteryxError,
  cancelAfterTimeout,
  completeJob,
  downloadOutputs,
  downloadedFileName,
  firstErrorMessage,
  isAlteryxError,
  jobFailure,
  NO_CANCEL_IN_GALLERY_V1,
  outcomeText,
  outputFormats,
  outputsOfJob,
  progressText,
  questionsFrom,
  runWorkflow,
  waitForJob,
  type AlteryxJob,
  type AlteryxTransport,
  type AlteryxApiOptions,
} from '../src/lib/alteryx';
import { formatDuration, JobNudges, pollDelayMs } from '../src/lib/job-polling';
import type { ClientRequest, ClientResponse, HttpClient } from '../src/lib/client';
import { createServiceClient } from '../src/lib/service';
import { fakeClock, settle, type FakeClock } from './support/fake-clock';

/** A transport that answers from a function and records every request. */
function fakeService(
  answer: (request: ClientRequest, index: number) => Partial<ClientResponse> | Promise<Partial<ClientResponse>>,
  options: AlteryxApiOptions = {},
) {
  const requests: ClientRequest[] = [];
  const transport: AlteryxTransport = {
    async request(request: ClientRequest): Promise<ClientResponse> {
      requests.push(request);
      if (request.signal?.aborted) throw Object.assign(new Error('request aborted'), { code: 'EABORTED' });
      const reply = await answer(request, requests.length - 1);
      return { statusCode: 200, headers: {}, body: undefined, url: request.url ?? '', attempts: 1, ...reply };
    },
  };
  return { api: new AlteryxApi(transport, options), requests };
}

function job(status: string, extra: Partial<AlteryxJob> = {}): AlteryxJob {
  return { id: 'job-1', appId: 'app', status, disposition: status === 'Completed' ? 'Success' : 'None', outputs: [], messages: [], ...extra };
}

/** Answers `GET v1/jobs/…` with the given jobs in turn (the last one repeats). */
function jobSequence(...jobs: AlteryxJob[]) {
  return fakeService((_request, index) => ({ body: jobs[Math.min(index, jobs.length - 1)] }));
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; details?: AlteryxError['details'] }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; details?: AlteryxError['details'] };
  }
  assert.fail('expected a rejection');
}

/** A promise's outcome, readable without awaiting it: what a fake clock has let happen so far. */
function settled(promise: Promise<unknown>): { state: 'pending' | 'fulfilled' | 'rejected'; error?: unknown } {
  const outcome: { state: 'pending' | 'fulfilled' | 'rejected'; error?: unknown } = { state: 'pending' };
  promise.then(
    () => (outcome.state = 'fulfilled'),
    (error: unknown) => Object.assign(outcome, { state: 'rejected', error }),
  );
  return outcome;
}

const fast = () => ({ pollIntervalMs: 20, startedAt: Date.now(), deadline: Date.now() + 5_000 });

describe('Alteryx library', () => {
  describe('questions from msg.payload', () => {
    it('turns an object into [{name, value}] with the string values Alteryx expects', () => {
      assert.deepEqual(questionsFrom({ Country: 'BE', Year: 2024, IncludeReturns: true, Note: null, Skipped: undefined, Regions: ['N', 'S'] }), [
        { name: 'Country', value: 'BE' },
        { name: 'Year', value: '2024' },
        { name: 'IncludeReturns', value: 'true' },
        { name: 'Note', value: '' },
        { name: 'Regions', value: '["N","S"]' },
      ]);
    });

    it('takes an array of {name, value} as it is, values made strings', () => {
      assert.deepEqual(questionsFrom([{ name: 'Country', value: 'NL' }, { name: 'Year', value: 2023 }, { name: 'Empty' }]), [
        { name: 'Country', value: 'NL' },
        { name: 'Year', value: '2023' },
        { name: 'Empty', value: '' },
      ]);
    });

    it('reads no payload, an inject timestamp or a boolean as no questions', () => {
      for (const payload of [undefined, null, '', 1_700_000_000_000, true]) assert.deepEqual(questionsFrom(payload), []);
    });

    it('refuses a string or Buffer payload and an array item without a name, saying what to send', () => {
      assert.throws(
        () => questionsFrom('{"Country":"BE"}'),
        /msg.payload is a string: send the questions as an object \{name: value\} or an array \[\{name, value\}\]/,
      );
      assert.throws(() => questionsFrom(Buffer.from('x')), /msg.payload is a Buffer/);
      assert.throws(() => questionsFrom([{ name: 'A', value: '1' }, { value: '2' }]), /msg.payload\[1\] must be a question \{name, value\} with a name/);
    });
  });

  describe('starting a job', () => {
    it('POSTs {questions, priority} to v1/workflows/<appId>/jobs/ with the id percent-encoded', async () => {
      const { api, requests } = fakeService(() => ({ body: job('Queued') }));
      const started = await api.startJob("a b/c?d#é'", { questions: [{ name: 'Country', value: 'BE' }], priority: '2' });
      assert.equal(started.status, 'Queued');
      assert.equal(requests[0]?.method, 'POST');
      assert.equal(requests[0]?.url, 'v1/workflows/a%20b%2Fc%3Fd%23%C3%A9%27/jobs/');
      assert.deepEqual(requests[0]?.body, { questions: [{ name: 'Country', value: 'BE' }], priority: '2' });
    });

    it('refuses ids that URL parsers would resolve as dot segments, and priorities outside "0"–"3"', async () => {
      const { api, requests } = fakeService(() => ({ body: job('Queued') }));
      assert.match((await rejection(api.startJob('..', {}))).message, /invalid workflow id "\.\."/);
      assert.match((await rejection(api.startJob(' ', {}))).message, /no workflow id/);
      assert.match((await rejection(api.startJob('x', { priority: '7' as never }))).message, /priority must be "0", "1", "2" or "3", not "7"/);
      assert.equal(requests.length, 0);
    });

    it('names an unknown workflow on 404 and shows the service message otherwise, keeping status and body', async () => {
      const notFound = { message: "Unable to find workflow with id 'x'." };
      let { api } = fakeService(() => ({ statusCode: 404, body: notFound }));
      let error = await rejection(api.startJob('x', {}));
      assert.equal(error.message, '404 unknown workflow "x"');
      assert.deepEqual(error.details, { statusCode: 404, body: notFound });

      const unauthorized = {
        data: null,
        exceptionName: 'UnauthorizedException',
        innerExceptionMessage: 'signature mismatch',
        message: 'The provided signature(oauth_signature) is invalid.',
      };
      ({ api } = fakeService(() => ({ statusCode: 401, body: unauthorized })));
      error = await rejection(api.startJob('x', {}));
      assert.equal(error.message, '401 The provided signature(oauth_signature) is invalid.');
      assert.equal(error.details?.statusCode, 401);
    });
  });

  describe('waiting for a job', () => {
    it('polls until Completed, reporting the state and the time in it: "queued 0 s", "running 0 s"', async () => {
      const { api, requests } = jobSequence(job('Queued'), job('Running'), job('Running'), job('Completed'));
      const texts: string[] = [];
      const done = await waitForJob(api, 'job-1', { ...fast(), onProgress: (_job, text) => texts.push(text) });
      assert.equal(done.status, 'Completed');
      assert.equal(requests.length, 4);
      assert.ok(requests.every((request) => request.method === 'GET' && request.url === 'v1/jobs/job-1/'));
      assert.deepEqual(texts, ['queued 0 s', 'running 0 s', 'running 0 s']);
      assert.equal(progressText(job('Queued'), 12_400), 'queued 12 s');
      assert.equal(progressText(job('Running'), 64_900), 'running 1 m 04 s');
      assert.equal(progressText(job('Running'), 3_900_000), 'running 1 h 05 m');
    });

    it('fails a job Completed with disposition Error, with its first error message and the job', async () => {
      const failed = job('Completed', {
        disposition: 'Error',
        messages: [
          { status: 1, text: 'Input Data (3): 10 records', toolId: 3 },
          { status: 2, text: 'Warning: slow share', toolId: 3 },
          { status: 3, text: 'Error: The tool failed', toolId: 3 },
          { status: 3, text: 'Error: a later error', toolId: 4 },
        ],
      });
      const { api } = jobSequence(job('Running'), failed);
      const error = await rejection(waitForJob(api, 'job-1', fast()));
      assert.equal(error.message, 'Alteryx job job-1 failed: The tool failed (tool 3)');
      assert.equal(error.code, 'EJOB');
      assert.deepEqual(error.details?.job, failed);
    });

    it('fails a cancelled job', async () => {
      const { api } = jobSequence(job('Cancelled', { disposition: 'Cancelled' }));
      assert.equal((await rejection(waitForJob(api, 'job-1', fast()))).message, 'Alteryx job job-1 was cancelled');
    });

    it('does not loop on an unexpected status: it is an error after one look', async () => {
      const { api, requests } = jobSequence(job('Exploded'));
      const error = await rejection(waitForJob(api, 'job-1', fast()));
      assert.equal(error.message, 'Alteryx job job-1: unexpected status "Exploded"');
      assert.equal(requests.length, 1);
    });

    describe('on a fake clock', () => {
      let clock: FakeClock;
      beforeEach(() => {
        clock = fakeClock();
      });
      afterEach(() => clock.restore());

      it('gives up at the deadline, not a poll before, with the job as last seen, and stops polling', async () => {
        const { api, requests } = jobSequence(job('Running'));
        const startedAt = Date.now();
        const outcome = settled(waitForJob(api, 'job-1', { pollIntervalMs: 30, startedAt, deadline: startedAt + 200 }));
        for (let ms = 0; ms < 180; ms += 30) await clock.advance(30);
        assert.equal(outcome.state, 'pending', 'still waiting at 180 ms');
        assert.equal(requests.length, 7, 'a poll every 30 ms');
        await clock.advance(20);
        assert.equal(outcome.state, 'rejected', 'given up at 200 ms');
        const error = outcome.error as Error & { code?: string; details?: AlteryxError['details'] };
        assert.equal(error.message, 'Alteryx job job-1: no result within 0.2 s (still Running)');
        assert.equal(error.code, 'ETIMEOUT');
        assert.equal(error.details?.job?.status, 'Running');
        const polls = requests.length;
        await clock.advance(1_000);
        assert.equal(requests.length, polls);
      });

      it('cuts a poll that hangs past the deadline short, at the deadline', async () => {
        const { api } = fakeService((request, index) =>
          index === 0
            ? { body: job('Running') }
            : new Promise((_resolve, reject) => request.signal?.addEventListener('abort', () => reject(new Error('request aborted')))),
        );
        const startedAt = Date.now();
        const outcome = settled(waitForJob(api, 'job-1', { pollIntervalMs: 20, startedAt, deadline: startedAt + 150 }));
        await clock.advance(149);
        assert.equal(outcome.state, 'pending');
        await clock.advance(1);
        assert.equal(outcome.state, 'rejected');
        assert.equal((outcome.error as { code?: string }).code, 'ETIMEOUT');
      });

      it('stops at once when its signal aborts, with no further request', async () => {
        const { api, requests } = jobSequence(job('Running'));
        const controller = new AbortController();
        const outcome = settled(waitForJob(api, 'job-1', { ...fast(), pollIntervalMs: 1_000, signal: controller.signal }));
        await clock.advance(50);
        controller.abort();
        // No fake time passes: the rejection cannot have waited for a timer.
        await settle();
        assert.equal(outcome.state, 'rejected');
        assert.equal((outcome.error as { code?: string }).code, 'EABORTED');
        await clock.advance(5_000);
        assert.equal(requests.length, 1);
      });
    });

    it('takes a timeout beyond what one timer can hold (24.8 days) as a long wait, not as none', async () => {
      const { api, requests } = jobSequence(job('Running'), job('Running'), job('Completed'));
      const startedAt = Date.now();
      const done = await waitForJob(api, 'job-1', { pollIntervalMs: 20, startedAt, deadline: startedAt + 30 * 86_400_000 });
      assert.equal(done.status, 'Completed');
      assert.equal(requests.length, 3);
    });

    it('looks once more when resumed after its deadline, so a job that finished meanwhile still counts', async () => {
      const { api, requests } = jobSequence(job('Completed'));
      const done = await waitForJob(api, 'job-1', { pollIntervalMs: 20, startedAt: Date.now() - 10_000, deadline: Date.now() - 5_000 });
      assert.equal(done.status, 'Completed');
      assert.equal(requests.length, 1);
    });
  });

  describe('outputs', () => {
    const completed = job('Completed', {
      outputs: [
        { id: 'o1', name: 'Sales.csv', formats: ['Csv', 'Raw'] },
        { id: 'o2', name: 'Sales.xlsx', formats: ['Xlsx', 'Raw'] },
      ],
    });

    it('downloads text formats as strings without BOM and binary ones as Buffers, Raw by content type', async () => {
      const workbook = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0xfe]);
      const { api, requests } = fakeService((request) => {
        if (request.url?.includes('/o1/')) return { body: Buffer.from('\uFEFFa,b\r\n1,2\r\n', 'utf8'), headers: { 'content-type': 'text/csv; charset=utf-8' } };
        return { body: workbook, headers: { 'content-type': 'application/octet-stream' } };
      });
      const csv = await downloadOutputs(api, { ...completed, outputs: completed.outputs?.slice(0, 1) }, 'csv');
      assert.deepEqual(csv, [{ id: 'o1', name: 'Sales.csv', format: 'Csv', fileName: 'Sales.csv', data: 'a,b\r\n1,2\r\n' }]);
      assert.equal(requests[0]?.url, 'v1/jobs/job-1/output/o1/?format=Csv');

      const raw = await downloadOutputs(api, completed, 'Raw');
      assert.equal(raw[0]?.data, 'a,b\r\n1,2\r\n');
      assert.ok(Buffer.isBuffer(raw[1]?.data));
      assert.deepEqual(raw[1]?.data, workbook);
    });

    it("names what was downloaded: the service's Content-Disposition, else the output with the format's extension", () => {
      assert.equal(downloadedFileName('Sales.xlsx', 'Csv', 'attachment; filename="Sales.csv"'), 'Sales.csv');
      assert.equal(downloadedFileName('Sales.xlsx', 'Csv', "attachment; filename*=UTF-8''Ventes%20%C3%A9t%C3%A9.csv"), 'Ventes été.csv');
      assert.equal(downloadedFileName('Sales.xlsx', 'Csv', undefined), 'Sales.csv');
      assert.equal(downloadedFileName('Sales.xlsx', 'Json', ''), 'Sales.json');
      assert.equal(downloadedFileName('Sales.xlsx', 'Raw', undefined), 'Sales.xlsx');
      assert.equal(downloadedFileName('report', 'Csv', undefined), 'report.csv');
    });

    it('keeps only a base name of what the server calls a file: no path, no separator, no control character, after decoding', () => {
      const hostile = (value: string) => downloadedFileName('Sales.xlsx', 'Csv', `attachment; filename*=UTF-8''${value}`);
      assert.equal(hostile('..%2F..%2Froot%2F.ssh%2Fauthorized_keys'), 'authorized_keys');
      assert.equal(hostile('..%5C..%5CWindows%5Cwin.ini'), 'win.ini');
      assert.equal(hostile('report%0D%0A.csv'), 'report.csv');
      assert.equal(hostile('%00evil%1B%5B31m.csv'), 'evil[31m.csv');
      assert.equal(downloadedFileName('Sales.xlsx', 'Csv', 'attachment; filename="/etc/passwd"'), 'passwd');
      assert.equal(downloadedFileName('Sales.xlsx', 'Csv', 'attachment; filename="..%2F"'), 'Sales.csv', 'nothing usable left: named by the output');
      assert.equal(downloadedFileName('../../etc/cron.d/job', 'Raw', undefined), 'job', "the output name from the job is the server's too");
      assert.equal(downloadedFileName('..', 'Raw', undefined), 'output.raw');
    });

    it('refuses a format an output does not offer, naming the ones it does, before downloading anything', async () => {
      const { api, requests } = fakeService(() => ({ body: Buffer.alloc(0) }));
      const error = await rejection(downloadOutputs(api, completed, 'Csv'));
      assert.equal(error.message, 'Alteryx job job-1: output "Sales.xlsx" is not available as Csv; it offers Xlsx, Raw');
      assert.equal(error.code, 'EFORMAT');
      assert.equal(requests.length, 0);
    });

    it('waits and downloads in one call, for a restart', async () => {
      const { api, requests } = fakeService((request) =>
        request.url === 'v1/jobs/job-1/' ? { body: completed } : { body: Buffer.from('x'), headers: { 'content-type': 'application/octet-stream' } },
      );
      const result = await completeJob(api, 'job-1', { ...fast(), outputFormat: 'Raw' });
      assert.equal(result.outputs?.length, 2);
      assert.equal(requests.length, 3);
    });
  });

  it('without wait resolves with the queued job after a single request', async () => {
    const { api, requests } = fakeService(() => ({ body: job('Queued') }));
    const started: string[] = [];
    const result = await runWorkflow(api, {
      appId: 'app',
      wait: false,
      pollIntervalMs: 10,
      timeoutMs: 1_000,
      outputFormat: 'Csv',
      onStarted: (j) => started.push(j.id),
    });
    assert.equal(result.job.status, 'Queued');
    assert.equal(result.outputs, undefined);
    assert.deepEqual(started, ['job-1']);
    assert.equal(requests.length, 1);
  });

  describe('questions: values Alteryx cannot take', () => {
    it('sends a date as ISO text, a list as a JSON array, null as empty and an array item without value as empty', () => {
      assert.deepEqual(questionsFrom({ From: new Date(Date.UTC(2024, 0, 31)), Big: 10n, Empty: null }), [
        { name: 'From', value: '2024-01-31T00:00:00.000Z' },
        { name: 'Big', value: '10' },
        { name: 'Empty', value: '' },
      ]);
      assert.deepEqual(questionsFrom([{ name: 'Note' }]), [{ name: 'Note', value: '' }]);
    });

    it('refuses a function or symbol as an answer, naming the question', () => {
      for (const value of [() => 1, Symbol('s')]) {
        assert.throws(
          () => questionsFrom({ Country: value }),
          (error: unknown) => {
            assert.ok(error instanceof AlteryxError);
            assert.equal(error.code, 'EINPUT');
            assert.equal(error.message, `the answer to question "Country" is a ${typeof value}, not a value`);
            return true;
          },
        );
      }
    });

    it('says what kind of payload it got instead of questions', () => {
      assert.throws(
        () => questionsFrom('BE'),
        /^Error: msg\.payload is a string: send the questions as an object \{name: value\} or an array \[\{name, value\}\]$/,
      );
      assert.throws(() => questionsFrom(Buffer.from('x')), /^Error: msg\.payload is a Buffer: /);
      assert.throws(() => questionsFrom([{ name: 'A', value: 1 }, { value: 2 }]), /^Error: msg\.payload\[1\] must be a question \{name, value\} with a name$/);
      assert.throws(() => questionsFrom([null]), /msg\.payload\[0\] must be a question/);
      assert.throws(() => questionsFrom([{ name: '' }]), /msg\.payload\[0\] must be a question/);
    });
  });

  describe('answers that are not what the API documents', () => {
    it('refuses a started "job" without an id or status, keeping what came back', async () => {
      for (const body of [{ status: 'Queued' }, { id: 'j' }, 'queued', null]) {
        const { api } = fakeService(() => ({ statusCode: 201, body }));
        const error = await rejection(api.startJob('app', {}));
        assert.equal(error.message, 'starting workflow "app" did not answer with a job');
        assert.equal(error.code, 'ERESPONSE');
        assert.deepEqual(error.details, { statusCode: 201, body });
      }
    });

    it('refuses a polled job that is not a job, and JSON that does not parse, naming the route', async () => {
      let { api } = fakeService(() => ({ body: { id: 'job-1' } }));
      let error = await rejection(api.job('job-1'));
      assert.equal(error.message, 'job "job-1": the answer is not a job');
      assert.equal(error.code, 'ERESPONSE');

      ({ api } = fakeService(() => ({ statusCode: 200, body: '<html>', jsonError: 'Unexpected token <' })));
      error = await rejection(api.job('job-1'));
      assert.equal(error.message, 'GET v1/jobs/job-1/: Unexpected token <');
      assert.equal(error.code, 'ERESPONSE');
      assert.deepEqual(error.details, { statusCode: 200, body: '<html>' });
    });

    it('names an unknown job on 404, and shows "no message" for an error without a body', async () => {
      let { api } = fakeService(() => ({ statusCode: 404, body: { message: 'Not found' } }));
      assert.equal((await rejection(api.job('j 1'))).message, '404 unknown job "j 1"');
      ({ api } = fakeService(() => ({ statusCode: 500, body: '' })));
      const error = await rejection(api.job('j'));
      assert.equal(error.message, '500 no message');
      assert.equal(error.code, 'EHTTP');
    });

    it('shows the service message of a 404 on a route without its own name for it', async () => {
      const { api } = fakeService(() => ({ statusCode: 404, body: { message: 'No subscription' } }));
      assert.equal((await rejection(api.listWorkflows())).message, '404 No subscription');
    });

    it('refuses a workflow list or a question list that is not an array', async () => {
      const { api } = fakeService(() => ({ body: { workflows: [] } }));
      const list = await rejection(api.listWorkflows());
      assert.equal(list.message, 'the workflow list is not an array');
      assert.equal(list.code, 'ERESPONSE');
      const questions = await rejection(api.questions('app'));
      assert.equal(questions.message, 'the questions of workflow "app" are not an array');
      assert.equal(questions.code, 'ERESPONSE');
    });
  });

  describe('workflows and their questions', () => {
    it('names each workflow by its meta name, else its file name without extension, else its id, sorted, skipping items without an id', async () => {
      const { api, requests } = fakeService(() => ({
        body: [
          { id: 'w3', metaInfo: { name: '', description: '' }, fileName: 'zeta.report.yxmd' },
          { id: 'w1', metaInfo: { name: 'Beta', description: 'Monthly sales' }, fileName: 'beta.yxmd' },
          { id: 'w2', metaInfo: null },
          { name: 'no id' },
          null,
          { id: 7 },
        ],
      }));
      assert.deepEqual(await api.listWorkflows(), [
        { id: 'w1', name: 'Beta', description: 'Monthly sales', fileName: 'beta.yxmd' },
        { id: 'w2', name: 'w2' },
        { id: 'w3', name: 'zeta.report', fileName: 'zeta.report.yxmd' },
      ]);
      assert.equal(requests[0]?.method, 'GET');
      assert.equal(requests[0]?.url, 'v1/workflows/subscription/');
      assert.equal(requests[0]?.responseType, 'json');
    });

    it('asks v1/workflows/<id>/questions/ and keeps only items with a name', async () => {
      const country = { name: 'Country', questionType: 'QuestionListBox', items: [{ key: 'BE', value: 'Belgium' }] };
      const { api, requests } = fakeService(() => ({ body: [country, { description: 'no name' }, null, { name: 3 }] }));
      assert.deepEqual(await api.questions('a/b'), [country]);
      assert.equal(requests[0]?.url, 'v1/workflows/a%2Fb/questions/');
    });
  });

  describe('job outcome texts', () => {
    it('takes the first message that reads as an error when none has level 3, without its "Error:" prefix', () => {
      const failed = job('Completed', {
        disposition: 'Failed',
        messages: [
          { status: 1, text: 'Finished running' },
          { status: 2, text: '  error : Output file locked', toolId: -1 },
        ],
      });
      assert.equal(firstErrorMessage(failed), 'Output file locked');
      assert.equal(jobFailure(failed)?.message, 'Alteryx job job-1 failed: Output file locked');
    });

    it('names the tool of an error only for a tool id of zero or more', () => {
      assert.equal(firstErrorMessage(job('Completed', { messages: [{ status: 3, text: 'Bad input', toolId: 0 }] })), 'Bad input (tool 0)');
      assert.equal(firstErrorMessage(job('Completed', { messages: [{ status: 3, text: 'Bad input' }] })), 'Bad input');
    });

    it('fails a job with disposition Error even when it has no error message to show', () => {
      const failure = jobFailure(job('Completed', { disposition: 'Error', messages: undefined }));
      assert.equal(failure?.message, 'Alteryx job job-1 failed');
      assert.equal(failure?.code, 'EJOB');
      assert.equal(firstErrorMessage(job('Completed', { messages: [{ status: 1, text: 'Errors: none' }] })), undefined);
    });

    it('reads a Completed job whose disposition is Cancelled as cancelled, and a successful one as no failure', () => {
      assert.equal(jobFailure(job('Completed', { disposition: 'Cancelled' }))?.message, 'Alteryx job job-1 was cancelled');
      assert.equal(jobFailure(job('Completed', { disposition: 'Success' })), undefined);
      assert.equal(jobFailure(job('Completed', { disposition: undefined })), undefined);
    });

    it('shows other statuses as they are, in lower case, and never a negative running time', () => {
      assert.equal(progressText(job('Initializing'), 5_000), 'initializing');
      assert.equal(progressText(job('RUNNING'), -2_000), 'running 0 s');
      assert.equal(progressText(job('QUEUED'), 5_000), 'queued 5 s');
    });

    it('states the timeout in seconds as people write them', async () => {
      for (const [ms, text] of [
        [1_000, '1'],
        [1_500, '1.5'],
        [250, '0.25'],
        [12_340, '12.3'],
        [10_040, '10'],
        [1, '0'],
      ] as const) {
        const { api } = jobSequence(job('Running'));
        const error = await rejection(waitForJob(api, 'job-1', { pollIntervalMs: 10, startedAt: Date.now() - 60_000, deadline: Date.now() - 60_000 + ms }));
        assert.equal(error.message, `Alteryx job job-1: no result within ${text} s (still Running)`);
      }
    });
  });

  describe('downloading an output', () => {
    const output = { id: 'o1', name: 'Sales.csv', formats: ['Csv', 'Json', 'Raw'] };

    it('names the output and format when the download fails, reading a JSON error body sent as bytes', async () => {
      const body = Buffer.from('\uFEFF{"message":"Output expired"}', 'utf8');
      let { api } = fakeService(() => ({ statusCode: 410, body }));
      let error = await rejection(api.downloadOutput('job-1', output, 'Csv'));
      assert.equal(error.message, 'Alteryx job job-1: output "Sales.csv" as Csv: 410 Output expired');
      assert.equal(error.code, 'EHTTP');
      assert.deepEqual(error.details, { statusCode: 410, body: { message: 'Output expired' } });

      ({ api } = fakeService(() => ({ statusCode: 404, body: Buffer.from('gone') })));
      error = await rejection(api.downloadOutput('job-1', output, 'Csv'));
      assert.equal(error.message, 'Alteryx job job-1: output "Sales.csv" as Csv: 404 unknown output "Sales.csv" of job "job-1"');
      assert.deepEqual(error.details, { statusCode: 404, body: 'gone' });
    });

    it('refuses a download that came back without bytes', async () => {
      const { api } = fakeService(() => ({ body: 'text, not bytes' }));
      const error = await rejection(api.downloadOutput('job-1', output, 'Csv'));
      assert.equal(error.message, 'Alteryx job job-1: output "Sales.csv" came back without bytes');
      assert.equal(error.code, 'ERESPONSE');
    });

    it('asks for the bytes of the output in the format, percent-encoded', async () => {
      const { api, requests } = fakeService(() => ({ body: Buffer.from('x') }));
      await api.downloadOutput('job 1', { ...output, id: 'o/1' }, 'Csv & more');
      assert.equal(requests[0]?.method, 'GET');
      assert.equal(requests[0]?.url, 'v1/jobs/job%201/output/o%2F1/?format=Csv%20%26%20more');
      assert.equal(requests[0]?.responseType, 'buffer');
    });

    it('decides text or bytes by format, whatever its case, then by content type', async () => {
      const cases: Array<[string, string | undefined, 'string' | 'Buffer']> = [
        ['JSON', 'application/octet-stream', 'string'],
        ['Raw', 'application/json', 'string'],
        ['Raw', 'application/vnd.api+json; charset=utf-8', 'string'],
        ['Raw', 'application/atom+xml', 'string'],
        ['Raw', 'TEXT/PLAIN', 'string'],
        ['Raw', 'application/csv', 'string'],
        ['Raw', 'application/pdf', 'Buffer'],
        ['Raw', 'application/jsonx', 'Buffer'],
        ['Raw', 'image/svg+xml', 'Buffer'],
        ['Raw', undefined, 'Buffer'],
      ];
      for (const [format, contentType, expected] of cases) {
        const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
        const { api } = fakeService(() => ({ body: Buffer.from('\uFEFFdata'), headers }));
        const { data } = await api.downloadOutput('job-1', output, format);
        assert.equal(Buffer.isBuffer(data) ? 'Buffer' : typeof data, expected, `${format} ${contentType}`);
        if (expected === 'string') assert.equal(data, 'data');
      }
    });

    it("uses the service's spelling of a format asked for in another case, and says when an output offers none", () => {
      assert.deepEqual(
        outputFormats(job('Completed', { outputs: [output] }), 'json').map(({ format }) => format),
        ['Json'],
      );
      assert.throws(
        () => outputFormats(job('Completed', { outputs: [{ id: 'o2', name: 'Empty', formats: [] }] }), 'Csv'),
        /^Error: Alteryx job job-1: output "Empty" is not available as Csv; it offers no formats$/,
      );
      assert.deepEqual(outputFormats(job('Completed', { outputs: undefined }), 'Csv'), []);
    });
  });

  describe('running a workflow', () => {
    it('starts, tells when the job exists with its deadline, waits and downloads', async () => {
      const completed = job('Completed', { outputs: [{ id: 'o1', name: 'out', formats: ['Csv'] }] });
      const { api, requests } = fakeService((request) => {
        if (request.method === 'POST') return { body: job('Queued') };
        if (request.url === 'v1/jobs/job-1/') return { body: completed };
        return { body: Buffer.from('a,b') };
      });
      const started: Array<{ startedAt: number; deadline: number }> = [];
      const result = await runWorkflow(api, {
        appId: 'app',
        questions: [{ name: 'Country', value: 'BE' }],
        priority: '1',
        wait: true,
        pollIntervalMs: 10,
        timeoutMs: 5_000,
        outputFormat: 'csv',
        now: () => 1_000_000,
        onStarted: (_job, wait) => started.push(wait),
      });
      assert.deepEqual(started, [{ startedAt: 1_000_000, deadline: 1_005_000 }]);
      assert.equal(result.job.status, 'Completed');
      assert.deepEqual(result.outputs, [{ id: 'o1', name: 'out', format: 'Csv', fileName: 'out.csv', data: 'a,b' }]);
      assert.deepEqual(requests[0]?.body, { questions: [{ name: 'Country', value: 'BE' }], priority: '1' });
      assert.deepEqual(
        requests.map((request) => request.url),
        ['v1/workflows/app/jobs/', 'v1/jobs/job-1/', 'v1/jobs/job-1/output/o1/?format=Csv'],
      );
    });

    it('starts with priority "0" and no questions unless told otherwise, and downloads nothing without a format', async () => {
      const { api, requests } = fakeService((request) => ({ body: request.method === 'POST' ? job('Queued') : job('Completed') }));
      const result = await runWorkflow(api, { appId: 'app', wait: true, pollIntervalMs: 10, timeoutMs: 5_000 });
      assert.deepEqual(requests[0]?.body, { questions: [], priority: '0' });
      assert.equal(result.outputs, undefined);
      assert.equal(requests.length, 2);
    });
  });

  describe('error codes and details a caller can act on', () => {
    it('marks every refusal of the input as EINPUT, naming what is wrong', async () => {
      const { api, requests } = fakeService(() => ({ body: job('Queued') }));
      const cases: Array<[Promise<unknown>, string]> = [
        [api.startJob(' ', {}), 'no workflow id'],
        [api.startJob('.', {}), 'invalid workflow id "."'],
        [api.startJob('..', {}), 'invalid workflow id ".."'],
        [api.startJob('x', { priority: '9' as never }), 'priority must be "0", "1", "2" or "3", not "9"'],
        [api.questions(' '), 'no workflow id'],
        [api.job(''), 'no job id'],
        [api.downloadOutput(' ', { id: 'o', name: 'n', formats: [] }, 'Csv'), 'no job id'],
        [api.downloadOutput('j', { id: '..', name: 'n', formats: [] }, 'Csv'), 'invalid output id ".."'],
      ];
      for (const [promise, message] of cases) {
        const error = await rejection(promise);
        assert.ok(isAlteryxError(error), message);
        assert.equal(error.message, message);
        assert.equal(error.code, 'EINPUT', message);
      }
      assert.equal(requests.length, 0);
      for (const payload of ['BE', Buffer.from('x'), [{ value: 1 }], () => 1]) {
        assert.throws(() => questionsFrom(payload), { code: 'EINPUT' });
      }
      assert.throws(() => questionsFrom(() => 1), { message: /^msg\.payload is a function: / });
      assert.equal(isAlteryxError(new Error('x')), false);
    });

    it('keeps the job with a cancelled job, an unexpected status and a finished wait without outputs', async () => {
      const cancelled = job('Cancelled', { disposition: 'None' });
      const failure = jobFailure(cancelled);
      assert.equal(failure?.message, 'Alteryx job job-1 was cancelled', 'cancelled by its status alone');
      assert.equal(failure?.code, 'ECANCELLED');
      assert.deepEqual(failure?.details, { job: cancelled });

      const exploded = job('Exploded');
      const error = await rejection(waitForJob(jobSequence(exploded).api, 'job-1', fast()));
      assert.equal(error.code, 'ERESPONSE');
      assert.deepEqual(error.details, { job: exploded });

      const completed = job('Completed');
      assert.deepEqual(await completeJob(jobSequence(completed).api, 'job-1', { ...fast(), outputFormat: '' }), { job: completed });
    });

    it('keeps what came back when a job or an output is not what the API documents', async () => {
      let { api } = fakeService(() => ({ body: { id: 'job-1' } }));
      assert.deepEqual((await rejection(api.job('job-1'))).details, { body: { id: 'job-1' } });
      ({ api } = fakeService(() => ({ body: 'text' })));
      assert.deepEqual((await rejection(api.downloadOutput('job-1', { id: 'o', name: 'n', formats: [] }, 'Csv'))).details, { body: 'text' });
    });

    it('asks for JSON when it reads JSON', async () => {
      const { api, requests } = fakeService((request) => ({ body: request.method === 'POST' ? job('Queued') : [] }));
      await api.startJob('app', {});
      await api.questions('app');
      for (const request of requests) {
        assert.deepEqual(request.headers, { Accept: 'application/json' });
        assert.equal(request.responseType, 'json');
      }
    });
  });

  describe('waiting: failures while polling', () => {
    it('ends the wait with the error of a poll that failed, not as a timeout', async () => {
      const { api, requests } = fakeService((_request, index) =>
        index === 0 ? { body: job('Running') } : { statusCode: 500, body: { message: 'Gallery down' } },
      );
      const error = await rejection(waitForJob(api, 'job-1', fast()));
      assert.equal(error.message, '500 Gallery down');
      assert.equal(error.code, 'EHTTP');
      assert.equal(requests.length, 2);
    });

    it('reports a job resumed after its deadline whose look fails as timed out, its status unknown', async () => {
      const { api } = fakeService(() => {
        throw Object.assign(new Error('ECONNREFUSED (h)'), { code: 'ENETWORK' });
      });
      const error = await rejection(waitForJob(api, 'job-1', { pollIntervalMs: 20, startedAt: Date.now() - 10_000, deadline: Date.now() - 5_000 }));
      assert.equal(error.message, 'Alteryx job job-1: no result within 5 s (still unknown)');
      assert.equal(error.code, 'ETIMEOUT');
    });
  });

  describe('job messages: what counts as the error', () => {
    it('skips empty entries, has nothing to show for an error without text, and reads "error" only at the start of a message', () => {
      assert.equal(
        firstErrorMessage(job('Completed', { messages: [null as never, { status: 3, text: 'Error:File not found', toolId: 2 }] })),
        'File not found (tool 2)',
      );
      assert.equal(firstErrorMessage(job('Completed', { messages: [{ status: 3 } as never] })), undefined);
      assert.equal(firstErrorMessage(job('Completed', { messages: [{ status: 1, text: 'Validation: error in field' }] })), undefined);
      assert.equal(firstErrorMessage(job('Completed', { messages: [{ status: 3, text: 'Input Data (3): Error: locked' }] })), 'Input Data (3): Error: locked');
      assert.equal(firstErrorMessage(job('Completed', { messages: [{ status: 3, text: 'Bad', toolId: '4' as never }] })), 'Bad');
      assert.equal(firstErrorMessage(job('Completed', { messages: 'none' as never })), undefined);
    });

    it('names workflows by text fields only, and says an output without a format list offers none', async () => {
      const { api } = fakeService(() => ({ body: [{ id: 'w1', metaInfo: { name: 5, description: 7 }, fileName: 9 }] }));
      assert.deepEqual(await api.listWorkflows(), [{ id: 'w1', name: 'w1' }]);
      assert.throws(() => outputFormats(job('Completed', { outputs: [{ id: 'o', name: 'Odd', formats: undefined as never }] }), 'Csv'), {
        message: 'Alteryx job job-1: output "Odd" is not available as Csv; it offers no formats',
      });
    });
  });

  describe('against the demo service', function () {
    this.timeout(15_000);
    let demo: DemoServer;
    const clients: HttpClient[] = [];
    const TIMING = { queuedMs: 40, runningMs: 120 };

    function gallery(settings: { scheme?: 'oauth1' | 'oauth2'; placement?: 'header' | 'query'; consumerSecret?: string } = {}): AlteryxApi {
      const client = createServiceClient({
        baseUrl: settings.scheme === 'oauth2' ? `${demo.url}/webapi` : `${demo.url}/gallery/api`,
        scheme: settings.scheme,
        placement: settings.placement,
        credentials: { consumerKey: DEMO_CREDENTIALS.consumerKey, consumerSecret: settings.consumerSecret ?? DEMO_CREDENTIALS.consumerSecret },
        retries: 0,
      });
      clients.push(client);
      return new AlteryxApi(client, { serverApiV3: settings.scheme === 'oauth2' });
    }

    before(async () => {
      demo = await startDemoServer({ jobTiming: TIMING, tokenLifetimeSeconds: 0.5 });
    });
    after(async () => {
      for (const client of clients) client.destroy();
      await demo?.close();
    });

    const run = (api: AlteryxApi, appId: string, outputFormat = '', payload: unknown = {}) =>
      runWorkflow(api, { appId, questions: questionsFrom(payload), wait: true, pollIntervalMs: 30, timeoutMs: 5_000, outputFormat });

    for (const placement of ['query', 'header'] as const) {
      it(`runs "Sales report" 1-legged with ${placement} signing and downloads its outputs`, async () => {
        const result = await run(gallery({ placement }), DEMO_WORKFLOW_IDS.salesReport, 'Raw', { Country: 'NL', Year: 2023 });
        assert.equal(result.job.status, 'Completed');
        assert.equal(result.job.disposition, 'Success');
        const [csv, workbook] = result.outputs ?? [];
        assert.equal(csv?.name, 'Sales.csv');
        assert.equal(typeof csv?.data, 'string');
        assert.match(csv?.data as string, /^Country,Year,IncludeReturns,Product,Units,Revenue\r\nNL,2023,false,Widgets,/);
        assert.match(csv?.data as string, /Café tables/);
        assert.equal(workbook?.name, 'Sales.xlsx');
        assert.ok(Buffer.isBuffer(workbook?.data));
        assert.deepEqual(workbook?.data.subarray(0, 2), Buffer.from('PK'));
      });
    }

    it('names the formats an output offers when the chosen one is missing', async () => {
      const error = await rejection(run(gallery(), DEMO_WORKFLOW_IDS.salesReport, 'Json'));
      const workbook = error.details?.job?.outputs?.find((output) => output.name === 'Sales.xlsx');
      assert.ok(workbook && !workbook.formats.includes('Json'));
      assert.match(error.message, /^Alteryx job \w+: output "Sales.xlsx" is not available as Json; it offers /);
      assert.ok(error.message.endsWith(`it offers ${workbook.formats.join(', ')}`), error.message);
      assert.equal(error.details?.job?.disposition, 'Success');
    });

    it('fails a job whose disposition is Error with its first error message', async () => {
      const error = await rejection(run(gallery({ placement: 'query' }), DEMO_WORKFLOW_IDS.customerImport, '', [{ name: 'SourceFile', value: 'march.csv' }]));
      assert.match(error.message, /^Alteryx job \w+ failed: Input Data \(3\): File not found "march.csv" \(tool 3\)$/);
      assert.equal(error.details?.job?.status, 'Completed');
    });

    it('shows the service message of a bad signature (401)', async () => {
      const error = await rejection(run(gallery({ placement: 'query', consumerSecret: 'wrong' }), DEMO_WORKFLOW_IDS.salesReport));
      assert.match(
        error.message,
        /^401 The provided signature\(oauth_signature\) is invalid\. Likely cause: The service computed another signature: compare msg\.signing\.baseString/,
      );
      assert.equal(error.details?.signing?.cause.code, 'signature');
      assert.equal(error.details?.statusCode, 401);
    });

    it('with OAuth 2 keeps one bearer token while it lives and fetches a new one once after a 401', async () => {
      const api = gallery({ scheme: 'oauth2' });
      const issued = demo.stats.tokensIssued;
      const first = await run(api, DEMO_WORKFLOW_IDS.salesReport, 'Csv');
      assert.equal(first.job.disposition, 'Success');
      assert.deepEqual(
        first.outputs?.map((output) => [output.name, output.format, typeof output.data]),
        [
          ['Sales.csv', 'Csv', 'string'],
          ['Sales.xlsx', 'Csv', 'string'],
        ],
      );
      assert.equal(demo.stats.tokensIssued, issued + 1, 'one token for the start, every poll and the downloads');
      // The demo expires tokens after 0.5 s but announces 1 s: the cached token is refused once.
      await new Promise((resolve) => setTimeout(resolve, 600));
      const second = await api.startJob(DEMO_WORKFLOW_IDS.salesReport, {});
      assert.equal(second.status, 'Queued');
      assert.equal(demo.stats.tokensIssued, issued + 2);
      const refused = demo.stats.requests.filter((r) => r.path.startsWith('/webapi/v1/') && r.status === 401);
      assert.equal(refused.length, 1);
    });

    it('lists the workflows of the key by name, and their questions', async () => {
      const api = gallery({ placement: 'query' });
      const workflows = await api.listWorkflows();
      assert.deepEqual(
        workflows.map((w) => [w.name, w.id]),
        [
          ['Customer import', DEMO_WORKFLOW_IDS.customerImport],
          ['Nightly forecast', DEMO_WORKFLOW_IDS.nightlyForecast],
          ['Sales report', DEMO_WORKFLOW_IDS.salesReport],
        ],
      );
      const questions = await api.questions(DEMO_WORKFLOW_IDS.salesReport);
      assert.deepEqual(
        questions.map((q) => q.name),
        ['Country', 'Year', 'IncludeReturns'],
      );
      assert.equal((await rejection(api.questions('nope'))).message, '404 unknown workflow "nope"');
    });
  });
});

describe('Alteryx jobs: cancel, look-ups by id, progress and polling', () => {
  const V3 = { serverApiV3: true };

  it('refuses to cancel on the Gallery API v1 (OAuth 1.0a), which has no cancel, without sending anything', async () => {
    const { api, requests } = fakeService(() => ({ body: {} }));
    assert.equal(api.canCancel, false);
    const error = await rejection(api.cancelJob('job-1'));
    assert.equal(error.message, NO_CANCEL_IN_GALLERY_V1);
    assert.equal(error.code, 'EUNSUPPORTED');
    assert.equal(requests.length, 0);
  });

  it('cancels with DELETE v3/jobs/<id> of Server API V3, the id percent-encoded, passing the answer on', async () => {
    const { api, requests } = fakeService(() => ({ statusCode: 200, body: { id: 'a/b', status: 'Cancelled' } }), V3);
    assert.deepEqual(await api.cancelJob('a/b'), { statusCode: 200, body: { id: 'a/b', status: 'Cancelled' } });
    assert.equal(requests[0]?.method, 'DELETE');
    assert.equal(requests[0]?.url, 'v3/jobs/a%2Fb');
    assert.equal((await rejection(api.cancelJob(' .. '))).code, 'EINPUT');
  });

  it("keeps the server's refusal of a cancel: status code, body and message", async () => {
    const body = { message: "Job 'job-1' has already finished (Success): only a queued or running job can be cancelled." };
    const { api } = fakeService(() => ({ statusCode: 400, body }), V3);
    const error = await rejection(api.cancelJob('job-1'));
    assert.equal(error.message, `cancelling Alteryx job job-1: 400 ${body.message}`);
    assert.equal(error.code, 'EHTTP');
    assert.deepEqual(error.details, { statusCode: 400, body });
    const unknown = await rejection(fakeService(() => ({ statusCode: 404, body: {} }), V3).api.cancelJob('gone'));
    assert.equal(unknown.message, 'cancelling Alteryx job gone: 404 unknown job "gone"');
  });

  it('after a timeout, cancels the job on the server and says so, or says why it could not', async () => {
    const timeout = new AlteryxError('Alteryx job job-1: no result within 5 s (still Running)', 'ETIMEOUT', { job: job('Running') });
    const cancelled = fakeService(() => ({ statusCode: 200, body: {} }), V3);
    const error = await cancelAfterTimeout(cancelled.api, 'job-1', timeout);
    assert.equal(error.message, 'Alteryx job job-1: no result within 5 s (still Running); cancelled on the server');
    assert.equal(error.code, 'ETIMEOUT');
    assert.deepEqual(error.details, timeout.details);
    assert.deepEqual(
      cancelled.requests.map((r) => `${r.method} ${r.url}`),
      ['DELETE v3/jobs/job-1'],
    );
    const refused = await cancelAfterTimeout(fakeService(() => ({ statusCode: 403, body: { message: 'not yours' } }), V3).api, 'job-1', timeout);
    assert.equal(refused.message, 'Alteryx job job-1: no result within 5 s (still Running); cancelling it failed: cancelling Alteryx job job-1: 403 not yours');
  });

  it('shows the first error message that has text: an error without text does not hide the next one', () => {
    const failed = job('Completed', {
      disposition: 'Error',
      messages: [
        { status: 3, text: '', toolId: 2 },
        { status: 3, text: '   ', toolId: 2 },
        { status: 3, text: 'Error: Input Data (4): disk full', toolId: 4 },
      ],
    });
    assert.equal(firstErrorMessage(failed), 'Input Data (4): disk full (tool 4)');
    assert.equal(jobFailure(failed)?.message, 'Alteryx job job-1 failed: Input Data (4): disk full (tool 4)');
  });

  it('ends the wait of a job nudged after a cancel at once, not at its next poll', async () => {
    const nudges = new JobNudges();
    const { api, requests } = fakeService((_request, index) => ({ body: index === 0 ? job('Running') : job('Completed', { disposition: 'Cancelled' }) }));
    const started = Date.now();
    const waiting = rejection(waitForJob(api, 'job-1', { pollIntervalMs: 10_000, startedAt: started, deadline: started + 60_000, nudges }));
    while (requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 20));
    nudges.nudge('other-job');
    nudges.nudge('job-1');
    const error = await waiting;
    assert.equal(error.message, 'Alteryx job job-1 was cancelled');
    assert.equal(error.code, 'ECANCELLED');
    assert.ok(Date.now() - started < 2_000, `ended after ${Date.now() - started} ms`);
    assert.equal(requests.length, 2);
  });

  it('asks less often as a job runs longer: the interval, then a tenth of the time under way, at most once a minute', () => {
    assert.equal(pollDelayMs(5_000, 0), 5_000);
    assert.equal(pollDelayMs(5_000, 49_000), 5_000);
    assert.equal(pollDelayMs(5_000, 120_000), 12_000);
    assert.equal(pollDelayMs(5_000, 3_600_000), 60_000);
    assert.equal(pollDelayMs(120_000, 3_600_000), 120_000, 'a longer interval of the node wins');
    assert.equal(pollDelayMs(1, 0), 10, 'never closer than 10 ms');
    assert.equal(pollDelayMs(5_000, -1_000), 5_000);
  });

  it('writes durations as the status ring shows them', () => {
    assert.deepEqual([0, 999, 12_400, 59_999, 60_000, 64_900, 3_599_999, 3_600_000, 3_900_000, -5].map(formatDuration), [
      '0 s',
      '0 s',
      '12 s',
      '59 s',
      '1 m 00 s',
      '1 m 04 s',
      '59 m 59 s',
      '1 h 00 m',
      '1 h 05 m',
      '0 s',
    ]);
    assert.equal(outcomeText(job('Completed', { disposition: 'Success' })), 'success');
    assert.equal(outcomeText(job('Completed', { disposition: 'None' })), 'completed');
    assert.equal(outcomeText(job('Running')), 'running');
  });

  it('downloads the outputs of a finished job by id, and refuses while it runs or when it failed', async () => {
    const done = job('Completed', { outputs: [{ id: 'o1', name: 'Sales.csv', formats: ['Csv'] }] });
    const finished = fakeService((request) =>
      request.url === 'v1/jobs/job-1/' ? { body: done } : { body: Buffer.from('a,b\r\n'), headers: { 'content-type': 'text/csv' } },
    );
    const result = await outputsOfJob(finished.api, 'job-1', 'Csv');
    assert.deepEqual(result.job, done);
    assert.equal(result.outputs?.[0]?.data, 'a,b\r\n');
    const running = await rejection(outputsOfJob(jobSequence(job('Running')).api, 'job-1', 'Csv'));
    assert.equal(running.message, 'Alteryx job job-1 is running: its outputs come once it has completed');
    assert.equal(running.code, 'EJOB');
    const failed = await rejection(outputsOfJob(jobSequence(job('Completed', { disposition: 'Error' })).api, 'job-1', 'Csv'));
    assert.equal(failed.message, 'Alteryx job job-1 failed');
  });
});
