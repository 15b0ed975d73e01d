// The kernel IPVS data plane (docs/ipvs-kernel.md): tandem's virtual server table programmed
// into the kernel over generic netlink, so the kernel forwards in NAT, DR or TUN mode. The table
// stays the model — checkers, reloads and tandemadm change it — and every sync() sends only the
// difference between the table and what this plane last programmed (sync-plan.ts). The kernel's
// counters and connection counts are read back on a timer into the table (absorbKernel), so
// `tandemadm -L --stats/--rate`, /metrics and the status show the kernel's traffic.
//
// Ownership: at the first sync, kernel services that the configuration names are adopted (their
// connections survive a restart of tandem) and brought to the configuration; services it does
// not name are left alone, unless lvs_flush empties the table first. At close, the services
// tandem programmed or adopted are removed — all of the table with lvs_flush_on_stop, nothing
// with --dont-release-ipvs (keepalived's -I).

import type { RawCounters } from '../../ipvs/index.js';
import type { IpvsTable, PlaneHooks, ServiceKey, ServiceSnapshot } from '../../ipvs/index.js';
import type { ConnSnapshot, Timeouts } from '../../ipvs/snapshot.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import type { IpvsKernel, IpvsResult } from '../../sys/ipvs-kernel.js';
import type { IpvsDest, IpvsDestSpec, IpvsServiceSpec } from '../../sys/ipvs-netlink.js';
import type { CloseResult } from '../proxy/plane.js';
import type { DataPlane, DataPlaneStats, KernelGlobals } from '../plane.js';
import { counterDelta, rawOf, ZERO_COUNTERS } from './counters.js';
import {
  destId,
  destSpecOfSnapshot,
  kernelKeyOf,
  serviceId,
  serviceSpecOfSnapshot,
  tableKeyOf,
} from './kernel-spec.js';
import { daemonOf, refusalOf } from './kernel-admin.js';
import { parseProcConns, readProcConns } from './proc-conns.js';
import { isGone, isMismatch, opLabel, QUIET, sendOp } from './sync-ops.js';
import { syncDaemonPlan } from './sync-daemons.js';
import {
  planSync,
  programmedService,
  wantedTable,
  type ProgrammedService,
  type SyncOp,
} from './sync-plan.js';

/** The kernel's estimator period: reading counters more often adds nothing. */
export const DEFAULT_POLL_MS = 2000;

export interface IpvsPlaneOptions {
  readonly table: IpvsTable;
  readonly log: Logger;
  readonly kernel: IpvsKernel;
  readonly clock: Clock;
  /** How often counters are read back and failed changes retried (default 2000 ms). */
  readonly pollMs?: number;
  /** False: leave tandem's services in the kernel at close (--dont-release-ipvs). */
  readonly release?: boolean;
  /** The text of /proc/net/ip_vs_conn; undefined when unreadable. */
  readonly readConns?: () => string | undefined;
}

interface Owned {
  spec: IpvsServiceSpec;
  readonly dests: Map<string, IpvsDestSpec>;
}

export interface IpvsPlaneCounters {
  syncs: number;
  requests: number;
  failures: number;
  polls: number;
  adopted: number;
}

export class IpvsDataPlane implements DataPlane {
  readonly kind = 'ipvs';
  readonly #k: IpvsKernel;
  readonly #table: IpvsTable;
  readonly #log: Logger;
  readonly #release: boolean;
  readonly #readConns: () => string | undefined;
  readonly #stopPoll: () => void;
  readonly #owned = new Map<string, Owned>();
  #wanted = new Map<string, ProgrammedService>();
  /** Kernel counters at the last read, by `serviceId/destId`. */
  readonly #lastRaw = new Map<string, RawCounters>();
  #lastTimeouts: Timeouts;
  #globals: KernelGlobals = { flushAtStart: false, flushOnStop: false, syncDaemons: [] };
  /** Sync daemons this plane started (stopped again at close). */
  readonly #ownDaemons = new Set<'master' | 'backup'>();
  #started = false;
  #closed = false;
  /** A change failed: the next poll tries the last sync again. */
  #dirty = false;
  /** `key|errno` of failures already logged, so a failing retry logs once. */
  readonly #reported = new Set<string>();
  #lastError: string | undefined;
  readonly #n: IpvsPlaneCounters = { syncs: 0, requests: 0, failures: 0, polls: 0, adopted: 0 };

