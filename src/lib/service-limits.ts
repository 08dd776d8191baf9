import { ServiceError } from './errors';
import { positiveNumber } from './numbers';
import type { RateLimitReport } from './rate-limit-headers';
import { DEFAULT_MAX_WAIT_S } from './constants';
import { MAX_TIMER_MS } from './time';

/**
 * A service's limits, kept for every request to it: at most `maxConcurrent` in flight, at
 * most `rateLimit` started per `ratePeriodMs`, and none while the service has asked for a
 * pause (`Retry-After`, a spent rate window). Requests beyond a limit wait in order (FIFO);
 * a wait is bounded (`maxWaitMs`, `maxQueued`) and ends with a {@link LimitError}, never a
 * hang. Pure: no I/O, no Node-RED; one instance per service, shared by all its nodes.
 */

export interface LimitSettings {
  /** Requests in flight at once; 0 = no limit. */
  maxConcurrent?: number;
  /** Requests started per `ratePeriodMs`; 0 = no limit. */
  rateLimit?: number;
  ratePeriodMs?: number;
  /** How long one request may wait for the limits or a pause the service ordered; {@link DEFAULT_MAX_WAIT_MS} when unset. */
  maxWaitMs?: number;
  /** Requests waiting at most; one more is refused at once. */
  maxQueued?: number;
}

export type LimitErrorCode = 'EQUEUEFULL' | 'EWAITTOOLONG' | 'ECLOSED' | 'EABORTED';

/** A message waits this long for the service's limits when its service says nothing. */
export const DEFAULT_MAX_WAIT_MS = DEFAULT_MAX_WAIT_S * 1000;

/** A request that did not get its turn: nothing was sent. The message names the limit. */
export class LimitError extends ServiceError {
  declare readonly code: LimitErrorCode;

  constructor(message: string, code: LimitErrorCode) {
    super(message, code, code === 'EQUEUEFULL' ? { key: 'queueFull' } : code === 'EWAITTOOLONG' ? { key: 'waitTooLong' } : { words: code });
    this.name = 'LimitError';
  }
}

/** A request's turn: call `release()` once its answer is in (or it failed), exactly once. */
export interface Turn {
  release(): void;
}

/** What the status ring shows. */
export interface LimitState {
  inFlight: number;
  queued: number;
  /** Epoch ms until which the service asked for a pause, when one is on. */
  pausedUntil?: number;
  /** Why it pauses (the service's words: "429 Retry-After 130 s"), when one is on. */
  pauseReason?: string;
}

/** The timer functions, for tests with fake time. */
export interface LimitClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

const SYSTEM_CLOCK: LimitClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

interface Waiter {
  resolve(turn: Turn): void;
  reject(error: LimitError): void;
  deadline: number;
  timer: unknown;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** A whole count from a setting; 0 (none) for anything that is not a number above zero. */
function count(value: number | undefined): number {
  return Math.floor(positiveNumber(value) ?? 0);
}

export class ServiceLimits {
  private readonly maxConcurrent: number;
  private readonly rateLimit: number;
  private readonly ratePeriodMs: number;
  /** How long one request may wait in all, the pauses of its refusals included. */
  readonly maxWaitMs: number;
  private readonly maxQueued: number;
  private inFlight = 0;
  /** Start times within the current rate period, oldest first. */
  private readonly starts: number[] = [];
  private readonly waiting: Waiter[] = [];
  private pausedUntil = 0;
  private pauseReason = '';
  private wakeTimer: unknown;
  private wakeAt = 0;
  /** The service's figures of its rate limit as it last reported them, for messages that took several requests. */
  lastReport?: RateLimitReport;
  private closed = false;
  private toldIdle = true;
  private readonly listeners = new Set<(state: LimitState) => void>();

  constructor(
    settings: LimitSettings,
    private readonly clock: LimitClock = SYSTEM_CLOCK,
  ) {
    this.maxConcurrent = count(settings.maxConcurrent);
    this.rateLimit = count(settings.rateLimit);
    this.ratePeriodMs = this.rateLimit ? Math.max(1, count(settings.ratePeriodMs) || 1000) : 0;
    this.maxWaitMs = Math.min(count(settings.maxWaitMs) || DEFAULT_MAX_WAIT_MS, MAX_TIMER_MS);
    this.maxQueued = count(settings.maxQueued);
  }

  /** True when nothing is limited and nothing waits: a request goes without any bookkeeping but the count in flight. */
  get unlimited(): boolean {
    return !this.maxConcurrent && !this.rateLimit;
  }

  state(): LimitState {
    const paused = this.pausedUntil > this.clock.now();
    return {
      inFlight: this.inFlight,
      queued: this.waiting.length,
      ...(paused ? { pausedUntil: this.pausedUntil, pauseReason: this.pauseReason } : {}),
    };
  }

  /** Called with the state whenever requests wait or a pause is on and that changes, and once when the service is idle again. */
  onChange(listener: (state: LimitState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The turn of one request: at once when the limits allow, else after the requests before it.
   * Rejects at once when the queue is full or the known wait (a pause, a spent rate window)
   * is longer than `maxWaitMs`; after `maxWaitMs` when the wait was not known in advance.
   */
  acquire(signal?: AbortSignal): Promise<Turn> {
    if (this.closed) return Promise.reject(new LimitError('the service was closed (redeployed or stopped): not sent', 'ECLOSED'));
    if (signal?.aborted) return Promise.reject(new LimitError('request aborted', 'EABORTED'));
    const now = this.clock.now();
    if (!this.waiting.length && this.startsAt(now) <= now && this.hasConcurrency()) return Promise.resolve(this.start(now));
    if (this.maxQueued && this.waiting.length >= this.maxQueued) {
      return Promise.reject(
        new LimitError(`${this.waiting.length} requests already wait for the service's limits (at most ${this.maxQueued} may wait): not sent`, 'EQUEUEFULL'),
      );
    }
    const knownWait = this.knownWaitFor(this.waiting.length, now);
    if (knownWait > this.maxWaitMs) return Promise.reject(this.waitTooLong(knownWait));
    return new Promise<Turn>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, deadline: now + this.maxWaitMs, timer: undefined, signal };
      waiter.timer = this.clock.setTimeout(() => this.drop(waiter, this.waitTooLong(this.maxWaitMs)), this.maxWaitMs);
      if (signal) {
        waiter.onAbort = () => this.drop(waiter, new LimitError('request aborted', 'EABORTED'));
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiting.push(waiter);
      this.changed();
      this.schedule();
    });
  }

