// The CheckManager's checker runners sharded over worker threads (worker.ts): the main thread
// keeps health state, pools and RS/quorum logging, and only mirrors each checker's UP/DOWN from
// the workers' reports. New runners go to the least-loaded worker (round-robin on a first load),
// kept runners stay where they are, removed ones are stopped by message. A worker that dies is
// logged and restarted with its runners, each resuming from its last reported state, so a crash
// never silently drops checks; a worker that keeps dying is restarted after a pause.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/model.js';
import type { Clock } from '../lib/clock.js';
import { LEVELS, type LevelName, type Logger } from '../lib/log.js';
import type { FromWorker, ToWorker, WorkerInit, WorkerReport } from './shard-protocol.js';
import type { RunnerSpec } from './spec.js';
import { initialState, type CheckerState } from './state.js';

/** What the manager holds for a runner, in-thread (CheckerRunner) or in a worker. */
export interface RunnerHandle {
  readonly up: boolean;
  start(): void;
  stop(): void;
}

export interface ShardOptions {
  readonly count: number;
  readonly clock: Clock;
  readonly log: Logger;
  readonly onTransition: (id: string, up: boolean) => void;
  readonly onWeight: (id: string, weight: number) => void;
  /** The worker module (default: the compiled worker.js next to this file). */
  readonly workerUrl?: URL;
}

interface Remote {
  readonly spec: RunnerSpec;
  slot: number;
  up: boolean;
  /** Reported at least one transition: `up` is the runner's, not just its starting value. */
  reported: boolean;
}

interface Slot {
  readonly index: number;
  worker: Worker | undefined;
  readonly ids: Set<string>;
  pending: string[];
  stops: string[];
  lastCrash: number;
  /** Started once: a configuration without checkers costs no threads. */
  spawned: boolean;
}

const STATS_MS = 1000;
/** A worker dying again within this long of its last death is restarted after RESTART_PAUSE_MS. */
const CRASH_WINDOW_MS = 10_000;
const RESTART_PAUSE_MS = 1000;
const LEVEL_NAMES = new Map<number, LevelName>(
  Object.entries(LEVELS).map(([name, n]) => [n, name as LevelName]),
);

/** The daemon's default: a worker per core, at most two (the main thread needs a core too). */
export function defaultCheckWorkers(): number {
  return Math.min(2, availableParallelism());
}

export class CheckerShards {
  readonly #o: ShardOptions;
  readonly #slots: Slot[];
  readonly #remotes = new Map<string, Remote>();
  #config: Config | undefined;
  #closed = false;
  #attempts = 0;
  #late: number[] = [];
  #loopMax: number[] = [];

