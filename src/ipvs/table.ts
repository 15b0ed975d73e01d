// The virtual server table: services, destinations, connections, statistics and timeouts
// behind one long-lived object (shared/reference/ipvs.md §0–§5). It is pure — no I/O, time
// from the injected clock, schedulers from the injected lookup — and the runtime drives it:
// data planes call inbound()/outbound() per packet, the daemon calls advance() periodically
// (timers and the 2 s estimator), the control socket reads snapshot()/connections().

import type { LvsSched } from '../config/model.js';
import { AddrPool } from './addr-pool.js';
import { applyPacket, destOf, expireDue } from './conn-table.js';
import { ConnStore } from './conn-store.js';
import { ESTIMATOR_PERIOD_MS } from './estimator.js';
import {
  inbound,
  lookupConn,
  targetOf,
  type ForwardTarget,
  type InboundPacket,
  type InboundVerdict,
} from './inbound.js';
import type { KernelDestUpdate, Service, Sysctls, TableOptions, TableState } from './model.js';
import type { PacketKey } from './schedule.js';
import {
  addDest,
  addService,
  deleteDest,
  deleteService,
  editDest,
  editService,
  findDest,
  findServiceByKey,
  serviceId,
  type DestKey,
  type DestSpec,
  type ServiceKey,
  type ServiceSpec,
} from './services.js';
import type { ConnSnapshot, ServiceSnapshot, TableSnapshot, Timeouts } from './snapshot.js';
import { addCounters, newStats, tickStats, zeroStats, type Stats } from './stats.js';
import { connSnapshot, serviceSnapshot, tableSnapshot } from './table-snapshot.js';
import { defaultTimeoutTable, getTimeouts, setTimeouts } from './timeouts.js';
import { TimerWheel } from './timer-wheel.js';
import type { Family } from '../lib/inet.js';
import type { Direction } from './tcp-state.js';

/** After this many missed estimator periods every average has decayed to 0. */
const MAX_CATCH_UP_TICKS = 256;

export class IpvsTable {
  readonly #st: TableState;
  readonly #onChange: (() => void) | undefined;

