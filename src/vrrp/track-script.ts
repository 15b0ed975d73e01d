// vrrp_script runner (reference §1.5; keepalived vrrp_scheduler.c vrrp_script_thread and
// vrrp_script_child_thread). The script runs at start and then every `interval`, never two runs
// at once (a run still going when the next is due is skipped, as keepalived does). Exit 0 is a
// success; another status, a signal, an exec error or the `timeout` is a failure. On timeout the
// failure counts at once, the script's process group gets SIGTERM and, 2 s later, SIGKILL.
//
// rise/fall use keepalived's single counter r in 0..rise+fall−1, OK when r ≥ rise: a success
// below rise−1 steps up, otherwise jumps to the top; a failure above rise steps down, otherwise
// drops to 0. A fresh script starts at rise−1 ("one success is enough") and its first failure
// already reports; `init_fail` starts at 0.

import { constants } from 'node:os';
import type { VrrpScript } from '../config/model.js';
import type { Clock } from '../lib/clock.js';
import {
  scriptSpawner,
  type ScriptExit,
  type ScriptSpawner,
  type SpawnedScript,
} from '../lib/script-process.js';
import type { Logger } from '../lib/log.js';
import { lookupUser, type UserIds, type UserLookup } from '../sys/users.js';

export type { ScriptExit, ScriptSpawner, SpawnedScript } from '../lib/script-process.js';

/** keepalived's grace between SIGTERM and SIGKILL for a timed-out script. */
export const SCRIPT_KILL_GRACE_MS = 2000;

/** Real processes: no shell, own process group (setsid), stdio on /dev/null. */
export const systemSpawner: ScriptSpawner = scriptSpawner();

export interface ScriptStatus {
  readonly up: boolean;
  /** No result yet (keepalived SCRIPT_INIT_STATE_INIT). */
  readonly pending: boolean;
}

export interface ScriptRunnerOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly spawner?: ScriptSpawner;
  /** global_defs script_user: used when the script names no `user`. */
  readonly scriptUser?: { readonly user: string; readonly group?: string };
  readonly resolveUser?: (user: string, group?: string) => Promise<UserLookup>;
  /** Called when `status` changes (up flips, or the first result arrives). */
  readonly onChange?: (status: ScriptStatus) => void;
}

type Outcome = ScriptExit | { readonly type: 'timeout' };

interface Run {
  proc?: SpawnedScript;
  done: boolean;
  timedOut: boolean;
  cancelTimers: (() => void)[];
}

export class ScriptRunner {
  readonly #script: VrrpScript;
  readonly #opts: ScriptRunnerOptions;
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  #count: number;
  #pending: boolean;
  #lastStatus = 0;
  #ids: UserIds | undefined;
  #userError: string | undefined;
  #run: Run | undefined;
  #cancelEvery: (() => void) | undefined;
  #closed = false;

  constructor(script: VrrpScript, opts: ScriptRunnerOptions) {
    this.#script = script;
    this.#opts = opts;
    this.#log = opts.logger;
    this.#intervalMs = Math.max(1, Math.round(script.interval * 1000));
    this.#timeoutMs =
      script.timeout > 0 ? Math.max(1, Math.round(script.timeout * 1000)) : this.#intervalMs;
    this.#count = script.initFail ? 0 : script.rise - 1;
    this.#pending = !script.initFail;
  }

  get name(): string {
    return this.#script.name;
  }

  get status(): ScriptStatus {
    return { up: this.#count >= this.#script.rise, pending: this.#pending };
  }

  /** First run now (after the user lookup, if any), then every interval. */
  start(): void {
    const spec = this.#script.script;
    const user = spec.user ?? this.#opts.scriptUser?.user;
    if (user === undefined) {
      this.#begin();
      return;
    }
    const group = spec.user !== undefined ? spec.group : this.#opts.scriptUser?.group;
    const resolve = this.#opts.resolveUser ?? lookupUser;
    void resolve(user, group).then(
      (found) => {
        if (found.ok) this.#ids = found.ids;
        else this.#userError = found.reason;
        this.#begin();
      },
      (err: unknown) => {
        this.#userError = String(err);
        this.#begin();
      },
    );
  }

  close(): void {
    this.#closed = true;
    this.#cancelEvery?.();
    this.#cancelEvery = undefined;
    const run = this.#run;
    this.#run = undefined;
    if (run !== undefined) {
      for (const c of run.cancelTimers) c();
      run.proc?.kill('SIGKILL');
    }
  }

  #begin(): void {
    if (this.#closed) return;
    this.#tick();
    this.#cancelEvery = this.#opts.clock.every(this.#intervalMs, () => this.#tick());
  }

  #tick(): void {
    if (this.#closed) return;
    if (this.#run !== undefined) {
      this.#log.info(
        { script: this.#script.name },
        `Track script ${this.#script.name} is already running, expect idle - skipping run`,
      );
      return;
    }
    if (this.#userError !== undefined) {
      this.#record({ type: 'error', message: this.#userError });
      return;
    }
    const run: Run = { done: false, timedOut: false, cancelTimers: [] };
    this.#run = run;
    const spawner = this.#opts.spawner ?? systemSpawner;
    let proc: SpawnedScript;
    try {
      proc = spawner.spawn(this.#script.script.argv, this.#ids, (exit) => this.#exited(run, exit));
    } catch (err) {
      this.#exited(run, { type: 'error', message: String(err) });
      return;
    }
    if (run.done) return;
    run.proc = proc;
    const { clock } = this.#opts;
    run.cancelTimers.push(
      clock.setTimer(this.#timeoutMs, () => {
        run.timedOut = true;
        this.#record({ type: 'timeout' });
        proc.kill('SIGTERM');
        run.cancelTimers.push(clock.setTimer(SCRIPT_KILL_GRACE_MS, () => proc.kill('SIGKILL')));
      }),
    );
  }

  #exited(run: Run, exit: ScriptExit): void {
    if (run.done) return;
    run.done = true;
    for (const c of run.cancelTimers) c();
    if (this.#run !== run) return; // closed meanwhile
    this.#run = undefined;
    if (!run.timedOut) this.#record(exit);
  }

  #record(outcome: Outcome): void {
    if (this.#closed) return;
    const name = this.#script.name;
    const { rise, fall } = this.#script;
    if (outcome.type === 'exit' && outcome.code !== this.#lastStatus) {
      this.#log.info({ script: name }, `Script \`${name}\` now returning ${outcome.code}`);
      this.#lastStatus = outcome.code;
    }
    const before = this.status;
    const wasPending = this.#pending;
    this.#pending = false;
    if (outcome.type === 'exit' && outcome.code === 0) {
      if (this.#count < rise - 1) this.#count++;
      else {
        if (this.#count < rise) this.#log.info({ script: name }, `VRRP_Script(${name}) succeeded`);
        this.#count = rise + fall - 1;
      }
    } else if (this.#count > rise) {
      this.#count--;
    } else {
      if (this.#count === rise || wasPending)
        this.#log.info({ script: name }, `VRRP_Script(${name}) ${failure(outcome)}`);
      this.#count = 0;
    }
    const after = this.status;
    if (after.up !== before.up || after.pending !== before.pending) this.#opts.onChange?.(after);
  }
}

function failure(o: Outcome): string {
  switch (o.type) {
    case 'timeout':
      return 'timed_out';
    case 'exit':
      return `failed (exited with status ${o.code})`;
    case 'signal': {
      const n = (constants.signals[o.signal] as number | undefined) ?? 0;
      return `failed (due to signal ${n})`;
    }
    case 'error':
      return `failed (${o.message})`;
  }
}
