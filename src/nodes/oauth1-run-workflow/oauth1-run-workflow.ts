/**
 * `oauth1-run-workflow`: one Alteryx job per message (start, wait, outputs), or, by `action`,
 * one look at a job by `msg.jobId` (status, cancel, outputs); the job logic is in
 * src/lib/alteryx.ts, the jobs waited for in ./pending-jobs.ts. A start is never aborted: a
 * redeploy lets it finish and hands the job to the next instance, which emits the result on
 * the stored message.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import {
  alteryxApiFor,
  cancelAfterTimeout,
  completeJob,
  isAlteryxError,
  outcomeText,
  outputsOfJob,
  questionsFrom,
  type AlteryxApi,
  type AlteryxJob,
  type JobAction,
  type JobResult,
  type Question,
} from '../../lib/alteryx';
import { JobNudges } from '../../lib/job-polling';
import type { RateLimitReport } from '../../lib/rate-limit-headers';
import { redactValue } from '../../lib/redact';
import { NodeShell, type Delivery, type Done, type InFlight } from '../shared/node-shell';
import { registerRunWorkflowAdmin } from './admin';
import { isJobAction, runPropertiesOf, type RunProperties, type RunWorkflowNodeProperties } from './oauth1-run-workflow.properties';
import { JobHandOver, PendingJobs, type PendingJob } from './pending-jobs';

type RunWorkflowDef = NodeDef & Partial<RunWorkflowNodeProperties> & { server: string };

interface RunMessage extends NodeMessageInFlow {
  action?: unknown;
  jobId?: unknown;
  workflowId?: unknown;
  statusCode?: number;
  outputs?: unknown;
  rateLimit?: RateLimitReport;
}

type Send = (msg: NodeMessage) => void;

type Action = JobAction;

/** The job on the message, its outputs, and the service's rate limit as it last reported it (a job takes several requests). */
function applyResult(msg: RunMessage, result: JobResult, rateLimit: RateLimitReport | undefined): void {
  msg.payload = result.job;
  if (result.outputs) msg.outputs = result.outputs;
  if (rateLimit) msg.rateLimit = rateLimit;
}