  constructor(options: TableOptions) {
    const now = options.now();
    this.#onChange = options.onChange;
    const random = options.random ?? ((n: number) => Math.floor(Math.random() * n));
    const capacity = options.initialCapacity ?? 1024;
    const store = new ConnStore(capacity, random(0x7fffffff));
    this.#st = {
      now: options.now,
      random,
      schedulers: options.schedulers,
      sysctl: {
        expireNodestConn: options.expireNodestConn ?? false,
        expireQuiescentTemplate: options.expireQuiescentTemplate ?? false,
        connReuseMode: options.connReuseMode ?? 1,
        sloppyTcp: options.sloppyTcp ?? false,
      },
      services: new Map(),
      dests: [],
      freeDestSlots: [],
      trash: new Map(),
      store,
      wheel: new TimerWheel(now, store.capacity),
      addrs: new AddrPool(),
      timeouts: defaultTimeoutTable(),
      totals: newStats(),
      nextEstimate: now + ESTIMATOR_PERIOD_MS,
      onRelease: options.onRelease,
    };
  }

  // --- configuration (ipvsadm -A -E -D -C -a -e -d -Z --set) ---

  addService(spec: ServiceSpec): void {
    addService(this.#st, spec);
    this.#onChange?.();
  }

  editService(spec: ServiceSpec): void {
    editService(this.#st, spec);
    this.#onChange?.();
  }

  deleteService(key: ServiceKey): void {
    deleteService(this.#st, key);
    this.#onChange?.();
  }

  /** `-C`: delete every service; connections die by their timers. */
  flush(): void {
    for (const svc of [...this.#st.services.values()]) deleteService(this.#st, keyOf(svc));
    this.#onChange?.();
  }

  addDest(service: ServiceKey, spec: DestSpec): void {
    addDest(this.#st, service, spec);
    this.#onChange?.();
  }

  editDest(service: ServiceKey, spec: DestSpec): void {
    editDest(this.#st, service, spec);
    this.#onChange?.();
  }

  deleteDest(service: ServiceKey, dest: DestKey & { readonly family?: Family }): void {
    deleteDest(this.#st, service, dest);
    this.#onChange?.();
  }

  hasService(key: ServiceKey): boolean {
    try {
      findServiceByKey(this.#st, key);
      return true;
    } catch {
      return false;
    }
  }

  /** `-Z [service]`: a service and its destinations, or everything including the totals. */
  zero(service?: ServiceKey): void {
    const all: Stats[] = [];
    if (service !== undefined) {
      const svc = findServiceByKey(this.#st, service);
      all.push(svc.stats, ...svc.dests.map((d) => d.stats));
    } else {
      all.push(this.#st.totals);
      for (const svc of this.#st.services.values()) {
        all.push(svc.stats, ...svc.dests.map((d) => d.stats));
      }
    }
    for (const s of all) zeroStats(s);
  }

  /**
   * Kernel data planes: traffic the kernel counted for one destination since the last call
   * (added to the destination, its service and the totals, so -Z and the rates work as for the
   * proxy), and the kernel's current connection counts when it has them. False when the service
   * or destination is not in the table (it went between the kernel read and this call).
   */
  absorbKernel(service: ServiceKey, dest: DestKey, update: KernelDestUpdate): boolean {
    const st = this.#st;
    const svc = st.services.get(serviceId(service));
    const d = svc === undefined ? undefined : findDest(svc, dest, svc.family);
    if (svc === undefined || d === undefined) return false;
    if (update.delta !== undefined) {
      for (const s of [d.stats, svc.stats, st.totals]) addCounters(s, update.delta);
    }
    if (update.activeConns !== undefined || update.inactConns !== undefined) {
      d.activeConns = update.activeConns ?? d.activeConns;
      d.inactConns = update.inactConns ?? d.inactConns;
      if (d.available) svc.scheduler.countsChanged(d);
    }
    return true;
  }

  timeouts(): Timeouts {
    return getTimeouts(this.#st.timeouts);
  }

  /** `--set tcp tcpfin udp` (seconds; 0 or absent keeps a value). */
  setTimeouts(update: Partial<Timeouts>): void {
    setTimeouts(this.#st.timeouts, update);
  }

  sysctls(): Sysctls {
    return { ...this.#st.sysctl };
  }

  setSysctls(update: Partial<Sysctls>): void {
    Object.assign(this.#st.sysctl, update);
  }

  // --- data plane ---

  /** A client→server packet: existing connection, new connection, or a verdict. */
  inbound(pkt: InboundPacket): InboundVerdict {
    return inbound(this.#st, pkt);
  }

  /** A server→client packet of connection `conn` (NAT replies). False if the entry is gone. */
  outbound(conn: number, tcpFlags: number, bytes: number): boolean {
    return this.packet(conn, 'out', tcpFlags, bytes);
  }

  /** A packet of a known connection id in either direction. */
  packet(conn: number, dir: Direction, tcpFlags: number, bytes: number): boolean {
    const st = this.#st;
    if (!st.store.inUse(conn) || destOf(st, conn) === undefined) return false;
    applyPacket(st, conn, dir, tcpFlags, bytes);
    return true;
  }

  /** The live connection id for a packet's inbound key, or -1. */
  lookup(pkt: PacketKey): number {
    return lookupConn(this.#st, pkt);
  }

  target(conn: number): ForwardTarget | undefined {
    return this.#st.store.inUse(conn) ? targetOf(this.#st, conn) : undefined;
  }

  /** Run due timers and estimator ticks up to `now` (default: the clock). */
  advance(now = this.#st.now()): { expired: number } {
    const st = this.#st;
    let ticks = 0;
    while (now >= st.nextEstimate) {
      if (ticks++ < MAX_CATCH_UP_TICKS) this.#estimate();
      st.nextEstimate += ESTIMATOR_PERIOD_MS;
    }
    return { expired: expireDue(st, now) };
  }

  #estimate(): void {
    const st = this.#st;
    tickStats(st.totals);
    for (const svc of st.services.values()) tickStats(svc.stats);
    for (const dest of st.dests) if (dest !== undefined) tickStats(dest.stats);
  }

  // --- views ---

  snapshot(): TableSnapshot {
    return tableSnapshot(this.#st);
  }

  service(key: ServiceKey): ServiceSnapshot {
    return serviceSnapshot(findServiceByKey(this.#st, key));
  }

  connections(): ConnSnapshot[] {
    const now = this.#st.now();
    return [...this.#st.store.ids()].map((id) => connSnapshot(this.#st, id, now));
  }

  connection(conn: number): ConnSnapshot | undefined {
    const st = this.#st;
    return st.store.inUse(conn) ? connSnapshot(st, conn, st.now()) : undefined;
  }

  /** Entries in the connection table, templates included. */
  get size(): number {
    return this.#st.store.count;
  }

  /** Bytes of the connection table's typed arrays (benchmark and status). */
  get connTableBytes(): number {
    return this.#st.store.byteSize + this.#st.wheel.byteSize;
  }

  /** Scheduler names the table was given (for diagnostics). */
  schedulerKnown(name: LvsSched): boolean {
    return this.#st.schedulers(name) !== undefined;
  }
}

function keyOf(svc: Service): ServiceKey {
  if (svc.protocol === undefined || svc.address === undefined) {
    return { kind: 'fwmark', family: svc.family, fwmark: svc.fwmark };
  }
  return {
    kind: 'ip',
    protocol: svc.protocol,
    family: svc.family,
    address: svc.address,
    port: svc.port,
  };
}
