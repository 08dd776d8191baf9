import assert from 'node:assert/strict';
import { pauseOrdered, rateLimitReport } from '../src/lib/rate-limit-headers';
import { LimitError, ServiceLimits, type LimitClock, type LimitSettings, type Turn } from '../src/lib/service-limits';

/** Time that moves only when told, with the timers it fires on the way. */
class ManualClock implements LimitClock {
  time = 1_700_000_000_000;
  private timers: Array<{ at: number; callback: () => void; id: number }> = [];
  private ids = 0;
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.ids;
    this.timers.push({ at: this.time + ms, callback, id });
    return id;
  }
  clearTimeout(timer: unknown): void {
    this.timers = this.timers.filter(({ id }) => id !== timer);
  }
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const next = this.timers.filter(({ at }) => at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.time = next.at;
      this.timers = this.timers.filter(({ id }) => id !== next.id);
      next.callback();
      await flush();
    }
    this.time = end;
    await flush();
  }
}

function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Requests asked for in order; `started` lists which got their turn, `failed` which ended and how. */
function harness(settings: LimitSettings) {
  const clock = new ManualClock();
  const limits = new ServiceLimits(settings, clock);
  const started: number[] = [];
  const failed: Array<[number, string]> = [];
  const turns = new Map<number, Turn>();
  const ask = (id: number, signal?: AbortSignal) =>
    limits.acquire(signal).then(
      (turn) => {
        started.push(id);
        turns.set(id, turn);
      },
      (error: LimitError) => failed.push([id, error.code]),
    );
  return { clock, limits, started, failed, turns, ask };
}

