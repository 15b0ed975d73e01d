// Adding, editing and deleting services and destinations (shared/reference/ipvs.md §0, §3.5;
// the kernel's ip_vs_ctl.c). Validation follows the kernel's answers (EEXIST, ESRCH, ENOENT,
// ERANGE for a negative weight or l_threshold > u_threshold, EINVAL) as AppErrors with
// ipvsadm's wording. New destinations go to the head of the list; a deleted destination
// becomes unavailable and stays in the trash while connections still refer to it, and adding
// the same (service, address, port) again resurrects it with its counters and statistics.

import type { LvsSched } from '../config/model.js';
import { AppError } from '../lib/errors.js';
import { parseIp, type Family } from '../lib/inet.js';
import { flushNodestConns, releaseIfUnused } from './conn-table.js';
import { editThresholds, destRefs } from './dest.js';
import { trashKey, type Dest, type Service, type TableState } from './model.js';
import { fwmarkServiceId, ipServiceId } from './schedule.js';
import type { Scheduler } from './scheduler.js';
import type { ForwardMethod, ServiceProtocol, TunnelInfo } from './snapshot.js';
import { newStats } from './stats.js';

const INT_MAX = 2147483647;
/** ipvsadm's limit for -p (31 days). */
export const MAX_PERSISTENCE_TIMEOUT = 2678400;

export type ServiceKey =
  | {
      readonly kind: 'ip';
      readonly protocol: ServiceProtocol;
      readonly family: Family;
      readonly address: string;
      readonly port: number;
    }
  | { readonly kind: 'fwmark'; readonly family: Family; readonly fwmark: number };

export interface ServiceSpec {
  readonly key: ServiceKey;
  readonly scheduler: LvsSched;
  /** Absent: not persistent. `netmask` is a prefix length (default /32 or /128). */
  readonly persistence?: { readonly timeout: number; readonly netmask?: number };
  readonly onePacket?: boolean;
  readonly hashed?: boolean;
  readonly sched1?: boolean;
  readonly sched2?: boolean;
  readonly sched3?: boolean;
  /** Persistence engine; only `sip` exists. */
  readonly pe?: string;
}

export interface DestKey {
  readonly address: string;
  readonly port: number;
}

export interface DestSpec extends DestKey {
  /** Defaults to the service's family; another family is allowed only for tunnels. */
  readonly family?: Family;
  readonly weight: number;
  readonly method: ForwardMethod;
  readonly uThreshold?: number;
  readonly lThreshold?: number;
  readonly tunnel?: TunnelInfo;
}

function invalid(): AppError {
  return new AppError('ERR_IPVS_INVALID');
}

function canonical(address: string, family: Family): string {
  const ip = parseIp(address);
  if (ip?.family !== family) throw invalid();
  return ip.text;
}

function checkInt(
  v: number,
  min: number,
  max: number,
  code: 'ERR_IPVS_OUT_OF_RANGE' | 'ERR_IPVS_INVALID',
) {
  if (!Number.isInteger(v) || v < min || v > max) throw new AppError(code);
}

export function serviceId(key: ServiceKey): string {
  if (key.kind === 'fwmark') return fwmarkServiceId(key.family, key.fwmark);
  return ipServiceId(key.protocol, key.family, canonical(key.address, key.family), key.port);
}

export function findServiceByKey(st: TableState, key: ServiceKey): Service {
  const svc = st.services.get(serviceId(key));
  if (svc === undefined) throw new AppError('ERR_IPVS_NO_SERVICE');
  return svc;
}

function makeScheduler(st: TableState, spec: ServiceSpec): Scheduler {
  const factory = st.schedulers(spec.scheduler);
  if (factory === undefined) throw new AppError('ERR_IPVS_NO_SCHEDULER');
  return factory({
    sched1: spec.sched1 ?? false,
    sched2: spec.sched2 ?? false,
    sched3: spec.sched3 ?? false,
    random: st.random,
    now: st.now,
  });
}

