// Injected time (house style §19): anything that schedules work takes a Clock, so tests step a
// ManualClock instead of sleeping. `now()` is monotonic milliseconds (performance.now), never the
// wall clock, which jumps under NTP.

export interface Clock {
  now(): number;
  /** Run `fn` after `ms`; returns a cancel function. */
  setTimer(ms: number, fn: () => void): () => void;
  /** Run `fn` every `ms`; returns a cancel function. Does not keep the process alive. */
  every(ms: number, fn: () => void): () => void;
  /**
   * Run `fn` on the next event-loop turn (setImmediate): lets a deadline be met to well under a
   * millisecond, which whole-millisecond timers cannot. Optional; ManualClock has none.
   */
  soon?(fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
  every: (ms, fn) => {
    const t = setInterval(fn, ms);
    t.unref();
    return () => clearInterval(t);
  },
  soon: (fn) => {
    const t = setImmediate(fn);
    return () => clearImmediate(t);
  },
};

/** A clock tests advance by hand; timers fire in due order during advance(). */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers = new Map<number, { at: number; fn: () => void; every?: number }>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + ms, fn });
    return () => this.#timers.delete(id);
  }

  every(ms: number, fn: () => void): () => void {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + ms, fn, every: Math.max(1, ms) });
    return () => this.#timers.delete(id);
  }

  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void; every?: number }] | undefined;
      for (const e of this.#timers)
        if (e[1].at <= end && (next === undefined || e[1].at < next[1].at)) next = e;
      if (next === undefined) break;
      const [id, t] = next;
      this.#now = t.at;
      if (t.every === undefined) this.#timers.delete(id);
      else t.at += t.every;
      t.fn();
    }
    this.#now = end;
  }
}
