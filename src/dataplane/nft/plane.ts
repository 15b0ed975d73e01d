// The nftables kernel data plane: the daemon's virtual server table programmed into netdev
// (DR) and inet (NAT) tables. sync() rebuilds the wanted ruleset from the table (build.ts) and
// applies the difference from what the kernel has as one transaction, so unchanged services,
// their flows and counters are untouched. The first sync replaces every `tandem_*` table in
// the namespace (a crashed daemon's included); close() removes them. Other tables are never
// named.
//
// Every second the plane reads its counters back and adds the difference to the table
// (IpvsTable.absorbKernel) for `tandemadm -L --stats/--rate`, /metrics and the status; it also
// gives the table connection counts (DR: the flow maps; NAT: conntrack), and re-lays the slot
// maps of the schedulers that need those counts (slots.ts). Reading a large flow map or
// conntrack table costs time, so those reads back off to 20× their own duration; conntrack's
// table is read asynchronously (a file or a `conntrack -L` child), never more than one read at
// a time, and only its parsing runs on the event loop. A re-lay is a full build, diff and
// transaction (300–530 ms with 1,000 busy wlc services, bench:nft-update), so the next one
// waits 10× its time; its window is then every new connection since the last one.

import { existsSync } from 'node:fs';
import type { IpvsTable, ServiceSnapshot } from '../../ipvs/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Family } from '../../lib/inet.js';
import type { Logger } from '../../lib/log.js';
import type { DataPlane, DataPlaneStats } from '../plane.js';
import type { CloseResult } from '../proxy/plane.js';
import { buildRuleset, type Built, type BuiltService } from './build.js';
import { natSysctls, procSysctl, SysctlKeeper, type SysctlIo } from './forwarding.js';
import type { CounterValue } from './kernel-read.js';
import { defaultReader, type KernelReader } from './reader.js';
import { DestNumbers, isOwnTable, serviceId } from './names.js';
import { deleteScript, diffRuleset, replaceScript } from './ruleset.js';
import type { NftRunner } from './runner.js';
import type { SlotTable } from './slots.js';
import { refreshPeriod, type ObjectCache } from './keys.js';
import { approximationNote, type NftMethod } from './support.js';
import {
  absorbCounters,
  absorbFlowConnections,
  absorbNatConnections,
  hasNat,
  readConntrack,
} from './read-back.js';
import { parseConntrack } from './kernel-read.js';

/**
 * Default bound of each dynamic flow and persistence map (entries; memory is taken per entry,
 * not up front). A closed DR flow stays tcpfin (120 s) seconds: 4M entries hold 35k new
 * connections per second.
 */
export const DEFAULT_FLOWS_SIZE = 1 << 22;
const PERIOD_MS = 1000;
/** Connection-count reads wait at least this many times their own duration. */
const BACKOFF_FACTOR = 20;
/** Re-lays of the counting schedulers' slot maps wait at least this many times theirs. */
const RELAY_FACTOR = 10;

export interface NftPlaneOptions {
  readonly table: IpvsTable;
  readonly log: Logger;
  readonly clock: Clock;
  readonly runner: NftRunner;
  /** How counters and flow maps are read back (default: netlink, else nft listings). */
  readonly reader?: KernelReader;
  /** The interface an address is reached on (interfaces.ts). */
  readonly interfaceOf: (address: string, family: Family) => string | undefined;
  readonly interfaceExists?: (ifname: string) => boolean;
  /** The configured forwarding method of a service id (`tcp:10.0.0.1:80`). */
  readonly methodHint?: (id: string) => NftMethod | undefined;
  readonly masquerade?: boolean;
  readonly flowsSize?: number;
  /** conntrack's table as /proc/net/nf_conntrack prints it (default: read-back.ts). */
  readonly conntrack?: () => Promise<string | undefined>;
  readonly sysctl?: SysctlIo;
  /** Counter read period (default 1000 ms). */
  readonly periodMs?: number;
  /** DR rr/wrr/sh/dh/mh services without persistence: no flow map, every packet hashed. */
  readonly drStateless?: boolean;
}

