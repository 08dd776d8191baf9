/**
 * `oauth1-run-workflow`: one Alteryx job per message (start, wait, outputs); the job logic
 * is in src/lib/alteryx.ts, the jobs waited for in ./pending-jobs.ts. A start is never
 * aborted: a redeploy lets it finish and hands the job to the next instance, which emits
 * the result on the stored message.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import {
  AlteryxApi,
  completeJob,
  isAlteryxError,
  isPriority,
  questionsFrom,
  type AlteryxJob,
  type JobResult,
  type Priority,
  type Question,
} from '../../lib/alteryx';
import { redactValue } from '../../lib/redact';
import { positiveNumber } from '../../lib/response';
import { NodeShell, type Done } from '../shared/node-shell';
import { registerRunWorkflowAdmin } from './admin';
import { JobHandOver, PendingJobs, type PendingJob } from './pending-jobs';

interface RunWorkflowDef extends NodeDef {
  server: string;
  workflowId?: string;
  /** Shown in the label only; the editor fills it when a workflow is picked from the list. */
  workflowName?: string;
  priority?: string;
  wait?: boolean | string;
  pollInterval?: string | number;
  timeout?: string | number;
  outputFormat?: string;
}

interface RunMessage extends NodeMessageInFlow {
  workflowId?: unknown;
  statusCode?: number;
  outputs?: unknown;
}

const DEFAULTS = { pollInterval: 5, timeout: 300 };

function applyResult(msg: RunMessage, result: JobResult): void {
  msg.payload = result.job;
  if (result.outputs) msg.outputs = result.outputs;
}

