// The packet expressions both kernel rulesets share: the flow key, the persistence key (client
// address under the service's netmask), and the planned form of a service the table builders
// take.

import type { ServiceSnapshot, Timeouts } from '../../ipvs/index.js';
import { formatIpv6 } from '../../lib/inet.js';
import type { NftObject } from './ruleset.js';
import type { SlotTable } from './slots.js';
import { ipWord } from './slots.js';

/** A service ready to be written out: its object prefix, slot table and dest numbers. */
export interface PlannedService {
  readonly svc: ServiceSnapshot;
  readonly prefix: string;
  readonly slots: SlotTable;
  /** Everything the slot table was computed from (equal signatures, equal tables). */
  readonly slotSig: string;
  /** The dest numbers (packet marks), parallel to svc.dests. */
  readonly numbers: readonly number[];
}

/** Which counter of which dest a counter object is (the plane reads them back). */
export interface CounterRef {
  readonly service: ServiceSnapshot;
  readonly dest: number;
  readonly kind: 'in' | 'out' | 'conns';
}

/**
 * A service's objects from an earlier build, reused (the very same objects) while everything
 * they are made from is unchanged: a sync then costs little for the services it does not
 * touch, and the diff skips them by identity.
 */
export type ObjectCache = Map<
  string,
  {
    readonly sig: string;
    readonly objects: readonly NftObject[];
    readonly counters: ReadonlyMap<string, CounterRef>;
  }
>;

/** Objects of a service through the cache: `make` runs only when `sig` changed. */
export function cachedObjects(
  cache: ObjectCache | undefined,
  key: string,
  sig: string,
  counters: Map<string, CounterRef>,
  make: (counters: Map<string, CounterRef>) => NftObject[],
): readonly NftObject[] {
  const hit = cache?.get(key);
  if (hit?.sig === sig) {
    for (const [k, v] of hit.counters) counters.set(k, v);
    return hit.objects;
  }
  const own = new Map<string, CounterRef>();
  const objects = make(own);
  for (const [k, v] of own) counters.set(k, v);
  cache?.set(key, { sig, objects, counters: own });
  return objects;
}

/** Everything a service's objects are made from. */
export function plannedSignature(p: PlannedService, extra: string): string {
  const s = p.svc;
  const f = s.flags;
  const dests = s.dests.map((d, i) => `${d.address}/${d.port}/${d.method}/${p.numbers[i] ?? 0}`);
  return `${s.protocol ?? ''} ${s.address ?? ''} ${s.port} ${f.persistent ? 1 : 0}${f.onePacket ? 1 : 0} ${s.timeout} ${s.netmask} ${p.slotSig} ${dests.join(' ')} ${extra}`;
}

export interface FlowOptions {
  /** Idle timeouts in seconds (ipvsadm --set tcp tcpfin udp). */
  readonly timeouts: Timeouts;
  /** Entries a dynamic flow or persistence map may hold. */
  readonly flowsSize: number;
}

/**
 * `ip saddr . th sport`: what identifies one client flow of a service (VIP:port is fixed). For
 * IPv6 a 32-bit jhash of the same: nft 1.0.6 aborts (netlink_linearize.c:799, register
 * allocation) on any dynamic-map update whose key is `ip6 saddr . th sport` and that has a
 * value. Two flows whose hashes collide share one entry (and so one real server); with 100k
 * flows at once that is about one pair.
 */
export function flowKey(svc: ServiceSnapshot): string {
  return svc.family === 'inet6'
    ? 'jhash ip6 saddr . th sport mod 4294967295 seed 0x0'
    : 'ip saddr . th sport';
}

/** The `typeof` of a flow map key (an integer for the IPv6 hash). */
export function flowType(svc: ServiceSnapshot): string {
  return svc.family === 'inet6' ? 'numgen inc mod 2' : 'ip saddr . th sport';
}

function v6Mask(prefix: number): string {
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i] = (0xff << (8 - bits)) & 0xff;
  }
  return formatIpv6(bytes);
}

/** The client address under the persistence netmask: `ip saddr & 255.255.255.0`. */
export function persistKey(svc: ServiceSnapshot): string {
  const ip = ipWord(svc);
  if (svc.family === 'inet6') {
    const prefix = Number(svc.netmask);
    return !Number.isInteger(prefix) || prefix >= 128
      ? `${ip} saddr`
      : `${ip} saddr & ${v6Mask(prefix)}`;
  }
  return svc.netmask === '255.255.255.255' || svc.netmask === ''
    ? `${ip} saddr`
    : `${ip} saddr & ${svc.netmask}`;
}

/** The `typeof` of a persistence map key (the mask does not change the type). */
export function persistType(svc: ServiceSnapshot): string {
  return `${ipWord(svc)} saddr`;
}

/** Idle timeout of an established flow, in seconds (never 0: nft refuses a 0 timeout). */
export function flowTimeout(svc: ServiceSnapshot, t: Timeouts): number {
  return Math.max(1, svc.protocol === 'UDP' ? t.udp : t.tcp);
}

/**
 * Seconds between two refresh tags of the DR flow maps (dr.ts): an open flow's entry is written
 * at most once per period. At least 30 s, and long enough that 125 periods exceed the longest
 * idle timeout, so a tag cannot come round again while an entry written with it lives.
 */
export function refreshPeriod(t: Timeouts): number {
  return Math.max(30, Math.ceil(Math.max(t.tcp, t.udp, t.tcpfin) / 100));
}

/** `10.0.0.1 . tcp . 80`: a service in the VIP maps. */
export function serviceElement(svc: ServiceSnapshot): string {
  return `${svc.address ?? ''} . ${(svc.protocol ?? 'TCP').toLowerCase()} . ${svc.port}`;
}