  constructor(o: ShardOptions) {
    this.#o = o;
    this.#slots = Array.from({ length: Math.max(1, o.count) }, (_, index) => ({
      index,
      worker: undefined,
      ids: new Set<string>(),
      pending: [],
      stops: [],
      lastCrash: -Infinity,
      spawned: false,
    }));
  }

  /** A handle for `spec`; nothing runs until start() and the next flush(). */
  runner(spec: RunnerSpec): RunnerHandle {
    const s = spec.initial ?? initialState(spec.alpha, spec.timing.retry);
    const remote: Remote = { spec, slot: -1, up: s.up, reported: false };
    this.#remotes.set(spec.id, remote);
    return {
      get up() {
        return remote.up;
      },
      start: () => this.#start(remote),
      stop: () => this.#stop(remote),
    };
  }

  #start(r: Remote): void {
    if (r.slot >= 0 || this.#closed) return;
    let best: Slot | undefined;
    for (const slot of this.#slots)
      if (best === undefined || slot.ids.size < best.ids.size) best = slot;
    if (best === undefined) return;
    r.slot = best.index;
    best.ids.add(r.spec.id);
    best.pending.push(r.spec.id);
  }

  #stop(r: Remote): void {
    if (this.#remotes.get(r.spec.id) === r) this.#remotes.delete(r.spec.id);
    const slot = this.#slots[r.slot];
    if (slot === undefined) return;
    slot.ids.delete(r.spec.id);
    slot.stops.push(r.spec.id);
  }

  /** Send the starts and stops queued since the last flush; `config` is the current one. */
  flush(config: Config): void {
    this.#config = config;
    for (const slot of this.#slots) {
      if (!slot.spawned && slot.pending.length > 0) {
        this.#spawn(slot);
        continue;
      }
      if (slot.worker === undefined) continue;
      if (slot.stops.length > 0) this.#post(slot, { t: 'stop', ids: slot.stops });
      slot.stops = [];
      const runners = this.#specs(slot.pending);
      slot.pending = [];
      if (runners.length > 0) this.#post(slot, { t: 'start', config, runners });
    }
  }

  #specs(ids: Iterable<string>): RunnerSpec[] {
    const out: RunnerSpec[] = [];
    for (const id of ids) {
      const r = this.#remotes.get(id);
      if (r === undefined) continue;
      const initial: CheckerState | undefined = r.reported
        ? { up: r.up, hasRun: true, retryIt: 0 }
        : r.spec.initial;
      out.push(initial === undefined ? r.spec : { ...r.spec, initial });
    }
    return out;
  }

  #post(slot: Slot, m: ToWorker): void {
    slot.worker?.postMessage(m);
  }

  #spawn(slot: Slot): void {
    const init: WorkerInit = { logLevel: this.#o.log.level, statsMs: STATS_MS };
    const w = new Worker(this.#o.workerUrl ?? new URL('./worker.js', import.meta.url), {
      workerData: init,
    });
    w.unref();
    slot.worker = w;
    slot.spawned = true;
    w.on('message', (m: FromWorker) => {
      if (slot.worker === w) this.#message(m);
    });
    w.on('error', (err) => {
      this.#o.log.error({ worker: slot.index, err }, `checker worker ${slot.index} failed`);
    });
    w.on('exit', (code) => {
      if (slot.worker !== w || this.#closed) return;
      slot.worker = undefined;
      this.#crashed(slot, code);
    });
    // A (re)started worker gets every runner the slot owns, each from its last known state.
    slot.pending = [];
    slot.stops = [];
    if (this.#config !== undefined && slot.ids.size > 0) {
      this.#post(slot, { t: 'start', config: this.#config, runners: this.#specs(slot.ids) });
    }
  }

  #crashed(slot: Slot, code: number): void {
    const now = this.#o.clock.now();
    const again = now - slot.lastCrash < CRASH_WINDOW_MS;
    slot.lastCrash = now;
    this.#o.log.error(
      { worker: slot.index, code, checkers: slot.ids.size },
      `checker worker ${slot.index} exited (code ${code}); restarting it with its ${slot.ids.size} checkers`,
    );
    if (!again) this.#spawn(slot);
    else
      this.#o.clock.setTimer(RESTART_PAUSE_MS, () => {
        if (!this.#closed && slot.worker === undefined) this.#spawn(slot);
      });
  }

  #message(m: FromWorker): void {
    switch (m.t) {
      case 'reports':
        for (const r of m.reports) this.#report(r);
        break;
      case 'stats': {
        this.#attempts += m.attempts;
        this.#loopMax.push(m.loopMaxMs);
        for (const v of m.lateMs) this.#late.push(v);
        const cap = 64 * Math.max(1, this.#remotes.size);
        if (this.#late.length > 2 * cap) this.#late.splice(0, this.#late.length - cap);
        break;
      }
    }
  }

  #report(r: WorkerReport): void {
    switch (r.t) {
      case 'log': {
        const name = LEVEL_NAMES.get(r.level) ?? 'info';
        this.#o.log[name](r.fields, r.msg);
        break;
      }
      case 'transition': {
        const remote = this.#remotes.get(r.id);
        if (remote === undefined) return;
        remote.up = r.up;
        remote.reported = true;
        this.#o.onTransition(r.id, r.up);
        break;
      }
      case 'weight':
        if (this.#remotes.has(r.id)) this.#o.onWeight(r.id, r.weight);
        break;
    }
  }

  resetTiming(): void {
    this.#late = [];
    this.#loopMax = [];
  }

  /** Per stats period, each worker's longest event-loop delay (ms) since resetTiming. */
  workerLoopMax(): number[] {
    return [...this.#loopMax];
  }

  /** Attempts completed in the workers so far and recent lateness samples (ms). */
  timing(): { attempts: number; lateMs: number[] } {
    const cap = 64 * Math.max(1, this.#remotes.size);
    return { attempts: this.#attempts, lateMs: this.#late.slice(-cap) };
  }

  /** Which worker runs each checker id (for tests and status). */
  placement(): Map<string, number> {
    return new Map([...this.#remotes].map(([id, r]) => [id, r.slot]));
  }

  /** Kill one worker, as a crash would (tests). */
  async kill(index: number): Promise<void> {
    await this.#slots[index]?.worker?.terminate();
  }

  close(): void {
    this.#closed = true;
    for (const slot of this.#slots) void slot.worker?.terminate();
  }
}
