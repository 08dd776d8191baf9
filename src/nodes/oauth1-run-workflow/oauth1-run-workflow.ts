/**
 * `oauth1-run-workflow`: one Alteryx job per message (start, wait, outputs); the job logic
 * is in src/lib/alteryx.ts. Jobs being waited for are kept in the node's context, so a
 * restart (with a persistent context store) or a redeploy resumes them.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import {
  AlteryxApi,
  completeJob,
  isAlteryxError,
  isPriority,
  questionsFrom,
  runWorkflow,
  type AlteryxJob,
  type JobResult,
  type Priority,
} from '../../lib/alteryx';
import type { OAuth1ConfigNode } from '../shared/config';
import { RequestStatus, requestFailureText } from '../shared/request-status';
import { registerRunWorkflowAdmin } from './admin';

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

/** A job being waited for, as stored in the node context. */
interface PendingJob {
  appId: string;
  startedAt: number;
  deadline: number;
  /** The input message (without http-in's req/res), to emit the result on after a restart. */
  msg: Record<string, unknown>;
}

/** One message (or resumed job) in flight. */
interface Run {
  controller: AbortController;
  jobId?: string;
  /** Set once the message is done: by its outcome or by close, whichever comes first. */
  finished: boolean;
  done?: (error?: Error) => void;
}

const PENDING_KEY = 'alteryxJobs';
const DEFAULTS = { pollInterval: 5, timeout: 300 };

function positiveNumber(value: unknown, fallback: number): number {
  const parsed = typeof value === 'number' ? value : Number.parseFloat(String(value ?? ''));
  return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
}

function isPendingJob(value: unknown): value is PendingJob {
  const job = value as PendingJob;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof job.appId === 'string' &&
    typeof job.startedAt === 'number' &&
    typeof job.deadline === 'number' &&
    typeof job.msg === 'object' &&
    job.msg !== null
  );
}

/** The status ring's short text for a failure. */
function shortReason(error: unknown): string {
  if (isAlteryxError(error)) {
    switch (error.code) {
      case 'EJOB':
        return 'error';
      case 'ETIMEOUT':
        return 'timeout';
      case 'EHTTP':
        return String(error.details.statusCode ?? 'error');
      case 'EFORMAT':
        return 'format not offered';
      case 'EINPUT':
        return 'invalid input';
      default:
        return 'bad response';
    }
  }
  return requestFailureText(error);
}

