// One checker at run time: schedules its attempts on the injected clock, runs the probe under a
// guard timeout, feeds the outcome to the state machine (state.ts) and reports transitions and
// dynamic weights to its owner. Log lines are keepalived's, verbatim in `msg`; the structured
// fields say which checker, real server and virtual server they concern.

import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import { checkerLabel, type Probe, type ProbeResult, type ProbeTarget } from './probe.js';
import { firstRunMs, initialState, step, type CheckerState, type CheckerTiming } from './state.js';

/** What the configuration decides about a runner (plain data: it also crosses into workers). */
export interface RunnerSettings {
  readonly target: ProbeTarget;
  readonly timing: CheckerTiming & { readonly warmup: number };
  readonly alpha: boolean;
  readonly logAllFailures: boolean;
  /** The longest one attempt may take before it is abandoned (ms). */
  readonly guardMs: number;
  /** State carried over from an earlier runner of the same checker (reload, worker restart). */
  readonly initial?: CheckerState;
}

export interface RunnerOptions extends RunnerSettings {
  readonly clock: Clock;
  readonly random: () => number;
  readonly log: Logger;
  readonly type: string;
  readonly probe: Probe;
  readonly onTransition: (up: boolean) => void;
  readonly onWeight: (weight: number) => void;
  /** Told each attempt's lateness and completion (a worker forwards them; see worker.ts). */
  readonly observe?: { late(ms: number): void; attempt(): void };
}

/** Up to this share of delay_loop (at most 1 s) is added at random to each delay_loop wait. */
export const JITTER = 0.1;

/** Attempts one event-loop turn may start (per thread); the rest start in the next turns. */
export const MAX_STARTS_PER_TURN = 64;
let startedThisTurn = 0;
let resetPending = false;

function admit(): boolean {
  if (!resetPending) {
    resetPending = true;
    setImmediate(() => {
      resetPending = false;
      startedThisTurn = 0;
    });
  }
  return startedThisTurn++ < MAX_STARTS_PER_TURN;
}

export class CheckerRunner {
  readonly #o: RunnerOptions;
  #state: CheckerState;
  #cancel: (() => void) | undefined;
  #abort: AbortController | undefined;
  #stopped = false;
  /** Attempts made, and how late each started against its schedule (for the bench). */
  attempts = 0;
  lateMs: number[] = [];

  constructor(o: RunnerOptions) {
    this.#o = o;
    this.#state = o.initial ?? initialState(o.alpha, o.timing.retry);
  }

  get state(): CheckerState {
    return this.#state;
  }

  get up(): boolean {
    return this.#state.up;
  }

  start(): void {
    const t = this.#o.timing;
    this.#schedule(firstRunMs(t.warmup, this.#o.random));
  }

  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#abort?.abort();
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    const due = this.#o.clock.now() + ms;
    const begin = (): void => {
      if (this.#stopped) return;
      // Thousands of timers due together must not start thousands of probes in one turn: the
      // rest wait a turn, so I/O (completions, the data plane) runs in between.
      if (!admit()) {
        setImmediate(begin);
        return;
      }
      const late = this.#o.clock.now() - due;
      this.lateMs.push(late);
      if (this.lateMs.length > 64) this.lateMs.shift();
      this.#o.observe?.late(late);
      void this.#attempt();
    };
    this.#cancel = this.#o.clock.setTimer(ms, begin);
  }

  async #attempt(): Promise<void> {
    const o = this.#o;
    const abort = new AbortController();
    this.#abort = abort;
    const guard = o.clock.setTimer(o.guardMs, () => abort.abort());
    let r: ProbeResult;
    try {
      r = await o.probe(o.target, abort.signal);
    } catch (err) {
      r = {
        ok: false,
        failure: 'error',
        message: `${checkerLabel(o.type)} probe error: ${String(err)}`,
      };
    } finally {
      guard();
    }
    this.attempts++;
    this.#o.observe?.attempt();
    if (this.#stopped) return;
    this.#outcome(r);
  }

  #outcome(r: ProbeResult): void {
    const o = this.#o;
    const s = step(this.#state, r.ok, o.timing);
    this.#state = s.state;
    const fields = { checker: o.type, rs: o.target.label };
    if (!r.ok && o.logAllFailures) o.log.info({ ...fields, failure: r.failure }, r.message);
    if (s.log === 'success') o.log.info(fields, r.message);
    else if (s.log !== undefined && !r.ok) {
      const after = s.log === 'failed-after' ? ` after ${o.timing.retry} retries` : '';
      if (o.type === 'MISC_CHECK') {
        // keepalived's MISC line carries the outcome: "… failed after N retries (exited …)."
        o.log.info(fields, r.message.replace(/ (failed|timed out)/, ` $1${after}`));
      } else {
        if (!o.logAllFailures) o.log.info({ ...fields, failure: r.failure }, r.message);
        o.log.info(fields, `${checkerLabel(o.type)} on service ${o.target.label} failed${after}.`);
      }
    }
    if (r.ok && r.weight !== undefined) o.onWeight(r.weight);
    if (s.transition !== undefined) o.onTransition(s.transition === 'up');
    // Jitter on delay_loop (never on delay_before_retry): without it, checks that complete in the
    // same event-loop turn come due together every loop and the bursts grow until they run late.
    const loopMs = o.timing.delayLoop * 1000;
    const jitter =
      s.nextMs === loopMs ? Math.floor(o.random() * Math.min(loopMs * JITTER, 1000)) : 0;
    this.#schedule(s.nextMs + jitter);
  }
}