function checkServiceSpec(spec: ServiceSpec): number {
  const { key } = spec;
  if (key.kind === 'fwmark') checkInt(key.fwmark, 1, 0xffffffff, 'ERR_IPVS_INVALID');
  else checkInt(key.port, 0, 65535, 'ERR_IPVS_INVALID');
  if (spec.pe !== undefined && spec.pe !== 'sip') throw new AppError('ERR_IPVS_NO_SCHEDULER');
  const max = key.family === 'inet' ? 32 : 128;
  const p = spec.persistence;
  if (p === undefined) return max;
  checkInt(p.timeout, 1, MAX_PERSISTENCE_TIMEOUT, 'ERR_IPVS_OUT_OF_RANGE');
  const netmask = p.netmask ?? max;
  checkInt(netmask, key.family === 'inet' ? 0 : 1, max, 'ERR_IPVS_INVALID');
  return netmask;
}

function applyServiceFlags(svc: Service, spec: ServiceSpec, netmask: number): void {
  svc.flags.persistent = spec.persistence !== undefined;
  svc.flags.hashed = spec.hashed ?? false;
  svc.flags.onePacket = spec.onePacket ?? false;
  svc.flags.sched1 = spec.sched1 ?? false;
  svc.flags.sched2 = spec.sched2 ?? false;
  svc.flags.sched3 = spec.sched3 ?? false;
  // The kernel keeps the last timeout/netmask; ipvsadm sends defaults when not persistent.
  svc.timeout = spec.persistence?.timeout ?? 0;
  svc.netmask = netmask;
  svc.pe = spec.pe;
}

export function addService(st: TableState, spec: ServiceSpec): Service {
  const netmask = checkServiceSpec(spec);
  const id = serviceId(spec.key);
  if (st.services.has(id)) throw new AppError('ERR_IPVS_SERVICE_EXISTS');
  const scheduler = makeScheduler(st, spec);
  const { key } = spec;
  const svc: Service = {
    id,
    fwmark: key.kind === 'fwmark' ? key.fwmark : 0,
    family: key.family,
    protocol: key.kind === 'ip' ? key.protocol : undefined,
    address: key.kind === 'ip' ? canonical(key.address, key.family) : undefined,
    port: key.kind === 'ip' ? key.port : 0,
    schedName: spec.scheduler,
    scheduler,
    flags: {
      persistent: false,
      hashed: false,
      onePacket: false,
      sched1: false,
      sched2: false,
      sched3: false,
    },
    timeout: 0,
    netmask,
    pe: undefined,
    dests: [],
    stats: newStats(),
  };
  applyServiceFlags(svc, spec, netmask);
  scheduler.update(svc.dests);
  st.services.set(id, svc);
  return svc;
}

export function editService(st: TableState, spec: ServiceSpec): void {
  const netmask = checkServiceSpec(spec);
  const svc = findServiceByKey(st, spec.key);
  const f = svc.flags;
  const schedChanged =
    spec.scheduler !== svc.schedName ||
    (spec.sched1 ?? false) !== f.sched1 ||
    (spec.sched2 ?? false) !== f.sched2 ||
    (spec.sched3 ?? false) !== f.sched3;
  const scheduler = schedChanged ? makeScheduler(st, spec) : svc.scheduler;
  applyServiceFlags(svc, spec, netmask);
  if (schedChanged) {
    svc.schedName = spec.scheduler;
    svc.scheduler = scheduler;
    scheduler.update(svc.dests);
  }
}

/** Move a destination out of service: unavailable, into the trash while referenced. */
function retireDest(st: TableState, dest: Dest): void {
  dest.available = false;
  if (destRefs(dest) > 0) st.trash.set(trashKey(dest.svc.id, dest.address, dest.port), dest);
  else releaseIfUnused(st, dest);
}

export function deleteService(st: TableState, key: ServiceKey): void {
  const svc = findServiceByKey(st, key);
  st.services.delete(svc.id);
  for (const dest of svc.dests.splice(0)) retireDest(st, dest);
  if (st.sysctl.expireNodestConn) flushNodestConns(st);
}