  /**
   * The service asked for a pause until `until` (epoch ms): no request of this service starts
   * before. Waiting requests whose deadline comes first end at once.
   */
  pause(until: number, reason: string): void {
    if (until <= this.pausedUntil || until <= this.clock.now()) return;
    this.pausedUntil = until;
    this.pauseReason = reason;
    for (const waiter of [...this.waiting]) if (waiter.deadline < until) this.drop(waiter, this.waitTooLong(until - this.clock.now()));
    this.changed();
    this.schedule();
  }

  /** How long from now a request that must be sent again would wait for the pause, or 0. */
  pauseLeft(): number {
    return Math.max(0, this.pausedUntil - this.clock.now());
  }

  /** Ends every waiting request (redeploy, close); those in flight finish on their own. */
  close(): void {
    this.closed = true;
    if (this.wakeTimer !== undefined) this.clock.clearTimeout(this.wakeTimer);
    for (const waiter of [...this.waiting])
      this.drop(waiter, new LimitError('the service was closed (redeployed or stopped) while this request waited: not sent', 'ECLOSED'));
  }

  private hasConcurrency(): boolean {
    return !this.maxConcurrent || this.inFlight < this.maxConcurrent;
  }

  /** The earliest time the next request may start as far as the pause and the rate window say. */
  private startsAt(now: number): number {
    let at = Math.max(now, this.pausedUntil);
    if (this.rateLimit) {
      this.forgetStartsBefore(now - this.ratePeriodMs);
      if (this.starts.length >= this.rateLimit) at = Math.max(at, this.starts[this.starts.length - this.rateLimit] + this.ratePeriodMs);
    }
    return at;
  }

  /** The wait the pause and the rate window impose on the request at position `position` of the queue (0 = next). */
  private knownWaitFor(position: number, now: number): number {
    let wait = Math.max(0, this.pausedUntil - now);
    if (this.rateLimit) {
      this.forgetStartsBefore(now - this.ratePeriodMs);
      // Each full window lets `rateLimit` requests go: those before it and those started.
      const ahead = this.starts.length + position;
      const windows = Math.floor(ahead / this.rateLimit);
      if (windows > 0) {
        const oldest = this.starts[0] ?? now;
        wait = Math.max(wait, oldest + windows * this.ratePeriodMs - now);
      }
    }
    return wait;
  }

  private forgetStartsBefore(time: number): void {
    while (this.starts.length && this.starts[0] <= time) this.starts.shift();
  }

  private start(now: number): Turn {
    this.inFlight++;
    if (this.rateLimit) this.starts.push(now);
    let released = false;
    this.changed();
    return {
      release: () => {
        if (released) return;
        released = true;
        this.inFlight--;
        this.changed();
        this.schedule();
      },
    };
  }

  /** Lets waiting requests go while the limits allow; sets a timer for when they next may. */
  private schedule(): void {
    const now = this.clock.now();
    while (this.waiting.length && this.hasConcurrency()) {
      const at = this.startsAt(now);
      if (at > now) {
        this.wakeUpAt(at);
        return;
      }
      const waiter = this.waiting.shift();
      if (!waiter) break;
      this.settle(waiter);
      waiter.resolve(this.start(now));
    }
  }

  private wakeUpAt(at: number): void {
    if (this.wakeTimer !== undefined && this.wakeAt <= at) return;
    if (this.wakeTimer !== undefined) this.clock.clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = this.clock.setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.changed();
        this.schedule();
      },
      Math.min(Math.max(0, at - this.clock.now()), MAX_TIMER_MS),
    );
  }

  private drop(waiter: Waiter, error: LimitError): void {
    const index = this.waiting.indexOf(waiter);
    if (index < 0) return;
    this.waiting.splice(index, 1);
    this.settle(waiter);
    waiter.reject(error);
    this.changed();
  }

  /** Clears a waiter's timer and abort listener. */
  private settle(waiter: Waiter): void {
    if (waiter.timer !== undefined) this.clock.clearTimeout(waiter.timer);
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  }

  private waitTooLong(waitMs: number): LimitError {
    const pause = this.pausedUntil > this.clock.now() ? ` (${this.pauseReason})` : '';
    return new LimitError(
      `would wait ${Math.ceil(waitMs / 1000)} s for the service's limits${pause}, longer than the ${Math.ceil(this.maxWaitMs / 1000)} s allowed (Max wait): not sent`,
      'EWAITTOOLONG',
    );
  }

  /**
   * Tells the listeners, but of an idle service (nothing waits, no pause) only once: a request
   * that goes at once costs them nothing.
   */
  private changed(): void {
    if (!this.listeners.size) return;
    const idle = !this.waiting.length && this.pausedUntil <= this.clock.now();
    if (idle && this.toldIdle) return;
    this.toldIdle = idle;
    const state = this.state();
    for (const listener of this.listeners) listener(state);
  }
}
