/** Timers that an abort signal ends and that take any delay. A leaf of the library. */
import { aborted } from './request-error';

/** setTimeout fires at once for longer delays (a TimeoutOverflowWarning): about 24.8 days. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Waits `ms`, or rejects with EABORTED as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A signal that aborts at an epoch-ms deadline (or with `outer`); `expired` tells the deadline from the outer abort. */
export class DeadlineSignal {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deadline: number,
    outer?: AbortSignal,
    private readonly now: () => number = Date.now,
  ) {
    this.signal = outer ? AbortSignal.any([outer, this.controller.signal]) : this.controller.signal;
    this.arm();
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  dispose(): void {
    clearTimeout(this.timer);
  }

  private arm(): void {
    const remaining = this.deadline - this.now();
    if (remaining <= 0) this.controller.abort();
    // Longer delays would fire at once: wait in steps.
    else this.timer = setTimeout(() => this.arm(), Math.min(remaining, MAX_TIMER_MS));
  }
}
