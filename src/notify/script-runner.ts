// Runs notify scripts without ever blocking the daemon (issue 8, reference §2.9, §5.6). keepalived
// fires scripts and forgets them, so two transitions' scripts can race (#996, #1055); here each
// object (instance, sync group, real server, virtual server — the caller's `key`) has its own
// queue: its scripts run one after another in event order, different objects run in parallel.
//
// Every run has a timeout (default 10 s, keepalived's startup/shutdown script default; keepalived
// has none for notify scripts, but an ordered queue needs one so a hung script cannot hold back
// its object forever): the process group gets SIGTERM, then SIGKILL after a 2 s grace, and the
// queue moves on. Queues are bounded; an event past the bound is dropped and counted.
//
// Who a script runs as: its own `user [group]`, else the default script user (script_user or
// keepalived_script, see script-security.ts), else the daemon's own user. Names are resolved by
// an injected function (src/sys/users.ts lookupUser fits) since notify may not import sys.

import type { ScriptSpec } from '../config/model.js';
import { systemClock, type Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import type { ScriptSecurity } from './script-security.js';
import {
  systemNotifySpawner,
  type NotifySpawner,
  type ScriptExit,
  type ScriptIds,
  type SpawnedScript,
} from './spawner.js';
import type { ScriptCall } from './vrrp-scripts.js';

export type ResolveUser = (
  user: string,
  group?: string,
) => Promise<
  { readonly ok: true; readonly ids: ScriptIds } | { readonly ok: false; readonly reason: string }
>;

export interface ScriptRunnerOptions {
  readonly log: Logger;
  readonly clock?: Clock;
  readonly spawner?: NotifySpawner;
  /** Needed as soon as a script or the default names a user. */
  readonly resolveUser?: ResolveUser;
  /** script_user / keepalived_script (script-security.ts defaultScriptUser); undefined: us. */
  readonly defaultUser?: { readonly user: string; readonly group?: string };
  /** The daemon's own ids, for scripts without a user (default: process.getuid/getgid). */
  readonly ownIds?: ScriptIds;
  readonly security?: ScriptSecurity;
  readonly timeoutMs?: number;
  readonly killGraceMs?: number;
  /** Waiting runs per object beyond the one running (default 64). */
  readonly maxQueued?: number;
}

export interface ScriptRunnerStats {
  started: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  dropped: number;
  refused: number;
}

export const NOTIFY_TIMEOUT_MS = 10_000;
export const NOTIFY_KILL_GRACE_MS = 2_000;

interface Job {
  readonly call: ScriptCall;
  readonly why: string;
}

interface Queue {
  readonly jobs: Job[];
  running: boolean;
}

export class ScriptRunner {
  readonly #o: ScriptRunnerOptions;
  readonly #clock: Clock;
  readonly #spawner: NotifySpawner;
  readonly #queues = new Map<string, Queue>();
  readonly #refusedLogged = new Set<string>();
  readonly #idle: (() => void)[] = [];
  readonly #stop = new Set<() => void>();
  #closed = false;
  readonly stats: ScriptRunnerStats = {
    started: 0,
    succeeded: 0,
    failed: 0,
    timedOut: 0,
    dropped: 0,
    refused: 0,
  };

  constructor(options: ScriptRunnerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#spawner = options.spawner ?? systemNotifySpawner;
  }

  /** Queues `call` behind `key`'s earlier runs; false when dropped (queue full or closed). */
  run(key: string, call: ScriptCall, why = call.keyword): boolean {
    if (this.#closed) return false;
    let q = this.#queues.get(key);
    if (q === undefined) {
      q = { jobs: [], running: false };
      this.#queues.set(key, q);
    }
    if (q.jobs.length >= (this.#o.maxQueued ?? 64)) {
      this.stats.dropped++;
      this.#o.log.warn(
        { key, script: call.script.command, why, dropped: this.stats.dropped },
        'notify script queue full, run dropped',
      );
      return false;
    }
    q.jobs.push({ call, why });
    if (!q.running) void this.#pump(key, q);
    return true;
  }

  /** Resolves once every queue is empty and nothing runs (tests, shutdown). */
  idle(): Promise<void> {
    if (this.#queues.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Drops waiting runs and SIGTERMs the running ones; later run() calls are refused. */
  close(): void {
    this.#closed = true;
    for (const q of this.#queues.values()) q.jobs.length = 0;
    for (const stop of [...this.#stop]) stop();
  }

  async #pump(key: string, q: Queue): Promise<void> {
    q.running = true;
    for (let job = q.jobs.shift(); job !== undefined; job = q.jobs.shift()) {
      try {
        await this.#one(job);
      } catch (err) {
        this.stats.failed++;
        this.#o.log.error({ err, script: job.call.script.command }, 'notify script failed');
      }
    }
    q.running = false;
    this.#queues.delete(key);
    if (this.#queues.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  async #ids(script: ScriptSpec): Promise<ScriptIds | string> {
    const who = script.user !== undefined ? script : this.#o.defaultUser;
    if (who?.user === undefined) {
      return this.#o.ownIds ?? { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
    }
    if (this.#o.resolveUser === undefined) return `no user lookup for ${who.user}`;
    const r = await this.#o.resolveUser(who.user, who.group);
    return r.ok ? r.ids : r.reason;
  }

  async #one(job: Job): Promise<void> {
    const { script, args } = job.call;
    const log = this.#o.log;
    const ids = await this.#ids(script);
    if (typeof ids === 'string') {
      this.#refuse(script, `cannot run as ${ids}`, ids);
      return;
    }
    const cmd = script.argv[0];
    if (cmd === undefined) return;
    if (this.#o.security !== undefined) {
      const v = await this.#o.security.admit(cmd, ids.uid);
      if (!v.ok) {
        this.#refuse(script, v.reason, v.detail);
        return;
      }
    }
    if (this.#closed) return;
    const argv = [...script.argv, ...args];
    this.stats.started++;
    const exit = await this.#spawn(argv, ids);
    const fields = { script: script.command, args, why: job.why };
    if (exit.type === 'timeout') {
      this.stats.timedOut++;
      log.warn(fields, 'notify script timed out; process group killed');
    } else if (exit.type === 'exit' && exit.code === 0) {
      this.stats.succeeded++;
      log.debug(fields, 'notify script finished');
    } else {
      this.stats.failed++;
      log.warn({ ...fields, exit }, 'notify script failed');
    }
  }

  #refuse(script: ScriptSpec, reason: string, detail: string): void {
    this.stats.refused++;
    // Once per script: a refused notify_master would otherwise log on every transition.
    if (this.#refusedLogged.has(script.command)) return;
    this.#refusedLogged.add(script.command);
    this.#o.log.error({ script: script.command, detail }, reason);
  }

  #spawn(argv: string[], ids: ScriptIds): Promise<ScriptExit | { readonly type: 'timeout' }> {
    const own = this.#o.ownIds?.uid ?? process.getuid?.();
    // Only switch user when it differs: a non-root daemon cannot setuid to itself-as-root.
    const as =
      ids.uid === own && ids.gid === (this.#o.ownIds?.gid ?? process.getgid?.()) ? undefined : ids;
    return new Promise((resolve) => {
      const run = { settled: false };
      let timedOut = false;
      const cancels: (() => void)[] = [];
      const settle = (e: ScriptExit | { readonly type: 'timeout' }): void => {
        if (run.settled) return;
        run.settled = true;
        for (const c of cancels) c();
        this.#stop.delete(terminate);
        resolve(e);
      };
      // SIGTERM to the group, SIGKILL after the grace; the queue moves on at the SIGKILL.
      const terminate = (): void => {
        if (run.settled) return;
        proc.kill('SIGTERM');
        cancels.push(
          this.#clock.setTimer(this.#o.killGraceMs ?? NOTIFY_KILL_GRACE_MS, () => {
            proc.kill('SIGKILL');
            settle({ type: 'timeout' });
          }),
        );
      };
      const proc: SpawnedScript = this.#spawner.spawn(argv, as, (e) =>
        settle(timedOut ? { type: 'timeout' } : e),
      );
      if (run.settled) return;
      this.#stop.add(terminate);
      cancels.push(
        this.#clock.setTimer(this.#o.timeoutMs ?? NOTIFY_TIMEOUT_MS, () => {
          timedOut = true;
          terminate();
        }),
      );
    });
  }
}