export = function register(RED: NodeAPI): void {
  const handOver = new JobHandOver();

  function RunWorkflow(this: Node, config: RunWorkflowDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const shell = new NodeShell(RED, node, config.server, { type: 'oauth1-run-workflow' });
    const workflowId = (config.workflowId ?? '').trim();
    const priority: Priority = isPriority(config.priority) ? config.priority : '0';
    const wait = config.wait === true || config.wait === 'true';
    const pollIntervalMs = (positiveNumber(config.pollInterval) ?? DEFAULTS.pollInterval) * 1000;
    const timeoutMs = (positiveNumber(config.timeout) ?? DEFAULTS.timeout) * 1000;
    const outputFormat = (config.outputFormat ?? '').trim();
    const pending = new PendingJobs(node, handOver, {
      resume: (jobId, entry) => void resume(jobId, entry),
      storeFailed: (operation, error) => shell.warn(shell.text(`warnings.${operation}Failed`, { message: error.message })),
    });
    shell.onClose((removed) => pending.close(removed));

    function storable(msg: RunMessage): Record<string, unknown> {
      const copy: Record<string, unknown> = { ...RED.util.cloneMessage(msg) };
      // An http-in request cannot be answered after a restart, and does not serialise.
      delete copy.req;
      delete copy.res;
      return copy;
    }

    /** Puts what is known of a failure on the message, so Catch sees the job or the status code. */
    function describeFailure(msg: RunMessage, error: unknown, appId: string): Error {
      if (isAlteryxError(error)) {
        if (error.details.statusCode !== undefined) msg.statusCode = error.details.statusCode;
        const payload: AlteryxJob | unknown = error.details.job ?? error.details.body;
        if (payload !== undefined) msg.payload = redactValue(payload, shell.redact);
        return shell.failure(error, '', msg);
      }
      return shell.failure(new Error(shell.text('errors.failed', { appId, message: (error as Error).message })));
    }

    /** The workflow, questions and API of a message, or undefined when it was refused. */
    function jobOf(msg: RunMessage, done: Done): { appId: string; questions: Question[]; alteryx: AlteryxApi } | undefined {
      let appId = workflowId;
      if (!appId) {
        if (msg.workflowId !== undefined && typeof msg.workflowId !== 'string') {
          return void shell.refuse(done, shell.text('status.invalidWorkflowId'), shell.text('errors.workflowIdNotString', { type: typeof msg.workflowId }));
        }
        appId = (msg.workflowId ?? '').trim();
        if (!appId) return void shell.refuse(done, shell.text('status.noWorkflow'), shell.text('errors.noWorkflow'));
      } else if (typeof msg.workflowId === 'string' && msg.workflowId.trim() && msg.workflowId.trim() !== workflowId) {
        shell.warn(shell.text('warnings.workflowIdIgnored'));
      }
      let questions: Question[];
      try {
        questions = questionsFrom(msg.payload);
      } catch (error) {
        return void shell.refuse(done, shell.failureText(error), (error as Error).message);
      }
      const client = shell.client(done);
      return client && { appId, questions, alteryx: new AlteryxApi(client) };
    }

    function api(): AlteryxApi {
      if (!shell.server) throw new Error(shell.shared('runtime.noService'));
      return new AlteryxApi(shell.server.client());
    }

    node.on('input', async (message, send, done) => {
      const msg = message as RunMessage;
      const job = jobOf(msg, done);
      if (!job) return;
      // Not aborted on close: the job would exist on the server without anyone to report it.
      const start = shell.begin({ finishOnClose: true });
      shell.status.started(shell.text('status.starting'));
      let started: AlteryxJob;
      try {
        started = await job.alteryx.startJob(job.appId, { questions: job.questions, priority }, undefined);
      } catch (error) {
        start.end();
        done(describeFailure(msg, error, job.appId));
        return;
      }
      const startedAt = Date.now();
      const entry: PendingJob = { appId: job.appId, startedAt, deadline: startedAt + timeoutMs, msg: storable(msg) };
      if (shell.closing) {
        // The node closed during the start: its next instance emits the result on the stored message.
        pending.add(started.id, wait ? entry : { ...entry, queued: started });
        shell.status.ended();
        start.end();
        done();
        return;
      }
      start.end();
      if (!wait) {
        applyResult(msg, { job: started });
        shell.status.succeeded(shell.text('status.queued'));
        send(msg);
        done();
        return;
      }
      pending.add(started.id, entry);
      const outcome = await waitFor(started.id, entry);
      if (outcome === 'closed') return done();
      if (outcome instanceof Error) return done(describeFailure(msg, outcome, job.appId));
      applyResult(msg, outcome);
      send(msg);
      done();
    });

    /** Waits for a started job and its outputs; 'closed' when the node closed meanwhile (the job is handed over). */
    async function waitFor(jobId: string, entry: PendingJob): Promise<JobResult | Error | 'closed'> {
      const tracked = shell.begin();
      try {
        const result = await completeJob(api(), jobId, {
          pollIntervalMs,
          startedAt: entry.startedAt,
          deadline: entry.deadline,
          outputFormat,
          signal: tracked.signal,
          onProgress: (_job, text) => shell.status.progress(text),
        });
        pending.remove(jobId);
        shell.status.succeeded(shell.text('status.done'));
        return result;
      } catch (error) {
        if (tracked.signal.aborted) return 'closed';
        pending.remove(jobId);
        return error as Error;
      } finally {
        tracked.end();
      }
    }

    /** Waits for a job a previous instance of this node started and emits its result as that message would have been. */
    async function resume(jobId: string, entry: PendingJob): Promise<void> {
      shell.log(shell.text('warnings.resuming', { jobId }));
      const msg = entry.msg as RunMessage;
      shell.status.started(shell.text('status.resuming'));
      if (entry.queued) {
        pending.remove(jobId);
        applyResult(msg, { job: entry.queued });
        shell.status.succeeded(shell.text('status.queued'));
        node.send(msg as NodeMessage);
        return;
      }
      const outcome = await waitFor(jobId, entry);
      if (outcome === 'closed') return;
      if (outcome instanceof Error) node.error(describeFailure(msg, outcome, entry.appId), msg as NodeMessage);
      else {
        applyResult(msg, outcome);
        node.send(msg as NodeMessage);
      }
    }

    pending.load();
  }

  RED.nodes.registerType('oauth1-run-workflow', RunWorkflow);

  registerRunWorkflowAdmin(RED);
};
