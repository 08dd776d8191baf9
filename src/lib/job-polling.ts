/**
 * How often a job is asked for, what its progress reads like, and the nudge that makes a
 * waiting poll look again at once (a job cancelled by a node of this runtime). Nothing here
 * knows Alteryx or Node-RED.
 */
import { MAX_TIMER_MS, sleep } from './time';

/** Polls never come closer than this, whatever the node says. */
const MIN_POLL_MS = 10;
/** A long job is asked at most this far apart (unless the node's own interval is longer). */
const MAX_BACKOFF_MS = 60_000;
/** After the first minutes, a job is asked every tenth of the time it has been under way. */
const BACKOFF_FRACTION = 0.1;

/**
 * The pause before the next look at a job under way for `elapsedMs`: the node's interval at
 * first, then a tenth of the elapsed time, at most a minute: a job running for an hour is
 * asked once a minute, not every few seconds.
 */
export function pollDelayMs(pollIntervalMs: number, elapsedMs: number): number {
  const base = Math.min(MAX_TIMER_MS, Math.max(MIN_POLL_MS, pollIntervalMs));
  const backoff = Math.min(MAX_BACKOFF_MS, Math.max(0, elapsedMs) * BACKOFF_FRACTION);
  return Math.max(base, backoff);
}

/** A duration as the status ring shows it: `12 s`, `1 m 04 s`, `2 h 05 m`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const pad = (value: number): string => String(value).padStart(2, '0');
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} m ${pad(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${pad(minutes % 60)} m`;
}

/**
 * Listeners by job id: a node that cancels a job nudges every poll waiting for that job, in
 * any node of the runtime, so the waiting message ends now rather than at its next poll.
 */
export class JobNudges {
  private readonly listeners = new Map<string, Set<() => void>>();

  /** Calls `listener` whenever `jobId` is nudged, until the returned function is called. */
  listen(jobId: string, listener: () => void): () => void {
    const set = this.listeners.get(jobId) ?? new Set<() => void>();
    set.add(listener);
    this.listeners.set(jobId, set);
    return () => {
      set.delete(listener);
      if (!set.size && this.listeners.get(jobId) === set) this.listeners.delete(jobId);
    };
  }

  nudge(jobId: string): void {
    for (const listener of [...(this.listeners.get(jobId) ?? [])]) listener();
  }
}

/** Waits `ms`, less when `jobId` is nudged meanwhile; rejects with EABORTED when `signal` aborts. */
export async function pauseUnlessNudged(ms: number, signal: AbortSignal, nudges: JobNudges | undefined, jobId: string): Promise<void> {
  if (!nudges) return sleep(ms, signal);
  const woken = new AbortController();
  const stop = nudges.listen(jobId, () => woken.abort());
  try {
    await sleep(ms, AbortSignal.any([signal, woken.signal]));
  } catch (error) {
    if (signal.aborted || !woken.signal.aborted) throw error;
  } finally {
    stop();
  }
}
