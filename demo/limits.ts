/**
 * The limits the demo's services keep, so that a client's own limits can be shown to work:
 * an account's requests in flight (NetSuite's concurrency governance) and a window of
 * requests (X's 15-minute windows, IETF `RateLimit`). Time is the demo clock (`now`, which
 * honours clockOffsetMs), and waits use the global setTimeout, so fake time in a test moves both.
 */

/** Requests in flight, counted from a request's arrival until its answer is sent. */
export class ConcurrencyLimit {
  private inFlight = 0;
  private highest = 0;

  /** `limit` 0: no limit, only counted. */
  constructor(readonly limit: number) {}

  get current(): number {
    return this.inFlight;
  }

  /** The most requests that were ever in flight at once. */
  get peak(): number {
    return this.highest;
  }

  /** Takes a place, or false when all are taken: the request is refused and takes none. */
  tryEnter(): boolean {
    if (this.limit > 0 && this.inFlight >= this.limit) return false;
    this.inFlight += 1;
    this.highest = Math.max(this.highest, this.inFlight);
    return true;
  }

  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }
}

export interface RateWindowOptions {
  /** Requests a window lets through. */
  limit: number;
  /** Length of a window; fractions allowed. */
  seconds: number;
}

/** What a service reports of its window; `resetAtMs` is on the demo clock. */
export interface WindowState {
  limit: number;
  remaining: number;
  resetAtMs: number;
}

/**
 * A fixed window, as X counts: the first request opens it, `limit` requests pass, the rest are
 * refused until it ends, and the next request opens a new one. A refused request counts for nothing.
 */
export class RequestWindow {
  private endsAt = Number.NEGATIVE_INFINITY;
  private used = 0;
  private shut = false;

  constructor(
    private readonly options: Readonly<RateWindowOptions>,
    private readonly now: () => number,
  ) {
    if (!Number.isInteger(options.limit) || options.limit < 0) throw new RangeError('a window limit is a whole number of requests, 0 or more');
    if (!(options.seconds > 0) || !Number.isFinite(options.seconds)) throw new RangeError('a window lasts a positive number of seconds');
  }

  /** Counts one request when the window has room for it; `allowed` says whether it had. */
  take(): WindowState & { allowed: boolean } {
    const now = this.now();
    if (now >= this.endsAt) {
      this.endsAt = now + this.options.seconds * 1000;
      this.used = 0;
      this.shut = false;
    }
    const allowed = this.used < this.options.limit;
    if (allowed) this.used += 1;
    return { allowed, ...this.state(now) };
  }

  /** The window as a request now would find it, without counting one. */
  peek(): WindowState {
    const now = this.now();
    if (now >= this.endsAt) return { limit: this.options.limit, remaining: this.options.limit, resetAtMs: now + this.options.seconds * 1000 };
    return this.state(now);
  }

  /** True once shutUntil has set this window's end: it ends when said, not at each refusal anew. */
  get isShut(): boolean {
    return this.shut && this.now() < this.endsAt;
  }

  /** Spends the window and ends it at `untilMs`: a service that asked for a wait keeps to it. */
  shutUntil(untilMs: number): void {
    this.used = this.options.limit;
    this.endsAt = untilMs;
    this.shut = true;
  }

  private state(now: number): WindowState {
    return { limit: this.options.limit, remaining: Math.max(0, this.options.limit - this.used), resetAtMs: Math.max(now, this.endsAt) };
  }
}

/** Whole seconds from `now` until `atMs`, rounded up: a client that waits that long finds the window open. */
export function secondsUntil(atMs: number, now: number): number {
  return Math.max(0, Math.ceil((atMs - now) / 1000));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