  constructor(options: IpvsPlaneOptions) {
    this.#k = options.kernel;
    this.#table = options.table;
    this.#log = options.log;
    this.#release = options.release ?? true;
    this.#readConns = options.readConns ?? readProcConns;
    this.#lastTimeouts = options.table.timeouts();
    this.#stopPoll = options.clock.every(options.pollMs ?? DEFAULT_POLL_MS, () => this.poll());
  }

  /** lvs_flush, lvs_flush_on_stop, lvs_sync_daemon: before the first sync, and at reloads. */
  configure(globals: KernelGlobals): void {
    this.#globals = globals;
    // The sync daemons do not depend on the services: they follow at once, even with -P.
    if (!this.#closed) this.#syncDaemons();
  }

  sync(services: readonly ServiceSnapshot[]): void {
    if (this.#closed) return;
    this.#n.syncs++;
    this.#wanted = wantedTable(
      services.map((s) =>
        programmedService(serviceSpecOfSnapshot(s), s.dests.map(destSpecOfSnapshot)),
      ),
    );
    if (!this.#started) this.#start();
    this.#syncTimeouts();
    this.#apply();
  }

  /** Nothing to do: the kernel owns its connections. */
  release(): void {
    // The table holds no connections for a kernel plane.
  }

  stats(): DataPlaneStats {
    const n = this.#n;
    return {
      kernel: {
        services: this.#owned.size,
        dests: [...this.#owned.values()].reduce((a, s) => a + s.dests.size, 0),
        syncs: n.syncs,
        requests: n.requests,
        failures: n.failures,
        polls: n.polls,
        adopted: n.adopted,
        pending: this.#dirty,
        ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
      },
    };
  }

  /** The kernel's connection entries (`-L -c`), from /proc/net/ip_vs_conn. */
  connections(): ConnSnapshot[] {
    const text = this.#readConns();
    return text === undefined ? [] : parseProcConns(text);
  }

  /** What tandemadm's commands on the table take from the kernel. */
  adminHooks(): PlaneHooks {
    const k = this.#k;
    return {
      connections: () => this.connections(),
      daemons: () => {
        const r = k.daemons();
        return r.ok ? r.value : [];
      },
      refresh: () => this.poll(),
      zero: (service) => {
        const r = this.zero(service);
        return r.ok ? undefined : refusalOf(r);
      },
      startDaemon: (d) => {
        const r = k.startDaemon(daemonOf(d));
        return r.ok ? undefined : refusalOf(r);
      },
      stopDaemon: (state) => {
        const r = k.stopDaemon(state);
        if (r.ok) this.#ownDaemons.delete(state);
        return r.ok ? undefined : refusalOf(r);
      },
    };
  }

  /** Zero the kernel's counters along with the table's (`-Z`). */
  zero(service?: ServiceKey): IpvsResult<void> {
    const key = service === undefined ? undefined : kernelKeyOf(service);
    const r = this.#k.zero(key);
    if (r.ok) {
      for (const id of [...this.#lastRaw.keys()]) {
        if (key === undefined || id.startsWith(`${serviceId(key)}/`))
          this.#lastRaw.set(id, { ...ZERO_COUNTERS });
      }
    }
    return r;
  }

  /** Read the kernel's counters and connection counts into the table; retry failed changes. */
  poll(): void {
    if (this.#closed || !this.#started) return;
    this.#n.polls++;
    if (this.#dirty) this.#apply();
    const present = this.#k.services();
    if (!present.ok) {
      this.#fail('poll', present.code, present.message);
      return;
    }
    const inKernel = new Set(present.value.map((s) => serviceId(s)));
    let drift = false;
    for (const [id, owned] of this.#owned) {
      if (!inKernel.has(id)) {
        drift = true;
        this.#owned.delete(id);
        continue;
      }
      const dests = this.#k.dests(owned.spec);
      if (!dests.ok) continue;
      this.#absorb(owned.spec, dests.value);
      const kernelIds = new Set(dests.value.map(destId));
      if (
        kernelIds.size !== owned.dests.size ||
        [...owned.dests.keys()].some((d) => !kernelIds.has(d))
      ) {
        drift = true;
        this.#adopt(id, owned.spec, dests.value);
      }
    }
    if (drift) {
      this.#log.warn({}, 'the kernel IPVS table was changed outside tandem; reprogramming it');
      this.#apply();
    }
  }

  async close(): Promise<CloseResult> {
    if (this.#closed) return { drained: 0, cut: 0 };
    this.#closed = true;
    this.#stopPoll();
    if (this.#started && this.#globals.flushOnStop) {
      this.#request('flush', () => this.#k.flush());
      this.#log.info({}, 'kernel IPVS table flushed (lvs_flush_on_stop)');
    } else if (this.#started && this.#release) {
      for (const owned of this.#owned.values()) {
        this.#request(serviceId(owned.spec), () => this.#k.delService(owned.spec));
      }
      this.#log.info({ services: this.#owned.size }, 'services removed from the kernel IPVS table');
    } else if (this.#started) {
      this.#log.info({ services: this.#owned.size }, 'services left in the kernel IPVS table');
    }
    if (this.#release) for (const state of this.#ownDaemons) this.#k.stopDaemon(state);
    this.#owned.clear();
    this.#k.close();
    return Promise.resolve({ drained: 0, cut: 0 });
  }

  // --- internals ---

  /** First sync: lvs_flush, adoption of configured services, timeouts, sync daemons. */
  #start(): void {
    this.#started = true;
    if (this.#globals.flushAtStart) {
      this.#request('flush', () => this.#k.flush());
      this.#log.info({}, 'kernel IPVS table flushed (lvs_flush)');
    }
    const present = this.#k.services();
    if (present.ok) {
      let foreign = 0;
      for (const svc of present.value) {
        const id = serviceId(svc);
        if (!this.#wanted.has(id)) {
          foreign++;
          continue;
        }
        const dests = this.#k.dests(svc);
        this.#adopt(id, svc, dests.ok ? dests.value : []);
        this.#n.adopted++;
      }
      if (this.#n.adopted > 0)
        this.#log.info(
          { services: this.#n.adopted },
          'adopted configured services already in the kernel',
        );
      if (foreign > 0)
        this.#log.info(
          { services: foreign },
          'kernel services not in the configuration left alone',
        );
    } else {
      this.#fail('services', present.code, present.message);
    }
    // The kernel's timeouts stand unless the configuration (or tandemadm --set) changes them.
    const t = this.#k.timeouts();
    if (t.ok && sameTimeouts(this.#table.timeouts(), this.#lastTimeouts)) {
      this.#table.setTimeouts(t.value);
      this.#lastTimeouts = this.#table.timeouts();
    }
  }

  /** Take the kernel's state of one service as what is programmed. */
  #adopt(id: string, spec: IpvsServiceSpec, dests: readonly IpvsDest[]): void {
    this.#owned.set(id, { spec, dests: new Map(dests.map((d) => [destId(d), d])) });
    // Traffic before adoption is not tandem's to count.
    for (const d of dests) this.#lastRaw.set(`${id}/${destId(d)}`, rawOf(d.stats));
  }

  #syncTimeouts(): void {
    const now = this.#table.timeouts();
    if (sameTimeouts(now, this.#lastTimeouts)) return;
    const last = this.#lastTimeouts;
    const change = {
      tcp: now.tcp === last.tcp ? 0 : now.tcp,
      tcpfin: now.tcpfin === last.tcpfin ? 0 : now.tcpfin,
      udp: now.udp === last.udp ? 0 : now.udp,
    };
    if (this.#request('timeouts', () => this.#k.setTimeouts(change)).ok) this.#lastTimeouts = now;
  }

  #syncDaemons(): void {
    const running = this.#k.daemons();
    if (!running.ok) {
      this.#fail('daemons', running.code, running.message);
      return;
    }
    const plan = syncDaemonPlan(running.value, this.#globals.syncDaemons, this.#ownDaemons);
    for (const state of plan.stop) {
      if (this.#request(`daemon ${state}`, () => this.#k.stopDaemon(state)).ok)
        this.#ownDaemons.delete(state);
    }
    for (const d of plan.start) {
      if (this.#request(`daemon ${d.state}`, () => this.#k.startDaemon(d)).ok) {
        this.#ownDaemons.add(d.state);
        this.#log.info({ ...d }, 'connection sync daemon started');
      }
    }
  }

  /** Plan from what is owned to what is wanted, and send it; one repair pass on mismatches. */
  #apply(): void {
    this.#dirty = false;
    const stale = this.#run(planSync(this.#owned, this.#wanted));
    if (stale.size === 0) return;
    // The kernel was not as thought: read those services back and plan them again.
    const have = new Map<string, ProgrammedService>();
    const want = new Map<string, ProgrammedService>();
    for (const id of stale) {
      const w = this.#wanted.get(id);
      if (w === undefined) continue;
      want.set(id, w);
      const svc = this.#k.service(w.spec);
      if (!svc.ok) {
        this.#owned.delete(id);
        continue;
      }
      const dests = this.#k.dests(w.spec);
      this.#adopt(id, svc.value, dests.ok ? dests.value : []);
      const owned = this.#owned.get(id);
      if (owned !== undefined) have.set(id, owned);
    }
    const again = this.#run(planSync(have, want));
    if (again.size > 0) this.#dirty = true;
  }

  /** Send operations in order; returns the services whose kernel state was not as planned. */
  #run(ops: readonly SyncOp[]): Set<string> {
    const stale = new Set<string>();
    const failed = new Set<string>();
    for (const op of ops) {
      const id = serviceId(op.service);
      if (failed.has(id) || stale.has(id)) continue;
      const r = this.#request(opLabel(op), () => sendOp(this.#k, op), QUIET[op.op]);
      if (r.ok || isGone(op, r.code)) {
        this.#record(op);
        continue;
      }
      if (isMismatch(op, r.code)) {
        stale.add(id);
        continue;
      }
      failed.add(id);
      this.#dirty = true;
    }
    return stale;
  }

  /** One kernel call with accounting; failures logged once per key and errno. */
  #request<T>(
    what: string,
    call: () => IpvsResult<T>,
    quiet: readonly string[] = [],
  ): IpvsResult<T> {
    this.#n.requests++;
    const r = call();
    if (r.ok) {
      for (const k of [...this.#reported]) if (k.startsWith(`${what}|`)) this.#reported.delete(k);
      return r;
    }
    if (!quiet.includes(r.code)) this.#fail(what, r.code, r.message);
    return r;
  }

  #fail(what: string, code: string, message: string): void {
    this.#n.failures++;
    this.#lastError = `${what}: ${code}`;
    const key = `${what}|${code}`;
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.#log.error({ what, code }, `kernel IPVS request failed: ${message}`);
  }

  /** What a successful operation changed. */
  #record(op: SyncOp): void {
    const id = serviceId(op.service);
    switch (op.op) {
      case 'new-service':
      case 'set-service': {
        const owned = this.#owned.get(id);
        if (owned === undefined) this.#owned.set(id, { spec: op.service, dests: new Map() });
        else owned.spec = op.service;
        return;
      }
      case 'del-service':
        this.#owned.delete(id);
        for (const k of [...this.#lastRaw.keys()])
          if (k.startsWith(`${id}/`)) this.#lastRaw.delete(k);
        return;
      case 'new-dest':
      case 'set-dest': {
        const did = destId(op.dest);
        this.#owned.get(id)?.dests.set(did, op.dest);
        // A destination tandem creates starts from zero: all its traffic is counted.
        if (op.op === 'new-dest') this.#lastRaw.set(`${id}/${did}`, { ...ZERO_COUNTERS });
        return;
      }
      case 'del-dest':
        this.#owned.get(id)?.dests.delete(destId(op.dest));
        this.#lastRaw.delete(`${id}/${destId(op.dest)}`);
        return;
    }
  }

  /** One service's destinations as the kernel counts them, into the table. */
  #absorb(spec: IpvsServiceSpec, dests: readonly IpvsDest[]): void {
    const key = tableKeyOf(spec);
    if (key === undefined) return;
    const id = serviceId(spec);
    for (const d of dests) {
      const rid = `${id}/${destId(d)}`;
      const now = rawOf(d.stats);
      const delta = counterDelta(this.#lastRaw.get(rid) ?? ZERO_COUNTERS, now);
      this.#lastRaw.set(rid, now);
      this.#table.absorbKernel(
        key,
        { address: d.address, port: d.port },
        {
          ...(delta === undefined ? {} : { delta }),
          activeConns: d.activeConns,
          inactConns: d.inactConns,
        },
      );
    }
  }
}

function sameTimeouts(a: Timeouts, b: Timeouts): boolean {
  return a.tcp === b.tcp && a.tcpfin === b.tcpfin && a.udp === b.udp;
}