interface Facts {
  transactions: number;
  failures: number;
  replaces: number;
  lastUpdateMs: number;
  maxUpdateMs: number;
  lastError: string;
  counterReads: number;
  counterReadMs: number;
}

/** A netdev chain on a missing interface fails the whole transaction: check first. */
export function interfaceExists(ifname: string): boolean {
  return /^[^/]+$/.test(ifname) && existsSync(`/sys/class/net/${ifname}`);
}

export class NftDataPlane implements DataPlane {
  readonly kind = 'nft';
  readonly #o: NftPlaneOptions;
  readonly #log: Logger;
  readonly #numbers = new DestNumbers();
  readonly #sysctls: SysctlKeeper;
  readonly #reader: KernelReader;
  readonly #warned = new Set<string>();
  readonly #facts: Facts = {
    transactions: 0,
    failures: 0,
    replaces: 0,
    lastUpdateMs: 0,
    maxUpdateMs: 0,
    lastError: '',
    counterReads: 0,
    counterReadMs: 0,
  };
  /** What the kernel has (undefined: unknown, the next apply replaces everything). */
  #current: Built | undefined;
  /** tandem_* tables found at start that the first apply removes. */
  #stale: { family: string; name: string }[] = [];
  /** Service ids of the last sync, so periodic re-lays program the same set. */
  #ids = new Set<string>();
  #lastCounters = new Map<string, Map<string, CounterValue>>();
  #windows = new Map<string, number>();
  /** New connections per counting service since the last re-lay. */
  #sinceRelay = new Map<string, number>();
  #nextRelay = 0;
  readonly #slotCache = new Map<string, { readonly sig: string; readonly slots: SlotTable }>();
  readonly #objectCache: ObjectCache = new Map();
  #nextConnRead = 0;
  #nextNatRead = 0;
  #natReading = false;
  /** The DR refresh period programmed last (dr.ts). */
  #epoch = 0;
  #skipped = 0;
  #stopTick: (() => void) | undefined;
  #closed = false;

  constructor(options: NftPlaneOptions) {
    this.#o = options;
    this.#log = options.log;
    this.#sysctls = new SysctlKeeper(options.sysctl ?? procSysctl());
    this.#reader = options.reader ?? defaultReader(options.runner);
    const listed = this.#reader.tables();
    if (listed !== undefined) {
      this.#stale = listed.filter((t) => isOwnTable(t.name));
      if (this.#stale.length > 0) {
        this.#log.info(
          { tables: this.#stale.map((t) => `${t.family} ${t.name}`) },
          'replacing nftables tables left by an earlier run',
        );
      }
    } else {
      this.#log.error({}, 'nftables tables cannot be listed');
    }
    this.#stopTick = options.clock.every(options.periodMs ?? PERIOD_MS, () => this.#tick());
  }

  /** Per-service options (PROXY protocol) concern the proxy only; a TypeScript method may omit them. */
  sync(services: readonly ServiceSnapshot[]): void {
    if (this.#closed) return;
    this.#ids = new Set(services.map(serviceId));
    this.#program(services);
  }

  release(): void {
    // Connections live in the kernel; the table has no entries of ours to release.
  }

  stats(): DataPlaneStats {
    const f = this.#facts;
    const built = this.#current;
    return {
      kernel: {
        runner: this.#o.runner.name,
        reader: this.#reader.name,
        tables: built?.ruleset.length ?? 0,
        services: built?.programmed.size ?? 0,
        skipped: this.#skipped,
        transactions: f.transactions,
        failures: f.failures,
        replaces: f.replaces,
        lastUpdateMs: round(f.lastUpdateMs),
        maxUpdateMs: round(f.maxUpdateMs),
        counterReads: f.counterReads,
        counterReadMs: round(f.counterReadMs),
        ...(f.lastError === '' ? {} : { lastError: f.lastError }),
      },
    };
  }

  close(): Promise<CloseResult> {
    if (!this.#closed) {
      this.#closed = true;
      this.#stopTick?.();
      const tables = [...(this.#current?.ruleset ?? []), ...this.#stale];
      if (tables.length > 0) {
        const r = this.#o.runner.apply(deleteScript(tables));
        if (!r.ok) this.#log.error({ error: r.error }, 'cannot remove the nftables tables');
      }
      this.#current = undefined;
      this.#sysctls.restore();
      this.#reader.close?.();
      this.#o.runner.close();
    }
    return Promise.resolve({ drained: 0, cut: 0 });
  }

  /** Build from `services` and bring the kernel in line: one transaction, or none. */
  #program(services: readonly ServiceSnapshot[]): void {
    const o = this.#o;
    this.#epoch = this.#currentEpoch();
    const next = buildRuleset(services, this.#numbers, {
      epoch: this.#epoch,
      drStateless: o.drStateless ?? false,
      interfaceOf: o.interfaceOf,
      interfaceExists: o.interfaceExists ?? interfaceExists,
      timeouts: o.table.timeouts(),
      flowsSize: o.flowsSize ?? DEFAULT_FLOWS_SIZE,
      masquerade: o.masquerade ?? false,
      ...(o.methodHint === undefined ? {} : { methodHint: o.methodHint }),
      windows: this.#windows,
      slotCache: this.#slotCache,
      objectCache: this.#objectCache,
    });
    this.#report(next);
    const prev = this.#current;
    const script =
      prev === undefined
        ? replaceScript(this.#stale, next.ruleset)
        : diffRuleset(prev.ruleset, next.ruleset).join('\n');
    if (script === '') {
      this.#current = next;
      return;
    }
    if (this.#run(script, prev === undefined)) {
      this.#current = next;
      this.#stale = [];
    } else if (prev !== undefined && this.#run(replaceScript(prev.ruleset, next.ruleset), true)) {
      // The kernel was not what we thought (someone deleted a table?): start over.
      this.#current = next;
    } else {
      this.#current = undefined;
      this.#stale = [...this.#stale, ...(prev?.ruleset ?? [])];
      return;
    }
    this.#forwarding(next);
  }

  #run(script: string, replace: boolean): boolean {
    const t0 = performance.now();
    const r = this.#o.runner.apply(script);
    const ms = performance.now() - t0;
    const f = this.#facts;
    f.transactions++;
    f.lastUpdateMs = ms;
    f.maxUpdateMs = Math.max(f.maxUpdateMs, ms);
    if (replace) f.replaces++;
    if (r.ok) {
      this.#log.debug({ ms: round(ms), lines: script.split('\n').length, replace }, 'nft update');
      return true;
    }
    f.failures++;
    if (r.error !== f.lastError) {
      this.#log.error({ error: r.error, replace }, 'nftables update failed');
    }
    f.lastError = r.error;
    return false;
  }

  #report(next: Built): void {
    this.#skipped = next.skipped.length;
    for (const s of next.skipped) {
      const key = `${s.id} ${s.reason}`;
      if (this.#warned.has(key)) continue;
      this.#warned.add(key);
      this.#log.warn(
        { vs: s.id, reason: s.reason },
        'the nft data plane cannot program this service; skipped',
      );
    }
    for (const id of next.counting) {
      const svc = next.programmed.get(id)?.planned.svc;
      const note = svc === undefined ? undefined : approximationNote(svc.scheduler);
      const key = `${id} approx ${svc?.scheduler ?? ''}`;
      if (note === undefined || this.#warned.has(key)) continue;
      this.#warned.add(key);
      this.#log.info({ vs: id }, note);
    }
  }

  #forwarding(built: Built): void {
    const nat = [...built.programmed.values()].filter((s) => s.method === 'nat');
    if (nat.length === 0) return;
    const families = new Set(nat.map((s) => s.planned.svc.family));
    const ifnames = new Set<string>();
    for (const s of nat) {
      const svc = s.planned.svc;
      for (const [a, f] of [
        [svc.address ?? '', svc.family],
        ...svc.dests.map((d) => [d.address, d.family] as const),
      ] as const) {
        const dev = this.#o.interfaceOf(a, f);
        if (dev !== undefined && (this.#o.interfaceExists ?? interfaceExists)(dev))
          ifnames.add(dev);
      }
    }
    const failed = this.#sysctls.apply(natSysctls(families, ifnames));
    const key = `sysctl ${failed.join(',')}`;
    if (failed.length > 0 && !this.#warned.has(key)) {
      this.#warned.add(key);
      this.#log.warn({ sysctls: failed }, 'cannot set the forwarding settings LVS-NAT needs');
    }
  }

  #tick(): void {
    if (this.#closed || this.#current === undefined) return;
    const built = this.#current;
    const t0 = performance.now();
    const read = absorbCounters(built, this.#reader, this.#o.table, this.#lastCounters);
    this.#lastCounters = read.last;
    const conns = read.newConnections;
    const now = this.#o.clock.now();
    if (now >= this.#nextConnRead) {
      const c0 = performance.now();
      absorbFlowConnections(built, this.#reader, this.#o.table);
      const ms = performance.now() - c0;
      this.#nextConnRead = now + Math.max(this.#o.periodMs ?? PERIOD_MS, BACKOFF_FACTOR * ms);
    }
    if (now >= this.#nextNatRead && !this.#natReading && hasNat(built)) this.#readNat();
    this.#facts.counterReads++;
    this.#facts.counterReadMs = performance.now() - t0;
    for (const id of built.counting) {
      this.#sinceRelay.set(id, (this.#sinceRelay.get(id) ?? 0) + (conns.get(id) ?? 0));
    }
    const newEpoch = this.#currentEpoch() !== this.#epoch;
    if ((built.counting.length > 0 && now >= this.#nextRelay) || newEpoch) {
      for (const id of built.counting) this.#windows.set(id, this.#sinceRelay.get(id) ?? 0);
      this.#sinceRelay.clear();
      const r0 = performance.now();
      const services = this.#o.table
        .snapshot()
        .services.filter((s) => s.fwmark === 0 && this.#ids.has(serviceId(s)));
      this.#program(services);
      const ms = performance.now() - r0;
      this.#nextRelay = now + Math.max(this.#o.periodMs ?? PERIOD_MS, RELAY_FACTOR * ms);
    }
  }

  /**
   * Reads conntrack's table without blocking the event loop, then gives the NAT real servers
   * their counts from it. The next read waits the period, at least the read's own duration,
   * and 20× the time parsing took on the event loop.
   */
  #readNat(): void {
    this.#natReading = true;
    const t0 = performance.now();
    const done = (text: string | undefined): void => {
      this.#natReading = false;
      const built = this.#current;
      if (this.#closed || built === undefined) return;
      const p0 = performance.now();
      // No table to read (no procfs file, no conntrack tool): every count is 0.
      absorbNatConnections(built, this.#o.table, parseConntrack(text ?? ''));
      const parsed = performance.now() - p0;
      this.#nextNatRead =
        this.#o.clock.now() +
        Math.max(this.#o.periodMs ?? PERIOD_MS, performance.now() - t0, BACKOFF_FACTOR * parsed);
    };
    (this.#o.conntrack ?? readConntrack)().then(done, () => done(undefined));
  }

  /** The DR flow maps' refresh period now (dr.ts): a new one rewrites the refresh tag. */
  #currentEpoch(): number {
    return Math.floor(this.#o.clock.now() / 1000 / refreshPeriod(this.#o.table.timeouts()));
  }

  /** For tests and the status: the services programmed now. */
  programmed(): ReadonlyMap<string, BuiltService> {
    return this.#current?.programmed ?? new Map();
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