describe('service limits: at most N at a time, N per window, the service pauses', () => {
  it('lets at most maxConcurrent go at once, the others in order as turns end', async () => {
    const { limits, started, turns, ask } = harness({ maxConcurrent: 2, maxWaitMs: 60_000 });
    for (let id = 1; id <= 5; id++) void ask(id);
    await flush();
    assert.deepEqual(started, [1, 2]);
    assert.deepEqual(limits.state(), { inFlight: 2, queued: 3 });
    turns.get(2)?.release();
    turns.get(2)?.release();
    await flush();
    assert.deepEqual(started, [1, 2, 3], 'a turn released twice frees one place');
    turns.get(1)?.release();
    turns.get(3)?.release();
    await flush();
    assert.deepEqual(started, [1, 2, 3, 4, 5]);
  });

  it('lets rateLimit go per period, the next when the oldest start leaves the window', async () => {
    const { clock, started, ask, turns } = harness({ rateLimit: 3, ratePeriodMs: 10_000, maxWaitMs: 60_000 });
    for (let id = 1; id <= 7; id++) void ask(id);
    await flush();
    assert.deepEqual(started, [1, 2, 3]);
    for (const turn of turns.values()) turn.release();
    await clock.advance(9_999);
    assert.deepEqual(started, [1, 2, 3]);
    await clock.advance(1);
    assert.deepEqual(started, [1, 2, 3, 4, 5, 6]);
    await clock.advance(10_000);
    assert.deepEqual(started, [1, 2, 3, 4, 5, 6, 7]);
  });

  it('holds every request while the service ordered a pause, then lets them go in order', async () => {
    const { clock, limits, started, ask } = harness({ maxWaitMs: 120_000 });
    limits.pause(clock.now() + 30_000, '429 with Retry-After 30 s');
    void ask(1);
    void ask(2);
    await clock.advance(29_000);
    assert.deepEqual(started, []);
    assert.equal(limits.state().pauseReason, '429 with Retry-After 30 s');
    await clock.advance(1_000);
    assert.deepEqual(started, [1, 2]);
    assert.equal(limits.state().pausedUntil, undefined);
  });

  it('refuses at once a request that would wait longer than maxWait for a known pause', async () => {
    const { clock, limits, failed, ask } = harness({ maxWaitMs: 10_000 });
    limits.pause(clock.now() + 130_000, '429 with Retry-After 130 s');
    await ask(1);
    assert.deepEqual(failed, [[1, 'EWAITTOOLONG']]);
    await assert.rejects(limits.acquire(), {
      message: "would wait 130 s for the service's limits (429 with Retry-After 130 s), longer than the 10 s allowed (Max wait): not sent",
    });
  });

  it('ends waiting requests whose deadline a new pause passes, at once', async () => {
    const { clock, limits, started, failed, ask } = harness({ maxConcurrent: 1, maxWaitMs: 20_000 });
    void ask(1);
    void ask(2);
    await flush();
    limits.pause(clock.now() + 60_000, 'rate window spent');
    await flush();
    assert.deepEqual(started, [1]);
    assert.deepEqual(failed, [[2, 'EWAITTOOLONG']]);
  });

  it('ends a request after maxWait when the wait was not known in advance (a slow request in flight)', async () => {
    const { clock, started, failed, ask } = harness({ maxConcurrent: 1, maxWaitMs: 5_000 });
    void ask(1);
    void ask(2);
    await clock.advance(4_999);
    assert.deepEqual(failed, []);
    await clock.advance(1);
    assert.deepEqual([started, failed], [[1], [[2, 'EWAITTOOLONG']]]);
  });

  it('refuses a request beyond maxQueued at once, naming the limit', async () => {
    const { limits, failed, ask } = harness({ maxConcurrent: 1, maxQueued: 2, maxWaitMs: 60_000 });
    for (let id = 1; id <= 4; id++) void ask(id);
    await flush();
    assert.deepEqual(failed, [[4, 'EQUEUEFULL']]);
    await assert.rejects(limits.acquire(), /2 requests already wait for the service's limits \(at most 2 may wait\): not sent/);
  });

  it('ends every waiting request on close, and refuses new ones', async () => {
    const { limits, started, failed, ask } = harness({ maxConcurrent: 1, maxWaitMs: 60_000 });
    void ask(1);
    void ask(2);
    void ask(3);
    await flush();
    limits.close();
    await ask(4);
    assert.deepEqual(started, [1]);
    assert.deepEqual(failed, [
      [2, 'ECLOSED'],
      [3, 'ECLOSED'],
      [4, 'ECLOSED'],
    ]);
  });

  it('drops a waiting request whose signal aborts, and keeps the order of the others', async () => {
    const { started, failed, turns, ask } = harness({ maxConcurrent: 1, maxWaitMs: 60_000 });
    const controller = new AbortController();
    void ask(1);
    void ask(2, controller.signal);
    void ask(3);
    await flush();
    controller.abort();
    await flush();
    turns.get(1)?.release();
    await flush();
    assert.deepEqual([started, failed], [[1, 3], [[2, 'EABORTED']]]);
  });

  it('costs nothing when no limit is set: every request goes at once', async () => {
    const { limits, started, ask } = harness({});
    assert.equal(limits.unlimited, true);
    for (let id = 1; id <= 100; id++) void ask(id);
    await flush();
    assert.equal(started.length, 100);
  });
});

describe('rate limit headers', () => {
  const now = Date.parse('2026-12-08T10:00:00Z');

  it("reads X's x-rate-limit-* (reset in epoch seconds)", () => {
    const reset = now / 1000 + 900;
    const headers = { 'x-rate-limit-limit': '900', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) };
    assert.deepEqual(rateLimitReport(headers, now), { limit: 900, remaining: 0, reset: '2026-12-08T10:15:00.000Z' });
    assert.deepEqual(pauseOrdered(200, headers, now), { until: now + 900_000, reason: 'rate window spent until 2026-12-08T10:15:00.000Z' });
  });

  it('reads the IETF RateLimit-* headers (reset in seconds from now) and the structured RateLimit field', () => {
    assert.deepEqual(rateLimitReport({ 'ratelimit-limit': '100', 'ratelimit-remaining': '7', 'ratelimit-reset': '30' }, now), {
      limit: 100,
      remaining: 7,
      reset: '2026-12-08T10:00:30.000Z',
    });
    assert.deepEqual(rateLimitReport({ ratelimit: '"default";r=0;t=12', 'ratelimit-policy': '"default";q=50;w=60' }, now), {
      limit: 50,
      remaining: 0,
      reset: '2026-12-08T10:00:12.000Z',
    });
  });

  it('takes Retry-After on a 429 or 503, in seconds or as an HTTP date, beyond 30 s too', () => {
    assert.deepEqual(pauseOrdered(429, { 'retry-after': '130' }, now), { until: now + 130_000, reason: '429 with Retry-After 130 s' });
    assert.deepEqual(pauseOrdered(503, { 'retry-after': 'Tue, 08 Dec 2026 10:02:00 GMT' }, now)?.until, now + 120_000);
    assert.equal(pauseOrdered(500, { 'retry-after': '130' }, now), undefined);
  });

  it("reads Discogs' x-discogs-ratelimit-* (no reset)", () => {
    assert.deepEqual(rateLimitReport({ 'x-discogs-ratelimit': '60', 'x-discogs-ratelimit-remaining': '59', 'x-discogs-ratelimit-used': '1' }, now), {
      limit: 60,
      remaining: 59,
    });
  });

  it('orders no pause while the window has requests left, or without any such header', () => {
    assert.equal(pauseOrdered(200, { 'x-rate-limit-remaining': '3', 'x-rate-limit-reset': String(now / 1000 + 60) }, now), undefined);
    assert.equal(pauseOrdered(429, {}, now), undefined);
    assert.equal(rateLimitReport({ 'content-type': 'text/plain' }, now), undefined);
  });
});
