/**
 * Fake time for tests where time is what is tested: node:test's mock timers replace
 * setTimeout, setInterval and Date for the test, so a wait of 200 ms is 200 ms of fake time,
 * exact and instant, however busy the machine. setImmediate and I/O stay real.
 */
import { mock } from 'node:test';

export interface FakeClock {
  /** Moves time on by `ms`, firing the timers due on the way, and lets the promises they settle run. */
  advance(ms: number): Promise<void>;
  restore(): void;
}

/** Lets pending promise callbacks and I/O run once (setImmediate is not faked). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function fakeClock(now = Date.now()): FakeClock {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now });
  return {
    async advance(ms) {
      await settle();
      mock.timers.tick(ms);
      await settle();
    },
    restore: () => mock.timers.reset(),
  };
}
