// A manual clock for table tests (house style §19): time only moves when the test says so.

export interface ManualClock {
  readonly now: () => number;
  advance(ms: number): number;
  set(ms: number): void;
}

export function manualClock(start = 1_000_000): ManualClock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
      return t;
    },
    set(ms) {
      t = ms;
    },
  };
}