export = function register(RED: NodeAPI): void {
  /**
   * Jobs of a node that was stopped but not deleted (a redeploy, stopped flows), for its next
   * instance: without a configured context store, Node-RED drops a node's context on every stop.
   */
  const handedOver = new Map<string, Map<string, PendingJob>>();

  function RunWorkflow(this: Node, config: RunWorkflowDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const server = RED.nodes.getNode(config.server) as OAuth1ConfigNode | null;
    const status = new RequestStatus(node);
    const workflowId = (config.workflowId ?? '').trim();
    const priority: Priority = isPriority(config.priority) ? config.priority : '0';
    const wait = config.wait === true || config.wait === 'true';
    const pollIntervalMs = positiveNumber(config.pollInterval, DEFAULTS.pollInterval) * 1000;
    const timeoutMs = positiveNumber(config.timeout, DEFAULTS.timeout) * 1000;
    const outputFormat = (config.outputFormat ?? '').trim();
    const runs = new Set<Run>();
    const pending = new Map<string, PendingJob>();
    const inherited = handedOver.get(node.id) ?? new Map<string, PendingJob>();
    handedOver.delete(node.id);
    let closed = false;
    /** Until the stored jobs are read, writing would overwrite them. */
    let loaded = false;

    if (!server) status.problem('no service');
    else if (server.problem) {
      status.problem(server.problem);
      node.warn(server.problem);
    }

    function savePending(): void {
      if (!loaded) return;
      node.context().set(PENDING_KEY, Object.fromEntries(pending), (error?: Error) => {
        if (error) node.warn(`could not keep the in-flight Alteryx jobs in the context store: ${error.message}`);
      });
    }

    function remember(jobId: string, entry: PendingJob): void {
      pending.set(jobId, entry);
      savePending();
    }

    function forget(jobId: string | undefined): void {
      if (jobId !== undefined && pending.delete(jobId)) savePending();
    }

    function showProgress(text: string): void {
      status.progress(runs.size > 1 ? `${text} (${runs.size})` : text);
    }

    function finish(run: Run, error?: Error): boolean {
      if (run.finished) return false;
      run.finished = true;
      runs.delete(run);
      run.done?.(error);
      return true;
    }

    function storable(msg: RunMessage): Record<string, unknown> {
      const copy = RED.util.cloneMessage(msg) as unknown as Record<string, unknown>;
      // An http-in request cannot be answered after a restart, and does not serialise.
      delete copy.req;
      delete copy.res;
      return copy;
    }

    function applyResult(msg: RunMessage, result: JobResult): void {
      msg.payload = result.job;
      if (result.outputs) msg.outputs = result.outputs;
    }

    /** Puts what is known of a failure on the message, so Catch sees the job or the status code. */
    function describeFailure(msg: RunMessage, error: unknown, appId: string): Error {
      if (isAlteryxError(error)) {
        if (error.details.statusCode !== undefined) msg.statusCode = error.details.statusCode;
        const payload: AlteryxJob | unknown = error.details.job ?? error.details.body;
        if (payload !== undefined) msg.payload = payload;
        return new Error(error.message);
      }
      return new Error(`Alteryx workflow "${appId}": ${(error as Error).message}`);
    }

    function api(): AlteryxApi {
      if (!server) throw new Error('no OAuth1 service: select one in the node');
      return new AlteryxApi(server.client());
    }

    node.on('input', async (message, send, done) => {
      const msg = message as RunMessage;
      let appId = workflowId;
      if (!appId) {
        if (msg.workflowId !== undefined && typeof msg.workflowId !== 'string') {
          status.problem('invalid msg.workflowId');
          done(new Error(`msg.workflowId must be a string, not ${typeof msg.workflowId}`));
          return;
        }
        appId = (msg.workflowId ?? '').trim();
        if (!appId) {
          status.problem('no workflow');
          done(new Error('no workflow id: set one in the node or send msg.workflowId'));
          return;
        }
      } else if (typeof msg.workflowId === 'string' && msg.workflowId.trim() && msg.workflowId.trim() !== workflowId) {
        node.warn('msg.workflowId is ignored: the node has a workflow of its own');
      }

      let alteryx: AlteryxApi;
      let questions;
      try {
        alteryx = api();
        questions = questionsFrom(msg.payload);
      } catch (error) {
        status.problem(shortReason(error));
        done(error as Error);
        return;
      }

      const run: Run = { controller: new AbortController(), finished: false, done };
      runs.add(run);
      status.started('starting');
      try {
        const result = await runWorkflow(alteryx, {
          appId,
          questions,
          priority,
          wait,
          pollIntervalMs,
          timeoutMs,
          outputFormat,
          signal: run.controller.signal,
          onStarted: (job, times) => {
            run.jobId = job.id;
            if (wait && !closed) remember(job.id, { appId, ...times, msg: storable(msg) });
          },
          onProgress: (_job, text) => showProgress(text),
        });
        if (run.finished) return;
        forget(run.jobId);
        applyResult(msg, result);
        status.succeeded(wait ? 'done' : 'queued');
        send(msg);
        finish(run);
      } catch (error) {
        if (run.finished) return;
        forget(run.jobId);
        status.failed(shortReason(error));
        finish(run, describeFailure(msg, error, appId));
      }
    });

    /** Waits for a job a previous instance of this node started and emits its result as that message would have been. */
    async function resume(jobId: string, entry: PendingJob): Promise<void> {
      const run: Run = { controller: new AbortController(), finished: false, jobId };
      runs.add(run);
      status.started('resuming');
      const msg = entry.msg as RunMessage;
      try {
        const result = await completeJob(api(), jobId, {
          pollIntervalMs,
          startedAt: entry.startedAt,
          deadline: entry.deadline,
          outputFormat,
          signal: run.controller.signal,
          onProgress: (_job, text) => showProgress(text),
        });
        if (run.finished) return;
        forget(jobId);
        applyResult(msg, result);
        status.succeeded('done');
        finish(run);
        node.send(msg as NodeMessage);
      } catch (error) {
        if (run.finished) return;
        forget(jobId);
        status.failed(shortReason(error));
        finish(run);
        node.error(describeFailure(msg, error, entry.appId), msg as NodeMessage);
      }
    }

    node.context().get(PENDING_KEY, (error: Error | undefined, stored: unknown) => {
      if (closed) return;
      loaded = true;
      if (error) node.warn(`could not read the in-flight Alteryx jobs from the context store: ${error.message}`);
      const startedHere = new Set(pending.keys());
      const storedJobs = !error && typeof stored === 'object' && stored !== null ? Object.entries(stored) : [];
      for (const [jobId, entry] of [...storedJobs, ...inherited]) {
        if (isPendingJob(entry) && !startedHere.has(jobId)) pending.set(jobId, entry);
      }
      inherited.clear();
      if (pending.size) savePending();
      for (const [jobId, entry] of pending) {
        if (startedHere.has(jobId)) continue;
        node.log(`resuming Alteryx job ${jobId}`);
        void resume(jobId, entry);
      }
    });

    node.on('close', (removed: boolean, done: () => void) => {
      closed = true;
      for (const run of [...runs]) {
        run.controller.abort();
        finish(run);
      }
      status.clear();
      if (!removed) {
        // Stopped, not deleted: the next instance of this node (or of Node-RED) resumes the jobs.
        handedOver.set(node.id, new Map([...inherited, ...pending]));
        done();
        return;
      }
      // A deleted node has nobody to resume its jobs for.
      pending.clear();
      try {
        node.context().set(PENDING_KEY, undefined, () => done());
      } catch {
        done();
      }
    });
  }

  RED.nodes.registerType('oauth1-run-workflow', RunWorkflow);

  registerRunWorkflowAdmin(RED);
};
