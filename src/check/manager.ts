// The checker subsystem for a whole configuration: one runner per checker, each real server alive
// while all its checkers are UP, each virtual server's pool derived from that (health.ts) and
// written through the injected PoolWriter (the daemon applies it to the table: src/check never
// sees src/ipvs). Reload keeps the runners, and so the UP/DOWN state, of every checker whose
// definition did not change: a healthy server stays in, a failed one stays out. The runners run
// in this thread or, with `workers`, sharded over worker threads (shards.ts) so that probe load
// never stalls the data plane on the main thread; either way health state stays here.

import type { Checker, Config, RealServer, ScriptSpec, VirtualServer } from '../config/model.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import type { CheckEvent, CheckEventListener } from './events.js';
import {
  desiredDests,
  evaluateQuorum,
  rsKey,
  rsTransitionLine,
  weightSum,
  type DesiredDest,
  type VsState,
  type VsStatus,
} from './health.js';
import { rsLabel, vsLabel } from './labels.js';
import type { Probe } from './probe.js';
import { CheckerRunner } from './runner.js';
import { CheckerShards, type RunnerHandle } from './shards.js';
import { checkerId, runnerSpec, specRunner } from './spec.js';

/** How a checker becomes a probe; undefined when the type cannot run here (logged once). */
export type ProbeFactory = (
  checker: Checker,
  cx: { readonly vs: VirtualServer; readonly rs: RealServer; readonly config: Config },
) => { readonly create: () => Probe; readonly guardMs: number } | undefined;

export interface PoolWriter {
  /** Make the table's destinations of `vs` exactly `dests`. */
  apply(vs: VirtualServer, dests: readonly DesiredDest[]): void;
}

export interface ManagerOptions {
  readonly clock: Clock;
  readonly random: () => number;
  readonly log: Logger;
  readonly probes: ProbeFactory;
  readonly writer: PoolWriter;
  readonly runScript: (script: ScriptSpec, why: string) => void;
  /** Worker threads for the runners (shards.ts; system clock); 0/absent: here, on `clock`. */
  readonly workers?: number;
  /**
   * ha_suspend: a test for "is this address configured on this host", made from one reading of
   * the host's addresses (absent: every address is local).
   */
  readonly localAddresses?: () => (address: string) => boolean;
}

interface Entry {
  readonly id: string;
  readonly type: Checker['type'];
  readonly vs: VirtualServer;
  readonly rs: RealServer;
  readonly runner: RunnerHandle;
}

export class CheckManager {
  readonly #o: ManagerOptions;
  #config: Config | undefined;
  #entries = new Map<string, Entry>();
  /** Entries by `vs.key|rsKey`, so a transition looks only at its own server's checkers. */
  #byServer = new Map<string, Entry[]>();
  readonly #vs = new Map<string, VsState>();
  readonly #listeners = new Set<CheckEventListener>();
  readonly #unsupported = new Set<string>();
  readonly #started = new WeakSet<RunnerHandle>();
  readonly #shards: CheckerShards | undefined;
  /** Virtual servers whose checkers are suspended (ha_suspend and the VIP is not local). */
  #suspended = new Set<string>();

