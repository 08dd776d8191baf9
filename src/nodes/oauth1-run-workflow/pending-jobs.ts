/**
 * The Alteryx jobs a run workflow node waits for, kept in its context (a restart with a
 * persistent context store resumes them) and handed to the next instance of the same node
 * on a redeploy or stop: without a configured context store, Node-RED drops a node's context
 * on every stop. A job whose start finishes after its node closed is handed over too, so no
 * message is lost whatever the moment of the redeploy.
 */
import type { AlteryxJob } from '../../lib/alteryx';

/** What the store needs of its node: its id and its context (a Node-RED node has both). */
export interface JobsOwner {
  readonly id: string;
  context(): {
    get(key: string, callback: (error: Error | undefined, value: unknown) => void): void;
    set(key: string, value: unknown, callback: (error?: Error) => void): void;
  };
}

/** A job being waited for, as stored in the node context. */
export interface PendingJob {
  appId: string;
  startedAt: number;
  deadline: number;
  /** The input message (without http-in's req/res), to emit the result on after a restart. */
  msg: Record<string, unknown>;
  /** Set for a node that does not wait: the queued job, emitted as it is by the next instance. */
  queued?: AlteryxJob;
}

export type Jobs = Map<string, PendingJob>;

const CONTEXT_KEY = 'alteryxJobs';

export function isPendingJob(value: unknown): value is PendingJob {
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

/** Jobs passed from a stopped instance of a node to its next one, by node id: one per runtime. */
export class JobHandOver {
  private readonly waiting = new Map<string, Jobs>();
  private readonly adopters = new Map<string, (jobs: Jobs) => void>();

  /** A stopped instance's jobs: to the running instance of the node if there is one, else kept for the next. */
  give(nodeId: string, jobs: Jobs): void {
    if (!jobs.size) return;
    const adopt = this.adopters.get(nodeId);
    if (adopt) {
      adopt(jobs);
      return;
    }
    const kept = this.waiting.get(nodeId) ?? new Map<string, PendingJob>();
    for (const [jobId, entry] of jobs) kept.set(jobId, entry);
    this.waiting.set(nodeId, kept);
  }

  /** Registers a new instance: it gets the jobs kept for it now and those given later through `adopt`. */
  take(nodeId: string, adopt: (jobs: Jobs) => void): Jobs {
    this.adopters.set(nodeId, adopt);
    const kept = this.waiting.get(nodeId) ?? new Map<string, PendingJob>();
    this.waiting.delete(nodeId);
    return kept;
  }

  leave(nodeId: string, adopt: (jobs: Jobs) => void): void {
    if (this.adopters.get(nodeId) === adopt) this.adopters.delete(nodeId);
  }
}

export interface PendingJobsEvents {
  /** A job to wait for that this instance did not start (a restart, a redeploy). */
  resume(jobId: string, entry: PendingJob): void;
  /** The context store failed: `read` or `write`. */
  storeFailed(operation: 'read' | 'write', error: Error): void;
}

/** The pending jobs of one node instance. */
export class PendingJobs {
  private readonly jobs: Jobs = new Map();
  /** Jobs from the previous instance, resumed once the context is read. */
  private readonly inherited: Jobs;
  /** Until the stored jobs are read, writing would overwrite them. */
  private loaded = false;
  /** Set once this instance handed its jobs on: a job added later goes straight to the next one. */
  private handedOver = false;
  private readonly adopt = (jobs: Jobs): void => this.adoptJobs(jobs);

  constructor(
    private readonly node: JobsOwner,
    private readonly handOver: JobHandOver,
    private readonly events: PendingJobsEvents,
  ) {
    this.inherited = handOver.take(node.id, this.adopt);
  }

  /** Reads the stored jobs and resumes them with those of the previous instance. */
  load(): void {
    this.node.context().get(CONTEXT_KEY, (error: Error | undefined, stored: unknown) => {
      if (this.handedOver) return;
      this.loaded = true;
      if (error) this.events.storeFailed('read', error);
      const startedHere = new Set(this.jobs.keys());
      const storedJobs = !error && typeof stored === 'object' && stored !== null ? Object.entries(stored) : [];
      const found: Jobs = new Map();
      for (const [jobId, entry] of [...storedJobs, ...this.inherited]) {
        if (isPendingJob(entry) && !startedHere.has(jobId)) found.set(jobId, entry);
      }
      this.inherited.clear();
      this.adoptJobs(found);
      if (this.jobs.size) this.save();
    });
  }

  add(jobId: string, entry: PendingJob): void {
    if (this.handedOver) {
      this.handOver.give(this.node.id, new Map([[jobId, entry]]));
      return;
    }
    this.jobs.set(jobId, entry);
    this.save();
  }

  remove(jobId: string | undefined): void {
    if (jobId !== undefined && this.jobs.delete(jobId)) this.save();
  }

  /** On close: a stopped node's jobs go to its next instance; a deleted node's are forgotten. */
  async close(removed: boolean): Promise<void> {
    this.handedOver = true;
    this.handOver.leave(this.node.id, this.adopt);
    if (!removed) {
      this.handOver.give(this.node.id, new Map([...this.inherited, ...this.jobs]));
      return;
    }
    this.jobs.clear();
    await new Promise<void>((resolve) => {
      try {
        this.node.context().set(CONTEXT_KEY, undefined, () => resolve());
      } catch {
        resolve();
      }
    });
  }

  private adoptJobs(jobs: Jobs): void {
    if (!this.loaded) {
      for (const [jobId, entry] of jobs) this.inherited.set(jobId, entry);
      return;
    }
    for (const [jobId, entry] of jobs) {
      if (this.jobs.has(jobId)) continue;
      this.jobs.set(jobId, entry);
      this.events.resume(jobId, entry);
    }
    if (jobs.size) this.save();
  }

  private save(): void {
    if (!this.loaded) return;
    this.node.context().set(CONTEXT_KEY, Object.fromEntries(this.jobs), (error?: Error) => {
      if (error) this.events.storeFailed('write', error);
    });
  }
}