function checkDestSpec(svc: Service, spec: DestSpec): { address: string; family: Family } {
  const family = spec.family ?? svc.family;
  if (family !== svc.family && spec.method !== 'tunnel') throw invalid();
  const address = canonical(spec.address, family);
  checkInt(spec.port, 0, 65535, 'ERR_IPVS_INVALID');
  checkInt(spec.weight, 0, INT_MAX, 'ERR_IPVS_OUT_OF_RANGE');
  checkInt(spec.uThreshold ?? 0, 0, INT_MAX, 'ERR_IPVS_OUT_OF_RANGE');
  checkInt(spec.lThreshold ?? 0, 0, INT_MAX, 'ERR_IPVS_OUT_OF_RANGE');
  if ((spec.lThreshold ?? 0) > (spec.uThreshold ?? 0)) throw new AppError('ERR_IPVS_OUT_OF_RANGE');
  const t = spec.tunnel;
  if (t !== undefined && spec.method !== 'tunnel') throw invalid();
  if (t?.type === 'gue' && !t.port) throw invalid();
  return { address, family };
}

export function findDest(svc: Service, key: DestKey, family: Family): Dest | undefined {
  const address = canonical(key.address, family);
  return svc.dests.find((d) => d.address === address && d.port === key.port);
}

function applyDestSpec(dest: Dest, spec: DestSpec): void {
  dest.weight = spec.weight;
  if (spec.weight !== 0) dest.lastWeight = spec.weight;
  dest.method = spec.method;
  dest.tunnel = spec.method === 'tunnel' ? (spec.tunnel ?? { type: 'ipip' }) : undefined;
  editThresholds(dest, spec.uThreshold ?? 0, spec.lThreshold ?? 0);
}

export function addDest(st: TableState, key: ServiceKey, spec: DestSpec): Dest {
  const svc = findServiceByKey(st, key);
  const { address, family } = checkDestSpec(svc, spec);
  if (svc.dests.some((d) => d.address === address && d.port === spec.port)) {
    throw new AppError('ERR_IPVS_DEST_EXISTS');
  }
  const tkey = trashKey(svc.id, address, spec.port);
  let dest = st.trash.get(tkey);
  if (dest !== undefined) {
    st.trash.delete(tkey);
    dest.svc = svc;
    dest.available = true;
  } else {
    const slot = st.freeDestSlots.pop() ?? st.dests.length;
    dest = {
      id: slot,
      slot,
      address,
      family,
      port: spec.port,
      weight: spec.weight,
      lastWeight: spec.weight,
      activeConns: 0,
      inactConns: 0,
      persistConns: 0,
      overloaded: false,
      svc,
      method: spec.method,
      uThreshold: 0,
      lThreshold: 0,
      tunnel: undefined,
      available: true,
      stats: newStats(),
    };
    st.dests[slot] = dest;
  }
  applyDestSpec(dest, spec);
  svc.dests.unshift(dest);
  svc.scheduler.update(svc.dests);
  return dest;
}

export function editDest(st: TableState, key: ServiceKey, spec: DestSpec): void {
  const svc = findServiceByKey(st, key);
  checkDestSpec(svc, spec);
  const dest = findDest(svc, spec, spec.family ?? svc.family);
  if (dest === undefined) throw new AppError('ERR_IPVS_NO_DEST');
  applyDestSpec(dest, spec);
  svc.scheduler.update(svc.dests);
}

export function deleteDest(st: TableState, key: ServiceKey, dkey: DestKey & { family?: Family }) {
  const svc = findServiceByKey(st, key);
  const dest = findDest(svc, dkey, dkey.family ?? svc.family);
  if (dest === undefined) throw new AppError('ERR_IPVS_NO_DEST');
  svc.dests.splice(svc.dests.indexOf(dest), 1);
  svc.scheduler.update(svc.dests);
  retireDest(st, dest);
  if (st.sysctl.expireNodestConn) flushNodestConns(st);
}