  constructor(o: ManagerOptions) {
    this.#o = o;
    const count = o.workers ?? 0;
    if (count > 0)
      this.#shards = new CheckerShards({
        count,
        clock: o.clock,
        log: o.log,
        onTransition: (id) => this.#changed(id),
        onWeight: (id, w) => this.#weight(id, w),
      });
  }

  onEvent(fn: CheckEventListener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #emit(e: CheckEvent): void {
    for (const fn of this.#listeners) fn(e);
  }

  /** Start checking `config` (first call) or move to a reloaded one (later calls). */
  load(config: Config): void {
    const first = this.#config === undefined;
    this.#config = config;
    this.#suspended = this.#suspendedIn(config);
    const old = this.#entries;
    const next = new Map<string, Entry>();
    const vsKeys = new Set<string>();
    for (const vs of config.virtualServers) {
      vsKeys.add(vs.key);
      const prev = this.#vs.get(vs.key);
      const st: VsState = { quorumUp: prev?.quorumUp ?? true, rs: new Map() };
      this.#vs.set(vs.key, st);
      for (const rs of vs.realServers) {
        const before = prev?.rs.get(rsKey(rs));
        const weight = before?.configured === rs.weight ? before.weight : rs.weight;
        const suspended = this.#suspended.has(vs.key);
        // Suspended: no checks run and each server keeps the state it had.
        st.rs.set(rsKey(rs), {
          alive: suspended ? (before?.alive ?? true) : true,
          weight,
          configured: rs.weight,
        });
        if (suspended) continue;
        rs.checkers.forEach((c, i) => {
          const id = checkerId(vs, rs, i, c);
          const kept = old.get(id);
          if (kept !== undefined) {
            old.delete(id);
            next.set(id, { ...kept, vs, rs });
            return;
          }
          const entry = this.#newEntry(id, vs, rs, c, config);
          if (entry !== undefined) next.set(id, entry);
        });
      }
    }
    for (const e of old.values()) {
      if (this.#suspended.has(e.vs.key)) {
        this.#o.log.info(
          { vs: e.vs.key },
          `Deactivating healthchecker for service ${rsLabel(e.vs, e.rs)} for VS ${vsLabel(e.vs)}`,
        );
      }
      e.runner.stop();
    }
    for (const key of [...this.#vs.keys()]) if (!vsKeys.has(key)) this.#vs.delete(key);
    this.#entries = next;
    this.#byServer = new Map();
    for (const e of next.values()) {
      const k = `${e.vs.key}|${rsKey(e.rs)}`;
      const list = this.#byServer.get(k);
      if (list === undefined) this.#byServer.set(k, [e]);
      else list.push(e);
    }
    for (const vs of config.virtualServers) {
      const st = this.#vs.get(vs.key);
      if (st === undefined) continue;
      if (!this.#suspended.has(vs.key)) {
        for (const rs of vs.realServers) this.#refreshAlive(vs, rs, st);
      }
      const q = evaluateQuorum(vs, st);
      if (q !== undefined) {
        st.quorumUp = q.quorumUp;
        if (first && !q.quorumUp) {
          this.#o.log.info({ vs: vs.key }, `Starting with quorum down for VS ${vsLabel(vs)}`);
        } else this.#quorumChanged(vs, st, q.quorumUp, q.lines);
      }
      this.#o.writer.apply(vs, desiredDests(vs, st));
    }
    for (const e of next.values()) {
      if (!old.has(e.id) && !this.#started.has(e.runner)) {
        this.#started.add(e.runner);
        this.#o.log.info(
          { vs: e.vs.key },
          `Activating healthchecker for service ${rsLabel(e.vs, e.rs)} for VS ${vsLabel(e.vs)}`,
        );
        e.runner.start();
      }
    }
    this.#shards?.flush(config);
  }

  #newEntry(
    id: string,
    vs: VirtualServer,
    rs: RealServer,
    c: Checker,
    config: Config,
  ): Entry | undefined {
    const made = this.#o.probes(c, { vs, rs, config });
    if (made === undefined) {
      if (!this.#unsupported.has(c.type)) {
        this.#unsupported.add(c.type);
        this.#o.log.warn({ checker: c.type }, `${c.type} is not supported; treated as always up`);
      }
      return undefined;
    }
    const logAllFailures = config.global.checkerLogAllFailures;
    const spec = runnerSpec(id, c, { vs, rs, guardMs: made.guardMs, logAllFailures });
    // In a worker the probe is rebuilt there from the same checker (functions do not cross).
    const runner =
      this.#shards?.runner(spec) ??
      specRunner(spec, made.create(), {
        clock: this.#o.clock,
        random: this.#o.random,
        log: this.#o.log,
        onTransition: () => this.#changed(id),
        onWeight: (w) => this.#weight(id, w),
      });
    return { id, type: c.type, vs, rs, runner };
  }

  /** Recompute `alive` from the server's runners; true when it changed. */
  #refreshAlive(vs: VirtualServer, rs: RealServer, st: VsState): boolean {
    const s = st.rs.get(rsKey(rs));
    if (s === undefined) return false;
    let alive = true;
    for (const e of this.#byServer.get(`${vs.key}|${rsKey(rs)}`) ?? []) alive &&= e.runner.up;
    const changed = s.alive !== alive;
    s.alive = alive;
    return changed;
  }

  #changed(id: string): void {
    const e = this.#entries.get(id);
    if (e === undefined) return;
    const { vs, rs } = e;
    const st = this.#vs.get(vs.key);
    if (st === undefined || !this.#refreshAlive(vs, rs, st)) return;
    const alive = st.rs.get(rsKey(rs))?.alive === true;
    const line = rsTransitionLine(vs, rs, st, alive);
    if (line !== undefined) this.#o.log.info({ vs: vs.key, rs: rsKey(rs) }, line);
    this.#emit({
      type: alive ? 'rs-up' : 'rs-down',
      vs: vs.key,
      vsLabel: vsLabel(vs),
      rs: rsKey(rs),
      rsLabel: rsLabel(vs, rs),
      checker: e.type,
      inhibited: rs.inhibitOnFailure,
    });
    const script = alive ? rs.notifyUp : rs.notifyDown;
    if (script !== undefined) this.#o.runScript(script, alive ? 'notify_up' : 'notify_down');
    this.#afterChange(vs, st);
  }

  #weight(id: string, w: number): void {
    const e = this.#entries.get(id);
    const st = e === undefined ? undefined : this.#vs.get(e.vs.key);
    const s = e === undefined ? undefined : st?.rs.get(rsKey(e.rs));
    if (e === undefined || st === undefined || s === undefined || s.weight === w) return;
    const from = s.weight;
    s.weight = w;
    this.#o.log.info(
      { vs: e.vs.key, rs: rsKey(e.rs) },
      `Changing weight from ${from} to ${w} for ${s.alive ? 'active' : 'inactive'} service ${rsLabel(e.vs, e.rs)} of VS ${vsLabel(e.vs)}`,
    );
    this.#emit({
      type: 'rs-weight',
      vs: e.vs.key,
      vsLabel: vsLabel(e.vs),
      rs: rsKey(e.rs),
      rsLabel: rsLabel(e.vs, e.rs),
      from,
      to: w,
    });
    this.#afterChange(e.vs, st);
  }

  #afterChange(vs: VirtualServer, st: VsState): void {
    const q = evaluateQuorum(vs, st);
    if (q !== undefined) {
      st.quorumUp = q.quorumUp;
      this.#quorumChanged(vs, st, q.quorumUp, q.lines);
    }
    this.#o.writer.apply(vs, desiredDests(vs, st));
  }

  #quorumChanged(vs: VirtualServer, st: VsState, up: boolean, lines: readonly string[]): void {
    for (const line of lines) this.#o.log.info({ vs: vs.key }, line);
    this.#emit({
      type: up ? 'quorum-up' : 'quorum-down',
      vs: vs.key,
      vsLabel: vsLabel(vs),
      weightSum: weightSum(vs, st),
    });
    const script = up ? vs.quorumUp : vs.quorumDown;
    if (script !== undefined) this.#o.runScript(script, up ? 'quorum_up' : 'quorum_down');
  }

  /** Per virtual server: quorum and each real server's state, for status views. */
  status(): VsStatus[] {
    return [...this.#vs].map(([vs, st]) => ({
      vs,
      quorumUp: st.quorumUp,
      rs: [...st.rs].map(([rs, s]) => ({ rs, alive: s.alive, weight: s.weight })),
    }));
  }

  /** Attempts made so far and recent schedule lateness samples (ms), over every runner. */
  timing(): { attempts: number; lateMs: number[] } {
    if (this.#shards !== undefined) return this.#shards.timing();
    let attempts = 0;
    const lateMs: number[] = [];
    for (const { runner } of this.#entries.values()) {
      if (!(runner instanceof CheckerRunner)) continue;
      attempts += runner.attempts;
      lateMs.push(...runner.lateMs);
    }
    return { attempts, lateMs };
  }

  #suspendedIn(config: Config): Set<string> {
    const out = new Set<string>();
    const suspendable = config.virtualServers.filter((vs) => vs.haSuspend);
    if (this.#o.localAddresses === undefined || suspendable.length === 0) return out;
    // One reading of the host's addresses per refresh, and none without ha_suspend.
    const isLocal = this.#o.localAddresses();
    for (const vs of suspendable) {
      if (vs.address.kind === 'ip' && !isLocal(vs.address.address)) out.add(vs.key);
    }
    return out;
  }

  /** ha_suspend: re-check which VIPs are local; suspend or resume checkers when that changed. */
  refreshLocal(): void {
    const config = this.#config;
    if (config === undefined) return;
    const now = this.#suspendedIn(config);
    const same = now.size === this.#suspended.size && [...now].every((k) => this.#suspended.has(k));
    if (!same) this.load(config);
  }

  /** Per stats period and worker, the longest event-loop delay (ms); empty in-thread. */
  workerLoopMax(): number[] {
    return this.#shards?.workerLoopMax() ?? [];
  }

  /** Forget the lateness samples so far (a benchmark's measurement window starts). */
  resetTiming(): void {
    this.#shards?.resetTiming();
    for (const { runner } of this.#entries.values()) {
      if (runner instanceof CheckerRunner) runner.lateMs = [];
    }
  }

  /** omega: notify_down / quorum_down at shutdown; always stop every runner. */
  stop(): void {
    for (const e of this.#entries.values()) e.runner.stop();
    this.#shards?.close();
    for (const vs of this.#config?.virtualServers ?? []) {
      if (!vs.omega) continue;
      for (const rs of vs.realServers)
        if (rs.notifyDown !== undefined) this.#o.runScript(rs.notifyDown, 'notify_down (omega)');
      if (vs.quorumDown !== undefined) this.#o.runScript(vs.quorumDown, 'quorum_down (omega)');
    }
  }
}