/** One deployed run workflow node: the wiring between its messages, the library and its pending jobs. */
class RunWorkflowNode {
  private readonly shell: NodeShell;
  private readonly lastRateLimit = (): RateLimitReport | undefined => this.shell.server?.limits.lastReport;
  private readonly properties: RunProperties;
  private readonly pending: PendingJobs;

  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node,
    config: RunWorkflowDef,
    handOver: JobHandOver,
    private readonly nudges: JobNudges,
  ) {
    this.shell = new NodeShell(RED, node, config.server, { type: 'oauth1-run-workflow' });
    this.properties = runPropertiesOf(config);
    this.pending = new PendingJobs(node, handOver, {
      resume: (jobId, entry) => void this.resume(jobId, entry),
      storeFailed: (operation, error) => this.shell.warn(this.shell.text(`warnings.${operation}Failed`, { message: error.message })),
    });
    this.shell.onClose((removed) => this.pending.close(removed));
    this.shell.onInput((message, send, done) => this.onInput(message, send, done));
    this.pending.load();
  }

  private async onInput(msg: RunMessage, send: Send, done: Done): Promise<void> {
    const action = this.actionOf(msg, done);
    if (action === 'run') await this.run({ msg, send, done });
    else if (action) await this.lookUp(action, { msg, send, done });
  }

  /** The node's action, or `msg.action` when it names one; undefined after a Catch error for one it does not. */
  private actionOf(msg: RunMessage, done: Done): Action | undefined {
    if (msg.action === undefined || msg.action === null || msg.action === '') return this.properties.action;
    const action = typeof msg.action === 'string' ? msg.action.trim().toLowerCase() : msg.action;
    if (isJobAction(action)) return action;
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any value a flow put there, shown as String() does
    this.shell.refuse(done, this.shell.text('errors.invalidAction', { action: String(msg.action).slice(0, 40) }), this.shell.text('status.invalidAction'));
    return undefined;
  }

  /** The API to send a message's requests with (each bounded by its `msg.requestTimeout`), or undefined after a Catch error. */
  private apiFor(msg: RunMessage, done: Done): AlteryxApi | undefined {
    const client = this.shell.client(done);
    return client && alteryxApiFor(client, { scheme: this.shell.server?.scheme, timeoutMs: this.shell.requestTimeout(msg.requestTimeout) });
  }

  private storable(msg: RunMessage): Record<string, unknown> {
    const copy: Record<string, unknown> = { ...this.RED.util.cloneMessage(msg) };
    // An http-in request cannot be answered after a restart, and does not serialise.
    delete copy.req;
    delete copy.res;
    return copy;
  }

  /**
   * Ends a job's request with its failure. The job or error body goes on `msg.payload`
   * redacted: a job from a 2xx answer may quote what the client did not see as a secret.
   */
  private fail(request: InFlight<RunMessage>, error: unknown, appId: string): void {
    const payload = (body: unknown): unknown => redactValue(body, this.shell.redact);
    if (isAlteryxError(error)) return request.fail(error, { payload });
    const message = error instanceof Error ? error.message : String(error);
    request.fail(error, { payload, text: this.shell.text('errors.failed', { appId, message }) });
  }

  /** The workflow and questions of a message to run, or undefined when it was refused. */
  private jobOf(msg: RunMessage, done: Done): { appId: string; questions: Question[] } | undefined {
    const { shell } = this;
    let appId = this.properties.workflowId;
    if (!appId) {
      if (msg.workflowId !== undefined && typeof msg.workflowId !== 'string') {
        return void shell.refuse(done, shell.text('errors.workflowIdNotString', { type: typeof msg.workflowId }), shell.text('status.invalidWorkflowId'));
      }
      appId = (msg.workflowId ?? '').trim();
      if (!appId) return void shell.refuse(done, shell.text('errors.noWorkflow'), shell.text('status.noWorkflow'));
    } else if (typeof msg.workflowId === 'string' && msg.workflowId.trim() && msg.workflowId.trim() !== appId) {
      shell.warn(shell.text('warnings.workflowIdIgnored'));
    }
    try {
      return { appId, questions: questionsFrom(msg.payload) };
    } catch (error) {
      return void shell.refuse(done, error as Error);
    }
  }

  /** Starts the job of a message, then emits it queued or waits for its result. */
  private async run(delivery: Delivery<RunMessage>): Promise<void> {
    const { msg, done } = delivery;
    const job = this.jobOf(msg, done);
    const alteryx = job && this.apiFor(msg, done);
    if (!job || !alteryx) return;
    const { shell, properties } = this;
    // Not aborted on close: the job would exist on the server without anyone to report it.
    const request = shell.begin(delivery, shell.text('status.starting'), { finishOnClose: true });
    let started: AlteryxJob;
    try {
      started = await alteryx.startJob(job.appId, { questions: job.questions, priority: properties.priority }, undefined);
    } catch (error) {
      return this.fail(request, error, job.appId);
    }
    const startedAt = Date.now();
    const entry: PendingJob = { appId: job.appId, startedAt, deadline: startedAt + properties.timeoutMs, msg: this.storable(msg) };
    if (shell.closing) {
      // The node closed during the start: its next instance emits the result on the stored message.
      this.pending.add(started.id, properties.wait ? entry : { ...entry, queued: started });
      return request.abort();
    }
    if (!properties.wait) {
      applyResult(msg, { job: started }, this.lastRateLimit());
      return request.succeed(shell.text('status.queued'));
    }
    this.pending.add(started.id, entry);
    request.abortOnClose();
    await this.waitFor(started.id, entry, request, alteryx);
  }

  /** Shows a job's progress, or how many are under way when there are several. */
  private progress(text: string): void {
    const count = this.shell.status.count;
    if (count > 1) this.shell.status.busy(this.shell.text('status.jobs', { count }));
    else this.shell.status.progress(text);
  }

  /** Waits for a started job and its outputs, and ends its request; when the node closes meanwhile, the job is handed over. */
  private async waitFor(jobId: string, entry: PendingJob, request: InFlight<RunMessage>, alteryx: AlteryxApi): Promise<void> {
    const { properties } = this;
    try {
      const result = await completeJob(alteryx, jobId, {
        pollIntervalMs: properties.pollIntervalMs,
        startedAt: entry.startedAt,
        deadline: entry.deadline,
        outputFormat: properties.outputFormat,
        outputLimits: properties.outputLimits,
        signal: request.signal,
        nudges: this.nudges,
        onProgress: (_job, text) => this.progress(text),
      }).catch((error: unknown) => this.afterTimeout(alteryx, jobId, error, request.signal));
      this.pending.remove(jobId);
      applyResult(request.msg, result, this.lastRateLimit());
      request.succeed(outcomeText(result.job));
    } catch (error) {
      if (request.signal.aborted) return request.abort();
      this.pending.remove(jobId);
      this.fail(request, error, entry.appId);
    }
  }

  /** Rethrows a wait's failure; a timeout first cancels the job on the server when the node says so and the server can. */
  private async afterTimeout(api: AlteryxApi, jobId: string, error: unknown, signal: AbortSignal): Promise<never> {
    if (!isAlteryxError(error) || error.code !== 'ETIMEOUT' || signal.aborted || !this.properties.cancelOnTimeout || !api.canCancel) throw error;
    throw await cancelAfterTimeout(api, jobId, error);
  }

  /** Waits for a job a previous instance of this node started and emits its result as that message would have been. */
  private async resume(jobId: string, entry: PendingJob): Promise<void> {
    const { shell, node } = this;
    shell.log(shell.text('warnings.resuming', { jobId }));
    const msg = entry.msg as RunMessage;
    // No input to answer: the result is sent, a failure goes to Catch with the stored message.
    const delivery: Delivery<RunMessage> = { msg, send: (result) => node.send(result), done: (error) => error && node.error(error, msg) };
    const request = shell.begin(delivery, shell.text('status.resuming'));
    if (entry.queued) {
      this.pending.remove(jobId);
      applyResult(msg, { job: entry.queued }, this.lastRateLimit());
      return request.succeed(shell.text('status.queued'));
    }
    const server = shell.server;
    try {
      if (!server) throw new Error(shell.shared('runtime.noService'));
      const alteryx = alteryxApiFor(server.client(), { scheme: server.scheme, timeoutMs: shell.requestTimeout(msg.requestTimeout) });
      await this.waitFor(jobId, entry, request, alteryx);
    } catch (error) {
      this.pending.remove(jobId);
      this.fail(request, error, entry.appId);
    }
  }

  /** `msg.jobId` as a string, or undefined after a Catch error. */
  private jobIdOf(msg: RunMessage, done: Done): string | undefined {
    const { shell } = this;
    if (typeof msg.jobId === 'string' && msg.jobId.trim()) return msg.jobId.trim();
    if (msg.jobId === undefined || msg.jobId === null || msg.jobId === '')
      return void shell.refuse(done, shell.text('errors.noJobId'), shell.text('status.noJobId'));
    return void shell.refuse(done, shell.text('errors.jobIdNotString', { type: typeof msg.jobId }), shell.text('status.noJobId'));
  }

  /** One look at a job by `msg.jobId`: its status, its cancel (refused by the library on the Gallery API v1), or its outputs. */
  private async lookUp(action: Exclude<Action, 'run'>, delivery: Delivery<RunMessage>): Promise<void> {
    const { shell, properties } = this;
    const { msg, done } = delivery;
    const jobId = this.jobIdOf(msg, done);
    if (jobId === undefined) return;
    if (action === 'outputs' && !properties.outputFormat) return shell.refuse(done, shell.text('errors.noOutputFormat'), shell.text('status.noOutputFormat'));
    const alteryx = this.apiFor(msg, done);
    if (!alteryx) return;
    const request = shell.begin(delivery, shell.text(`status.${action}`));
    try {
      if (action === 'cancel') return await this.cancel(alteryx, jobId, request);
      const result =
        action === 'status'
          ? { job: await alteryx.job(jobId, request.signal) }
          : await outputsOfJob(alteryx, jobId, properties.outputFormat, request.signal, properties.outputLimits);
      applyResult(msg, result, this.lastRateLimit());
      request.succeed(outcomeText(result.job));
    } catch (error) {
      this.fail(request, error, jobId);
    }
  }

  /** Cancels a job and passes the server's answer on; every poll waiting for it in this runtime looks again now. */
  private async cancel(alteryx: AlteryxApi, jobId: string, request: InFlight<RunMessage>): Promise<void> {
    const cancelled = await alteryx.cancelJob(jobId, request.signal);
    request.msg.payload = redactValue(cancelled.body, this.shell.redact);
    request.msg.statusCode = cancelled.statusCode;
    request.succeed(this.shell.text('status.cancelled'));
    this.nudges.nudge(jobId);
  }
}

export = function register(RED: NodeAPI): void {
  const handOver = new JobHandOver();
  const nudges = new JobNudges();

  function RunWorkflow(this: Node, config: RunWorkflowDef): void {
    RED.nodes.createNode(this, config);
    new RunWorkflowNode(RED, this, config, handOver, nudges);
  }

  RED.nodes.registerType('oauth1-run-workflow', RunWorkflow);

  registerRunWorkflowAdmin(RED);
};
